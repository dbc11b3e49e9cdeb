#!/usr/bin/env bash
# `pip install --no-build-isolation .` into a fresh venv, then, outside the source tree: import
# relureg, fit, run the `relureg` command from PATH and draw the laboratory's figures through the
# installed package; then `pip wheel .` and the wheel's contents. Usage: pip_venv.sh BUILD_DIR [PYTHON]. BUILD_DIR is reused (only the
# extension and the CLI are built there) unless RELUREG_TEST_FRESH_BUILD=1.
set -euo pipefail
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
build_dir="$(cd "$1" && pwd)"
python="${2:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" -m venv --system-site-packages "$work/venv"
export PATH="$work/venv/bin:$PATH"
unset PYTHONPATH RELUREG_PYTHON RELUREG_PLOT_SCRIPT
if [ "${RELUREG_TEST_FRESH_BUILD:-0}" != 1 ]; then export RELUREG_CMAKE_BUILD_DIR="$build_dir"; fi
(cd "$source_dir" && pip install --no-build-isolation --no-index -q .) > "$work/pip.log" 2>&1 ||
  { cat "$work/pip.log"; echo "FAIL: pip install"; exit 1; }

cd "$work"
[ "$(command -v relureg)" = "$work/venv/bin/relureg" ] || { echo "FAIL: relureg not on PATH"; exit 1; }
python - <<'PY'
import numpy as np
import relureg

assert relureg.__file__.startswith(__import__("sys").prefix), relureg.__file__
X, y, truth = relureg.make_instance("realizable", n=2000, d=5, seed=1)
model = relureg.ReLURegressor(learner="gd", fit_intercept=False, step=1.0).fit(X, y)
error = float(np.abs(model.coef_ - np.asarray(truth["w_star"])).max())
assert error < 1e-3, error
print(f"installed fit: max |w - w*| = {error:.2e}")
PY
relureg --help | grep -q "relureg" || { echo "FAIL: relureg --help"; exit 1; }
cat > grid.toml <<'TOML'
seeds = [1]
d = [3]
n = [2000]
noise = [0.1]
figures = true

[families.label-noise]

[[learners]]
name = "gd"
TOML
relureg tradeoff --config grid.toml --out lab --quiet > tradeoff.log
for name in frontier loss_vs_opt excess_vs_time cost_vs_n; do
  head -c 8 "lab/$name.png" | od -An -c | grep -q "P   N   G" || { echo "FAIL: lab/$name.png"; exit 1; }
done
python -m relureg.plot lab/results.csv again > plotted.txt
[ "$(wc -l < plotted.txt)" -eq 8 ] || { cat plotted.txt; echo "FAIL: python -m relureg.plot"; exit 1; }
# `pip wheel .`: a wheel with the package, the extension and the CLI as its script.
(cd "$source_dir" && pip wheel --no-build-isolation --no-deps --no-index -q -w "$work/wheels" .) \
  > "$work/wheel.log" 2>&1 || { cat "$work/wheel.log"; echo "FAIL: pip wheel"; exit 1; }
python - "$work"/wheels/relureg-*.whl <<'PY'
import sys, zipfile

names = zipfile.ZipFile(sys.argv[1]).namelist()
assert any(n.startswith("relureg/_core.") and n.endswith(".so") for n in names), names
assert "relureg/plot.py" in names and any(n.endswith(".data/scripts/relureg") for n in names), names
print(f"wheel: {sys.argv[1].rsplit('/', 1)[1]} ({len(names)} files)")
PY
echo "PASS: pip install into a venv, import, fit, relureg on PATH, figures drawn; pip wheel"
