#!/usr/bin/env bash
# Installs GOS's Debian 12 packages if missing, then configures and builds in
# ./build. Used by both README commands and by CI. Run as root (or with sudo
# available) on a fresh machine; a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake git pkg-config ccache
  libtorch-dev libboost-dev libboost-program-options-dev libtomlplusplus-dev
  libhdf5-dev libfmt-dev libgtest-dev libbenchmark-dev zlib1g-dev graphviz libssl-dev
  python3-h5py python3-numpy python3-deap python3-torch
  libonnx-dev libprotobuf-dev libonnx-testdata python3-onnx python3-torchvision
  libopenmpi-dev openmpi-bin
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# GOS_TORCH_DIR: a LibTorch of your own (the pytorch.org archive, or pip's
# torch/share/cmake) instead of Debian's libtorch-dev 1.13.
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ -n "${GOS_TORCH_DIR:-}" ]; then
  cmake_args+=("-DCMAKE_PREFIX_PATH=${GOS_TORCH_DIR}")
fi
jobs="${GOS_BUILD_JOBS:-$(nproc)}"
cmake -S . -B build "${cmake_args[@]}"
cmake --build build -j "$jobs"
