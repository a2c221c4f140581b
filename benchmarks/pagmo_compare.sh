#!/bin/sh
# GOS's NSGA-II beside pagmo2's on ZDT1-3 and DTLZ2 (3 objectives): mean ±
# sample standard deviation of hypervolume over seeds at 2,000 / 5,000 /
# 25,000 evaluations, for each one's final population and for the archive of
# all its evaluations (reference point 1.1 in every objective). Both run the
# same objective functions (GOS's) with the same operator parameters.
#   benchmarks/pagmo_compare.sh [SEEDS]          (default 10)
# Builds build/nsga2_convergence and build/pagmo_nsga2 (the latter exists
# only when libpagmo-dev is installed: apt-get install -y libpagmo-dev; it is
# optional and not part of scripts/setup.sh).
set -eu
SEEDS=${1:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${GOS_BUILD_DIR:-$HERE/../build}
if [ ! -f /usr/lib/x86_64-linux-gnu/cmake/pagmo/pagmo-config.cmake ] && ! dpkg -s libpagmo-dev >/dev/null 2>&1; then
  echo "error: libpagmo-dev is not installed (apt-get install -y libpagmo-dev); the comparison needs it" >&2
  exit 1
fi
cmake -S "$HERE/.." -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j2 --target nsga2_convergence pagmo_nsga2 >/dev/null
GOS_OUT=$(mktemp) PAGMO_OUT=$(mktemp)
trap 'rm -f "$GOS_OUT" "$PAGMO_OUT"' EXIT
"$BUILD/nsga2_convergence" --seeds "$SEEDS" >"$GOS_OUT"
"$BUILD/pagmo_nsga2" --seeds "$SEEDS" >"$PAGMO_OUT"
/usr/bin/python3 - "$GOS_OUT" "$PAGMO_OUT" <<'PY'
import statistics, sys
def load(path):
    rows = {}
    for line in open(path):
        problem, budget, seed, population, archive = line.split()
        rows.setdefault((problem, int(budget)), []).append((float(population), float(archive)))
    return rows
gos, pagmo = load(sys.argv[1]), load(sys.argv[2])
def cell(values):
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {sd:.4f}"
print(f"{'problem':7} {'evals':>6} {'seeds':>5}  {'GOS population':>17}  {'pagmo population':>17}  {'GOS archive':>17}  {'pagmo archive':>17}")
for key in gos:
    g, p = gos[key], pagmo.get(key, [])
    if not p: continue
    print(f"{key[0]:7} {key[1]:6} {len(g):5}  {cell([r[0] for r in g]):>17}  {cell([r[0] for r in p]):>17}  "
          f"{cell([r[1] for r in g]):>17}  {cell([r[1] for r in p]):>17}")
PY
