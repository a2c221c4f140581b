// BitOPs and model size of hand-made layers.
#include "searchspaces/mixed_precision/bit_costs.h"

#include <gtest/gtest.h>

#include "framework/error.h"

namespace gos::mixed_precision {
namespace {

const std::vector<LayerCost> kLayers = {{"a", 100, 10, 2}, {"b", 50, 5, 0}};

TEST(BitCosts, BitOpsAreMacsTimesWeightTimesActivationBits) {
  // 100 * 8 * 8 + 50 * 4 * 2
  EXPECT_EQ(bitops(kLayers, {{8, 8}, {4, 2}}), 6800);
  EXPECT_EQ(bitops(kLayers, {{32, 32}, {32, 32}}), 150.0 * 1024);
  EXPECT_THROW(bitops(kLayers, {{8, 8}}), Error);
}

TEST(BitCosts, ModelBitsCountWeightsAtTheirWidthAndTheRestAtThirtyTwo) {
  // 3 fixed parameters * 32 + 10 weights * 8 + 2 biases * 32 + 5 weights * 4
  EXPECT_EQ(model_bits(kLayers, {{8, 8}, {4, 2}}, 3), 96 + 80 + 64 + 20);
  EXPECT_THROW(model_bits(kLayers, {}, 0), Error);
}

}  // namespace
}  // namespace gos::mixed_precision
