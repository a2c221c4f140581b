#include "searchspaces/cell/cell_network.h"

#include <gtest/gtest.h>

#include "framework/device.h"
#include "torchlib/torch_model.h"

namespace gos::cell {
namespace {

// A tiny skeleton keeps each forward pass in the microseconds.
CellSpaceConfig tiny() {
  CellSpaceConfig config;
  config.skeleton = SkeletonConfig{4, 1, 3, 8, 2};
  return config;
}

int64_t count_parameters(TorchModel& model) {
  int64_t total = 0;
  for (const auto& p : model.parameters()) total += p.numel();
  return total;
}

TEST(CellNetwork, ParameterCountMatchesTheSpaceFormulaOnRandomCells) {
  const CellSpace space(tiny());
  Rng rng(1);
  for (int i = 0; i < 20; ++i) {
    const auto genome = space.sample(rng);
    const auto& cell = space.cast(*genome);
    auto model = build_cell_network(cell, space.config().operations, 4, space.config().skeleton);
    EXPECT_EQ(count_parameters(*model), space.parameters(cell)) << space.serialize(*genome);
  }
}

TEST(CellNetwork, ForwardGivesOneScorePerClassAndImage) {
  const CellSpace space(tiny());
  const auto genome = space.deserialize(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|skip_connect~2|");
  auto model = build_cell_network(space.cast(*genome), space.config().operations, 4, space.config().skeleton);
  const torch::Tensor out = model->forward(torch::randn({2, 3, 8, 8}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
}

TEST(CellNetwork, AllNoneCellsCutTheCellPathButKeepTheResidualShortcuts) {
  const CellSpace space(tiny());
  auto model = build_cell_network(*space.from_code(0), space.config().operations, 4, space.config().skeleton);
  model->eval();
  torch::NoGradGuard no_grad;
  // Every cell outputs zeros, so the reduction blocks see zeros and the
  // network's output is the same constant for any input.
  const torch::Tensor a = model->forward(torch::randn({1, 3, 8, 8}));
  const torch::Tensor b = model->forward(torch::randn({1, 3, 8, 8}));
  EXPECT_TRUE(torch::allclose(a, b));
  const auto conv = space.deserialize(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  auto live = build_cell_network(space.cast(*conv), space.config().operations, 4, space.config().skeleton);
  live->eval();
  EXPECT_FALSE(torch::allclose(live->forward(torch::randn({1, 3, 8, 8})), live->forward(torch::randn({1, 3, 8, 8}))));
}

TEST(CellNetwork, WorkloadRunsAndNamesItsArchitecture) {
  const CellSpace space(tiny(), make_cell_workload);
  const auto workload = space.workload(*space.from_code(1));
  EXPECT_EQ(workload->key(), space.serialize(*space.from_code(1)) + "@C4N1K3x8b2");
  workload->run();
}

TEST(CellNetwork, UnknownOperationsAreNamed) {
  CellSpaceConfig config = tiny();
  config.operations = {"none", "sep_conv_5x5"};
  const CellSpace space(config);
  try {
    build_cell_network(*space.from_code(1), config.operations, 4, config.skeleton);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'sep_conv_5x5'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gos::cell
