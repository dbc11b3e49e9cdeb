#!/usr/bin/env bash
# Regenerates the gkk19 experiment: builds the driver, fits every learner on the instance grid,
# then writes the table (docs/gkk19*.md) and the figure (docs/figures/gkk19*.png).
#   bash experiments/gkk19/run.sh           quick grid (d = 20, 4 opts, 3 seeds; a few minutes)
#   bash experiments/gkk19/run.sh --full    the issue's grid (d = 20 and 100, 7 opts, 3 seeds)
# Other arguments go to the driver (--threads T, --n N, --seeds S, --opts a,b, --ds a,b, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
suffix="-quick"
for arg in "$@"; do [ "$arg" = "--full" ] && suffix=""; done
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target gkk19_experiment >/dev/null
mkdir -p docs/figures
results="experiments/gkk19/results${suffix}.csv"
# One engine thread by default: many short passes gain little from a second thread.
OMP_WAIT_POLICY=passive build/gkk19_experiment --threads 1 "$@" --out "$results"
/usr/bin/python3 experiments/gkk19/plot_gkk19.py "$results" --table "docs/gkk19${suffix}.md" \
  --figure "docs/figures/gkk19${suffix}.png" --command "$(echo bash experiments/gkk19/run.sh "$@")"
