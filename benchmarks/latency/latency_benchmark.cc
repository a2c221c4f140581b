// Query throughput of the lookup-table and learned latency models on
// cnn_chain models. Table entries and weights are synthetic (throughput does
// not depend on their values):
//   build/latency_benchmark --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>

#include "plugins/latency/lut/lut_model.h"
#include "plugins/latency/predictor/kernel_predictor.h"
#include "searchspaces/cnn/cnn_chain.h"

namespace gos {
namespace {

struct Fixture {
  cnn::CnnChainSpace space{cnn::CnnChainConfig{}};
  std::vector<GenomePtr> genomes;
  std::vector<std::vector<Kernel>> kernels;
  LatencyTable table;

  Fixture() {
    Rng rng(1);
    for (int i = 0; i < 1024; ++i) {
      genomes.push_back(space.sample(rng));
      kernels.push_back(space.kernels(*genomes.back()));
      for (const Kernel& kernel : kernels.back()) {
        table.keys.push_back(kernel.key);
        table.latency_ms.push_back(0.01);
      }
    }
    std::sort(table.keys.begin(), table.keys.end());
    table.keys.erase(std::unique(table.keys.begin(), table.keys.end()), table.keys.end());
    table.latency_ms.resize(table.keys.size(), 0.01);
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// Sub-step 1 of a LUT query: the space lists the model's kernels (key strings,
// features).
void BM_SpaceKernels(benchmark::State& state) {
  const Fixture& f = fixture();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f.space.kernels(*f.genomes[i++ & 1023]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpaceKernels);

// Sub-step 2, the lookup itself: hashing each kernel key of a model and summing.
void BM_LutSumOfKernels(benchmark::State& state) {
  const Fixture& f = fixture();
  const LatencyIndex index(f.table);
  std::vector<std::string> missing;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.sum_ms(f.kernels[i++ & 1023], missing));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LutSumOfKernels);

// A full model query as a search makes it: genome -> kernels (keys built as
// strings) -> lookup.
void BM_LutModelQuery(benchmark::State& state) {
  const Fixture& f = fixture();
  LutLatencyModel model(f.table, "synthetic", OnMissingKernel::kError, nullptr);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(model.predict_ms(*f.genomes[i++ & 1023], f.space));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LutModelQuery);

KernelPredictorWeights synthetic_weights(const FeatureLayout& layout) {
  KernelPredictorWeights w;
  w.layout = layout;
  w.feature_mean.assign(layout.width(), 0.0);
  w.feature_std.assign(layout.width(), 1.0);
  size_t inputs = layout.width();
  Rng rng(2);
  for (size_t outputs : {64u, 64u, 1u}) {
    DenseLayer layer{inputs, outputs, std::vector<double>(inputs * outputs), std::vector<double>(outputs)};
    for (double& x : layer.weight) x = rng.uniform(-0.1, 0.1);
    w.layers.push_back(std::move(layer));
    inputs = outputs;
  }
  return w;
}

void BM_PredictorModelQuery(benchmark::State& state) {
  const Fixture& f = fixture();
  const KernelPredictor predictor(synthetic_weights(layout_for(f.kernels, {})));
  size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(predictor.predict_ms(f.space.kernels(*f.genomes[i++ & 1023]), {}, "benchmark"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PredictorModelQuery);

}  // namespace
}  // namespace gos

BENCHMARK_MAIN();
