#!/usr/bin/env bash
# The biased-teacher measurement on an existing build (RELUREG=path/to/relureg, default
# build/relureg): three runs of the grid (grid.toml) — homogeneous fits (moment, gd, glmtron) and
# fits with a bias (moment, gd, glmtron, gkk19, dktz22, wzdd23, gv25) under independent label
# noise, and the same fits with a bias under adversarial noise that cancels E[y x] — then the
# table docs/biased-teacher.md and the figure docs/figures/biased-teacher.png (medians and ranges
# over seeds; DOC=, FIG= and OUT= move them and the runs).
#   bash experiments/biased_teacher/run.sh            3 seeds, n = 10^5
#   bash experiments/biased_teacher/run.sh --quick    2 seeds, n = 10^4 (CI): docs/biased-teacher-quick.md
set -euo pipefail
cd "$(dirname "$0")/../.."
relureg="${RELUREG:-build/relureg}"
[ -x "$relureg" ] || { echo "run.sh: $relureg not found: build first (cmake --build build)" >&2; exit 1; }
suffix="" seeds=3 n=100000
for arg in "$@"; do
  case "$arg" in
    --quick) suffix="-quick" seeds=2 n=10000 ;;
    *) echo "run.sh: unknown argument '$arg' (use --quick)" >&2; exit 1 ;;
  esac
done
out="${OUT:-out/biased-teacher$suffix}"
doc="${DOC:-docs/biased-teacher$suffix.md}"
fig="${FIG:-docs/figures/biased-teacher$suffix.png}"
machine="$(uname -m)$(grep -q avx512f /proc/cpuinfo 2>/dev/null && echo ' with AVX-512'), $(nproc) cores"
mkdir -p "$out" "$(dirname "$fig")"
biased='learners = ["moment", "gd", "glmtron", "gkk19", "dktz22", "wzdd23", "gv25"]'
# run name, bias, adversary, noise, learners (empty: the grid's own)
runs=("homogeneous false none 0.1 " "independent true none 0.1 $biased"
  "adversarial true cancel 0 $biased")
results=()
for spec in "${runs[@]}"; do
  read -r name bias adversary noise learners <<<"$spec"
  grid="$out/grid-$name.toml"
  sed -e "s/^seeds = .*/seeds = $seeds/" -e "s/^n = .*/n = [$n]/" -e "s/^bias = .*/bias = $bias/" \
    -e "s/^adversary = .*/adversary = \"$adversary\"/" -e "s/^noise = .*/noise = $noise/" \
    experiments/biased_teacher/grid.toml >"$grid"
  if [ -n "$learners" ]; then
    sed -i '/^\[\[learners\]\]/,$d' "$grid"
    sed -i "s/^figures = .*/&\n$learners/" "$grid"
  fi
  "$relureg" tradeoff --config "$grid" --out "$out/$name" --quiet --no-figures >/dev/null
  results+=("$name=$out/$name/results.csv")
done
/usr/bin/python3 experiments/biased_teacher/table.py "${results[@]}" --out "$doc" --figure "$fig" \
  --command "bash experiments/biased_teacher/run.sh $*" --machine "$machine"
