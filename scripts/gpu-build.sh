#!/usr/bin/env bash
# Builds and tests GOS against a LibTorch 2.x on a machine without Debian's
# packages (the GPU machine of docs/performance/adapt-gpu.md: Ubuntu 24.04,
# pip torch with CUDA). The Debian packages it lacks (toml++, Boost 1.74 with
# program_options, Google Benchmark) are fetched beforehand on a Debian
# machine into DEPS_DIR:
#   mkdir -p .gpu-deps && cd .gpu-deps && apt-get download libtomlplusplus-dev libtomlplusplus3 \
#     libboost1.74-dev libboost-program-options1.74-dev libboost-program-options1.74.0 \
#     libbenchmark-dev libbenchmark1debian
# and, for ONNX models (gos_onnx), libonnx-dev libonnx1 libonnxifi libprotobuf-dev libprotobuf32
# libprotobuf-lite32 (Debian's ONNX is built against Debian's protobuf 3.21: both travel),
# and unpacked here into /tmp/deps (never into /). ONNX and protobuf go to a prefix of their
# own, /tmp/deps-onnx: /tmp/deps/usr/include is an -isystem of CMAKE_CXX_FLAGS, so CMake
# takes it for an implicit include directory and drops it from every target's include
# list, and protobuf's headers must come *before* LibTorch's own copy (another protobuf
# version) on gos_onnx's command line (torchlib/onnx/CMakeLists.txt).
#
# Usage: scripts/gpu-build.sh [DEPS_DIR] [BUILD_DIR] [TARGET...]   (GOS_TORCH_DIR: LibTorch's CMake dir;
#        no TARGET: everything)
set -euo pipefail
cd "$(dirname "$0")/.."
deps_dir=${1:-.gpu-deps}
build_dir=${2:-build-gpu}
targets=("${@:3}")
torch_dir=${GOS_TORCH_DIR:-$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "share", "cmake"))' 2>/dev/null || true)}
[ -n "$torch_dir" ] || { echo "set GOS_TORCH_DIR to LibTorch's CMake directory"; exit 2; }
mkdir -p /tmp/deps /tmp/deps-onnx
for deb in "$deps_dir"/*.deb; do
  case "$(basename "$deb")" in
    libonnx* | libprotobuf*) dpkg -x "$deb" /tmp/deps-onnx ;;
    *) dpkg -x "$deb" /tmp/deps ;;
  esac
done
onnx=()
# FindProtobuf looks only in system paths: point it at the unpacked 3.21.
if [ -f /tmp/deps-onnx/usr/include/google/protobuf/message.h ]; then
  onnx=(-DProtobuf_INCLUDE_DIR=/tmp/deps-onnx/usr/include
    -DProtobuf_LIBRARY=/tmp/deps-onnx/usr/lib/x86_64-linux-gnu/libprotobuf.so
    -DONNX_DIR=/tmp/deps-onnx/usr/lib/x86_64-linux-gnu/cmake/ONNX)
fi
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBoost_DIR=/tmp/deps/usr/lib/x86_64-linux-gnu/cmake/Boost-1.74.0 \
  -DCMAKE_PREFIX_PATH="$torch_dir;/tmp/deps/usr/lib/x86_64-linux-gnu/cmake" \
  -DCMAKE_CXX_FLAGS="-isystem /tmp/deps/usr/include" "${onnx[@]}"
target_args=()
((${#targets[@]})) && target_args=(--target "${targets[@]}")
cmake --build "$build_dir" -j "$(nproc)" "${target_args[@]}"
echo "export LD_LIBRARY_PATH=/tmp/deps/usr/lib/x86_64-linux-gnu:/tmp/deps-onnx/usr/lib/x86_64-linux-gnu:/tmp/deps-onnx/usr/lib before running $build_dir/gos"
