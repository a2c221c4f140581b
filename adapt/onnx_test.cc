// Adapting imported ONNX models: convolutions with a bias are seeded exactly
// (a conv / pconv / dwconv node, then a bias node), and models with GOS graphs
// spliced in export to ONNX with a symbolic batch that imports again.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "adapt/seed.h"
#include "searchspaces/gos/variation.h"
#include "torchlib/onnx/export.h"
#include "torchlib/onnx/model.h"
#include "torchlib/onnx/test_graphs.h"

namespace gos::adapt {
namespace {

using onnx_io::testing::scratch;
using onnx_io::testing::TinyCnn;

SlotInfo slot_info(SlottedModel& model, const std::string& path) {
  for (const SlotInfo& info : model.slots())
    if (info.path == path) return info;
  throw Error("no slot " + path);
}

// The seed of `info`'s operator, checked against the operator on an input of
// the slot's shape, or the reason it has none (as a test failure).
std::optional<graph::Graph> exact_seed(SlottedModel& model, const SlotInfo& info) {
  TorchModel& op = model.slot(info.path).module();
  OperatorSeed seed = seed_from_operator(op, info, 4);
  if (!seed.graph) {
    ADD_FAILURE() << info.path << " (" << info.kind << "): " << seed.reason;
    return std::nullopt;
  }
  auto module = compile_seed(op, info, *seed.graph);
  torch::NoGradGuard no_grad;
  op.eval();
  const torch::Tensor x = torch::randn(info.input);
  const torch::Tensor expected = op.forward(x), got = module->forward(x);
  EXPECT_TRUE(torch::allclose(got, expected, 1e-4, 1e-5))
      << info.path << ": max difference " << (got - expected).abs().max().item<double>();
  return seed.graph;
}

// The largest relative difference between `model` and its ONNX export,
// imported again, at batch 1 and 3 (the export was traced at batch 1).
double exported_difference(TorchModel& model, const Shape& input, const std::string& name) {
  const auto path = scratch(name + ".onnx");
  onnx_io::export_onnx(model, input, path.string());
  auto imported = onnx_io::import_model(path.string());
  model.eval();
  imported->eval();
  torch::NoGradGuard no_grad;
  double worst = 0;
  for (int64_t batch : {1, 3}) {
    Shape shape = input;
    shape[0] = batch;
    const torch::Tensor x = torch::randn(shape);
    const torch::Tensor expected = model.forward(x), got = imported->forward(x);
    EXPECT_EQ(got.sizes(), expected.sizes()) << name << " at batch " << batch;
    worst = std::max(worst, ((got - expected).abs().max() / expected.abs().max().clamp_min(1e-12)).item<double>());
  }
  return worst;
}

TEST(AdaptOnnx, ConvolutionWithBiasIsSeededExactlyAndExportsAgain) {
  torch::manual_seed(11);
  const TinyCnn tiny;  // conv1: 3x3, pads 1, random (nonzero) bias
  onnx_io::OnnxModel model(tiny.model(), "tiny.onnx");
  const SlotInfo info = slot_info(model, "conv1");
  const auto seed = exact_seed(model, info);
  ASSERT_TRUE(seed);
  EXPECT_EQ(graph::serialize(*seed), "in:3x8x8;n1=conv[k=3,co=4,g=1,d=1,s=1](n0);n2=bias(n1);out:n2");
  TorchModel& op = model.slot("conv1").module();
  auto module = compile_seed(op, info, *seed);
  EXPECT_TRUE(torch::equal(module->bias(2).flatten(), tiny.conv_b));

  // The cheaper rewrites keep the bias after the rewritten convolution.
  const graph::GraphSpec spec{seed->shapes.front(), seed->output_shape(), 4};
  const auto rewrites = seed_rewrites(*seed, spec);
  EXPECT_FALSE(rewrites.empty());
  for (const graph::Graph& rewrite : rewrites) EXPECT_EQ(rewrite.nodes.back().op, graph::Op::kBias);
  // A one-instruction limit leaves no room for the bias: unsupported, saying why.
  const OperatorSeed tight = seed_from_operator(op, info, 1);
  EXPECT_FALSE(tight.graph);
  EXPECT_NE(tight.reason.find("max_nodes = 1"), std::string::npos) << tight.reason;

  // The model with the seed spliced in: the bias is an Add of an initializer.
  model.replace("conv1", module);
  EXPECT_LT(exported_difference(model, {1, 3, 8, 8}, "tiny_seeded"), 1e-5);
  const onnx::ModelProto proto = onnx_io::to_onnx(model, {1, 3, 8, 8});
  bool bias_added = false;
  for (const auto& node : proto.graph().node())
    bias_added = bias_added || (node.op_type() == "Add" && node.input(1).ends_with("n2"));
  EXPECT_TRUE(bias_added);
  torch::NoGradGuard no_grad;
  model.eval();
  const torch::Tensor x = torch::randn({3, 3, 8, 8});
  EXPECT_TRUE(torch::allclose(model.forward(x), tiny.reference(x), 1e-4, 1e-5));
}

// Random graphs of every instruction, biases and all, export with a symbolic
// batch: nothing in them bakes the traced batch in.
TEST(AdaptOnnx, RandomGraphsExportWithASymbolicBatch) {
  graph::VariationConfig config;
  config.spec = {{8, 6, 6}, {8, 6, 6}, 6};
  config.allowed = graph::all_instructions();
  config.channel_choices = graph::default_channel_choices(config.spec);
  Rng rng(12);
  std::set<graph::Op> seen;
  for (int draw = 0; draw < 24; ++draw) {
    const graph::Graph graph = graph::sample_graph(config, rng);
    for (size_t i = 1; i < graph.nodes.size(); ++i) seen.insert(graph.nodes[i].op);
    torch::manual_seed(draw);
    graph::GraphModule module(graph);
    {
      torch::NoGradGuard no_grad;
      for (auto& parameter : module.parameters()) parameter.uniform_(-1, 1);
    }
    EXPECT_LT(exported_difference(module, {1, 8, 6, 6}, "graph"), 1e-4) << graph::serialize(graph);
  }
  EXPECT_GT(seen.size(), 12u);
}

// torchvision's MobileNetV3-Small as PyTorch exports it (the onnx_torchvision
// fixture): the squeeze-excitation convolutions (fc1, fc2: 1x1 with a bias)
// are seeded like every other convolution.
TEST(AdaptOnnx, TorchvisionSqueezeExcitationConvolutionsAreSearchable) {
  const auto file = std::filesystem::path(GOS_BINARY_DIR) / "onnx_torchvision" / "mobilenet_v3_small.onnx";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " missing (made by the onnx_torchvision_export test)";
  torch::manual_seed(13);
  auto model = onnx_io::import_model(file.string());
  size_t convolutions = 0;
  std::map<std::string, std::shared_ptr<graph::GraphModule>> squeeze_excitation;
  for (const SlotInfo& info : model->slots()) {
    if (!info.kind.starts_with("conv") && !info.kind.starts_with("dwconv")) continue;
    ++convolutions;
    const auto seed = exact_seed(*model, info);
    if (seed && (info.path.ends_with(".fc1") || info.path.ends_with(".fc2"))) {
      EXPECT_EQ(seed->nodes.back().op, graph::Op::kBias) << info.path;
      squeeze_excitation[info.path] = compile_seed(model->slot(info.path).module(), info, *seed);
    }
  }
  EXPECT_EQ(convolutions, 52u);
  EXPECT_EQ(squeeze_excitation.size(), 18u);  // 9 blocks with squeeze-excitation
  // With the seeds spliced in, the model still exports and runs at any batch.
  for (const auto& [path, module] : squeeze_excitation) model->replace(path, module);
  EXPECT_LT(exported_difference(*model, model->example_input(), "mobilenet_v3_small_seeded"), 1e-4);
}

}  // namespace
}  // namespace gos::adapt
