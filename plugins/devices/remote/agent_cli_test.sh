#!/usr/bin/env bash
# End to end through the gos binary on loopback: the agent's start-up checks,
# gos latency dataset / gos lut build against a remote device, a wrong token,
# and kill -9 of the agent during `gos run`, then --resume.
#   agent_cli_test.sh GOS_BINARY WORK_DIR
set -u
gos=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
agent_pid=
cleanup() { [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in *.log; do echo "--- $f"; tail -n 20 "$f"; done; exit 1; }

"$gos" agent --new-token agent.token >/dev/null || fail "--new-token"
"$gos" agent --new-token other.token >/dev/null || fail "--new-token"
[ "$(stat -c %a agent.token)" = 600 ] || fail "token file mode is $(stat -c %a agent.token)"

"$gos" agent --listen 127.0.0.1:0 >out.log 2>&1 && fail "started without a token"
grep -q "refuses to start without a token" out.log || fail "no token message"
"$gos" agent --listen 0.0.0.0:0 --token-file agent.token >out.log 2>&1 && fail "listened on 0.0.0.0 without --allow-remote"
grep -q "not a loopback address" out.log || fail "no loopback message"

# start_agent PORT LOG: starts the agent on PORT (0: any), sets agent_pid and port.
start_agent() {
  "$gos" agent --listen "127.0.0.1:$1" --token-file agent.token --set device.runs=10 --set device.warmup=1 \
    --set device.max_spread=10 >"$2" 2>&1 &
  agent_pid=$!
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\);.*/\1/p' "$2")
    [ -n "$port" ] && return 0
    kill -0 "$agent_pid" 2>/dev/null || fail "agent did not start"
    sleep 0.05
  done
  fail "agent did not report its port"
}
start_agent 0 agent.log
remote="--device remote --set device.address=127.0.0.1:$port --set device.token_file=agent.token"
small="--space cnn_chain --set space.resolution=8 --set space.max_layers=3"

"$gos" latency dataset $small $remote --count 3 -o dataset.h5 >dataset.log 2>&1 || fail "latency dataset"
grep -q "wrote dataset.h5: 3 models" dataset.log || fail "dataset did not measure 3 models"
[ "$(grep -c "measure genome" agent.log)" -ge 3 ] || fail "agent log lacks the genome measurements"
"$gos" lut build $small $remote --models 2 --overhead-models 1 -o lut.h5 >lut.log 2>&1 || fail "lut build"
grep -q "measure kernel" agent.log || fail "agent log lacks kernel measurements"

"$gos" latency dataset $small --device remote --set device.address=127.0.0.1:$port \
  --set device.token_file=other.token --count 1 -o never.h5 >wrong.log 2>&1 && fail "wrong token accepted"
grep -q "refused the token" wrong.log || fail "wrong token message"
grep -q "wrong token" agent.log || fail "agent did not log the wrong token"

cat >run.toml <<TOML
[experiment]
name = "remote_run"
seed = 3
output = "run.h5"
[search_space]
plugin = "cnn_chain"
resolution = 32
[strategy]
plugin = "random_search"
evaluations = 80
batch = 4
[[objectives]]
plugin = "metric"
metric = "flops"
[[objectives]]
plugin = "latency"
model = { plugin = "measure", device = { plugin = "remote", address = "127.0.0.1:$port", token_file = "agent.token", retries = 1, retry_delay_s = 0.2, timeout_s = 20 } }
TOML
"$gos" run run.toml >run.log 2>&1 &
run_pid=$!
for _ in $(seq 600); do grep -q "generation *1 " run.log && break; sleep 0.02; done
grep -q "generation *1 " run.log || fail "run did not reach generation 1"
kill -9 "$agent_pid"
wait "$agent_pid" 2>/dev/null
agent_pid=
wait "$run_pid" && fail "run completed although its agent was killed (too fast to interrupt?)"
grep -q "restart the agent and continue with --resume" run.log || fail "run did not report the lost agent"
start_agent "$port" agent2.log
"$gos" run run.toml --resume >resume.log 2>&1 || fail "--resume"
grep -q "run.h5: 80 evaluations in 20 generations ([1-9][0-9]* replayed from the file), 0 failed" resume.log ||
  fail "resumed run: $(tail -n 1 resume.log)"
echo "remote agent CLI test passed (agent on port $port)"
