#!/bin/sh
# Runs the NAS-Bench-201 strategy comparison of docs/BENCHMARKS.md: 4 strategies x 2 objective
# settings, plus the 12-epoch-validation setting for random search and regularized evolution,
# x seeds 1..SEEDS (default 10), from the repository root, into results/nb201/.
set -e
SEEDS=${SEEDS:-10}
for strategy in random_search regularized_evolution local_search nsga2; do
  for setting in accuracy raspi4; do
    for seed in $(seq 1 "$SEEDS"); do
      build/gos run "experiments/nb201/${strategy}_${setting}.toml" --set "experiment.seed=$seed" \
        -o "results/nb201/${strategy}_${setting}_seed${seed}.h5" --overwrite 2>/dev/null
    done
  done
done
for strategy in random_search regularized_evolution; do
  for seed in $(seq 1 "$SEEDS"); do
    build/gos run "experiments/nb201/${strategy}_valid12.toml" --set "experiment.seed=$seed" \
      -o "results/nb201/${strategy}_valid12_seed${seed}.h5" --overwrite 2>/dev/null
  done
done
