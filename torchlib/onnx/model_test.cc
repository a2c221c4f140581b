#include "torchlib/onnx/model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "framework/error.h"
#include "torchlib/onnx/npy.h"
#include "torchlib/onnx/test_graphs.h"

namespace gos::onnx_io {
namespace {

using testing::GraphBuilder;
using testing::scratch;
using testing::TinyCnn;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(OnnxModel, ComputesTheGraphAndExposesTorchvisionStyleSlots) {
  torch::manual_seed(1);
  const TinyCnn net;
  OnnxModel model(net.model(), "tiny.onnx");
  const torch::Tensor x = torch::randn({2, 3, 8, 8});
  model.eval();
  EXPECT_TRUE(torch::allclose(model.forward(x), net.reference(x), 1e-5, 1e-5));

  EXPECT_EQ(model.example_input(), (Shape{1, 3, 8, 8}));
  const auto slots = model.slots();
  std::vector<std::string> paths, kinds;
  for (const SlotInfo& slot : slots) {
    paths.push_back(slot.path);
    kinds.push_back(slot.kind);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"conv1", "bn1", "relu", "avgpool", "fc"}));
  EXPECT_EQ(kinds, (std::vector<std::string>{"conv3x3", "batchnorm", "relu", "globalpool", "linear"}));
  EXPECT_EQ(slots[0].input, (Shape{1, 3, 8, 8}));
  EXPECT_EQ(slots[0].output, (Shape{1, 4, 8, 8}));
  EXPECT_EQ(slots[0].parameters, 4 * 3 * 9 + 4);
  EXPECT_DOUBLE_EQ(slots[0].flops, (2.0 * 3 * 9 + 1) * 4 * 64);
  EXPECT_EQ(slots[4].parameters, 2 * 4 + 2);
  const auto parameters = model.named_parameters();
  for (const char* name : {"conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "fc.weight", "fc.bias"})
    EXPECT_TRUE(parameters.contains(name)) << name;
  EXPECT_TRUE(model.named_buffers().contains("bn1.running_mean"));
}

TEST(OnnxModel, TrainsItsWeightsAndBatchNormStatistics) {
  torch::manual_seed(2);
  const TinyCnn net;
  OnnxModel model(net.model(), "tiny.onnx");
  model.train();
  const torch::Tensor mean_before = model.named_buffers()["bn1.running_mean"].clone();
  model.forward(torch::randn({4, 3, 8, 8})).pow(2).sum().backward();
  EXPECT_TRUE(model.named_parameters()["conv1.weight"].grad().defined());
  EXPECT_GT(model.named_parameters()["bn1.weight"].grad().abs().sum().item<double>(), 0);
  EXPECT_FALSE(torch::equal(model.named_buffers()["bn1.running_mean"], mean_before));
}

TEST(OnnxModel, SlotsCanBeReplacedLikeZooSlots) {
  torch::manual_seed(3);
  OnnxModel model(TinyCnn().model(), "tiny.onnx");
  model.replace("conv1", make_conv(3, 4, 1, 1, 0));
  EXPECT_EQ(model.slots()[0].kind, "conv1x1");
  EXPECT_EQ(model.forward(torch::randn({1, 3, 8, 8})).sizes(), (torch::IntArrayRef{1, 2}));
  EXPECT_NE(error_of([&] { model.replace("conv1", make_conv(3, 5, 1, 1, 0)); }).find("must produce 1x4x8x8"),
            std::string::npos);
}

TEST(OnnxModel, RejectsUnsupportedOperatorsNamingNodeOpAndTheSupportedList) {
  GraphBuilder g;
  g.input("x", {1, 4}).output("y");
  g.node("Relu", {"x"}, {"r"}, "ok");
  g.node("Celu", {"r"}, {"y"}, "/act/Celu");
  const std::string message = error_of([&] { OnnxModel(g.model(), "m.onnx"); });
  EXPECT_NE(message.find("m.onnx"), std::string::npos) << message;
  EXPECT_NE(message.find("node '/act/Celu' (op Celu)"), std::string::npos) << message;
  EXPECT_NE(message.find("Concat, Constant, Conv, DepthToSpace"), std::string::npos) << message;
}

TEST(OnnxModel, RejectsDynamicShapesNonFloatInputsAndOldOpsets) {
  {
    GraphBuilder g;
    g.input("x", {-1, 3, -1, 8}).output("y");
    g.node("Relu", {"x"}, {"y"}, "r");
    const std::string message = error_of([&] { OnnxModel(g.model(), "m.onnx"); });
    EXPECT_NE(message.find("input 'x' has a dynamic dimension 2 ('d2')"), std::string::npos) << message;
  }
  {
    GraphBuilder g;
    g.input("x", {1, 4}, onnx::TensorProto::INT64).output("y");
    g.node("Relu", {"x"}, {"y"}, "r");
    const std::string message = error_of([&] { OnnxModel(g.model(), "m.onnx"); });
    EXPECT_NE(message.find("input 'x' has element type INT64; GOS models take one FLOAT"), std::string::npos)
        << message;
  }
  const std::string message = error_of([&] { OnnxModel(TinyCnn().model(-1, 10), "old.onnx"); });
  EXPECT_NE(message.find("opset 10 is not supported; GOS imports opsets 11 to 17"), std::string::npos) << message;
}

TEST(OnnxModel, RejectsAnInputOfTheWrongShape) {
  OnnxModel model(TinyCnn().model(), "tiny.onnx");
  const std::string message = error_of([&] { model.forward(torch::zeros({1, 3, 9, 8})); });
  EXPECT_NE(message.find("input 'x' has shape 1x3x9x8, but the model takes Nx3x8x8"), std::string::npos) << message;
  OnnxModel fixed(TinyCnn().model(1), "fixed.onnx");
  EXPECT_NE(error_of([&] { fixed.forward(torch::zeros({2, 3, 8, 8})); }).find("takes 1x3x8x8"), std::string::npos);
}

TEST(OnnxModel, ReadsFilesAndRejectsTruncatedOrForeignOnes) {
  const auto good = scratch("good.onnx");
  write_model(TinyCnn().model(), good.string());
  EXPECT_EQ(import_model(good.string())->slot_paths().size(), 5u);

  std::string bytes;
  TinyCnn().model().SerializeToString(&bytes);
  const auto truncated = scratch("truncated.onnx");
  write_bytes(truncated, bytes.substr(0, bytes.size() / 2));
  const std::string cut = error_of([&] { import_model(truncated.string()); });
  EXPECT_NE(cut.find(truncated.string()), std::string::npos) << cut;
  EXPECT_TRUE(cut.find("not an ONNX model") != std::string::npos || cut.find("not a valid ONNX model") != std::string::npos)
      << cut;

  const auto text = scratch("text.onnx");
  write_bytes(text, "[experiment]\nname = 'not a model'\n");
  EXPECT_NE(error_of([&] { import_model(text.string()); }).find("not an ONNX model"), std::string::npos);
  EXPECT_NE(error_of([&] { import_model(scratch("missing.onnx").string()); }).find("not found"), std::string::npos);
}

TEST(Npy, RoundTripsFloat32AndRejectsOtherDtypesAndTruncation) {
  const auto path = scratch("x.npy");
  const torch::Tensor x = torch::randn({2, 3, 4});
  write_npy(x, path.string());
  EXPECT_TRUE(torch::equal(read_npy(path.string()), x));
  write_npy(torch::arange(5, torch::kFloat32), path.string());
  EXPECT_EQ(read_npy(path.string()).sizes(), (torch::IntArrayRef{5}));

  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  const auto doubles = scratch("doubles.npy");
  write_bytes(doubles, std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + '\0' + header + std::string(16, '\0'));
  EXPECT_NE(error_of([&] { read_npy(doubles.string()); }).find("dtype '<f8' is not float32"), std::string::npos);

  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto cut = scratch("cut.npy");
  write_bytes(cut, bytes.substr(0, bytes.size() - 4));
  EXPECT_NE(error_of([&] { read_npy(cut.string()); }).find("truncated"), std::string::npos);
  write_bytes(cut, "plain text");
  EXPECT_NE(error_of([&] { read_npy(cut.string()); }).find("not a NumPy .npy file"), std::string::npos);
}

}  // namespace
}  // namespace gos::onnx_io
