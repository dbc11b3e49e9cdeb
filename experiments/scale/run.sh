#!/usr/bin/env bash
# Regenerates the measurements of docs/distributed.md: an out-of-core pass (cache dropped for the
# file) against a plain sequential read of the same file, and time per pass / reduction share for
# P = 1, 2 processes (strong and weak scaling). Prints JSON lines; results go to
# experiments/scale/results.jsonl.
#   bash experiments/scale/run.sh [--n N] [--d D] [--repeats R]     (default n = 4e6, d = 100: 1.6 GB)
#   bash experiments/scale/run.sh --huge 100000000   also one out-of-core pass over an n = 1e8,
#                                                     d = 100 file (40 GB, deleted afterwards)
# Timings on a shared machine are noisy: medians of interleaved repetitions.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=4000000 d=100 repeats=3 huge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n=$2; shift 2 ;;
    --d) d=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --huge) huge=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target scale_bench >/dev/null
work=${SCALE_WORK:-/tmp/relureg-scale}
mkdir -p "$work"
out=experiments/scale/results.jsonl
: > "$out"
half=$((n / 2))
[ -f "$work/full-$n-$d.npy" ] || build/scale_bench write "$work/full-$n-$d.npy" --n "$n" --d "$d"
[ -f "$work/half-$half-$d.npy" ] || build/scale_bench write "$work/half-$half-$d.npy" --n "$half" --d "$d"
mpi="mpirun --oversubscribe --allow-run-as-root"
{
  echo "# out of core: one gd pass (page cache dropped) vs a plain read of the same files"
  for t in 1 2; do build/scale_bench outofcore "$work/full-$n-$d.npy" --threads "$t" --repeats "$repeats"; done
  echo "# MPI, strong scaling: the same $n rows on P = 1, 2 (one thread each), data in the page cache"
  for rep in $(seq "$repeats"); do
    for p in 1 2; do $mpi -np "$p" build/scale_bench mpi "$work/full-$n-$d.npy" --threads 1 --passes 10; done
  done
  echo "# MPI, weak scaling: $half rows per process"
  for rep in $(seq "$repeats"); do
    $mpi -np 1 build/scale_bench mpi "$work/half-$half-$d.npy" --threads 1 --passes 10
    $mpi -np 2 build/scale_bench mpi "$work/full-$n-$d.npy" --threads 1 --passes 10
  done
} | tee "$out"
if [ "$huge" -gt 0 ]; then
  echo "# out of core at n = $huge, d = $d: anonymous memory of a pass (file deleted afterwards)" | tee -a "$out"
  build/scale_bench write "$work/huge.npy" --n "$huge" --d "$d"
  build/scale_bench outofcore "$work/huge.npy" --threads 2 --repeats 2 | tee -a "$out"
  rm -f "$work/huge.npy" "$work/huge.labels.npy"
fi
