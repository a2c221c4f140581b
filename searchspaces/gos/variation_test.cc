#include "searchspaces/gos/variation.h"

#include <gtest/gtest.h>

#include <set>

#include "searchspaces/gos/seeds.h"

namespace gos::graph {
namespace {

VariationConfig make_config(Shape in, Shape out, size_t max_nodes) {
  VariationConfig config;
  config.spec = {in, out, max_nodes};
  config.allowed = all_instructions();
  config.channel_choices = default_channel_choices(config.spec);
  return config;
}

// Valid, canonical, and its canonical string parses back to the same graph.
void expect_valid(const VariationConfig& config, const Graph& graph) {
  Graph copy = graph;
  ASSERT_EQ(validate(copy, config.spec), "") << serialize(graph);
  Graph canonical = graph;
  canonicalize(canonical);
  ASSERT_EQ(canonical, graph) << "not canonical: " << serialize(graph);
  ASSERT_EQ(parse(serialize(graph), config.spec), graph);
}

std::set<Op> ops_of(const Graph& graph) {
  std::set<Op> ops;
  for (size_t i = 1; i < graph.nodes.size(); ++i) ops.insert(graph.nodes[i].op);
  return ops;
}

TEST(Variation, SamplingProducesEveryInstructionAndOnlyValidGraphs) {
  for (const auto& [in, out] :
       {std::pair{Shape{16, 8, 8}, Shape{32, 8, 8}}, std::pair{Shape{16, 8, 8}, Shape{16, 4, 4}}}) {
    const VariationConfig config = make_config(in, out, 16);
    Rng rng(1);
    std::set<Op> seen;
    for (int draw = 0; draw < 3000; ++draw) {
      const Graph graph = sample_graph(config, rng);
      expect_valid(config, graph);
      for (Op op : ops_of(graph)) seen.insert(op);
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(kOpCount - 1)) << "missing instructions for " << out.to_string();
  }
}

// kw is never drawn: sampled graphs have square kernels, with or without
// bit choices. From a 1x7 seed, change_attribute redraws k (and the others)
// around the kept kw, and never turns kw into a bit width.
TEST(Variation, KernelWidthsComeOnlyFromSeedsAndSurviveAttributeChanges) {
  VariationConfig config = make_config({16, 8, 8}, {16, 8, 8}, 4);
  Rng rng(5);
  for (const std::vector<int>& bits : {std::vector<int>{}, std::vector<int>{4, 8}}) {
    config.bit_choices = bits;
    for (int draw = 0; draw < 1000; ++draw) {
      const Graph graph = sample_graph(config, rng);
      for (size_t i = 1; i < graph.nodes.size(); ++i) {
        if (graph.nodes[i].op == Op::kConv) {
          ASSERT_EQ(graph.nodes[i].attrs[kConvKernelWidth], 0) << serialize(graph);
        }
      }
    }
  }
  config.bit_choices = {4, 8};
  const Graph seed = parse("in:16x8x8;n1=conv[k=1,co=16,g=1,d=1,s=1,kw=7](n0);out:n1", config.spec);
  std::set<int> heights;
  for (int draw = 0; draw < 2000; ++draw) {
    Graph child;
    if (!try_mutation(config, seed, Mutation::kChangeAttribute, rng, child)) continue;
    expect_valid(config, child);
    const Node& conv = child.nodes.at(1);
    ASSERT_EQ(conv.op, Op::kConv) << serialize(child);
    ASSERT_EQ(conv_kernel_width(conv.attrs), 7) << serialize(child);
    heights.insert(conv.attrs[0]);
  }
  EXPECT_EQ(heights, (std::set<int>{1, 3, 5, 7}));  // 7 x 7: kw = k, stored as absent
}

TEST(Variation, SamplingRespectsTheAllowedInstructions) {
  VariationConfig config = make_config({16, 8, 8}, {32, 8, 8}, 10);
  config.allowed = {Op::kRelu, Op::kPointwiseConv, Op::kAdd};
  Rng rng(2);
  for (int draw = 0; draw < 500; ++draw)
    for (Op op : ops_of(sample_graph(config, rng)))
      EXPECT_TRUE(op == Op::kRelu || op == Op::kPointwiseConv || op == Op::kAdd);
  config.allowed = {Op::kRelu};  // no channel adapter: 16 -> 32 is impossible
  EXPECT_THROW(sample_graph(config, rng), Error);
}

TEST(Variation, EveryMutationKindKeepsValidityAndReachesEveryInstruction) {
  const VariationConfig config = make_config({16, 8, 8}, {16, 8, 8}, 16);
  Rng rng(3);
  Graph current = make_seed("conv3x3_bn_relu", config.spec);
  std::array<int, kMutationCount> successes{};
  std::array<std::set<Op>, kMutationCount> produced;
  for (int draw = 0; draw < 20000; ++draw) {
    const auto kind = static_cast<Mutation>(draw % kMutationCount);
    Graph child;
    if (!try_mutation(config, current, kind, rng, child)) continue;
    expect_valid(config, child);
    ASSERT_FALSE(child == current) << to_string(kind) << " returned the parent";
    ++successes[static_cast<size_t>(kind)];
    for (Op op : ops_of(child)) produced[static_cast<size_t>(kind)].insert(op);
    current = child;  // a random walk, so mutations meet many graph forms
  }
  for (int kind = 0; kind < kMutationCount; ++kind) {
    EXPECT_GT(successes[kind], 200) << to_string(static_cast<Mutation>(kind));
  }
  // Instructions enter graphs through insert and change_instruction.
  EXPECT_EQ(produced[static_cast<size_t>(Mutation::kInsert)].size(), static_cast<size_t>(kOpCount - 1));
  EXPECT_EQ(produced[static_cast<size_t>(Mutation::kChangeInstruction)].size(), static_cast<size_t>(kOpCount - 1));
}

TEST(Variation, MutateGraphAlwaysReturnsAValidDifferentGraph) {
  const VariationConfig config = make_config({16, 8, 8}, {32, 4, 4}, 16);
  Rng rng(4);
  for (int draw = 0; draw < 2000; ++draw) {
    const Graph parent = sample_graph(config, rng);
    const Graph child = mutate_graph(config, parent, rng);
    expect_valid(config, child);
    EXPECT_FALSE(child == parent);
  }
}

TEST(Variation, CrossoverExchangesSubgraphsAndKeepsValidity) {
  const VariationConfig config = make_config({16, 8, 8}, {16, 8, 8}, 16);
  Rng rng(5);
  int mixed = 0;
  for (int draw = 0; draw < 1000; ++draw) {
    const Graph a = sample_graph(config, rng);
    const Graph b = sample_graph(config, rng);
    const auto [first, second] = crossover_graphs(config, a, b, rng);
    expect_valid(config, first);
    expect_valid(config, second);
    if (!(first == a) && !(first == b)) ++mixed;
  }
  EXPECT_GT(mixed, 500);
  // Exchanging the output node with the other parent's output gives that parent.
  const Graph conv = make_seed("conv3x3_bn_relu", config.spec);
  const Graph mb = make_seed("mbconv", config.spec);
  bool saw_swap = false;
  for (int draw = 0; draw < 200 && !saw_swap; ++draw) saw_swap = crossover_graphs(config, conv, mb, rng).first == mb;
  EXPECT_TRUE(saw_swap);
}

// The seed of a convolution with a bias (adapt/seed.cc): mutations keep,
// replace or drop the bias node, and every child is valid.
TEST(Variation, BiasedConvolutionSeedsVaryIntoValidGraphs) {
  const VariationConfig config = make_config({16, 8, 8}, {32, 8, 8}, 8);
  const Graph seed = parse("in:16x8x8;n1=pconv[co=32](n0);n2=bias(n1);out:n2", config.spec);
  Rng rng(8);
  int kept = 0, dropped = 0;
  for (int draw = 0; draw < 500; ++draw) {
    const Graph child = mutate_graph(config, seed, rng);
    expect_valid(config, child);
    ++(ops_of(child).count(Op::kBias) ? kept : dropped);
    const auto [first, second] =
        crossover_graphs(config, child, make_seed("mbconv", {{16, 8, 8}, {32, 8, 8}, 16}), rng);
    expect_valid(config, first);
    expect_valid(config, second);
  }
  EXPECT_GT(kept, 0);
  EXPECT_GT(dropped, 0);
}

TEST(Variation, WidthsAreDrawnOnlyFromTheBitChoicesWhenThereAreSome) {
  VariationConfig config = make_config({16, 8, 8}, {16, 8, 8}, 10);
  const auto widths_of = [](const Graph& graph, std::set<int>& widths) {
    for (size_t i = 1; i < graph.nodes.size(); ++i)
      if (bits_attr(graph.nodes[i].op) >= 0) widths.insert(node_bits(graph.nodes[i].op, graph.nodes[i].attrs));
  };
  Rng rng(4);
  std::set<int> without;
  for (int draw = 0; draw < 200; ++draw) widths_of(sample_graph(config, rng), without);
  EXPECT_EQ(without, (std::set<int>{32}));

  config.bit_choices = {32, 4, 2};
  std::set<int> with;
  for (int draw = 0; draw < 200; ++draw) {
    const Graph graph = sample_graph(config, rng);
    expect_valid(config, graph);
    widths_of(graph, with);
  }
  EXPECT_EQ(with, (std::set<int>{2, 4, 32}));

  // change_attribute reaches the widths from a full-precision seed.
  const Graph seed = make_seed("conv3x3_bn_relu", config.spec);
  std::set<int> mutated;
  for (int draw = 0; draw < 300; ++draw) {
    Graph child;
    if (try_mutation(config, seed, Mutation::kChangeAttribute, rng, child)) {
      expect_valid(config, child);
      widths_of(child, mutated);
    }
  }
  EXPECT_TRUE(mutated.count(4) && mutated.count(2)) << mutated.size();
}

TEST(Variation, SeededRunsAreReproducible) {
  const VariationConfig config = make_config({16, 8, 8}, {32, 8, 8}, 16);
  Rng first(42);
  Rng second(42);
  for (int draw = 0; draw < 50; ++draw) {
    const Graph a = mutate_graph(config, sample_graph(config, first), first);
    const Graph b = mutate_graph(config, sample_graph(config, second), second);
    ASSERT_EQ(serialize(a), serialize(b));
  }
}

}  // namespace
}  // namespace gos::graph

namespace gos::graph {
namespace {

// Golden results: a seed fixes every draw (gos::Rng defines its own
// distributions), so these strings change only when the sampling, mutation or
// crossover algorithms change — which must then be a deliberate decision.
TEST(Variation, GoldenSeededDraws) {
  VariationConfig config;
  config.spec = {{16, 8, 8}, {32, 8, 8}, 16};
  // The 23 instructions before `bias` (the last Op): these strings predate it,
  // and staying equal shows that adding an instruction changed no algorithm.
  config.allowed = all_instructions();
  config.allowed.pop_back();
  ASSERT_EQ(instruction(config.allowed.back()).name, std::string("identity"));
  config.channel_choices = default_channel_choices(config.spec);
  Rng rng(7);
  const Graph sampled = sample_graph(config, rng);
  EXPECT_EQ(serialize(sampled), "in:16x8x8;n1=scale(n0);n2=shift[dir=2](n1);n3=pconv[co=32](n2);out:n3");
  const Graph mutated = mutate_graph(config, make_seed("mbconv", config.spec), rng);
  EXPECT_EQ(serialize(mutated),
            "in:16x8x8;n1=pconv[co=96](n0);n2=dwconv[k=3,d=1,s=1](n1);n3=bn(n2);n4=relu6(n3);n5=pconv[co=32](n4);"
            "n6=bn(n5);out:n6");
  const auto [first, second] = crossover_graphs(config, sampled, mutated, rng);
  EXPECT_EQ(serialize(first),
            "in:16x8x8;n1=pconv[co=96](n0);n2=dwconv[k=3,d=1,s=1](n1);n3=bn(n2);n4=relu6(n3);n5=pconv[co=32](n4);"
            "out:n5");
  EXPECT_EQ(serialize(second), serialize(sampled));
}

}  // namespace
}  // namespace gos::graph
