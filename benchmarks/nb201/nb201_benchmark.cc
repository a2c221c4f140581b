// Tabular query throughput of the NAS-Bench-201 benchmark (goal: at least
// 1,000,000 queries per second on one core). Reads build/nb201.h5, which the
// build makes from ../shared/data/nb201.
//   build/nb201_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "benchmarks/nb201/nb201_space.h"

namespace gos::nb201 {
namespace {

const Nb201Space* shared_space() {
  static const std::unique_ptr<Nb201Space> space = []() -> std::unique_ptr<Nb201Space> {
    const std::filesystem::path path = std::filesystem::path(GOS_BINARY_DIR) / "nb201.h5";
    if (!std::filesystem::exists(path)) return nullptr;
    return std::make_unique<Nb201Space>(read_table(path));
  }();
  return space.get();
}

// Queries one metric for a fixed cycle of 4096 random architectures, as a
// strategy's evaluations would.
void query(benchmark::State& state, const MetricKey& key) {
  const Nb201Space* space = shared_space();
  if (!space) {
    state.SkipWithError("build/nb201.h5 not found: run gos nb201 convert --data ../shared/data/nb201 -o build/nb201.h5");
    return;
  }
  Rng rng(1);
  std::vector<GenomePtr> genomes;
  for (int i = 0; i < 4096; ++i) genomes.push_back(space->sample(rng));
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(space->query(*genomes[next], key));
    next = (next + 1) & 4095;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_QueryTestAccuracyCifar10(benchmark::State& state) { query(state, {Metric::kTestAccuracy, "cifar10"}); }
void BM_QueryLatencyRaspi4(benchmark::State& state) { query(state, {Metric::kLatency, "raspi4"}); }
// The last latency column, the worst case of the column search.
void BM_QueryLatencyTitanxp32(benchmark::State& state) { query(state, {Metric::kLatency, "titanxp_32"}); }
// Parsing an arch string and then querying: the cost for callers holding strings.
void BM_ParseAndQuery(benchmark::State& state) {
  const Nb201Space* space = shared_space();
  if (!space) {
    state.SkipWithError("build/nb201.h5 not found");
    return;
  }
  Rng rng(2);
  std::vector<std::string> archs;
  for (int i = 0; i < 4096; ++i) archs.push_back(space->serialize(*space->sample(rng)));
  const MetricKey key{Metric::kTestAccuracy, "cifar10"};
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(space->query(*space->deserialize(archs[next]), key));
    next = (next + 1) & 4095;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_QueryTestAccuracyCifar10);
BENCHMARK(BM_QueryLatencyRaspi4);
BENCHMARK(BM_QueryLatencyTitanxp32);
BENCHMARK(BM_ParseAndQuery);

}  // namespace
}  // namespace gos::nb201

BENCHMARK_MAIN();
