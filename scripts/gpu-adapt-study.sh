#!/usr/bin/env bash
# Issue #14's measurements on the GPU machine (docs/performance/adapt.md):
#   1. the inner strategy on the GOS task: nsga2, regularized_evolution and
#      random_search on ResNet18 (width 0.5), 24 candidates per slot each
#      (NSGA-II's default 6 x 3: the initial population and 3 generations),
#      3 seeds; the three runs of one seed share the baseline that the nsga2
#      run of that seed trains (the seed also draws the held-out images, so
#      baselines are per seed);
#   2. the latency model: the nsga2 run of seed 1 (measured) against the same
#      run with a lookup table and with a per-kernel MLP predictor, built here
#      on the same CPU and device settings first;
#   3. the three-model table: experiments/adapt/{resnet18,mobilenetv3,inception_v3}.toml
#      as committed, trained on the GPU.
# Training runs on the GPU (`device = "cuda"`); every latency on one CPU
# thread, each run pinned to its own core (taskset). Expects a build from
# scripts/gpu-build.sh in build-gpu and the CIFAR-10 training batches in
# GOS_CIFAR_DIR or xz-compressed in .gpu-data/ (no test batch: it does not fit
# the device tool's 64 MiB beside the tree, so test_images = 0 and accuracy is
# the held-out one).
#
# Usage: scripts/gpu-adapt-study.sh RUNS_DIR [SEARCH_MINUTES]
#   GOS_STUDY_PARTS   which of "strategies latency table" to run (default all three)
#   GOS_STUDY_SETS    extra --set arguments for every study run, e.g.
#                     '--set train_files=["data_batch_1.bin"] --set holdout=1000'
# Writes RUNS_DIR/<run>/ (adapt's run directories) and RUNS_DIR/<run>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=$(realpath -m "${1:?usage: scripts/gpu-adapt-study.sh RUNS_DIR [SEARCH_MINUTES]}")
minutes=${2:-6}
parts=${GOS_STUDY_PARTS:-strategies latency table}
part() { [[ " $parts " == *" $1 "* ]]; }
data=${GOS_CIFAR_DIR:-/tmp/cifar10}
gos=$PWD/${GOS_BUILD:-build-gpu}/gos
export LD_LIBRARY_PATH=/tmp/deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
mkdir -p "$data" "$runs"
for packed in .gpu-data/*.xz; do
  [ -f "$packed" ] || continue
  target="$data/$(basename "$packed" .xz)"
  [ -f "$target" ] || xz -dc "$packed" > "$target"
done

# One device configuration for everything, so that the table built below is
# accepted by the runs that use it.
device='{ plugin = "cpu", clock = "process_cpu", threads = 1, warmup = 3, runs = 7, quantile = 0.0, max_spread = inf, max_attempts = 1 }'
device_sets=(--set device.clock=process_cpu --set device.threads=1 --set device.warmup=3 --set device.runs=7
  --set device.quantile=0.0 --set device.max_spread=inf --set device.max_attempts=1)
# The [adapt] table of gpu_resnet18.toml without its strategy and latency
# tables: the strategy comes from --set below, the latency model from here.
adapt_table=$(awk '/^\[adapt\]/ {on = 1} /^\[adapt\./ {on = 0} on' experiments/adapt/gpu_resnet18.toml)
study_file() {  # NAME LATENCY_LINES...
  local name=$1
  shift
  { printf '%s\n\n[adapt.latency]\n' "$adapt_table"; printf '%s\n' "$@"; } > "$runs/$name.toml"
}
study_file measure 'plugin = "measure"' "device = $device"
study_file lut 'plugin = "lut"' "file = \"$runs/lut.h5\"" 'on_missing = "measure"' "device = $device"
study_file predictor 'plugin = "predictor"' "file = \"$runs/predictor.h5\"" "device = $device"

cores_here=$(nproc)  # the plan pins 16 runs to 16 cores; fewer cores share
limit=$((minutes * 60 + 300))  # the budget stops a run; this only catches one that hangs
study=(--set "data_dir=\"$data\"" --set width=0.5 --set test_images=0 --set baseline_epochs=30
  --set "time_budget_minutes=$minutes")
# shellcheck disable=SC2206 # word splitting is the point: several --set pairs
study+=(${GOS_STUDY_SETS:-})
regularized_evolution=(--set strategy.plugin=regularized_evolution --set strategy.population=6
  --set strategy.sample_size=3 --set strategy.evaluations=24 --set strategy.batch=6)
random_search=(--set strategy.plugin=random_search --set strategy.evaluations=24 --set strategy.batch=6)

adapt() {  # RUN CORE FILE ARGS...
  local run=$1 core=$2 file=$3
  shift 3
  taskset -c $((core % cores_here)) timeout -s INT "$limit" "$gos" adapt "$file" --overwrite -o "$runs/$run" "$@" \
    > "$runs/$run.log" 2>&1
  touch "$runs/$run.done"
  echo "$(date +%T) $run finished: $(tail -n 1 "$runs/$run.log")"
}
wait_for() {  # FILE: until it exists (a baseline written by another run)
  for _ in $(seq 900); do
    [ -f "$1" ] && return 0
    sleep 1
  done
  echo "gave up waiting for $1"
  return 1
}
shared_baseline() { echo "baseline_checkpoint=\"$runs/baseline_s$1/baseline.ckpt\""; }

echo "$(date +%T) study: $minutes-minute searches in $runs; $(nproc) cores"
pids=()
# The baselines first, one per seed (a run that stops at its budget before
# the first iteration), so that every search of the comparison gets the same
# minutes: the budget counts from a run's start, training included.
for seed in 1 2 3; do
  adapt "baseline_s$seed" $((seed - 1)) "$runs/measure.toml" "${study[@]}" --set "seed=$seed" \
    --set time_budget_minutes=0.001 &
  pids+=($!)
done
core=3
part table && for model in resnet18 mobilenetv3 inception_v3; do
  adapt "table_$model" $((core++)) "experiments/adapt/$model.toml" --set 'device="cuda"' \
    --set "data_dir=\"$data\"" --set test_images=0 --set "time_budget_minutes=$minutes" &
  pids+=($!)
done

# The lookup table (the first stage's 32x32x32 convolutions; other kernels are
# measured on demand) and the predictor (a dataset of the second stage's
# 64x16x16 slot, then the MLP), each on a core of its own.
part latency && (
  taskset -c $((6 % cores_here)) "$gos" lut build --space gos_graph --set 'space.input=[32,32,32]' --set 'space.output=[32,32,32]' \
    --set space.max_nodes=6 --set space.seed=conv3x3_bn_relu "${device_sets[@]}" --models 200 --overhead-models 20 \
    -o "$runs/lut.h5" --overwrite > "$runs/lut_build.log" 2>&1
  echo "$(date +%T) lut built: $(tail -n 1 "$runs/lut_build.log")"
  wait_for "$runs/baseline_s1.done" &&
    adapt lut_s1 6 "$runs/lut.toml" "${study[@]}" --set seed=1 --set "$(shared_baseline 1)"
) &
part latency && pids+=($!)
part latency && (
  graph=(--space gos_graph --set 'space.input=[64,16,16]' --set 'space.output=[64,16,16]' --set space.max_nodes=6
    --set space.seed=conv3x3_bn_relu)
  taskset -c $((7 % cores_here)) "$gos" latency dataset "${graph[@]}" "${device_sets[@]}" --count 300 \
    -o "$runs/predictor_dataset.h5" --overwrite > "$runs/predictor_build.log" 2>&1 &&
    taskset -c $((7 % cores_here)) "$gos" latency train "${graph[@]}" --dataset "$runs/predictor_dataset.h5" \
      -o "$runs/predictor.h5" --overwrite >> "$runs/predictor_build.log" 2>&1
  echo "$(date +%T) predictor trained: $(tail -n 1 "$runs/predictor_build.log")"
  wait_for "$runs/baseline_s1.done" &&
    adapt predictor_s1 7 "$runs/predictor.toml" "${study[@]}" --set seed=1 --set "$(shared_baseline 1)"
) &
part latency && pids+=($!)

# The three strategies of each seed start together once that seed's baseline
# run has finished.
part strategies && for seed in 1 2 3; do
  (
    wait_for "$runs/baseline_s$seed.done" || exit 1
    cores=(8 9 10 11 12 13 14 15 2)  # core 2 ran the baseline of seed 3
    first=$((3 * (seed - 1)))
    adapt "nsga2_s$seed" "${cores[first]}" "$runs/measure.toml" "${study[@]}" --set "seed=$seed" \
      --set "$(shared_baseline "$seed")" &
    adapt "regularized_evolution_s$seed" "${cores[first + 1]}" "$runs/measure.toml" "${study[@]}" \
      --set "seed=$seed" --set "$(shared_baseline "$seed")" "${regularized_evolution[@]}" &
    adapt "random_search_s$seed" "${cores[first + 2]}" "$runs/measure.toml" "${study[@]}" --set "seed=$seed" \
      --set "$(shared_baseline "$seed")" "${random_search[@]}" &
    wait
  ) &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
echo "$(date +%T) study done"
