#!/usr/bin/env bash
# The out-of-tree plugin flow end to end (docs/PLUGINS.md): install GOS to a
# temporary prefix, generate a project of every plugin kind with
# `gos new-plugin`, build each against the installed package, run its tests
# and its experiment with the installed gos, and check that a plugin built
# against other framework headers is refused with both build tags named.
#
# Usage: plugin_sdk_test.sh BUILD_DIR WORK_DIR [KIND...]
set -euo pipefail
build=$(cd "$1" && pwd)
work=$2
shift 2
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(strategy search_space mutator objective latency_model device trainer)

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix="$work/prefix"
step() { echo "== $*"; }
quietly() {  # runs a command, shows its output only when it fails
  local log="$work/last.log"
  if ! "$@" > "$log" 2>&1; then
    cat "$log"
    echo "FAILED: $*"
    exit 1
  fi
}

step "install to $prefix"
quietly cmake --install "$build" --prefix "$prefix"
gos="$prefix/bin/gos"
"$gos" plugins > "$work/plugins.txt"
grep -q '^nsga2 (strategy plugin' "$work/plugins.txt" || { echo "the installed gos does not find its plugins"; exit 1; }
grep -q "build tag " "$work/plugins.txt" || { echo "gos plugins shows no build tags"; exit 1; }
torch=$(grep -q '^cnn_chain ' "$work/plugins.txt" && echo yes || echo no)

jobs=${GOS_BUILD_JOBS:-2}
for kind in "${kinds[@]}"; do
  name="my_${kind}"
  if [ "$kind" = trainer ] && [ "$torch" = no ]; then
    echo "SKIP: trainer (this GOS was built without LibTorch)"
    continue
  fi
  step "$kind: gos new-plugin, configure, build, test, run"
  (cd "$work" && quietly "$gos" new-plugin "$kind" "$name")
  quietly cmake -S "$work/$name" -B "$work/$name/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  quietly cmake --build "$work/$name/build" -j "$jobs"
  [ -f "$work/$name/build/plugins/libgos_$name.so.manifest" ] || { echo "no manifest written for $name"; exit 1; }
  quietly ctest --test-dir "$work/$name/build" --output-on-failure
  if [ "$kind" = device ] && [ "$torch" = no ]; then
    echo "SKIP: the device experiment (it times cnn_chain models, which need LibTorch)"
  elif [ -f "$work/$name/experiment.toml" ]; then
    (cd "$work/$name" && quietly "$gos" run experiment.toml --plugin-path build/plugins -o build/experiment.h5 \
      --overwrite --quiet --set strategy.evaluations=20)
    grep -q "20 evaluations" "$work/last.log" || { cat "$work/last.log"; echo "the experiment of $name did not run"; exit 1; }
  fi
  "$gos" plugins --plugin-path "$work/$name/build/plugins" | grep -q "^$name ($kind plugin" ||
    { echo "gos plugins does not list $name"; exit 1; }
done

step "a plugin built against other framework headers is refused"
cp -r "$prefix" "$work/other-prefix"
sed -i 's/#define GOS_INTERFACE_HASH ".*"/#define GOS_INTERFACE_HASH "ffffffffffffffff"/' \
  "$work/other-prefix/include/gos/framework/build_info.h"
(cd "$work" && quietly "$gos" new-plugin strategy other_tag)
quietly cmake -S "$work/other_tag" -B "$work/other_tag/build" -DCMAKE_PREFIX_PATH="$work/other-prefix" \
  -DGOS_NO_PLUGIN_MANIFESTS=ON
quietly cmake --build "$work/other_tag/build" --target other_tag -j "$jobs"
set +e
(cd "$work/other_tag" && "$gos" run experiment.toml --plugin-path build/plugins -o build/x.h5 --overwrite) \
  > "$work/refused.log" 2>&1
status=$?
set -e
cat "$work/refused.log"
[ $status -ne 0 ] || { echo "a plugin with another build tag was run"; exit 1; }
grep -q "interface=ffffffffffffffff" "$work/refused.log" || { echo "the refusal does not name the plugin's tag"; exit 1; }
grep -q "but this gos has tag" "$work/refused.log" || { echo "the refusal does not name the host's tag"; exit 1; }
echo "plugin SDK end to end: ok (${kinds[*]})"
