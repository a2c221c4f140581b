#include "torchlib/onnx/export.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "framework/error.h"
#include "torchlib/onnx/model.h"
#include "torchlib/onnx/test_graphs.h"

namespace gos::onnx_io {
namespace {

using testing::scratch;
using testing::TinyCnn;

// Exports `model`, imports the file again and compares both on one input.
double round_trip_difference(TorchModel& model, const Shape& input, const std::string& name) {
  const auto path = scratch(name + ".onnx");
  export_onnx(model, input, path.string());
  auto imported = import_model(path.string());
  model.eval();
  imported->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn(input);
  const torch::Tensor expected = model.forward(x), got = imported->forward(x);
  EXPECT_EQ(got.sizes(), expected.sizes());
  return ((got - expected).abs().max() / expected.abs().max().clamp_min(1e-12)).item<double>();
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
    y = y.view({y.size(0), 2, y.size(1) / 2, y.size(2), y.size(3)}).transpose(1, 2).reshape(y.sizes());
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
