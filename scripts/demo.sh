#!/usr/bin/env bash
# Installs what is missing, builds the tool, and runs the main job (relureg tradeoff) on its built-in grid.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target relureg >/dev/null
exec build/relureg tradeoff "$@"
