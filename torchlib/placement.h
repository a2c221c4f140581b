#pragma once
// The LibTorch side of ComputeDevice: resolving it to a torch::Device, and
// moving a module to a device for the length of a scope. Trainers run a
// model where they train and put it back where it was; the latency path
// moves it to the CPU to time it. Neither assumes where a module lives.
#include <torch/torch.h>

#include <string_view>

#include "torchlib/compute_device.h"

namespace gos {

// kCpu -> CPU; kCuda -> cuda:0 (gos::Error naming `key` without one);
// kAuto -> cuda:0 when present, else CPU.
torch::Device resolve_device(ComputeDevice device, std::string_view key);

// The device of a module's first parameter (or buffer); the CPU for a module
// without tensors.
torch::Device module_device(const torch::nn::Module& module);

// Moves `module` to `device` and, at the end of the scope, back to the device
// it was on. Parameter tensors keep their identity (Module::to moves data in
// place), so optimizers and snapshots taken outside stay valid.
class ModuleOnDevice {
 public:
  ModuleOnDevice(torch::nn::Module& module, torch::Device device);
  ~ModuleOnDevice();
  ModuleOnDevice(const ModuleOnDevice&) = delete;
  ModuleOnDevice& operator=(const ModuleOnDevice&) = delete;

 private:
  torch::nn::Module& module_;
  torch::Device home_;
  bool moved_;
};

}  // namespace gos
