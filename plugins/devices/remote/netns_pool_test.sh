#!/usr/bin/env bash
# Two agents in network namespaces of their own, each reached over a veth
# pair as a separate board would be (10.77.N.2), and `gos latency dataset`
# through a remote_pool of both: the pool spreads the models over the two
# boards, and records which board measured what. Needs root and `ip netns`;
# where the machine does not allow it, prints SKIP (the loopback tests in
# agent_test.cc and agent_cli_test.sh cover the same code).
#   netns_pool_test.sh GOS_BINARY WORK_DIR
set -u
gos=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
tag=gos$$
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  for n in 1 2; do
    ip netns del "$tag-$n" 2>/dev/null
    ip link del "$tag-h$n" 2>/dev/null
  done
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in *.log; do echo "--- $f"; tail -n 20 "$f"; done; exit 1; }

if ! ip netns add "$tag-1" 2>/dev/null; then
  echo "SKIP: this machine does not allow network namespaces (ip netns add needs root and CAP_SYS_ADMIN)"
  exit 0
fi
ip netns add "$tag-2" || fail "ip netns add"
"$gos" agent --new-token agent.token >/dev/null || fail "--new-token"
agents=()
for n in 1 2; do
  ip link add "$tag-h$n" type veth peer name "$tag-b$n" || fail "veth"
  ip link set "$tag-b$n" netns "$tag-$n" || fail "veth into the namespace"
  ip addr add "10.77.$n.1/24" dev "$tag-h$n" && ip link set "$tag-h$n" up || fail "host side"
  ip netns exec "$tag-$n" ip addr add "10.77.$n.2/24" dev "$tag-b$n" || fail "board address"
  ip netns exec "$tag-$n" ip link set "$tag-b$n" up && ip netns exec "$tag-$n" ip link set lo up || fail "board up"
  ip netns exec "$tag-$n" "$gos" agent --listen "10.77.$n.2:7700" --allow-remote --token-file agent.token \
    --set device.runs=5 --set device.warmup=1 --set device.max_spread=inf >"agent$n.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    grep -q "listening on 10.77.$n.2:7700" "agent$n.log" && break
    sleep 0.05
  done
  grep -q "listening on 10.77.$n.2:7700" "agent$n.log" || fail "agent $n did not start"
  agents+=("\"10.77.$n.2:7700\"")
done
pool="[${agents[0]}, ${agents[1]}]"
"$gos" latency dataset --space cnn_chain --set space.resolution=8 --set space.max_layers=3 --device remote_pool \
  --set "device.agents=$pool" --set device.token_file=agent.token --set device.record=boards.csv --count 8 \
  -o dataset.h5 >dataset.log 2>&1 || fail "latency dataset through the pool"
grep -q "wrote dataset.h5: 8 models" dataset.log || fail "the pool did not measure 8 models"
for n in 1 2; do
  grep -q "measure genome" "agent$n.log" || fail "board $n measured nothing"
  grep -q "10.77.$n.2:7700" boards.csv || fail "boards.csv does not name board $n"
done
echo "test passed: 8 models over two boards in their own network namespaces"
