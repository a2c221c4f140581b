#include "plugins/latency/lut/lut_fit.h"

#include <gtest/gtest.h>

#include <cmath>

#include "framework/error.h"
#include "searchspaces/cnn/cnn_chain.h"

namespace gos {
namespace {

TEST(LutFit, RidgeSolveMatchesAHandSolvedSystem) {
  // [[4, 2], [2, 3]] x = [2, 5]  ->  x = [-0.5, 2]
  const std::vector<double> x = solve_ridge({4, 2, 2, 3}, {2, 5}, 2, 0);
  EXPECT_NEAR(x[0], -0.5, 1e-12);
  EXPECT_NEAR(x[1], 2.0, 1e-12);
  EXPECT_THROW(solve_ridge({1, 2, 3}, {1, 2}, 2, 0), Error);
}

TEST(LutFit, RecoversAnAdditiveDeviceFromWholeModelLatencies) {
  cnn::CnnChainConfig config;
  config.resolution = 8;
  config.channels = {4, 8};
  config.kernels = {1, 3};
  const cnn::CnnChainSpace space(config);
  // Each key costs a pseudo-random amount; every model pays 0.3 ms more.
  auto cost = [](const Kernel& kernel) { return 0.01 + double(stable_hash(kernel.key) % 1000) * 1e-4; };
  auto latency = [&](const std::vector<Kernel>& kernels) {
    double total = 0.3;
    for (const Kernel& kernel : kernels) total += cost(kernel);
    return total;
  };
  Rng rng(4);
  std::vector<std::vector<Kernel>> models;
  std::vector<double> measured;
  for (int i = 0; i < 3000; ++i) {
    models.push_back(space.kernels(*space.sample(rng)));
    measured.push_back(latency(models.back()));
  }
  const LatencyTable table = fit_latency_table(models, measured);
  const LatencyIndex index(table);
  int judged = 0;
  for (int i = 0; i < 300; ++i) {
    const std::vector<Kernel> kernels = space.kernels(*space.sample(rng));
    std::vector<std::string> missing;
    const double predicted = index.sum_ms(kernels, missing);
    if (!missing.empty()) continue;  // a key no training model had
    ++judged;
    EXPECT_NEAR(predicted, latency(kernels), 1e-6);
  }
  EXPECT_GT(judged, 250);
  EXPECT_THROW(fit_latency_table({}, {}), Error);
}

}  // namespace
}  // namespace gos
