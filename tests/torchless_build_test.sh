#!/usr/bin/env bash
# The configuration without LibTorch configures, builds and passes its tests.
# Usage: torchless_build_test.sh SOURCE_DIR BUILD_DIR
# BUILD_DIR should sit at the same depth as the main build tree, so that
# ccache (with CCACHE_BASEDIR) reuses the objects both configurations share.
set -euo pipefail
source_dir=$1
build_dir=$2
jobs=${GOS_BUILD_JOBS:-2}
cmake -S "$source_dir" -B "$build_dir" -DGOS_WITH_TORCH=OFF -DGOS_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build_dir.configure.log" 2>&1 || { cat "$build_dir.configure.log"; exit 1; }
cmake --build "$build_dir" -j "$jobs" > "$build_dir.build.log" 2>&1 || { tail -50 "$build_dir.build.log"; exit 1; }
if nm -D "$build_dir/gos" | grep -q ' U .*torch'; then echo "the torch-less gos links LibTorch"; exit 1; fi
ctest --test-dir "$build_dir" -j "$jobs" --output-on-failure
