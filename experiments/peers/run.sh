#!/usr/bin/env bash
# One command for docs/performance.md: builds relureg, installs python3-torch from Debian if it is
# missing, fetches OpenBLAS into build/peers (nothing installed system-wide), runs the engine
# benchmark and the peer comparison (experiments/peers/peers.py; its flags pass through, e.g.
# --big for n = 10^7, --quick for a smoke run). --no-openblas / --no-bench skip those parts.
# --bench-only runs the benchmarks alone (bench_engine, bench_subsets) and rewrites their sections
# of docs/performance.md, or of the page that --out names. On an AVX-512 host both benchmarks and
# relureg are also built with -DRELUREG_ARCH=x86-64-v3 in build-avx2 (AVX2 code, measured on this
# host; the per-epoch comparison is repeated with that relureg and the peers on their AVX2 paths);
# --no-avx2 skips it.
set -euo pipefail
cd "$(dirname "$0")/../.."
openblas=1
bench=1
bench_only=0
avx2=1
args=()
out_doc=docs/performance.md
previous=""
for a in "$@"; do
  case "$a" in
    --no-openblas) openblas=0 ;;
    --no-bench) bench=0 ;;
    --bench-only) bench_only=1 ;;
    --no-avx2) avx2=0 ;;
    --out=*) out_doc="${a#--out=}" && args+=("$a") ;;
    *) args+=("$a") ;;
  esac
  [ "$previous" = --out ] && out_doc="$a"
  previous="$a"
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target relureg bench_engine bench_subsets >/dev/null
grep -qw avx512f /proc/cpuinfo || avx2=0
if [ "$avx2" = 1 ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B build-avx2 -DCMAKE_BUILD_TYPE=Release -DRELUREG_ARCH=x86-64-v3 "${launcher[@]}" \
    -DRELUREG_BUILD_PYTHON=OFF -DRELUREG_BUILD_EXPERIMENTS=OFF -DRELUREG_BUILD_TESTS=OFF >/dev/null
  cmake --build build-avx2 -j"$(nproc)" --target bench_engine bench_subsets relureg >/dev/null
fi

# Each benchmark interleaves its own repetitions; the two builds run one after the other.
interleaved=(--benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
  --benchmark_report_aggregates_only=true)
run_bench() {
  mkdir -p build/peers
  build/bench_engine --benchmark_min_time=0.2 "${interleaved[@]}" >build/peers/bench.txt
  build/bench_subsets --benchmark_min_time=0.1 "${interleaved[@]}" >build/peers/subsets.txt
  bench_args=(--bench build/peers/bench.txt --subsets build/peers/subsets.txt)
  if [ "$avx2" = 1 ]; then
    build-avx2/bench_engine --benchmark_min_time=0.2 "${interleaved[@]}" >build/peers/bench-avx2.txt
    build-avx2/bench_subsets --benchmark_min_time=0.1 "${interleaved[@]}" \
      >build/peers/subsets-avx2.txt
    bench_args+=(--avx2-bench build/peers/bench-avx2.txt --avx2-subsets build/peers/subsets-avx2.txt)
  fi
}
if [ "$bench_only" = 1 ]; then
  mkdir -p build/peers
  echo "peers: build/bench_engine and build/bench_subsets alone (sections 4 and 5)" >&2
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  run_bench
  native=$(grep -q 'RELUREG_NATIVE:BOOL=ON' build/CMakeCache.txt && echo "-march=native" ||
    echo "for any x86-64, short-row kernels chosen at run time")
  exec /usr/bin/python3 experiments/peers/bench_only.py "${bench_args[@]}" --doc "$out_doc" \
    --build "compiled $native" --load-before "$before" --load-after "$(cut -d' ' -f1-3 /proc/loadavg)"
fi

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "peers: installing python3-torch (Debian) for the PyTorch rows" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { $SUDO apt-get install -y -qq --no-install-recommends python3-torch >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends python3-torch >/dev/null; }; }; then
    echo "peers: python3-torch could not be installed: the PyTorch rows are skipped" >&2
  fi
fi

mkdir -p build/peers
openblas_dir=""
if [ "$openblas" = 1 ]; then
  # Debian's python3-torch and numpy use the reference BLAS (libblas3) by default; installing
  # libopenblas0 would switch every program on the machine to it, so it is unpacked here and
  # handed to the peer processes only, through LD_LIBRARY_PATH.
  lib=$(find build/peers/openblas -name libblas.so.3 2>/dev/null | head -1 || true)
  if [ -z "$lib" ]; then
    rm -rf build/peers/openblas && mkdir -p build/peers/openblas
    if (cd build/peers/openblas && apt-get download libopenblas0-pthread >/dev/null 2>&1 &&
      dpkg -x libopenblas0-pthread_*.deb .); then
      lib=$(find build/peers/openblas -name libblas.so.3 | head -1)
    fi
  fi
  if [ -n "$lib" ]; then
    openblas_dir=$(cd "$(dirname "$lib")" && pwd)
  else
    echo "peers: OpenBLAS could not be fetched: only the default BLAS rows are run" >&2
  fi
fi

bench_args=()
if [ "$bench" = 1 ]; then
  echo "peers: build/bench_engine and build/bench_subsets" >&2
  run_bench
fi
avx2_args=()
[ "$avx2" = 1 ] && avx2_args=(--avx2-relureg build-avx2/relureg)
exec /usr/bin/python3 experiments/peers/peers.py --relureg build/relureg "${avx2_args[@]}" \
  ${openblas_dir:+--openblas "$openblas_dir"} "${bench_args[@]}" "${args[@]}"
