#!/usr/bin/env bash
# Start-up cost of the gos command: wall time (median of RUNS), peak RSS and
# whether LibTorch was mapped, per command, for one or more gos binaries
# measured in alternation (so that load affects them alike).
#
# Usage: benchmarks/startup/startup.sh [RUNS] GOS_BINARY [GOS_BINARY...]
# Run from the repository root (the commands read experiments/quickstart.toml).
set -euo pipefail
runs=${1:-11}
shift
[ $# -ge 1 ] || { echo "usage: $0 [RUNS] GOS_BINARY..."; exit 2; }
out=$(mktemp -d)
# The last one loads the LibTorch command library: what every command cost
# when the binary linked LibTorch.
commands=("--help" "plugins" "validate experiments/quickstart.toml"
          "run experiments/quickstart.toml --overwrite -q -o $out/q.h5" "profile --help")
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf "%-46s %-40s %10s %10s %8s\n" "command" "binary" "wall ms" "RSS MB" "torch"
for command in "${commands[@]}"; do
  for ((i = 0; i < runs; ++i)); do
    for gos in "$@"; do
      key=$(echo "$gos" | md5sum | cut -c1-8)
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e %M" -o "$out/t" "$gos" $command > /dev/null 2>&1 || true
      read -r seconds kb < "$out/t"
      echo "$seconds" >> "$out/$key.wall"
      echo "$kb" >> "$out/$key.rss"
    done
  done
  for gos in "$@"; do
    key=$(echo "$gos" | md5sum | cut -c1-8)
    # shellcheck disable=SC2086
    torch=$(LD_DEBUG=files "$gos" $command 2>&1 >/dev/null | grep -q 'libtorch' && echo yes || echo no)
    wall=$(median < "$out/$key.wall")
    rss=$(median < "$out/$key.rss")
    printf "%-46s %-40s %10.0f %10.1f %8s\n" "gos ${command%% -o*}" "$gos" "$(echo "$wall*1000" | bc)" \
      "$(echo "$rss/1024" | bc -l)" "$torch"
    rm -f "$out/$key.wall" "$out/$key.rss"
  done
done
rm -rf "$out"
