#!/bin/sh
# Runs the multi-fidelity comparisons of issue 16 (item 4) from the repository
# root into results/, then summarises them at equal cost:
#   NB201: hyperband / successive halving (12 -> 200 epochs) vs random search at 200 epochs, seeds 1..NB201_SEEDS (default 20)
#   OFA:   hyperband (9 -> 243 epochs) vs random search (243 epochs) over kernel-MLP hyper-parameters,
#          RTX 2080 Ti validation RMSE, seeds 1..OFA_SEEDS (default 2; 4-5 min of CPU per run)
# ONLY=nb201 or ONLY=ofa runs one of them.
set -e
NB201_SEEDS=${NB201_SEEDS:-20}
OFA_SEEDS=${OFA_SEEDS:-2}
if [ "${ONLY:-all}" != ofa ]; then
  for name in hyperband_fidelity successive_halving_fidelity random_search_fidelity; do
    for seed in $(seq 1 "$NB201_SEEDS"); do
      build/gos run "experiments/nb201/$name.toml" --set "experiment.seed=$seed" \
        -o "results/nb201/${name}_seed$seed.h5" --overwrite 2>/dev/null
    done
  done
  /usr/bin/python3 scripts/multifidelity_compare.py results/nb201/*_fidelity_seed*.h5 --quiet \
    --costs 2000,5000,10000,20000,24640 --svg docs/nb201/fidelity.svg \
    --title "NAS-Bench-201 CIFAR-10: 200-epoch test accuracy vs epochs spent"
fi
if [ "${ONLY:-all}" != nb201 ]; then
  for name in predictor_hyperband predictor_random_search; do
    for seed in $(seq 1 "$OFA_SEEDS"); do
      build/gos run "experiments/ofa/$name.toml" --set "experiment.seed=$seed" \
        -o "results/ofa/${name}_seed$seed.h5" --overwrite
    done
  done
  /usr/bin/python3 scripts/multifidelity_compare.py results/ofa/predictor_*_seed*.h5 \
    --costs 1000,2000,3000,3807 --svg docs/performance/ofa_predictor_hyperband.svg \
    --title "OFA RTX 2080 Ti kernel MLP: validation RMSE (ms) vs epochs spent"
fi
