#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs the whole test suite (C++ via ctest, Python,
# then the readers' fuzz targets under the sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
# Python package (built into build/python by the CMake build), with Debian's interpreter.
PYTHONPATH=build/python /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
# Each reader's libFuzzer target (clang, AddressSanitizer + UndefinedBehaviorSanitizer) for a short
# fixed number of runs. The whole C++ suite under the sanitizers, `bash scripts/sanitize.sh`, does
# not fit CI's time budget: see docs/reliability.md.
bash scripts/sanitize.sh fuzz
