#!/bin/bash
# Figures of docs/performance/ofa.md: a fitted lookup table (gos lut fit) and
# the kernel MLP predictor (gos latency train, 2000 epochs) on the three OFA
# CSVs of ../shared/data/latency/ofa, split 70/15/15 by consecutive rows as
# NAS_PerformanceEstimation does, judged on the validation and test parts; then
# cross-device transfer RTX 2080 Ti -> Tesla P40 with 0/20/100 P40 models.
# Run from the repository root after building: benchmarks/latency/ofa_reproduce.sh
set -euo pipefail
D=../shared/data/latency/ofa
O=${OUT:-build/ofa-figures}
[ -d "$D" ] || { echo "OFA data not found at $D (see ../shared/data/README.md)"; exit 1; }
mkdir -p "$O"
uptime
for f in rtx2080ti_b64 teslap40_b64 note10_lut_estimate; do
  echo "== $f"
  build/gos lut fit --space ofa_mbv3 --dataset $D/ofa_$f.csv --split 70/15/15 -o "$O/fit_$f.h5"
  /usr/bin/time -f "training: %e s wall, %U s user CPU" \
    build/gos latency train --space ofa_mbv3 --dataset $D/ofa_$f.csv --split 70/15/15 --epochs 2000 -o "$O/mlp_$f.h5"
  for part in validation test; do
    echo "-- $part"
    build/gos latency eval --space ofa_mbv3 --dataset $D/ofa_$f.csv --split 70/15/15 --part $part \
      --lut "$O/fit_$f.h5" --predictor "$O/mlp_$f.h5" | grep '^| \(lut\|pred\)'
  done
done
echo "== transfer: table fitted on RTX 2080 Ti, judged on the Tesla P40 test part"
build/gos latency eval --space ofa_mbv3 --dataset $D/ofa_teslap40_b64.csv --split 70/15/15 \
  --lut "$O/fit_rtx2080ti_b64.h5" | grep '^| lut' | sed 's/^| lut       /| zero-shot /'
for n in 20 100; do
  build/gos lut fit --space ofa_mbv3 --dataset $D/ofa_rtx2080ti_b64.csv --split 70/15/15 \
    --transfer-to $D/ofa_teslap40_b64.csv --transfer-models $n -o "$O/transfer_$n.h5" | grep transferred
  build/gos latency eval --space ofa_mbv3 --dataset $D/ofa_teslap40_b64.csv --split 70/15/15 \
    --lut "$O/transfer_$n.h5" | grep '^| lut' | sed "s/^| lut       /| P40 x$n /"
done
uptime
