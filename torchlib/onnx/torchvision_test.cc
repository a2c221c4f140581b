// torchvision 0.14's classification models exported by PyTorch's own ONNX
// exporter (scripts/export_torchvision_onnx.py, run by the CTest fixture
// onnx_torchvision_export into <build>/onnx_torchvision): GOS's imported
// model must reproduce PyTorch's output on the same input within 1e-4 of the
// output's scale, and every Conv node must be a slot.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "torchlib/onnx/model.h"
#include "torchlib/onnx/npy.h"

namespace gos::onnx_io {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(GOS_BINARY_DIR) / "onnx_torchvision";

class Torchvision : public ::testing::TestWithParam<std::string> {};

TEST_P(Torchvision, ImportedModelMatchesPyTorch) {
  const std::string name = GetParam();
  const fs::path model_file = kDir / (name + ".onnx");
  if (!fs::exists(model_file))
    GTEST_SKIP() << model_file << " is missing: the export fixture needs Debian's python3-torch, python3-torchvision "
                 << "and python3-onnx (scripts/setup.sh); run /usr/bin/python3 scripts/export_torchvision_onnx.py "
                 << kDir.string();
  const auto start = std::chrono::steady_clock::now();
  auto model = import_model(model_file.string());
  const double import_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = read_npy((kDir / (name + ".input.npy")).string());
  const torch::Tensor expected = read_npy((kDir / (name + ".output.npy")).string());
  const torch::Tensor y = model->forward(x);
  ASSERT_EQ(y.sizes(), expected.sizes());
  const double scale = expected.abs().max().item<double>();
  const double relative = (y - expected).abs().max().item<double>() / scale;
  std::cout << name << ": import " << import_s << " s, max |difference| / max |output| = " << relative << "\n";
  EXPECT_LT(relative, 1e-4);

  const onnx::ModelProto proto = read_model(model_file.string());
  size_t conv_nodes = 0;
  for (const auto& node : proto.graph().node()) conv_nodes += node.op_type() == "Conv";
  size_t conv_slots = 0;
  for (const SlotInfo& slot : model->slots()) conv_slots += slot.kind.find("conv") != std::string::npos;
  EXPECT_EQ(conv_slots, conv_nodes);
}

// The batch dimension was exported as dynamic: a batch of two works too.
TEST(Torchvision, DynamicBatchRuns) {
  const fs::path model_file = kDir / "shufflenet_v2_x1_0.onnx";
  if (!fs::exists(model_file)) GTEST_SKIP() << model_file << " is missing (see ImportedModelMatchesPyTorch)";
  auto model = import_model(model_file.string());
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = read_npy((kDir / "shufflenet_v2_x1_0.input.npy").string());
  const torch::Tensor pair = model->forward(torch::cat({x, x.flip(3)}));
  EXPECT_TRUE(torch::allclose(pair[0], model->forward(x)[0], 1e-5, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Models, Torchvision,
                         ::testing::Values("resnet18", "mobilenet_v3_small", "mobilenet_v3_large", "inception_v3",
                                           "efficientnet_b0", "shufflenet_v2_x1_0", "squeezenet1_0", "mnasnet0_5",
                                           "regnet_x_400mf", "densenet121", "resnet18_folded"));

}  // namespace
}  // namespace gos::onnx_io
