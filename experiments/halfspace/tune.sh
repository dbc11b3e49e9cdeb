#!/usr/bin/env bash
# The runs behind the halfspace learners' default schedules (docs/algorithms.md): each line is
# the mean and worst excess 0/1 error over opt (in units of eta) on `halfspace` instances with
# near and far flips, eta in {0.02, 0.05, 0.1}, 3 seeds, n = 100000. Writes
# experiments/halfspace/tuning.txt. About 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target tune_halfspace >/dev/null
export OMP_WAIT_POLICY=passive THREADS=1
out=experiments/halfspace/tuning.txt
{
  echo "# bash experiments/halfspace/tune.sh ($(date -u +%Y-%m-%d))"
  for d in 20 100; do
    build/tune_halfspace hs-average --d "$d" --quiet
    for p in "rounds=8 steps=40 band=1" "rounds=8 steps=20 band=1" "rounds=10 steps=10 band=1" \
      "rounds=10 steps=5 band=1.5" "rounds=10 steps=10 band=0.5" "rounds=10 steps=10 band=1.5" \
      "rounds=10 steps=10 band=2" "rounds=10 steps=10 band=1.5 margin=0.25" \
      "rounds=10 steps=10 band=1.5 margin=1" "rounds=10 steps=10 band=1.5 ball=0.25" \
      "rounds=10 steps=10 band=1.5 ball=1"; do
      echo "hs-abl $p: $(build/tune_halfspace hs-abl $p --d "$d" --quiet)"
    done
    for p in "sigmas=6 batch=256 step=1 epochs=4" "sigmas=8 batch=256 step=1 epochs=4" \
      "sigmas=8 batch=1024 step=0.3 epochs=4" "sigmas=8 batch=4096 step=0.5 epochs=4" \
      "sigmas=8 batch=4096 step=0.5 epochs=8" "sigmas=8 batch=4096 step=0.25 epochs=8" \
      "sigmas=8 batch=4096 step=0.5 epochs=8 warm_start=0" "sigmas=8 batch=0 step=10 epochs=20"; do
      echo "hs-sigmoid $p: $(build/tune_halfspace hs-sigmoid $p --d "$d" --quiet)"
    done
  done
} | tee "$out"
