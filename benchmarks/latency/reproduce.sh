#!/bin/bash
# Regenerates every figure of docs/performance/latency.md on this machine:
# repeatability, datasets, lookup tables, predictors, accuracy against
# measurement, and query throughput. Figures are printed (and the tables of
# `gos latency eval` are what the document quotes); data files go to
# build/latency_runs/ and are not committed.
#   benchmarks/latency/reproduce.sh [COUNT]     (COUNT models per dataset, default 2600)
#   ONLY=transfer benchmarks/latency/reproduce.sh   (one section only)
# With COUNT = 650 and 1,000 epochs it took 5 minutes on this 2-core VM; with
# the defaults (2,600 models per space, 4,000 epochs) measuring takes about
# 1.5 minutes and the two predictor trainings 6 and 15 minutes on one core; the
# transfer section takes 20 minutes more (training on NAS-Bench-201 cells).
# Sections: repeat, accuracy, throughput, transfer.
# Needs a build in build/ (cmake --build build --target gos latency_benchmark
# and the plugins).
set -euo pipefail
COUNT=${1:-2600}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${GOS_BUILD_DIR:-$HERE/../../build}
GOS="$BUILD/gos"
[ -x "$GOS" ] && [ -x "$BUILD/latency_benchmark" ] || { echo "error: gos / latency_benchmark not built in $BUILD" >&2; exit 1; }
OUT="$BUILD/latency_runs"
mkdir -p "$OUT"
cd "$OUT"
stamp() { echo "== $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg) == $*"; }
ONLY=${ONLY:-}
section() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# Measurement settings of every figure: one thread, the measuring thread's CPU
# time (leaves out time other processes take), batch 1.
D="--set device.clock=thread_cpu --set device.threads=1 --set device.runs=30 --set device.warmup=3 \
--set device.max_spread=0.5 --set device.max_attempts=3"
G="--space gos_graph --set space.max_nodes=12"
REPEAT_GENOME=k3c16s1relu-k3c32s2relu-k3c32s1hswish-k1c64s2relu

# Repeatability accepts every measurement (max_spread = inf): the spread of
# the medians is the figure, not refusing the noisy ones.
R="latency repeat --genome $REPEAT_GENOME --repeats 10 --set device.max_spread=inf"
if section repeat; then
stamp "repeatability: CV of 10 medians at batch 1, settings interleaved over 3 rounds"
for round in 1 2 3; do
  for setting in "clock=wall --set device.runs=30" "clock=thread_cpu --set device.runs=30" \
                 "clock=thread_cpu --set device.runs=100" "clock=thread_cpu --set device.runs=100 --set device.pin_core=1" \
                 "clock=thread_cpu --set device.runs=100 --set device.quantile=0.1"; do
    echo "round $round | $setting | load $(cut -d' ' -f1 /proc/loadavg) | $("$GOS" $R --set device.$setting | tail -1)"
  done
done
fi

if section accuracy; then
stamp "datasets"
"$GOS" latency dataset --space cnn_chain $D --count "$COUNT" --seed 3 -o cnn_data.h5 | tail -1
"$GOS" latency dataset $G $D --count "$COUNT" --seed 1 -o graph_data.h5 | tail -1

stamp "lookup tables"
"$GOS" lut build --space cnn_chain $D --set device.max_spread=inf --models 150 --overhead-models 40 --seed 2 \
  -o cnn_lut.h5 | tail -2
"$GOS" lut build $G $D --set device.max_spread=inf --models 150 --overhead-models 40 --seed 2 -o graph_lut.h5 | tail -2

stamp "predictors"
"$GOS" latency train --dataset cnn_data.h5 -o cnn_predictor.h5 --epochs 4000 --learning-rate 0.01
"$GOS" latency train $G --dataset graph_data.h5 -o graph_predictor.h5 --epochs 4000 --learning-rate 0.01

stamp "accuracy on held-out models (every 5th): cnn_chain"
"$GOS" latency eval $D --remeasure --dataset cnn_data.h5 --predictor cnn_predictor.h5 --svg cnn
"$GOS" latency eval $D --set device.max_spread=inf --measure-missing --dataset cnn_data.h5 --lut cnn_lut.h5 --svg cnn
stamp "accuracy on held-out models (every 5th): gos_graph"
"$GOS" latency eval $G $D --remeasure --dataset graph_data.h5 --predictor graph_predictor.h5 --svg graph
"$GOS" latency eval $G $D --set device.max_spread=inf --measure-missing --dataset graph_data.h5 --lut graph_lut.h5 \
  --svg graph

fi

if section throughput; then
stamp "query throughput"
"$BUILD/latency_benchmark" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
fi

if section transfer; then
# Cross-device transfer on recorded NAS-Bench-201 latencies (HELP-style): the
# predictor sees each device through the latencies of 10 reference
# architectures (the first rows of the table: device.references = 10) and is
# trained on 6 devices; it then predicts 6 devices it never saw, on
# architectures it never saw (another seed), from those 10 latencies alone.
CSV="$HERE/../../../shared/data/nb201/nb201_latency.csv"
[ -f "$CSV" ] || { echo "error: $CSV missing (../shared/data/nb201 beside the repository)" >&2; exit 1; }
mkdir -p transfer && cd transfer
N="--space nb201_cell"
rec() { echo "--device recorded --set device.file=$CSV --set device.key_column=arch_str --set device.value_column=$1 --set device.references=10"; }
TRAIN="1080ti_1 gold_6226 silver_4114 samsung_a50 raspi4 pixel2"
TEST="pixel3 gold_6240 silver_4210r samsung_s7 titan_rtx_1 essential_ph_1"
stamp "transfer: datasets"
for d in $TRAIN; do "$GOS" latency dataset $N $(rec $d) --count 100 --seed 1 -o train_$d.h5 | tail -1 | cut -c1-60; done
for d in $TEST; do "$GOS" latency dataset $N $(rec $d) --count 200 --seed 2 -o test_$d.h5 | tail -1 | cut -c1-60; done
FILES=""
for d in $TRAIN; do FILES="$FILES --dataset train_$d.h5"; done
HW="--hardware reference_0 reference_1 reference_2 reference_3 reference_4 reference_5 reference_6 reference_7 reference_8 reference_9"
stamp "transfer: training with and without hardware features"
"$GOS" latency train $N $FILES $HW --holdout-every 0 --epochs 300 --learning-rate 0.01 -o with_hw.h5
"$GOS" latency train $N $FILES --holdout-every 0 --epochs 300 --learning-rate 0.01 -o without_hw.h5
stamp "transfer: unseen devices, unseen architectures (all 200 models each)"
for d in $TEST; do
  for p in with_hw without_hw; do
    echo "$d $p $("$GOS" latency eval $N --dataset test_$d.h5 --predictor $p.h5 --holdout-every 1 | tail -1)"
  done
done
stamp "transfer: against predictors trained on the device itself (160 of its models; the other 40 held out)"
for d in gold_6240 samsung_s7; do
  "$GOS" latency train $N --dataset test_$d.h5 --epochs 300 --learning-rate 0.01 -o own_$d.h5
  for p in own_$d with_hw without_hw; do
    echo "$d $p $("$GOS" latency eval $N --dataset test_$d.h5 --predictor $p.h5 --holdout-every 5 | tail -1)"
  done
done
cd ..
fi
stamp "done"
