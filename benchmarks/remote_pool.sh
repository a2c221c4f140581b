#!/usr/bin/env bash
# Measurement throughput of a remote_pool of 2 agents vs 1 on this machine:
# two `gos agent`s on loopback, pinned to cores 0 and 1, and `gos latency
# dataset` through the pool, alternating 1 and 2 boards in each round so that
# a change of the machine's load hits both alike. Prints seconds per model and
# the ratio of the medians.
#   benchmarks/remote_pool.sh [BUILD_DIR] [MODELS] [ROUNDS] [RESOLUTION]
# A model must take long against the command's start-up (~0.5 s), or the
# ratio measures the start-up: use several hundred models or a larger resolution.
set -eu
build=$(realpath "${1:-build}")
models=${2:-48}
rounds=${3:-3}
resolution=${4:-32}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
"$build/gos" agent --new-token agent.token >/dev/null
ports=()
for core in 0 1; do
  "$build/gos" agent --listen 127.0.0.1:0 --token-file agent.token --set device.pin_core=$core \
    --set device.max_spread=0.5 >"agent$core.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\);.*/\1/p' "agent$core.log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  ports+=("$port")
done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
space="--space cnn_chain --set space.resolution=$resolution"
run() {  # run AGENTS_TOML -> seconds per model
  local start end
  start=$(date +%s.%N)
  "$build/gos" latency dataset $space --device remote_pool --set "device.agents=$1" \
    --set device.token_file=agent.token --count "$models" --seed 7 -o "pool.h5" --overwrite >/dev/null 2>>pool.log || { echo "gos latency dataset failed:" >&2; cat pool.log >&2; exit 1; }
  end=$(date +%s.%N)
  echo "($end - $start) / $models" | bc -l
}
one="[\"127.0.0.1:${ports[0]}\"]"
two="[\"127.0.0.1:${ports[0]}\", \"127.0.0.1:${ports[1]}\"]"
singles=() pairs=()
for r in $(seq "$rounds"); do
  singles+=("$(run "$one")")
  pairs+=("$(run "$two")")
  printf 'round %d: 1 board %.4f s/model, 2 boards %.4f s/model\n' "$r" "${singles[-1]}" "${pairs[-1]}"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
m1=$(median "${singles[@]}")
m2=$(median "${pairs[@]}")
printf 'median: 1 board %.4f s/model, 2 boards %.4f s/model, throughput ratio %.2fx\n' "$m1" "$m2" \
  "$(echo "$m1 / $m2" | bc -l)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
