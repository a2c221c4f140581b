#!/bin/sh
# Survival (non-dominated sort + crowding distance of every front) at N points
# and M objectives: GOS's C++ (BM_RankAndCrowd) beside DEAP's
# sortNondominated + assignCrowdingDist, on this machine, and their ratio.
#   benchmarks/deap_compare.sh [N] [M] [DEAP_REPETITIONS]   (default 5000 3 3)
# Needs a build in build/ (survival_benchmark) and python3-deap for /usr/bin/python3.
set -eu
N=${1:-5000}
M=${2:-3}
REPS=${3:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=${GOS_BUILD_DIR:-$HERE/../build}/survival_benchmark
[ -x "$BENCH" ] || { echo "error: $BENCH not built; run cmake --build build --target survival_benchmark" >&2; exit 1; }

GOS_JSON=$("$BENCH" --benchmark_filter="^BM_RankAndCrowd/N:$N/M:$M\$" --benchmark_repetitions=10 \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null)
# Real and CPU time of the median repetition, in seconds.
GOS=$(printf '%s' "$GOS_JSON" | /usr/bin/python3 -c '
import json, sys
runs = [b for b in json.load(sys.stdin)["benchmarks"] if b.get("aggregate_name") == "median"]
if not runs: sys.exit("error: no BM_RankAndCrowd run for these N and M (valid: N in 200 1000 5000 20000, M in 2 3 4 5 6 8)")
scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[runs[0]["time_unit"]]
print(runs[0]["real_time"] * scale, runs[0]["cpu_time"] * scale)')
DEAP=$(/usr/bin/python3 "$HERE/deap_survival.py" "$N" "$M" "$REPS")

/usr/bin/python3 - "$N" "$M" "$REPS" $GOS $DEAP <<'PY'
import sys
n, m, reps = sys.argv[1:4]
gos_wall, gos_cpu, deap_wall, deap_cpu, fronts = map(float, sys.argv[4:9])
print(f"survival (sort + crowding), N={n}, M={m}, {int(fronts)} fronts")
print(f"  GOS  median of 10: wall {gos_wall * 1e3:10.3f} ms   cpu {gos_cpu * 1e3:10.3f} ms")
print(f"  DEAP median of {reps}: wall {deap_wall * 1e3:10.1f} ms   cpu {deap_cpu * 1e3:10.1f} ms")
print(f"  speed-up: wall {deap_wall / gos_wall:.0f}x   cpu {deap_cpu / gos_cpu:.0f}x")
PY
