#!/usr/bin/env bash
# The gkk19 opt^(2/3) law on two-point-noise instances: runs the grid (grid.toml) with an existing
# build (RELUREG=path/to/relureg, default build/relureg) and writes the table docs/gkk19-law.md,
# its numbers (.json) and the figure docs/figures/gkk19-law.png (DOC=, FIG= and OUT= move them).
#   bash experiments/gkk19_law/run.sh           9 opts in [1e-6, 1e-2], 5 seeds, n = 10^5
#   bash experiments/gkk19_law/run.sh --quick   3 opts, 2 seeds, n = 3·10^4 (CI), *-quick files
set -euo pipefail
cd "$(dirname "$0")/../.."
relureg="${RELUREG:-build/relureg}"
[ -x "$relureg" ] || { echo "run.sh: $relureg not found: build first (cmake --build build)" >&2; exit 1; }
suffix="" sed_args=()
for arg in "$@"; do
  case "$arg" in
    --quick) suffix="-quick"
      sed_args=(-e "s/^seeds = .*/seeds = 2/" -e "s/^n = .*/n = [30000]/"
                -e "s/^noise = .*/noise = [1e-6, 1e-4, 1e-2]/") ;;
    *) echo "run.sh: unknown argument '$arg' (use --quick)" >&2; exit 1 ;;
  esac
done
out="${OUT:-out/gkk19-law$suffix}"
doc="${DOC:-docs/gkk19-law$suffix.md}"
fig="${FIG:-docs/figures/gkk19-law$suffix.png}"
machine="$(uname -m)$(grep -q avx512f /proc/cpuinfo 2>/dev/null && echo ' with AVX-512'), $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the start"
mkdir -p "$out" "$(dirname "$doc")" "$(dirname "$fig")"
sed "${sed_args[@]:--e s/^//}" experiments/gkk19_law/grid.toml >"$out/grid.toml"
rm -rf "$out/run"  # a fresh run (the laboratory would resume finished cells), so the time is real
start=$(date +%s)
"$relureg" tradeoff --config "$out/grid.toml" --out "$out/run" --quiet --no-figures >/dev/null
seconds=$(( $(date +%s) - start ))
/usr/bin/python3 experiments/gkk19_law/table.py "$out/run/results.csv" --out "$doc" --figure "$fig" \
  --command "bash experiments/gkk19_law/run.sh${*:+ $*}" --machine "$machine" --seconds "$seconds"
