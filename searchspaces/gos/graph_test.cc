#include "searchspaces/gos/graph.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "searchspaces/gos/seeds.h"
#include "searchspaces/gos/variation.h"

namespace gos::graph {
namespace {

const GraphSpec kSpec{{16, 8, 8}, {32, 8, 8}, 16};

std::string error_of(std::string_view text, const GraphSpec& spec = kSpec) {
  try {
    parse(text, spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Instructions, TableIsIndexedByOpAndNamesAreUnique) {
  const auto table = instruction_table();
  ASSERT_EQ(table.size(), static_cast<size_t>(kOpCount));
  std::set<std::string> names;
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(table[i].op), i);
    EXPECT_TRUE(names.insert(table[i].name).second) << table[i].name;
    EXPECT_LE(table[i].attrs.size(), static_cast<size_t>(kMaxAttrs));
  }
  EXPECT_EQ(instruction_names().size(), table.size() - 1);  // the input is not nameable
  EXPECT_EQ(find_instruction("input"), nullptr);
  EXPECT_EQ(find_instruction("conv")->op, Op::kConv);
}

TEST(Instructions, ShapeRules) {
  const auto infer = [](Op op, std::vector<Shape> in, Attrs attrs = {}) { return instruction(op).infer(in, attrs); };
  EXPECT_EQ(infer(Op::kConv, {{16, 9, 7}}, {3, 32, 1, 1, 2}).shape, (Shape{32, 5, 4}));
  EXPECT_STREQ(infer(Op::kConv, {{6, 8, 8}}, {3, 32, 4, 1, 1}).error, "its groups do not divide the input channels");
  EXPECT_EQ(infer(Op::kDepthwiseConv, {{16, 8, 8}}, {5, 2, 1}).shape, (Shape{16, 8, 8}));
  EXPECT_EQ(infer(Op::kConcat, {{16, 8, 8}, {8, 8, 8}}).shape, (Shape{24, 8, 8}));
  EXPECT_NE(infer(Op::kConcat, {{16, 8, 8}, {8, 4, 8}}).error, nullptr);
  EXPECT_NE(infer(Op::kAdd, {{16, 8, 8}, {8, 8, 8}}).error, nullptr);
  EXPECT_NE(infer(Op::kSplit, {{15, 8, 8}}, {0}).error, nullptr);
  EXPECT_EQ(infer(Op::kSpaceToDepth, {{16, 8, 6}}).shape, (Shape{64, 4, 3}));
  EXPECT_EQ(infer(Op::kDepthToSpace, {{16, 8, 6}}).shape, (Shape{4, 16, 12}));
  EXPECT_EQ(infer(Op::kTranspose, {{16, 8, 6}}).shape, (Shape{16, 6, 8}));
  EXPECT_EQ(infer(Op::kMaxPool, {{16, 7, 7}}, {2}).shape, (Shape{16, 4, 4}));
}

TEST(Instructions, BiasAddsOneTrainableValuePerChannel) {
  const std::string text = "in:16x8x8;n1=pconv[co=32](n0);n2=bias(n1);out:n2";
  const Graph graph = parse(text, kSpec);
  EXPECT_EQ(serialize(graph), text);
  EXPECT_EQ(parse(serialize(graph), kSpec), graph);
  EXPECT_EQ(graph.shapes[2], (Shape{32, 8, 8}));
  EXPECT_EQ(node_params(graph, 2), 32);
  EXPECT_EQ(node_flops(graph, 2), 32 * 64);
  EXPECT_EQ(count_params(graph), 32 * 16 + 32);
  EXPECT_NE(error_of("in:16x8x8;n1=pconv[co=32](n0);n2=bias[c=32](n1);out:n2").find("(bias): unknown attribute 'c'"),
            std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=pconv[co=32](n0);n2=bias(n1,n0);out:n2").find("takes 1 input(s), got 2"),
            std::string::npos);
}

// Naive reference for convolution FLOPs: one multiply-accumulate (2 FLOPs)
// per output element, input channel of its group and kernel tap.
int64_t naive_conv_flops(const Shape& in, const Shape& out, int k, int groups) {
  int64_t flops = 0;
  for (int co = 0; co < out.c; ++co)
    for (int y = 0; y < out.h; ++y)
      for (int x = 0; x < out.w; ++x)
        for (int ci = 0; ci < in.c / groups; ++ci)
          for (int tap = 0; tap < k * k; ++tap) flops += 2;
  return flops;
}

TEST(Graph, ConvolutionCountsMatchTheNaiveReferenceOnRandomGraphs) {
  VariationConfig config;
  config.spec = {{8, 6, 6}, {8, 6, 6}, 12};
  config.allowed = all_instructions();
  config.channel_choices = default_channel_choices(config.spec);
  Rng rng(11);
  int convolutions = 0;
  for (int draw = 0; draw < 1000; ++draw) {
    const Graph graph = sample_graph(config, rng);
    for (size_t i = 1; i < graph.nodes.size(); ++i) {
      const Node& node = graph.nodes[i];
      const Shape& in = graph.shapes[node.inputs[0]];
      const Shape& out = graph.shapes[i];
      if (node.op == Op::kConv) {
        EXPECT_EQ(node_flops(graph, i), naive_conv_flops(in, out, node.attrs[0], node.attrs[2]));
        EXPECT_EQ(node_params(graph, i), int64_t{out.c} * (in.c / node.attrs[2]) * node.attrs[0] * node.attrs[0]);
        ++convolutions;
      } else if (node.op == Op::kDepthwiseConv) {
        EXPECT_EQ(node_flops(graph, i), naive_conv_flops({1, in.h, in.w}, out, node.attrs[0], 1) * 1);
      } else if (node.op == Op::kPointwiseConv) {
        EXPECT_EQ(node_flops(graph, i), naive_conv_flops(in, out, 1, 1));
      }
    }
  }
  EXPECT_GT(convolutions, 50);
}

TEST(Graph, SeedCountsByHand) {
  const Graph graph = make_seed("conv3x3_bn_relu", kSpec);
  // conv 16 -> 32, 3x3, on 8x8; bn on 32 channels; relu.
  EXPECT_EQ(count_params(graph), 32 * 16 * 9 + 2 * 32);
  EXPECT_EQ(count_flops(graph), 2 * 32 * 64 * 16 * 9 + 2 * 32 * 64 + 32 * 64);
}

TEST(Bits, AnAbsentWidthIsFullPrecisionAndKeepsTextsAndHashes) {
  const std::string full = "in:16x8x8;n1=conv[k=3,co=32,g=1,d=1,s=1](n0);out:n1";
  const Graph graph = parse(full, kSpec);
  EXPECT_EQ(node_bits(Op::kConv, graph.nodes[1].attrs), kFullPrecisionBits);
  // "b=32" is full precision written out: the same graph, text and hash as without it.
  const Graph written = parse("in:16x8x8;n1=conv[k=3,co=32,g=1,d=1,s=1,b=32](n0);out:n1", kSpec);
  EXPECT_EQ(written, graph);
  EXPECT_EQ(serialize(written), full);
  EXPECT_EQ(structural_hash(written), structural_hash(graph));
  EXPECT_EQ(describe_node(graph, 1), "conv[k=3,co=32,g=1,d=1,s=1]");

  const std::string four = "in:16x8x8;n1=conv[k=3,co=32,g=1,d=1,s=1,b=4](n0);out:n1";
  const Graph quantized = parse(four, kSpec);
  EXPECT_EQ(node_bits(Op::kConv, quantized.nodes[1].attrs), 4);
  EXPECT_EQ(serialize(quantized), four);
  EXPECT_NE(quantized, graph);
  EXPECT_NE(structural_hash(quantized), structural_hash(graph));
  EXPECT_EQ(serialize(parse("in:16x8x8;n1=pconv[co=32,b=8](n0);out:n1", kSpec)),
            "in:16x8x8;n1=pconv[co=32,b=8](n0);out:n1");
  EXPECT_EQ(bits_attr(Op::kDepthwiseConv), 3);
  EXPECT_EQ(bits_attr(Op::kRelu), -1);
  EXPECT_EQ(node_bits(Op::kRelu, {}), kFullPrecisionBits);
}

// kw: a k x kw kernel (InceptionV3's 1x7 and 7x1), counted by hand; kw = k
// is the square kernel (one form, one hash); texts without kw read as before.
TEST(KernelWidth, NonSquareKernelsCountTheirTapsAndASquareOneHasOneForm) {
  const std::string wide = "in:16x8x8;n1=conv[k=1,co=32,g=1,d=1,s=1,kw=7](n0);out:n1";
  const Graph graph = parse(wide, kSpec);
  EXPECT_EQ(serialize(graph), wide);
  EXPECT_EQ(conv_kernel_width(graph.nodes[1].attrs), 7);
  EXPECT_EQ(count_params(graph), 32 * 16 * 1 * 7);
  EXPECT_EQ(count_flops(graph), 2 * 32 * 64 * 16 * 7);
  EXPECT_EQ(graph.output_shape(), (Shape{32, 8, 8}));
  const Graph tall =
      parse("in:16x8x8;n1=conv[k=7,co=32,g=1,d=1,s=2,kw=1](n0);out:n1", GraphSpec{{16, 8, 8}, {32, 4, 4}, 4});
  EXPECT_EQ(tall.output_shape(), (Shape{32, 4, 4}));
  EXPECT_EQ(count_params(tall), 32 * 16 * 7);
  EXPECT_NE(structural_hash(tall), structural_hash(graph));

  const std::string square = "in:16x8x8;n1=conv[k=3,co=32,g=1,d=1,s=1](n0);out:n1";
  const Graph written = parse("in:16x8x8;n1=conv[k=3,co=32,g=1,d=1,s=1,kw=3](n0);out:n1", kSpec);
  EXPECT_EQ(written, parse(square, kSpec));
  EXPECT_EQ(serialize(written), square);
  EXPECT_EQ(structural_hash(written), structural_hash(parse(square, kSpec)));
  const std::string bad = error_of("in:16x8x8;n1=conv[k=1,co=32,g=1,d=1,s=1,kw=4](n0);out:n1");
  EXPECT_NE(bad.find("attribute kw=4 is out of range; valid: one of {1, 3, 5, 7}, or absent"), std::string::npos)
      << bad;
  EXPECT_NE(error_of("in:16x8x8;n1=dwconv[k=3,d=1,s=1,kw=7](n0);out:n1").find("unknown attribute 'kw'"),
            std::string::npos);
}

TEST(Bits, WidthsOutsideTheValidSetAreErrorsNamingThem) {
  for (const char* bad : {"b=0", "b=9", "b=12", "b=64", "b=-4"}) {
    const std::string error = error_of(fmt::format("in:16x8x8;n1=pconv[co=32,{}](n0);out:n1", bad));
    EXPECT_NE(error.find("attribute b="), std::string::npos) << bad << ": " << error;
    EXPECT_NE(error.find("one of {1, 2, 3, 4, 5, 6, 7, 8, 16}, or 32"), std::string::npos) << error;
  }
  EXPECT_NE(error_of("in:16x8x8;n1=relu[b=8](n0);out:n1").find("unknown attribute 'b'"), std::string::npos);
}

TEST(Bits, BitOpsAndModelBitsByHand) {
  const Graph graph =
      parse("in:16x8x8;n1=conv[k=3,co=32,g=1,d=1,s=1,b=4](n0);n2=pconv[co=32,b=8](n1);n3=bn(n2);out:n3", kSpec);
  const double conv_macs = 32.0 * 8 * 8 * 16 * 9;  // output elements x input channels x taps
  const double pconv_macs = 32.0 * 8 * 8 * 32;
  EXPECT_DOUBLE_EQ(count_bitops(graph), conv_macs * 4 * 4 + pconv_macs * 8 * 8);
  EXPECT_EQ(count_model_bits(graph), 32 * 16 * 9 * 4 + 32 * 32 * 8 + 2 * 32 * 32);
  const Graph full = parse("in:16x8x8;n1=conv[k=3,co=32,g=1,d=1,s=1](n0);n2=pconv[co=32](n1);n3=bn(n2);out:n3", kSpec);
  EXPECT_DOUBLE_EQ(count_bitops(full), (conv_macs + pconv_macs) * 32 * 32);
  EXPECT_EQ(count_model_bits(full), count_params(full) * 32);
}

TEST(Graph, SerializationRoundTripsExactly) {
  for (const std::string& name : seed_names()) {
    const Graph graph = make_seed(name, kSpec);
    const std::string text = serialize(graph);
    const Graph back = parse(text, kSpec);
    EXPECT_EQ(back, graph) << text;
    EXPECT_EQ(serialize(back), text);
  }
  EXPECT_EQ(serialize(make_seed("conv3x3_bn_relu", kSpec)),
            "in:16x8x8;n1=conv[k=3,co=32,g=1,d=1,s=1](n0);n2=bn(n1);n3=relu(n2);out:n3");
}

TEST(Graph, ParsingCanonicalizesListingOrderAndDropsDeadNodes) {
  const std::string canonical =
      "in:16x8x8;n1=pconv[co=32](n0);n2=relu(n1);n3=dwconv[k=3,d=1,s=1](n0);n4=pconv[co=32](n3);n5=add(n2,n4);out:n5";
  const std::string shuffled =
      "in: 16x8x8 ; n9 = add(n7, n3) ; n3 = pconv[co=32](n2); n2 = dwconv[s=1,k=3,d=1](n0);"
      " n8 = sigmoid(n0); n7 = relu(n5); n5 = pconv[co=32](n0); out: n9";
  EXPECT_EQ(serialize(parse(shuffled, kSpec)), canonical);
}

// The graph's text with nodes listed in a random order under random names,
// and the inputs of commutative instructions randomly swapped.
std::string shuffled_text(const Graph& graph, Rng& rng) {
  const size_t n = graph.nodes.size();
  std::vector<int> names(n - 1);
  for (size_t i = 0; i < names.size(); ++i) names[i] = static_cast<int>(i) + 1;
  rng.shuffle(std::span<int>(names));
  const auto name = [&](int index) {
    return index == 0 ? std::string("n0") : fmt::format("n{}", 100 + names[index - 1]);
  };
  std::vector<size_t> order(n - 1);
  for (size_t i = 0; i < order.size(); ++i) order[i] = i + 1;
  rng.shuffle(std::span<size_t>(order));
  std::string text = "in:" + graph.shapes[0].to_string();
  for (size_t i : order) {
    const Node& node = graph.nodes[i];
    const InstructionDef& def = instruction(node.op);
    auto inputs = node.inputs;
    if (def.commutative && rng.bernoulli(0.5)) std::swap(inputs[0], inputs[1]);
    text += fmt::format("; {} = {}({}", name(static_cast<int>(i)), describe_node(graph, i), name(inputs[0]));
    if (def.inputs == 2) text += "," + name(inputs[1]);
    text += ")";
  }
  return text + "; out: " + name(static_cast<int>(n) - 1);
}

TEST(Graph, RandomRelistingsParseToTheSameHashAndMostlyTheSameGraph) {
  VariationConfig config;
  config.spec = {{16, 8, 8}, {16, 8, 8}, 16};
  config.allowed = all_instructions();
  config.channel_choices = default_channel_choices(config.spec);
  Rng rng(21);
  for (int draw = 0; draw < 2000; ++draw) {
    const Graph graph = sample_graph(config, rng);
    const std::string text = shuffled_text(graph, rng);
    const Graph back = parse(text, config.spec);
    ASSERT_EQ(structural_hash(back), structural_hash(graph)) << text;
    bool commutative = false;
    for (const Node& node : graph.nodes) commutative |= instruction(node.op).commutative;
    // Without swappable inputs the canonical order is unique.
    if (!commutative) {
      ASSERT_EQ(back, graph) << text;
    }
  }
}

TEST(Graph, StructuralHashIgnoresNodeOrderAndCommutativeInputOrder) {
  const Graph a = parse(
      "in:16x8x8;n1=pconv[co=32](n0);n2=relu(n1);n3=dwconv[k=3,d=1,s=1](n0);n4=pconv[co=32](n3);n5=add(n2,n4);out:n5",
      kSpec);
  const Graph b = parse(
      "in:16x8x8;n1=dwconv[k=3,d=1,s=1](n0);n2=pconv[co=32](n1);n3=pconv[co=32](n0);n4=relu(n3);n5=add(n2,n4);out:n5",
      kSpec);
  EXPECT_NE(serialize(a), serialize(b));
  EXPECT_EQ(structural_hash(a), structural_hash(b));
  // Concat is not commutative: swapping its inputs changes the function.
  const Graph c = parse("in:16x8x8;n1=relu(n0);n2=sigmoid(n0);n3=concat(n1,n2);out:n3", kSpec);
  const Graph d = parse("in:16x8x8;n1=sigmoid(n0);n2=relu(n0);n3=concat(n1,n2);out:n3", kSpec);
  EXPECT_NE(structural_hash(c), structural_hash(d));
  const Graph e = parse(
      "in:16x8x8;n1=pconv[co=32](n0);n2=relu(n1);n3=pconv[co=32](n0);n4=relu(n3);"
      "n5=add(n2,n4);out:n5",
      kSpec);
  EXPECT_NE(structural_hash(a), structural_hash(e));
}

TEST(Graph, BadGenomesGetMessagesNamingTheProblem) {
  EXPECT_NE(error_of("").find("expected 'in:'"), std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=relu(n0)").find("expected ';'"), std::string::npos);
  EXPECT_NE(error_of("in:16x8x9;n1=pconv[co=32](n0);out:n1").find("does not match the search space's input 16x8x8"),
            std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=pconv[co=32](n2);n2=relu(n1);out:n2").find("cycle n2 -> n1 -> n2"),
            std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=pconv[co=32](n7);out:n1").find("node n1 refers to n7, which is not defined"),
            std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=conv[k=4,co=32,g=1,d=1,s=1](n0);out:n1")
                .find("node n1 (conv): attribute k=4 is out of range; valid: one of {1, 3, 5, 7}"),
            std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=conv[k=3,co=32,g=1,d=1](n0);out:n1").find("attribute s is missing"),
            std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=cnv[k=3](n0);out:n1").find("did you mean 'conv'"), std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=relu(n0);out:n1")
                .find("the output n1 (relu) has shape 16x8x8, but the operator "
                      "must produce 32x8x8"),
            std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n4=pconv[co=8](n0);n5=add(n4,n0);n6=pconv[co=32](n5);out:n6")
                .find("n5 (add): its two inputs have different shapes (input 8x8x8 and 16x8x8)"),
            std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=relu(n0,n0);out:n1").find("takes 1 input(s), got 2"), std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=pconv[co=32](n0);n1=relu(n1);out:n1").find("defined twice"), std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=pconv[co=99999999999](n0);out:n1").find("too large"), std::string::npos);
  EXPECT_NE(error_of("in:16x8x8;n1=pconv[co=32](n0);out:n1 trailing").find("unexpected text"), std::string::npos);
}

TEST(Graph, DotShowsEveryNodeAndEdgeAndOrdersNonCommutativeInputs) {
  const Graph graph = make_seed("inception", kSpec);
  const std::string dot = to_dot(graph, "inception");
  size_t edges = 0;
  for (size_t at = dot.find(" -> "); at != std::string::npos; at = dot.find(" -> ", at + 1)) ++edges;
  size_t expected_edges = 0;
  for (size_t i = 1; i < graph.nodes.size(); ++i) expected_edges += instruction(graph.nodes[i].op).inputs;
  EXPECT_EQ(edges, expected_edges);
  for (size_t i = 1; i < graph.nodes.size(); ++i)
    EXPECT_NE(dot.find(fmt::format("n{}: {}", i, describe_node(graph, i))), std::string::npos) << i;
  EXPECT_NE(dot.find("[label=\"1\"]"), std::string::npos);  // concat's second input
  EXPECT_NE(dot.find("peripheries=2"), std::string::npos);  // the output
}

TEST(Graph, GenomesWithoutASpaceAreCheckedAgainstTheirOwnInput) {
  const GraphSpec any{kAnyShape, kAnyShape, 64};
  EXPECT_EQ(parse("in:3x5x7;n1=transpose(n0);out:n1", any).output_shape(), (Shape{3, 7, 5}));
  EXPECT_NE(error_of("in:0x5x7;n1=relu(n0);out:n1", any).find("outside [1, 4096]"), std::string::npos);
}

TEST(Graph, NodeLimitIsEnforced) {
  const GraphSpec tight{{16, 8, 8}, {16, 8, 8}, 2};
  EXPECT_NE(error_of("in:16x8x8;n1=relu(n0);n2=relu(n1);n3=relu(n2);out:n3", tight).find("more than max_nodes = 2"),
            std::string::npos);
}

}  // namespace
}  // namespace gos::graph
