#include "torchlib/zoo.h"

#include <gtest/gtest.h>
#include <torch/script.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "framework/error.h"
#include "torchlib/export.h"

namespace gos {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("gos_zoo_test_" + std::to_string(::getpid()) + "_" + name);
}

TEST(Zoo, Resnet18CifarHasTorchvisionSlotNamesAndShapes) {
  auto model = make_zoo_model("resnet18");
  const auto slots = model->slots();
  EXPECT_EQ(slots.front().path, "conv1");
  EXPECT_EQ(slots.back().path, "fc");
  EXPECT_EQ(slots.back().output, (Shape{1, 10}));
  const SlotInfo& conv = *std::find_if(slots.begin(), slots.end(), [](const SlotInfo& s) { return s.path == "layer2.0.conv1"; });
  EXPECT_EQ(conv.input, (Shape{1, 64, 32, 32}));
  EXPECT_EQ(conv.output, (Shape{1, 128, 16, 16}));
  EXPECT_EQ(conv.kind, "conv3x3");
  EXPECT_EQ(conv.parameters, 128 * 64 * 9);
  EXPECT_DOUBLE_EQ(conv.flops, 2.0 * 64 * 9 * 128 * 16 * 16);
  // Slot paths are the parameter prefixes, and every parameter lives in a slot.
  int64_t slot_parameters = 0;
  for (const SlotInfo& slot : slots) slot_parameters += slot.parameters;
  int64_t all = 0;
  for (const auto& item : model->named_parameters()) all += item.value().numel();
  EXPECT_EQ(slot_parameters, all);
  EXPECT_EQ(all, 11173962);  // torchvision's resnet18 with a 3x3 stem and 10 classes
  EXPECT_TRUE(model->named_parameters().contains("layer2.0.downsample.0.weight"));
}

TEST(Zoo, EveryModelRunsAtItsExampleInputAndParameterCountsMatchTorchvision) {
  // torchvision parameter counts with 1000 classes and ImageNet stems.
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"resnet18", 11689512}, {"mobilenetv3_small", 2542856}, {"mobilenetv3_large", 5483032}, {"inception_v3", 23834568}};
  for (const auto& [name, parameters] : expected) {
    ZooOptions options;
    options.classes = 1000;
    options.cifar_stem = false;
    auto model = make_zoo_model(name, options);
    int64_t count = 0;
    for (const auto& p : model->parameters()) count += p.numel();
    EXPECT_EQ(count, parameters) << name;
  }
  for (const std::string& name : zoo_model_names()) {
    auto model = make_zoo_model(name);
    model->eval();
    torch::NoGradGuard no_grad;
    EXPECT_EQ(model->forward(torch::randn({2, 3, 32, 32})).sizes(), (torch::IntArrayRef{2, 10})) << name;
  }
}

TEST(Zoo, InceptionWidthScalesEveryBranchExactly) {
  ZooOptions quarter;
  quarter.width = 0.25;
  auto narrow = make_zoo_model("inception_v3", quarter);
  auto full = make_zoo_model("inception_v3");
  // Every channel count scaled by 1/4: the last block's concatenation is 2048 / 4 wide.
  EXPECT_EQ(narrow->slot("fc").module().named_parameters()["weight"].size(1), 512);
  EXPECT_EQ(narrow->slot("Mixed_5b.branch_pool.conv").module().named_parameters()["weight"].size(0), 8);
  // Convolution weights shrink ~16x (in and out channels both scaled), the stem's input channels excepted.
  const auto conv_weights = [](SlottedModel& model) {
    int64_t total = 0;
    for (const SlotInfo& info : model.slots())
      if (info.kind.starts_with("conv")) total += info.parameters;
    return total;
  };
  const double ratio = double(conv_weights(*full)) / double(conv_weights(*narrow));
  EXPECT_GT(ratio, 15.5);
  EXPECT_LT(ratio, 16.1);
  narrow->eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(narrow->forward(torch::randn({2, 3, 32, 32})).sizes(), (torch::IntArrayRef{2, 10}));
  ZooOptions odd;
  odd.width = 0.3;
  const std::string message = error_of([&] { make_zoo_model("inception_v3", odd); });
  EXPECT_NE(message.find("k/16"), std::string::npos) << message;
  odd.width = 0.5;
  EXPECT_NE(error_of([&] { make_zoo_model("mobilenetv3_small", odd); }).find("not 'mobilenetv3_small'"),
            std::string::npos);
}

TEST(Zoo, UnknownModelAndSlotAreNamed) {
  EXPECT_NE(error_of([] { make_zoo_model("resnet19"); }).find("did you mean 'resnet18'"), std::string::npos);
  auto model = make_zoo_model("resnet18");
  const std::string message = error_of([&] { model->replace("layer2.0.conv9", make_conv(64, 128, 3, 2, 1)); });
  EXPECT_NE(message.find("unknown slot 'layer2.0.conv9'"), std::string::npos) << message;
  EXPECT_NE(message.find("layer2.0.conv1"), std::string::npos) << message;
}

TEST(Zoo, ReplacementOfTheWrongShapeIsRejectedWithBothShapes) {
  auto model = make_zoo_model("resnet18");
  const std::string message = error_of([&] { model->replace("layer2.0.conv1", make_conv(64, 64, 3, 2, 1)); });
  EXPECT_NE(message.find("'layer2.0.conv1'"), std::string::npos) << message;
  EXPECT_NE(message.find("1x64x16x16"), std::string::npos) << message;
  EXPECT_NE(message.find("1x128x16x16"), std::string::npos) << message;
  const std::string wrong_input = error_of([&] { model->replace("layer2.0.conv1", make_conv(32, 128, 3, 2, 1)); });
  EXPECT_NE(wrong_input.find("fails on the slot's input shape 1x64x32x32"), std::string::npos) << wrong_input;
}

TEST(Zoo, ReplacedSlotIsUsedAndItsParametersAreRegistered) {
  auto model = make_zoo_model("resnet18");
  // A depthwise-separable stand-in for the 3x3 convolution.
  struct Separable : TorchModel {
    std::shared_ptr<Operator> depthwise = make_conv(64, 64, 3, 2, 1, 64);
    std::shared_ptr<Operator> pointwise = make_conv(64, 128, 1, 1, 0);
    Separable() {
      register_module("depthwise", depthwise);
      register_module("pointwise", pointwise);
    }
    torch::Tensor forward(torch::Tensor x) override { return pointwise->forward(depthwise->forward(x)); }
  };
  model->replace("layer2.0.conv1", std::make_shared<Separable>());
  EXPECT_TRUE(model->named_parameters().contains("layer2.0.conv1.pointwise.weight"));
  EXPECT_FALSE(model->named_parameters().contains("layer2.0.conv1.weight"));
  const auto slots = model->slots();
  const SlotInfo& replaced = *std::find_if(slots.begin(), slots.end(), [](const SlotInfo& s) { return s.path == "layer2.0.conv1"; });
  EXPECT_EQ(replaced.kind, "custom");
  EXPECT_EQ(replaced.parameters, 64 * 9 + 64 * 128);
  EXPECT_EQ(replaced.output, (Shape{1, 128, 16, 16}));
}

TEST(Checkpoint, RoundTripsAndRejectsAnotherModel) {
  const fs::path file = temp_path("ckpt.pt");
  ZooOptions narrow;
  narrow.width = 0.25;
  auto a = make_zoo_model("resnet18", narrow);
  save_checkpoint(*a, file);
  auto b = make_zoo_model("resnet18", narrow);
  load_checkpoint(*b, file);
  a->eval();
  b->eval();
  const torch::Tensor x = torch::randn({2, 3, 32, 32});
  EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));
  auto other = make_zoo_model("mobilenetv3_small");
  const std::string message = error_of([&] { load_checkpoint(*other, file); });
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("another model"), std::string::npos) << message;
  EXPECT_NE(error_of([&] { load_checkpoint(*b, temp_path("absent.pt")); }).find("not found"), std::string::npos);
  fs::remove(file);
}

TEST(Export, ReplacedModelExportsToTorchScriptWithEqualOutputs) {
  ZooOptions narrow;
  narrow.width = 0.25;
  auto model = make_zoo_model("resnet18", narrow);
  model->replace("layer3.1.relu1", make_activation("hardswish"));
  model->replace("layer1.0.conv2", make_conv(16, 16, 5, 1, 2));
  // Non-trivial batch-norm statistics, so that eval-mode export is checked.
  {
    torch::NoGradGuard no_grad;
    for (auto& item : model->named_buffers())
      if (item.key().ends_with("running_var")) item.value().uniform_(0.5, 2.0);
  }
  const fs::path file = temp_path("model.pt");
  export_torchscript(*model, {1, 3, 32, 32}, file);
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({4, 3, 32, 32});
  const torch::Tensor expected = model->forward(x);
  torch::jit::Module loaded = torch::jit::load(file.string());
  loaded.eval();
  const torch::Tensor actual = loaded.forward({x}).toTensor();
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5)) << (actual - expected).abs().max();

  // The same file in Python's torch.jit.load, on the same input.
  if (std::system("/usr/bin/python3 -c 'import torch' 2>/dev/null") != 0)
    GTEST_SKIP() << "Debian's /usr/bin/python3 with torch (python3-torch) is not installed";
  const auto write_raw = [](const fs::path& path, const torch::Tensor& t) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(t.contiguous().data_ptr<float>()), t.numel() * sizeof(float));
  };
  write_raw(temp_path("input.bin"), x);
  write_raw(temp_path("expected.bin"), expected);
  const std::string script =
      "import sys, numpy, torch\n"
      "m = torch.jit.load(sys.argv[1]); m.eval()\n"
      "x = torch.from_numpy(numpy.fromfile(sys.argv[2], dtype=numpy.float32).reshape(4, 3, 32, 32))\n"
      "e = numpy.fromfile(sys.argv[3], dtype=numpy.float32).reshape(4, 10)\n"
      "with torch.no_grad(): y = m(x).numpy()\n"
      "sys.exit(0 if numpy.allclose(y, e, rtol=1e-5, atol=1e-5) else 1)\n";
  std::ofstream(temp_path("check.py")) << script;
  const std::string command = "/usr/bin/python3 " + temp_path("check.py").string() + " " + file.string() + " " +
                              temp_path("input.bin").string() + " " + temp_path("expected.bin").string();
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  for (const char* name : {"model.pt", "input.bin", "expected.bin", "check.py"}) fs::remove(temp_path(name));
}

}  // namespace
}  // namespace gos

namespace gos {
namespace {

TEST(Export, EveryZooModelExportsWithEqualOutputs) {
  for (const std::string& name : zoo_model_names()) {
    auto model = make_zoo_model(name);
    const fs::path file = temp_path(name + ".pt");
    export_torchscript(*model, model->example_input(), file);
    model->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor x = torch::randn({2, 3, 32, 32});
    torch::jit::Module loaded = torch::jit::load(file.string());
    EXPECT_TRUE(torch::allclose(loaded.forward({x}).toTensor(), model->forward(x), 1e-4, 1e-5)) << name;
    fs::remove(file);
  }
}

}  // namespace
}  // namespace gos
