#!/usr/bin/env bash
# Hardening checks in a clang build with AddressSanitizer + UndefinedBehaviorSanitizer
# (build-sanitize/): the C++ test suite, and each reader's libFuzzer target for a short, fixed
# number of runs. Usage:
#   bash scripts/sanitize.sh         # everything: the whole C++ suite and the fuzz targets
#   bash scripts/sanitize.sh fuzz    # only the fuzz targets (builds the library and the targets)
#   RELUREG_FUZZ_RUNS=20000 bash scripts/sanitize.sh fuzz   # more executions per target
# Long fuzzing sessions: see docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
build=${RELUREG_SANITIZE_BUILD:-build-sanitize}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1 with line tables only: reports still name the file and line, and the build takes about a
# quarter less time than RelWithDebInfo's -O2 -g (the fuzz targets on a 2-core Zen 3 guest: 11.0
# → 8.4 min), which CI's budget needs.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" -DCMAKE_CXX_COMPILER=clang++ \
  -DRELUREG_FUZZ=ON -DRELUREG_FUZZ_RUNS="${RELUREG_FUZZ_RUNS:-2000}" \
  -DRELUREG_BUILD_PYTHON=OFF -DRELUREG_BUILD_BENCH=OFF -DRELUREG_BUILD_EXPERIMENTS=OFF \
  "${launcher[@]}" >/dev/null
# Every finding stops the test that made it. The suppression files name the known false positives
# and third-party leaks (see docs/reliability.md); no check is turned off.
# The slow unwinder gives whole stacks, so that leaks inside OpenMPI match its suppressions.
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:check_initialization_order=1:strict_init_order=1:suppressions=$PWD/scripts/asan.supp"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# This build has no Python package (build/python): the figures' script is taken from the source.
export RELUREG_PLOT_SCRIPT="$PWD/python/relureg/plot.py"
case "$mode" in
  fuzz)
    cmake --build "$build" -j"$(nproc)" --target fuzz_csv fuzz_npy fuzz_model_json \
      fuzz_tradeoff_config >/dev/null
    ctest --test-dir "$build" --output-on-failure -j"$(nproc)" -R '^fuzz_'
    ;;
  all)
    cmake --build "$build" -j"$(nproc)" >/dev/null
    # The install tests build an uninstrumented consumer program and pip package against this
    # instrumented library, which cannot link; they run in the plain suite (scripts/test.sh).
    ctest --test-dir "$build" --output-on-failure -j"$(nproc)" -E '^install_'
    ;;
  *)
    echo "usage: bash scripts/sanitize.sh [all|fuzz]" >&2
    exit 2
    ;;
esac
