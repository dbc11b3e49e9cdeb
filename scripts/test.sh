#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs the whole test suite (C++ via ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python/test_peers.py
