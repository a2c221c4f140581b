// Query throughput of latency models on ofa_mbv3 sub-networks: the kernel MLP
// predictor queried kernel by kernel (key strings, one MLP pass per layer),
// and the same predictor compiled into an OfaAdditiveLatency table (one
// addition per layer). Weights are synthetic, of the default 64x64 shape
// (throughput does not depend on their values):
//   build/benchmarks/latency/ofa_latency_benchmark --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include "plugins/latency/predictor/kernel_predictor.h"
#include "searchspaces/ofa/ofa_additive.h"

namespace gos {
namespace {

struct Fixture {
  ofa::OfaSpace space{ofa::OfaConfig{}};
  std::vector<GenomePtr> genomes;
  std::vector<std::vector<Kernel>> kernels;
  KernelPredictorWeights weights;

  Fixture() {
    Rng rng(1);
    for (int i = 0; i < 1024; ++i) {
      genomes.push_back(space.sample(rng));
      kernels.push_back(space.kernels(*genomes.back()));
    }
    weights.layout = layout_for(kernels, {});
    weights.feature_mean.assign(weights.layout.width(), 0.0);
    weights.feature_std.assign(weights.layout.width(), 1.0);
    size_t inputs = weights.layout.width();
    for (size_t outputs : {64u, 64u, 1u}) {
      DenseLayer layer{inputs, outputs, std::vector<double>(inputs * outputs), std::vector<double>(outputs)};
      for (double& x : layer.weight) x = rng.uniform(-0.1, 0.1);
      weights.layers.push_back(std::move(layer));
      inputs = outputs;
    }
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void BM_OfaPredictorPerKernel(benchmark::State& state) {
  const Fixture& f = fixture();
  const KernelPredictor predictor(f.weights);
  size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(predictor.predict_ms(f.space.kernels(*f.genomes[i++ & 1023]), {}, "benchmark"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OfaPredictorPerKernel);

void BM_OfaPredictorCompiled(benchmark::State& state) {
  const Fixture& f = fixture();
  const KernelPredictor predictor(f.weights);
  const ofa::OfaAdditiveLatency compiled(
      f.space,
      [&](const Kernel& kernel) {
        return predictor.predict_ms({kernel}, {}, "benchmark") - predictor.weights().overhead_ms;
      },
      predictor.weights().overhead_ms);
  std::vector<const ofa::OfaGenome*> genomes;
  for (const GenomePtr& g : f.genomes) genomes.push_back(&f.space.cast(*g));
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(compiled.predict_ms(*genomes[i++ & 1023]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OfaPredictorCompiled);

}  // namespace
}  // namespace gos

BENCHMARK_MAIN();
