#!/usr/bin/env bash
# Installs the Debian packages relureg needs; idempotent and quiet when everything is present.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libeigen3-dev libomp-dev libcli11-dev nlohmann-json3-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin
  pybind11-dev python3-dev python3-numpy python3-pytest python3-matplotlib python3-sklearn python3-pandas
  # the sanitizer build and the libFuzzer targets (scripts/sanitize.sh): clang and its runtimes
  clang libclang-rt-dev
  python3-venv python3-pip python3-setuptools python3-wheel
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
