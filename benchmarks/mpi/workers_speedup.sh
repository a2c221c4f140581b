#!/usr/bin/env bash
# Issue #19's speed-up figure (docs/SCALING.md): one experiment run with one
# MPI worker and with two (rank 0 only coordinates), alternately, ROUNDS times;
# prints each run's wall time, the median ratio, and whether every results
# file holds the same evaluations as the first one. Needs a quiet machine
# with at least 2 cores for the ratio to mean anything (rank 0 sleeps while it
# waits). From the repository root:
#   benchmarks/mpi/workers_speedup.sh experiments/nb201/zero_cost_naswot.toml 3 --set strategy.evaluations=20
#   benchmarks/mpi/workers_speedup.sh experiments/gos_conv_nsga2_latency.toml 3 --set strategy.generations=2
# Usage: workers_speedup.sh FILE.toml ROUNDS [gos run options...]
set -euo pipefail
cd "$(dirname "$0")/../.."
file=${1:?usage: workers_speedup.sh FILE.toml ROUNDS [gos run options...]}
rounds=${2:?usage: workers_speedup.sh FILE.toml ROUNDS [gos run options...]}
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export OMP_NUM_THREADS=1
# Containers and CI run as root, which Open MPI refuses unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() {  # RANKS ROUND: prints the wall seconds
  local start end
  start=$(date +%s.%N)
  mpirun --oversubscribe --bind-to none -x OMP_NUM_THREADS -n "$1" build/gos run "$file" \
    -o "$out/n$1_r$2.h5" --overwrite "${options[@]}" > "$out/n$1_r$2.log" 2>&1 ||
    { echo "run with $1 ranks failed:" >&2; tail -n 20 "$out/n$1_r$2.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
options=("$@")
set --
echo "$(date -u +%FT%TZ) $(nproc --all) cores, load $(cut -d' ' -f1-3 /proc/loadavg): $file ${options[*]}"
ratios=()
for round in $(seq "$rounds"); do
  one=$(run 2 "$round")
  two=$(run 3 "$round")
  ratio=$(echo "scale=3; $one / $two" | bc)
  ratios+=("$ratio")
  echo "round $round: 1 worker $one s, 2 workers $two s, speed-up ${ratio}x (load $(cut -d' ' -f1 /proc/loadavg))"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
echo "median speed-up of 2 workers over 1: ${median}x"
/usr/bin/python3 - "$out" << 'EOF'
import glob, sys
import h5py
files = sorted(glob.glob(sys.argv[1] + "/*.h5"))
def content(path):
    with h5py.File(path, "r") as f:
        return f["evaluations/genome"][:].tolist(), f["evaluations/values"][:].tolist()
genomes, values = content(files[0])
same_genomes = sum(content(p)[0] == genomes for p in files)
same_values = sum(content(p)[1] == values for p in files)
print(f"of {len(files)} results files, {same_genomes} hold the same genomes in the same order as "
      f"{files[0].split('/')[-1]}, {same_values} also the same values (measured latencies differ run to run)")
EOF
