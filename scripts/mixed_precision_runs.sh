#!/usr/bin/env bash
# The runs behind docs/MIXED-PRECISION.md's accuracy-vs-BitOPs figure (issue
# #17), side by side, each pinned to its own pair of cores:
#   1. the full-precision baseline (ResNet18, width 0.125; `gos train`);
#   2. uniform 8-, 4- and 2-bit models (experiments/mixed_precision/uniform.toml);
#   3. NSGA-II over per-layer widths [8, 4, 2] (nsga2.toml), NSGA_SEEDS seeds;
#   4. the differentiable strategy at several BitOPs penalties (differentiable.toml);
#   5. every group's front (and the uniform models) evaluated again on REEVAL_IMAGES
#      test images (nsga2.toml, one generation of exactly those genomes): the search
#      saw 1,000, so its best points are biased upwards by the selection;
# then the SVGs and the tables (scripts/mixed_precision_figure.py).
# Every run uses the experiment files as committed except the paths below and
# TRAIN_FILES (CIFAR-10 training batches present in DATA_DIR).
#
# Usage: scripts/mixed_precision_runs.sh RUNS_DIR DATA_DIR
#   GOS_BUILD       build directory (default build)
#   TRAIN_FILES     TOML list of training files (default ["data_batch_1.bin", "data_batch_2.bin"])
#   PENALTIES       space-separated lambdas (default "0 0.25 0.5 1 2")
#   NSGA_SEEDS      space-separated seeds of NSGA-II (default "0")
#   BASELINE_ARGS   extra `gos train` arguments (e.g. "--device cuda --epochs 15")
#   RUN_LIMIT_S     wall-clock limit of each search run (SIGINT: the file stays readable)
#   DEVICE          where finetune_accuracy fine-tunes: cpu (default), cuda or auto
#   REEVAL_IMAGES   test images of step 5 (default 0 = all 10,000; "none" skips the step)
#   PYTHON          a Python with h5py (default /usr/bin/python3)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=$(realpath -m "${1:?usage: scripts/mixed_precision_runs.sh RUNS_DIR DATA_DIR}")
data=$(realpath "${2:?usage: scripts/mixed_precision_runs.sh RUNS_DIR DATA_DIR}")
gos=$PWD/${GOS_BUILD:-build}/gos
train_files=${TRAIN_FILES:-'["data_batch_1.bin", "data_batch_2.bin"]'}
penalties=${PENALTIES:-0 0.25 0.5 1 2}
nsga_seeds=${NSGA_SEEDS:-0}
limit=${RUN_LIMIT_S:-3600}
device=${DEVICE:-cpu}
reeval_images=${REEVAL_IMAGES:-0}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$runs"
cores=$(nproc)
next_core=0
# Called in this shell, never in a background subshell (which would not pass
# the count on): the next two cores, wrapping, for a run with threads = 2.
next_pair() {
  pair="$((next_core % cores)),$(((next_core + 1) % cores))"
  next_core=$((next_core + 2))
}

checkpoint=$runs/baseline.ckpt
train_list=$(echo "$train_files" | tr -d '[]",')
# shellcheck disable=SC2086
"$gos" train resnet18 --width 0.125 --data "$data" --train-files $train_list --train-subset 10000 \
  --eval-subset 1000 --epochs 4 --batch-size 64 --learning-rate 0.1 --threads 2 --quiet \
  --checkpoint "$checkpoint" ${BASELINE_ARGS:-} > "$runs/baseline.log" 2>&1 ||
  { echo "baseline failed:"; tail -n 20 "$runs/baseline.log"; exit 1; }
echo "$(date +%T) baseline: $(tail -n 1 "$runs/baseline.log")"

common=(--set "search_space.baseline_checkpoint=\"$checkpoint\"" --set "objectives.0.data_dir=\"$data\""
  --set "objectives.0.train_files=$train_files" --set "objectives.0.device=\"$device\"" --overwrite)
run() {  # CORES NAME FILE ARGS...
  local cpus=$1 name=$2 file=$3
  shift 3
  taskset -c "$cpus" timeout -s INT "$limit" "$gos" run "experiments/mixed_precision/$file" "${common[@]}" \
    -o "$runs/$name.h5" "$@" > "$runs/$name.log" 2>&1
  echo "$(date +%T) $name: exit $? $(tail -n 1 "$runs/$name.log")"
}
pids=()
for bits in 8 4 2; do
  next_pair
  run "$pair" "uniform_$bits" uniform.toml --set "search_space.bits=[$bits]" &
  pids+=($!)
done
for seed in $nsga_seeds; do
  next_pair
  run "$pair" "nsga2_s$seed" nsga2.toml --set "experiment.seed=$seed" &
  pids+=($!)
done
for penalty in $penalties; do
  next_pair
  run "$pair" "differentiable_l$penalty" differentiable.toml --set "strategy.penalty=$penalty" \
    --set "strategy.data_dir=\"$data\"" --set "strategy.train_files=$train_files" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

join() { local IFS=,; echo "$*"; }
differentiable=()
for penalty in $penalties; do differentiable+=("$runs/differentiable_l$penalty.h5"); done
nsga=()
for seed in $nsga_seeds; do nsga+=("$runs/nsga2_s$seed.h5"); done
groups=("uniform=$(join "$runs"/uniform_{8,4,2}.h5)" "nsga2=$(join "${nsga[@]}")"
  "differentiable=$(join "${differentiable[@]}")")
"$python" scripts/mixed_precision_figure.py "$runs/accuracy_vs_bitops.svg" "${groups[@]}" > "$runs/table.md" \
  2> "$runs/figure.log"
echo "$(date +%T) figure: exit $? ($runs/accuracy_vs_bitops.svg, $runs/table.md)"
[ "$reeval_images" = none ] && exit 0

reevaluated=()
pids=()
for group in "${groups[@]}"; do
  name=${group%%=*}
  genomes=$("$python" scripts/mixed_precision_figure.py --front-genomes "${group#*=}") ||
    { echo "no front of $name"; continue; }
  count=$(echo "$genomes" | tr ',' '\n' | grep -c -- '-')
  next_pair
  # nsga2's population must be at least 2: one genome is given twice (evaluated once).
  ((count >= 2)) || genomes=$(echo "$genomes" | sed 's/\[\(.*\)\]/[\1, \1]/')
  run "$pair" "reeval_$name" nsga2.toml --set "strategy.population=$((count >= 2 ? count : 2))" \
    --set strategy.generations=1 --set "strategy.initial=$genomes" --set "objectives.0.eval_subset=$reeval_images" &
  pids+=($!)
  reevaluated+=("$name=$runs/reeval_$name.h5")
done
for pid in "${pids[@]}"; do wait "$pid"; done
"$python" scripts/mixed_precision_figure.py "$runs/accuracy_vs_bitops_reevaluated.svg" "${reevaluated[@]}" \
  > "$runs/table_reevaluated.md" 2>> "$runs/figure.log"
echo "$(date +%T) re-evaluated on $reeval_images test images (0 = all): exit $? ($runs/table_reevaluated.md)"
