#!/usr/bin/env bash
# One GOS search on 100 nodes under SLURM (docs/SCALING.md). Rank 0 runs the
# strategy and writes the results file; every other rank evaluates genomes,
# one core each. A job killed by the time limit (or a node that dies) leaves
# a readable file; submitting the same job again resumes it.
#
#   sbatch scripts/slurm_gos_run.sh experiments/nb201/zero_cost_naswot.toml --set strategy.batch=6399
#
# Needs: gos installed where every node reads it (GOS=...), the experiment's
# data on a shared file system, and a strategy that asks for at least as many
# genomes per generation as there are workers (here 100 x 64 - 1 = 6399):
# a generation never has more genomes in flight than the strategy asked for.
#SBATCH --job-name=gos
#SBATCH --nodes=100
#SBATCH --ntasks-per-node=64
#SBATCH --cpus-per-task=1
#SBATCH --time=04:00:00
#SBATCH --output=gos-%j.log
set -euo pipefail
file=${1:?usage: sbatch slurm_gos_run.sh EXPERIMENT.toml [gos run options]}
shift
GOS=${GOS:-gos}
# One thread per rank: LibTorch and OpenMP must not spread over the cores of
# the node's other ranks.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# The results file of this experiment (what `gos validate` reports); resume it when an earlier job wrote it.
output=$("$GOS" validate "$file" "$@" 2>&1 | sed -n 's/.*, output \(.*\))$/\1/p')
resume=()
if [ -n "$output" ] && [ -f "$output" ]; then resume=(--resume); fi
# Open MPI's mpirun reads the SLURM allocation (one rank per task); where
# SLURM has PMIx, `srun --mpi=pmix "$GOS" run ...` starts the same job.
mpirun --bind-to core "$GOS" run "$file" "$@" "${resume[@]}"
