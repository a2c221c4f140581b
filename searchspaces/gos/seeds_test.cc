#include "searchspaces/gos/seeds.h"

#include <gtest/gtest.h>

namespace gos::graph {
namespace {

TEST(Seeds, EverySeedFitsStrideOneAndStrideTwoShapes) {
  for (const auto& spec : {GraphSpec{{16, 8, 8}, {32, 8, 8}, 24}, GraphSpec{{16, 9, 9}, {24, 5, 5}, 24},
                           GraphSpec{{16, 8, 8}, {16, 8, 8}, 24}}) {
    for (const std::string& name : seed_names()) {
      Graph graph = make_seed(name, spec);
      EXPECT_EQ(validate(graph, spec), "") << name;
      EXPECT_EQ(graph.output_shape(), spec.output) << name;
    }
  }
}

TEST(Seeds, ResidualConnectionsOnlyWhereShapesAreKept) {
  const auto has_add = [](const Graph& graph) {
    for (const Node& node : graph.nodes)
      if (node.op == Op::kAdd) return true;
    return false;
  };
  EXPECT_TRUE(has_add(make_seed("mbconv", {{16, 8, 8}, {16, 8, 8}, 24})));
  EXPECT_TRUE(has_add(make_seed("bottleneck", {{16, 8, 8}, {16, 8, 8}, 24})));
  EXPECT_FALSE(has_add(make_seed("mbconv", {{16, 8, 8}, {32, 8, 8}, 24})));
}

TEST(Seeds, MbconvCountsByHand) {
  // pconv 16 -> 96, bn, relu6, dwconv 3x3, bn, relu6, pconv 96 -> 16, bn, add.
  const Graph graph = make_seed("mbconv", {{16, 8, 8}, {16, 8, 8}, 24});
  EXPECT_EQ(graph.instruction_count(), 9u);
  EXPECT_EQ(count_params(graph), 16 * 96 + 2 * 96 + 96 * 9 + 2 * 96 + 96 * 16 + 2 * 16);
}

TEST(Seeds, ImpossibleShapesAndNamesAreExplained) {
  try {
    make_seed("conv3x3_bn_relu", {{16, 8, 8}, {16, 3, 3}, 24});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("neither the input's resolution nor half of it"), std::string::npos);
  }
  try {
    make_seed("mbcov", {{16, 8, 8}, {16, 8, 8}, 24});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'mbconv'"), std::string::npos);
  }
  try {
    make_seed("inception", {{16, 8, 8}, {16, 8, 8}, 4});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than max_nodes = 4"), std::string::npos);
  }
}

}  // namespace
}  // namespace gos::graph
