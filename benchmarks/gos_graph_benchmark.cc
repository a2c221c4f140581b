// Throughput of the GOS operator-graph hot path (sample, mutate, validate,
// hash: plain C++, no torch) and the cost of compiling a graph to a LibTorch
// module. Figures: docs/performance/gos-graphs.md.
//   build/gos_graph_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "searchspaces/gos/graph.h"
#include "searchspaces/gos/runtime.h"
#include "searchspaces/gos/seeds.h"
#include "searchspaces/gos/space.h"
#include "searchspaces/gos/variation.h"

namespace gos::graph {
namespace {

// The experiment's shapes: one 3x3 convolution of a small CNN.
VariationConfig experiment_config() {
  VariationConfig config;
  config.spec = {{16, 32, 32}, {32, 32, 32}, 24};
  config.allowed = all_instructions();
  config.channel_choices = default_channel_choices(config.spec);
  return config;
}

// One candidate = sample a graph, mutate it, validate the child, hash it.
void BM_SampleMutateValidateHash(benchmark::State& state) {
  const VariationConfig config = experiment_config();
  Rng rng(1);
  uint64_t sink = 0;
  for (auto _ : state) {
    const Graph parent = sample_graph(config, rng);
    Graph child = mutate_graph(config, parent, rng);
    if (!validate(child, config.spec).empty()) state.SkipWithError("invalid child");
    sink ^= structural_hash(child);
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SampleMutateValidateHash);

// A search's steady state: mutate the current graph (random walk from a
// seed), validate and hash each child.
void BM_MutateValidateHash(benchmark::State& state) {
  const VariationConfig config = experiment_config();
  Rng rng(2);
  Graph current = make_seed("mbconv", config.spec);
  uint64_t sink = 0;
  for (auto _ : state) {
    Graph child = mutate_graph(config, current, rng);
    if (!validate(child, config.spec).empty()) state.SkipWithError("invalid child");
    sink ^= structural_hash(child);
    current = std::move(child);
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MutateValidateHash);

void BM_SerializeParse(benchmark::State& state) {
  const VariationConfig config = experiment_config();
  const Graph graph = make_seed("inception", config.spec);
  for (auto _ : state) benchmark::DoNotOptimize(parse(serialize(graph), config.spec));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SerializeParse);

// Compiling a graph to a module (the workload owns one; this includes
// allocating its parameters and a batch-1 input).
void BM_CompileSeed(benchmark::State& state) {
  const VariationConfig config = experiment_config();
  const Graph graph = make_seed(seed_names()[static_cast<size_t>(state.range(0))], config.spec);
  state.SetLabel(seed_names()[static_cast<size_t>(state.range(0))]);
  for (auto _ : state) benchmark::DoNotOptimize(make_graph_workload(graph, 1, ""));
}
BENCHMARK(BM_CompileSeed)->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);

void BM_CompileRandomGraph(benchmark::State& state) {
  const VariationConfig config = experiment_config();
  Rng rng(3);
  std::vector<Graph> graphs;
  for (int i = 0; i < 64; ++i) graphs.push_back(sample_graph(config, rng));
  size_t next = 0;
  for (auto _ : state) benchmark::DoNotOptimize(make_graph_workload(graphs[next++ % graphs.size()], 1, ""));
}
BENCHMARK(BM_CompileRandomGraph)->Unit(benchmark::kMicrosecond);

// The functional fingerprint (compile, deterministic weights, one probe
// forward pass): the cost of one functional-equivalence cache lookup.
void BM_FunctionalFingerprint(benchmark::State& state) {
  const VariationConfig config = experiment_config();
  Rng rng(4);
  std::vector<Graph> graphs;
  for (int i = 0; i < 64; ++i) graphs.push_back(sample_graph(config, rng));
  size_t next = 0;
  for (auto _ : state) benchmark::DoNotOptimize(functional_fingerprint(graphs[next++ % graphs.size()]));
}
BENCHMARK(BM_FunctionalFingerprint)->Unit(benchmark::kMicrosecond);

// The cheap half of GraphSpace::equivalence_key, paid by every evaluation the
// canonical cache misses: the sorted kernel keys that decide whether the
// fingerprint is needed at all.
void BM_EquivalenceBucket(benchmark::State& state) {
  GraphSpaceConfig space_config;
  space_config.input = {16, 32, 32};
  space_config.output = {32, 32, 32};
  space_config.seed = "conv3x3_bn_relu";
  space_config.seed_walk = 8;
  const GraphSpace space(space_config);
  Rng rng(5);
  std::vector<GenomePtr> genomes;
  for (int i = 0; i < 64; ++i) genomes.push_back(space.sample(rng));
  size_t next = 0;
  for (auto _ : state) benchmark::DoNotOptimize(space.equivalence_key(*genomes[next++ % genomes.size()])->bucket);
}
BENCHMARK(BM_EquivalenceBucket)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gos::graph
