#include "torchlib/onnx/export.h"

#include <gtest/gtest.h>
#include <torch/script.h>

#include <filesystem>

#include "framework/error.h"
#include "searchspaces/gos/compile.h"
#include "torchlib/export.h"
#include "torchlib/onnx/model.h"
#include "torchlib/onnx/test_graphs.h"

namespace gos::onnx_io {
namespace {

using testing::scratch;
using testing::TinyCnn;

// Exports `model` (symbolic batch), imports the file again and compares both
// at batch 1 and 3: the largest relative difference.
double round_trip_difference(TorchModel& model, const Shape& input, const std::string& name) {
  const auto path = scratch(name + ".onnx");
  export_onnx(model, input, path.string());
  auto imported = import_model(path.string());
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

const onnx::TensorShapeProto::Dimension& first_dim(const onnx::ValueInfoProto& value) {
  return value.type().tensor_type().shape().dim(0);
}

TEST(OnnxExport, ImportedModelsRoundTrip) {
  torch::manual_seed(4);
  OnnxModel model(TinyCnn().model(), "tiny.onnx");
  EXPECT_LT(round_trip_difference(model, {1, 3, 8, 8}, "tiny"), 1e-6);
  // Names survive: the exported initializers are the module's parameter names.
  const onnx::ModelProto proto = to_onnx(model, {1, 3, 8, 8});
  std::set<std::string> initializers;
  for (const auto& tensor : proto.graph().initializer()) initializers.insert(tensor.name());
  EXPECT_TRUE(initializers.count("conv1.weight"));
  EXPECT_TRUE(initializers.count("bn1.running_var"));
}

TEST(OnnxExport, ZooModelsRoundTripWithTheirSlotsIntact) {
  torch::manual_seed(5);
  ZooOptions options;
  options.width = 0.25;
  auto resnet = make_zoo_model("resnet18", options);
  EXPECT_LT(round_trip_difference(*resnet, {1, 3, 32, 32}, "resnet18"), 1e-5);
  auto mobilenet = make_zoo_model("mobilenetv3_small");  // hardswish, squeeze-excite, hardsigmoid
  EXPECT_LT(round_trip_difference(*mobilenet, {1, 3, 32, 32}, "mobilenetv3_small"), 1e-5);
  auto reimported = import_model(scratch("resnet18.onnx").string());
  size_t convs = 0;
  for (const SlotInfo& slot : reimported->slots()) convs += slot.kind.starts_with("conv");
  EXPECT_EQ(convs, 20u);  // 17 3x3 and 3 1x1 downsampling convolutions in ResNet18
}

// The LibTorch operations GOS graph kernels are made of (searchspaces/gos/compile.cc).
class GraphKernels : public TorchModel {
 public:
  torch::Tensor forward(torch::Tensor x) override {
    const int64_t h = x.size(2);
    torch::Tensor shifted = torch::constant_pad_nd(x.narrow(2, 1, h - 1), {0, 0, 0, 1});
    torch::Tensor y = torch::pixel_shuffle(torch::pixel_unshuffle(shifted, 2), 2);
    y = torch::gelu(y) + torch::hardtanh(x, 0, 6) * torch::sigmoid(x);
    y = y.view({-1, 2, y.size(1) / 2, y.size(2), y.size(3)})
            .transpose(1, 2)
            .reshape({-1, y.size(1), y.size(2), y.size(3)});
    y = torch::cat({y.narrow(1, 0, 2), torch::avg_pool2d(y, {3, 3}, {1, 1}, {1, 1}, false, false).narrow(1, 2, 2)}, 1);
    y = torch::max_pool2d(y, {3, 3}, {2, 2}, {1, 1}).repeat_interleave(2, 2).repeat_interleave(2, 3);
    return torch::hardswish(y.transpose(2, 3).contiguous());
  }
};

TEST(OnnxExport, LowersTheOperationsOfGosGraphKernels) {
  torch::manual_seed(6);
  GraphKernels model;
  EXPECT_LT(round_trip_difference(model, {1, 4, 8, 8}, "kernels"), 1e-5);
}

// A GOS graph with a fake-quantized convolution (round, clamp, scale) and a shuffle, as adapt splices it.
TEST(OnnxExport, LowersAQuantizedGosGraphAtAnyBatch) {
  torch::manual_seed(8);
  const graph::GraphSpec spec{{8, 6, 6}, {8, 6, 6}, 8};
  graph::GraphModule module(
      graph::parse("in:8x6x6;n1=shuffle[g=2](n0);n2=conv[k=3,co=8,g=1,d=1,s=1,b=4](n1);n3=relu(n2);out:n3", spec));
  module.forward(torch::randn({2, 8, 6, 6}));  // sets the quantizers' steps, as training does
  EXPECT_LT(round_trip_difference(module, {1, 8, 6, 6}, "quantized_graph"), 1e-5);
}

// adapted.pt of an imported model: traced at batch 1, it must run at any batch (Flatten keeps it free).
TEST(OnnxExport, AnImportedModelsTorchScriptRunsAtAnyBatch) {
  torch::manual_seed(9);
  OnnxModel model(TinyCnn().model(), "tiny.onnx");
  model.eval();
  const auto path = scratch("tiny.pt");
  export_torchscript(model, {1, 3, 8, 8}, path.string());
  torch::jit::Module traced = torch::jit::load(path.string());
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({3, 3, 8, 8});
  EXPECT_TRUE(torch::allclose(traced.forward({x}).toTensor(), model.forward(x), 1e-5, 1e-6));
}

TEST(OnnxExport, TheBatchIsSymbolicUnlessAskedStatic) {
  torch::manual_seed(7);
  ZooOptions options;
  options.width = 0.25;
  auto resnet = make_zoo_model("resnet18", options);
  const onnx::ModelProto symbolic = to_onnx(*resnet, {1, 3, 32, 32});
  EXPECT_EQ(first_dim(symbolic.graph().input(0)).dim_param(), "batch");
  EXPECT_EQ(first_dim(symbolic.graph().output(0)).dim_param(), "batch");
  EXPECT_EQ(symbolic.graph().output(0).type().tensor_type().shape().dim(1).dim_value(), 10);

  const auto path = scratch("resnet18_static.onnx");
  export_onnx(*resnet, {2, 3, 32, 32}, path.string(), BatchDim::kStatic);
  auto imported = import_model(path.string());
  EXPECT_EQ(imported->example_input(), (Shape{2, 3, 32, 32}));
  std::string message;
  try {
    imported->forward(torch::randn({3, 3, 32, 32}));
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("but the model takes 2x3x32x32"), std::string::npos) << message;
}

// Operations that mix the batch with other dimensions: exportable only with a static batch.
class BatchConcat : public TorchModel {
 public:
  torch::Tensor forward(torch::Tensor x) override { return torch::cat({x, x * 2}, 0); }
};
class BatchFlatten : public TorchModel {
 public:
  torch::Tensor forward(torch::Tensor x) override { return x.reshape({-1}); }
};
class BatchSizedConstant : public TorchModel {
 public:
  torch::Tensor forward(torch::Tensor x) override { return x + torch::ones({x.size(0), x.size(1)}); }
};
class BatchBroadcast : public TorchModel {
 public:
  torch::Tensor forward(torch::Tensor x) override { return x * torch::ones({1, 4}).expand_as(x); }
};

TEST(OnnxExport, RefusesASymbolicBatchWhereTheGraphMixesItAndNamesTheOperation) {
  const auto message = [](TorchModel& model) {
    try {
      to_onnx(model, {1, 4});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BatchConcat concat;
  BatchFlatten flatten;
  BatchSizedConstant constant;
  BatchBroadcast broadcast;
  EXPECT_NE(message(concat).find("aten::cat with a symbolic batch dimension: it concatenates along the batch"),
            std::string::npos)
      << message(concat);
  EXPECT_NE(message(flatten).find("changes the batch dimension (shape [5, 4] to [20])"), std::string::npos)
      << message(flatten);
  EXPECT_NE(message(constant).find("traced batch size"), std::string::npos) << message(constant);
  EXPECT_NE(message(broadcast).find("aten::expand_as with a symbolic batch dimension: it expands a constant"),
            std::string::npos)
      << message(broadcast);
  for (TorchModel* model : std::vector<TorchModel*>{&concat, &flatten, &constant, &broadcast}) {
    const onnx::ModelProto proto = to_onnx(*model, {1, 4}, BatchDim::kStatic);
    EXPECT_EQ(first_dim(proto.graph().input(0)).dim_value(), 1);
  }
}

class Cumulative : public TorchModel {
 public:
  torch::Tensor forward(torch::Tensor x) override { return torch::cumsum(x, 1); }
};

TEST(OnnxExport, NamesAnOperationItCannotLowerAndWritesNothing) {
  Cumulative model;
  const auto path = scratch("cumsum.onnx");
  std::string message;
  try {
    export_onnx(model, {1, 4}, path.string());
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("aten::cumsum"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace gos::onnx_io
