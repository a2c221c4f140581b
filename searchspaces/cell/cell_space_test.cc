#include "searchspaces/cell/cell_space.h"

#include <gtest/gtest.h>

#include <set>

namespace gos::cell {
namespace {

constexpr const char* kExample =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

// Pearson's chi-square statistic of observed counts against a uniform law.
double chi_square_uniform(const std::vector<int>& counts) {
  double total = 0;
  for (int c : counts) total += c;
  const double expected = total / static_cast<double>(counts.size());
  double statistic = 0;
  for (int c : counts) statistic += (c - expected) * (c - expected) / expected;
  return statistic;
}
// 99.9th percentile of chi-square with 4 degrees of freedom (5 operations).
constexpr double kChiSquare4Dof999 = 18.47;

TEST(CellSpace, Nb201HasFifteenThousandSixHundredTwentyFiveGenomes) {
  const CellSpace space{CellSpaceConfig{}};
  EXPECT_EQ(space.edges(), 6u);
  EXPECT_EQ(space.size(), 15625u);
}

TEST(CellSpace, ParsesTheStandardArchString) {
  const CellSpace space{CellSpaceConfig{}};
  const auto genome = space.deserialize(kExample);
  // Operation indices in nb201_operations() order, edges (0-1)(0-2)(1-2)(0-3)(1-3)(2-3).
  EXPECT_EQ(space.cast(*genome).ops, (std::vector<uint8_t>{3, 3, 4, 1, 3, 1}));
  EXPECT_EQ(space.serialize(*genome), kExample);
}

TEST(CellSpace, EveryGenomeRoundTripsThroughCodeAndString) {
  const CellSpace space{CellSpaceConfig{}};
  std::set<std::string> strings;
  for (uint64_t code = 0; code < space.size(); ++code) {
    const auto genome = space.from_code(code);
    ASSERT_EQ(space.code(*genome), code);
    const std::string text = space.serialize(*genome);
    ASSERT_EQ(space.code(space.cast(*space.deserialize(text))), code) << text;
    strings.insert(text);
  }
  EXPECT_EQ(strings.size(), space.size());
}

TEST(CellSpace, OtherCellSizesAndOperationSetsSerialize) {
  CellSpaceConfig config;
  config.nodes = 3;
  config.operations = {"skip_connect", "nor_conv_3x3"};
  const CellSpace space(config);
  EXPECT_EQ(space.size(), 8u);
  const auto genome = space.deserialize("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|");
  EXPECT_EQ(space.cast(*genome).ops, (std::vector<uint8_t>{1, 0, 1}));
}

void expect_error(const CellSpace& space, const std::string& text, const std::string& fragment) {
  try {
    space.deserialize(text);
    FAIL() << "accepted '" << text << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(CellSpace, RejectsMalformedArchStringsNamingWhatIsValid) {
  const CellSpace space{CellSpaceConfig{}};
  expect_error(space, "|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|",
               "unknown operation 'conv_5x5'; valid: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3");
  expect_error(space, "|none~0|+|none~0|none~1|", "has 2 node groups");
  expect_error(space, "|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 has 1 inputs, needs 2");
  expect_error(space, "|none~0|+|none~0|none~0|+|none~0|none~1|none~2|", "must be op~1");
  expect_error(space, "none~0+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'");
  expect_error(space, "", "has 1 node groups");
}

TEST(CellSpace, RejectsBadConfigurations) {
  CellSpaceConfig repeated;
  repeated.operations = {"none", "none"};
  EXPECT_THROW(CellSpace{repeated}, Error);
  CellSpaceConfig one_node;
  one_node.nodes = 1;
  EXPECT_THROW(CellSpace{one_node}, Error);
  CellSpaceConfig encoding;
  encoding.encoding = "path";
  EXPECT_THROW(CellSpace{encoding}, Error);
}

TEST(CellSpace, SamplesEachOperationUniformlyOnEveryEdge) {
  const CellSpace space{CellSpaceConfig{}};
  Rng rng(7);
  std::vector<std::vector<int>> counts(6, std::vector<int>(5, 0));
  for (int i = 0; i < 5000; ++i) {
    const auto genome = space.sample(rng);
    for (size_t e = 0; e < 6; ++e) ++counts[e][space.cast(*genome).ops[e]];
  }
  for (const auto& edge : counts) EXPECT_LT(chi_square_uniform(edge), kChiSquare4Dof999);
}

TEST(CellSpace, MutationChangesExactlyOneEdgeUniformly) {
  const CellSpace space{CellSpaceConfig{}};
  const auto parent = space.deserialize(kExample);
  const auto& parent_ops = space.cast(*parent).ops;
  Rng rng(11);
  std::vector<int> edge_counts(6, 0);
  std::vector<int> new_op_counts(5, 0);
  for (int i = 0; i < 6000; ++i) {
    const auto child = space.default_mutator()->mutate(space, *parent, rng);
    const auto& ops = space.cast(*child).ops;
    int changed = 0;
    for (size_t e = 0; e < 6; ++e)
      if (ops[e] != parent_ops[e]) {
        ++changed;
        ++edge_counts[e];
        if (e == 0) ++new_op_counts[ops[e]];
      }
    ASSERT_EQ(changed, 1);
  }
  EXPECT_LT(chi_square_uniform(edge_counts), 20.52);  // 99.9th percentile, 5 degrees of freedom
  EXPECT_EQ(new_op_counts[3], 0);                     // edge 0 was nor_conv_3x3 in the parent
  new_op_counts.erase(new_op_counts.begin() + 3);
  EXPECT_LT(chi_square_uniform(new_op_counts), 16.27);  // 3 degrees of freedom
}

TEST(CellSpace, NeighboursAreAllSingleEdgeChangesInSeededOrder) {
  const CellSpace space{CellSpaceConfig{}};
  const auto genome = space.deserialize(kExample);
  Rng rng(3);
  const auto all = space.neighbours(*genome, rng, 100);
  ASSERT_EQ(all.size(), 24u);
  std::set<std::string> distinct;
  for (const auto& n : all) {
    int changed = 0;
    for (size_t e = 0; e < 6; ++e) changed += space.cast(*n).ops[e] != space.cast(*genome).ops[e];
    EXPECT_EQ(changed, 1);
    distinct.insert(space.serialize(*n));
  }
  EXPECT_EQ(distinct.size(), 24u);
  Rng same(3);
  const auto first = space.neighbours(*genome, same, 5);
  ASSERT_EQ(first.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(space.serialize(*first[i]), space.serialize(*all[i]));
}

TEST(CellSpace, CrossoverTakesEachEdgeFromOneParent) {
  const CellSpace space{CellSpaceConfig{}};
  const auto a = space.deserialize(kExample);
  const auto b = space.from_code(0);  // all none
  Rng rng(5);
  int from_a = 0;
  for (int i = 0; i < 200; ++i) {
    const auto [c, d] = space.crossover(*a, *b, rng);
    for (size_t e = 0; e < 6; ++e) {
      const uint8_t x = space.cast(*c).ops[e], y = space.cast(*d).ops[e];
      const uint8_t pa = space.cast(*a).ops[e], pb = space.cast(*b).ops[e];
      ASSERT_TRUE((x == pa && y == pb) || (x == pb && y == pa));
      from_a += x == pa;
    }
  }
  // 1200 fair coin flips: mean 600, standard deviation about 17.
  EXPECT_NEAR(from_a, 600, 70);
}

TEST(CellSpace, OneHotMarksEachEdgeOperation) {
  const CellSpace space{CellSpaceConfig{}};
  const auto genome = space.deserialize(kExample);
  const auto values = space.encode(*genome);
  ASSERT_EQ(values.size(), 30u);
  for (size_t e = 0; e < 6; ++e)
    for (size_t op = 0; op < 5; ++op)
      EXPECT_EQ(values[e * 5 + op], op == space.cast(*genome).ops[e] ? 1.0 : 0.0);
}

TEST(CellSpace, AdjacencyEncodingDropsEdgesThroughNone) {
  CellSpaceConfig config;
  config.nodes = 3;
  config.operations = {"none", "skip_connect"};
  config.encoding = "adjacency";
  const CellSpace space(config);
  // DAG nodes: input, e0 (0->1), e1 (0->2), e2 (1->2), output; upper triangle row by row.
  const std::vector<double> all_skip = {1, 1, 0, 0, /**/ 0, 1, 0, /**/ 0, 1, /**/ 1, /* one-hot */ 0, 1, 0, 1, 0, 1};
  EXPECT_EQ(space.encode(*space.deserialize("|skip_connect~0|+|skip_connect~0|skip_connect~1|")), all_skip);
  const std::vector<double> first_none = {0, 1, 0, 0, /**/ 0, 0, 0, /**/ 0, 1, /**/ 1, /* one-hot */ 1, 0, 0, 1, 0, 1};
  EXPECT_EQ(space.encode(*space.deserialize("|none~0|+|skip_connect~0|skip_connect~1|")), first_none);
}

TEST(CellSpace, ParameterCountsMatchNasBench201) {
  const CellSpace space{CellSpaceConfig{}};
  // NAS-Bench-201 reports 0.073306 M parameters for the all-none cell and
  // 1.531546 M for the all-nor_conv_3x3 cell (CIFAR-10, C = 16, N = 5).
  EXPECT_EQ(space.parameters(*space.from_code(0)), 73306);
  const auto convs = space.deserialize(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  EXPECT_EQ(space.parameters(space.cast(*convs)), 1531546);
  EXPECT_EQ(space.query(*space.from_code(0), MetricKey{Metric::kParameters, ""}), 73306.0);
}

TEST(CellSpace, WorkloadKeysAreArchStringsInTheBenchmarkSetting) {
  const CellSpace space{CellSpaceConfig{}};
  const auto genome = space.deserialize(kExample);
  EXPECT_EQ(workload_key(space.cast(*genome), space.config().operations, 4, SkeletonConfig{}), kExample);
  SkeletonConfig batched;
  batched.batch = 32;
  EXPECT_EQ(workload_key(space.cast(*genome), space.config().operations, 4, batched),
            std::string(kExample) + "@C16N5K10x32b32");
}

TEST(CellSpace, FlopsMatchNasBench201) {
  const CellSpace space{CellSpaceConfig{}};
  // NAS-Bench-201 reports 7.78 M and 220.11 M "FLOPs" (multiply-accumulates)
  // for the all-none and all-nor_conv_3x3 cells, to two decimals (we count
  // 7.7830 M and 220.1197 M); Metric::kFlops counts 2 per MAC.
  const MetricKey flops{Metric::kFlops, ""};
  EXPECT_NEAR(space.query(*space.from_code(0), flops) / 2e6, 7.78, 0.01);
  const auto convs = space.deserialize(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  EXPECT_NEAR(space.query(*convs, flops) / 2e6, 220.11, 0.01);
}

TEST(CellSpace, KernelParametersAddUpToTheNetworkOnRandomCells) {
  const CellSpace space{CellSpaceConfig{}};
  Rng rng(9);
  for (int i = 0; i < 200; ++i) {
    const auto genome = space.sample(rng);
    double total = 0;
    for (const Kernel& kernel : space.kernels(*genome)) total += kernel.params;
    ASSERT_EQ(total, static_cast<double>(space.parameters(space.cast(*genome)))) << space.serialize(*genome);
  }
}

TEST(CellSpace, KernelKeysDependOnOperationAndShapeNotOnTheEdge) {
  const CellSpace space{CellSpaceConfig{}};
  const auto keys = [&](const std::string& arch) {
    std::multiset<std::string> result;
    for (const Kernel& kernel : space.kernels(*space.deserialize(arch))) result.insert(kernel.key);
    return result;
  };
  const auto a = keys("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  EXPECT_EQ(a, keys("|none~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|"));
  EXPECT_EQ(a.count("nor_conv_3x3-c16-c16-hw32"), 5u);  // once per cell of the first stage
  EXPECT_EQ(a.count("nor_conv_3x3-c64-c64-hw8"), 5u);
  EXPECT_NE(a, keys("|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|none~2|"));
}

TEST(CellSpace, KernelsNeedTheNasBench201Operations) {
  CellSpaceConfig config;
  config.operations = {"none", "sep_conv_5x5"};
  const CellSpace space(config);
  EXPECT_THROW(space.kernels(*space.from_code(1)), Unsupported);
  EXPECT_TRUE(space.metrics().empty());
}

}  // namespace
}  // namespace gos::cell
