#include "torchlib/placement.h"

namespace gos {

torch::Device resolve_device(ComputeDevice device, std::string_view key) {
  require_available(device, key);
  if (device == ComputeDevice::kCpu || cuda_device_count() == 0) return torch::kCPU;
  return {torch::kCUDA, 0};
}

torch::Device module_device(const torch::nn::Module& module) {
  for (const auto& parameter : module.parameters()) return parameter.device();
  for (const auto& buffer : module.buffers()) return buffer.device();
  return torch::kCPU;
}

ModuleOnDevice::ModuleOnDevice(torch::nn::Module& module, torch::Device device)
    : module_(module), home_(module_device(module)), moved_(home_ != device) {
  if (moved_) module_.to(device);
}

ModuleOnDevice::~ModuleOnDevice() {
  if (moved_) module_.to(home_);
}

}  // namespace gos
