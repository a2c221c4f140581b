#!/usr/bin/env bash
# The GPU adapt table (docs/performance/adapt-gpu.md): the four
# experiments/adapt/gpu_*.toml side by side on one machine, each training on
# the GPU and timing on one CPU thread, with GPU utilisation sampled every 5 s.
# Expects a build from scripts/gpu-build.sh and the CIFAR-10 batches either in
# GOS_CIFAR_DIR or xz-compressed in .gpu-data/ and .gpu-train/ (carried there
# with the device tool: the tree and everything carried must fit 64 MiB).
#
# Usage: scripts/gpu-adapt-table.sh OUT_DIR [--set key=value ...]   (passed to every run)
#   GOS_RUNS_DIR      run directories (default /tmp/gos-runs)
#   GOS_BASELINES     a runs directory of an earlier table: reuse its baseline.ckpt files
#   GOS_MODELS        which models (default: resnet18 mobilenetv3_large mobilenetv3_small inception_v3)
#   GOS_RUN_TIMEOUT   seconds after which a run is interrupted (resumable with --resume); default none
#   GOS_RESUME        non-empty: continue the runs in GOS_RUNS_DIR (--resume) instead of starting over
#   GOS_PIN_CORES     non-empty: each run on its own share of the cores (taskset), so that the
#                     one-thread CPU timings of one run do not share a core with another run
# Writes OUT_DIR/runs.tar.xz (run directories without checkpoints, logs) and OUT_DIR/gpu-util.csv.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/gpu-adapt-table.sh OUT_DIR [--set key=value ...]}
shift
runs=${GOS_RUNS_DIR:-/tmp/gos-runs}
data=${GOS_CIFAR_DIR:-/tmp/cifar10}
models=${GOS_MODELS:-resnet18 mobilenetv3_large mobilenetv3_small inception_v3}
export LD_LIBRARY_PATH=/tmp/deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
mkdir -p "$data" "$runs" "$out"
for packed in .gpu-data/*.xz .gpu-train/*.xz; do
  [ -f "$packed" ] || continue
  target="$data/$(basename "$packed" .xz)"
  [ -f "$target" ] || xz -dc "$packed" > "$target"
done
extra=()
if [ ! -f "$data/test_batch.bin" ]; then
  echo "note: $data/test_batch.bin is missing: runs without test accuracy (test_images=0)"
  extra+=(--set test_images=0)
fi
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 5 > "$out/gpu-util.csv" 2>&1 &
sampler=$!
pids=()
count=$(wc -w <<< "$models")
per_run=$(($(nproc) / count))
index=0
for model in $models; do
  reuse=()
  [ -n "${GOS_BASELINES:-}" ] && reuse=(--set "baseline_checkpoint=\"$GOS_BASELINES/$model/baseline.ckpt\"")
  limit=()
  [ -n "${GOS_RUN_TIMEOUT:-}" ] && limit=(timeout -s INT "$GOS_RUN_TIMEOUT")
  pin=()
  [ -n "${GOS_PIN_CORES:-}" ] && pin=(taskset -c "$((index * per_run))-$((index * per_run + per_run - 1))")
  start=(--overwrite)
  [ -n "${GOS_RESUME:-}" ] && start=(--resume)
  "${limit[@]}" "${pin[@]}" build-gpu/gos adapt "experiments/adapt/gpu_$model.toml" "${start[@]}" -o "$runs/$model" \
    --set "data_dir=\"$data\"" "${extra[@]}" "${reuse[@]}" "$@" >> "$runs/$model.log" 2>&1 &
  pids+=($!)
  index=$((index + 1))
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
kill "$sampler" 2> /dev/null
for model in $models; do tail -n 3 "$runs/$model.log"; done
tar -C "$runs" --exclude='*.ckpt' --exclude='*.pt' -cJf "$out/runs.tar.xz" .
exit $status
