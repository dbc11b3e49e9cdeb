#!/usr/bin/env bash
# The biased-teacher measurement: runs the grid (grid.toml) with and without a fitted bias on an
# existing build (RELUREG=path/to/relureg, default build/relureg) and writes
# docs/biased-teacher.md (medians and ranges over seeds; DOC= and OUT= move the table and the runs).
#   bash experiments/biased_teacher/run.sh            5 seeds, n = 10^5 (about a minute)
#   bash experiments/biased_teacher/run.sh --quick    2 seeds, n = 10^4 (CI), docs/biased-teacher-quick.md
set -euo pipefail
cd "$(dirname "$0")/../.."
relureg="${RELUREG:-build/relureg}"
[ -x "$relureg" ] || { echo "run.sh: $relureg not found: build first (cmake --build build)" >&2; exit 1; }
suffix="" seeds=5 n=100000
for arg in "$@"; do
  case "$arg" in
    --quick) suffix="-quick" seeds=2 n=10000 ;;
    *) echo "run.sh: unknown argument '$arg' (use --quick)" >&2; exit 1 ;;
  esac
done
out="${OUT:-out/biased-teacher$suffix}"
doc="${DOC:-docs/biased-teacher$suffix.md}"
machine="$(uname -m)$(grep -q avx512f /proc/cpuinfo 2>/dev/null && echo ' with AVX-512'), $(nproc) cores"
mkdir -p "$out"
for bias in false true; do
  sed -e "s/^seeds = .*/seeds = $seeds/" -e "s/^n = .*/n = [$n]/" \
    -e "s/^bias = .*/bias = $bias/" experiments/biased_teacher/grid.toml >"$out/grid-bias-$bias.toml"
  "$relureg" tradeoff --config "$out/grid-bias-$bias.toml" --out "$out/bias-$bias" --quiet \
    --no-figures >/dev/null
done
/usr/bin/python3 experiments/biased_teacher/table.py "$out/bias-false/results.csv" \
  "$out/bias-true/results.csv" --out "$doc" \
  --command "bash experiments/biased_teacher/run.sh $*" --machine "$machine"
