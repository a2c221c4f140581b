#!/usr/bin/env bash
# Builds the libFuzzer targets in a separate clang tree and runs each for
# MINUTES minutes (default 5) from a seed corpus made of experiments/.
#   scripts/fuzz.sh [MINUTES]
# Tree: build-fuzz (clang, -DGOS_WITH_TORCH=OFF, every target with
# -fsanitize=address,undefined,fuzzer-no-link), so the plugins the experiment
# fuzzer loads are the instrumented clang ones of the same tree.
# Corpora grow in build-fuzz/corpus/<target>; crashes land in
# build-fuzz/findings/<target>/. Results are recorded in docs/FUZZING.md.
set -euo pipefail
minutes="${1:-5}"
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || [ "$minutes" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [MINUTES]  (a whole number of minutes per target, default 5)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
command -v clang++ >/dev/null || { echo "scripts/fuzz.sh: clang++ is missing (apt-get install clang)" >&2; exit 1; }
tree=build-fuzz
# Also for the instrumented `gos plugin-manifest` that the build runs after each plugin.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
sanitizers="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
mkdir -p "$tree"
cmake -S . -B "$tree" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DGOS_WITH_TORCH=OFF -DGOS_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="$sanitizers -fsanitize=fuzzer-no-link" -DCMAKE_C_FLAGS="$sanitizers" \
  -DCMAKE_EXE_LINKER_FLAGS="$sanitizers" -DCMAKE_SHARED_LINKER_FLAGS="$sanitizers" \
  -DCMAKE_MODULE_LINKER_FLAGS="$sanitizers" >"$tree/configure.log"
cmake --build "$tree" -j "${GOS_FUZZ_JOBS:-2}" --target fuzz_toml fuzz_experiment fuzz_genome fuzz_protocol

# Seed corpora: every experiment file (with its --set variants as "#set" lines
# the fuzzer reads), and the genome strings of the seed operators.
mkdir -p "$tree/corpus/experiment" "$tree/corpus/genome" "$tree/findings/toml" "$tree/findings/experiment" "$tree/findings/genome" "$tree/corpus/protocol" "$tree/findings/protocol"
find experiments -name '*.toml' | while read -r file; do
  cp "$file" "$tree/corpus/experiment/$(echo "$file" | tr '/' '_')"
done
cp -r "$tree/corpus/experiment" "$tree/corpus/toml"
GOS_FUZZ_WRITE_CORPUS="$tree/corpus/genome" "$tree/tests/fuzz/fuzz_genome"

for target in toml experiment genome protocol; do
  echo "== fuzz_$target: $minutes minute(s)"
  "$tree/tests/fuzz/fuzz_$target" "$tree/corpus/$target" -max_total_time=$((minutes * 60)) -max_len=16384 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$tree/findings/$target/" \
    2>&1 | tee "$tree/fuzz_$target.log" | grep -E "^#[0-9]+ +(INITED|DONE)|stat::|ERROR|SUMMARY|fuzz_" || true
  echo "   findings: $(find "$tree/findings/$target" -type f | wc -l) file(s) in $tree/findings/$target"
done
