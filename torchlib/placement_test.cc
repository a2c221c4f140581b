// ComputeDevice parsing and availability, and ModuleOnDevice. The CUDA
// branches run where LibTorch sees a GPU (the GPU machine of
// docs/performance/adapt-gpu.md); CI takes the no-GPU branches.
#include "torchlib/placement.h"

#include <gtest/gtest.h>

#include "framework/error.h"

namespace gos {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ComputeDevice, ParsesTheThreeNamesAndRefusesOthersNamingTheKeyAndTheValidValues) {
  EXPECT_EQ(parse_compute_device("cpu", "device"), ComputeDevice::kCpu);
  EXPECT_EQ(parse_compute_device("cuda", "device"), ComputeDevice::kCuda);
  EXPECT_EQ(parse_compute_device("auto", "device"), ComputeDevice::kAuto);
  for (ComputeDevice d : {ComputeDevice::kCpu, ComputeDevice::kCuda, ComputeDevice::kAuto})
    EXPECT_EQ(parse_compute_device(to_string(d), "device"), d);
  const std::string message = error_of([] { parse_compute_device("gpu", "[adapt] device"); });
  EXPECT_NE(message.find("[adapt] device = \"gpu\""), std::string::npos) << message;
  EXPECT_NE(message.find("valid: \"cpu\", \"cuda\", \"auto\""), std::string::npos) << message;
}

TEST(ComputeDevice, CudaIsRefusedWhereThereIsNoGpuAndAutoFallsBackToTheCpu) {
  EXPECT_TRUE(resolve_device(ComputeDevice::kCpu, "device").is_cpu());
  EXPECT_EQ(device_unavailable(ComputeDevice::kCpu), "");
  EXPECT_EQ(device_unavailable(ComputeDevice::kAuto), "");
  if (cuda_device_count() > 0) {
    EXPECT_TRUE(resolve_device(ComputeDevice::kCuda, "device").is_cuda());
    EXPECT_TRUE(resolve_device(ComputeDevice::kAuto, "device").is_cuda());
    return;
  }
  EXPECT_TRUE(resolve_device(ComputeDevice::kAuto, "device").is_cpu());
  const std::string message = error_of([] { resolve_device(ComputeDevice::kCuda, "--device"); });
  EXPECT_NE(message.find("--device = \"cuda\": LibTorch sees no CUDA device here"), std::string::npos) << message;
  EXPECT_NE(message.find("valid here: \"cpu\", or \"auto\""), std::string::npos) << message;
}

TEST(ModuleOnDevice, PutsTheModuleBackWhereItWasWithTheSameParameters) {
  torch::manual_seed(0);
  torch::nn::Linear linear(3, 2);
  const torch::Tensor weight = linear->weight;  // the same parameter object before, inside and after
  const torch::Tensor before = weight.detach().clone();
  const torch::Device target = resolve_device(ComputeDevice::kAuto, "device");
  {
    const ModuleOnDevice placed(*linear, target);
    EXPECT_EQ(module_device(*linear), target);
    EXPECT_EQ(weight.device(), target);
    torch::NoGradGuard no_grad;
    linear->weight.add_(1);  // a change made there comes back
  }
  EXPECT_TRUE(module_device(*linear).is_cpu());
  EXPECT_TRUE(weight.device().is_cpu());
  EXPECT_TRUE(torch::allclose(weight, before + 1));
}

TEST(ModuleOnDevice, AModuleWithoutTensorsLivesOnTheCpu) {
  torch::nn::ReLU relu;
  EXPECT_TRUE(module_device(*relu).is_cpu());
  const ModuleOnDevice placed(*relu, torch::kCPU);
  EXPECT_TRUE(module_device(*relu).is_cpu());
}

}  // namespace
}  // namespace gos
