#!/usr/bin/env bash
# `cmake --install BUILD_DIR --prefix P`, then a program outside the project finds the package
# (find_package(relureg)), links relureg::core, runs; and the installed CLI answers --help.
# Then relureg as an add_subdirectory subproject: its optional parts default off.
set -euo pipefail
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
build_dir="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
for f in bin/relureg include/relureg/learner.hpp lib/librelureg_core.a lib/cmake/relureg/relureg-config.cmake; do
  [ -e "$work/prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
"$work/prefix/bin/relureg" --help > /dev/null
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$source_dir/tests/install/consumer" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" > "$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
"$work/consumer/consumer"
# As a subproject: tests, benchmarks, experiments, the Python module and -march=native default off
# (configured only; the library build is the same as above).
cmake -S "$source_dir/tests/install/subproject" -B "$work/sub" -DRELUREG_SOURCE_DIR="$source_dir" \
  > "$work/sub.log" 2>&1 || { cat "$work/sub.log"; exit 1; }
for option in NATIVE BUILD_TESTS BUILD_BENCH BUILD_EXPERIMENTS BUILD_PYTHON; do
  grep -qx "RELUREG_$option:BOOL=OFF" "$work/sub/CMakeCache.txt" ||
    { echo "FAIL: RELUREG_$option is not OFF in a subproject"; exit 1; }
done
echo "PASS: installed package found, relureg::core linked, consumer ran; subproject defaults off"
