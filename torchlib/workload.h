#pragma once
// The one Workload type for "a LibTorch module and its input": what devices
// time (framework/device.h) whether the module is a whole zoo model, one of
// its slots, a candidate operator graph or a searched network.
#include <memory>
#include <string>

#include "framework/device.h"
#include "torchlib/torch_model.h"

namespace gos {

class ModuleWorkload : public Workload {
 public:
  // Keeps `module` alive; puts it in eval mode for the workload's lifetime
  // and restores its training flag afterwards.
  ModuleWorkload(std::shared_ptr<TorchModel> module, torch::Tensor input, std::string key);
  // Does not own `module`, which must outlive the workload.
  ModuleWorkload(TorchModel& module, torch::Tensor input, std::string key);
  ~ModuleWorkload() override;
  ModuleWorkload(const ModuleWorkload&) = delete;
  ModuleWorkload& operator=(const ModuleWorkload&) = delete;

  std::string key() const override { return key_; }
  // One forward pass without gradients; the output is dropped.
  void run() override;

 private:
  std::shared_ptr<TorchModel> owned_;
  TorchModel& module_;
  torch::Tensor input_;
  std::string key_;
  bool was_training_;
};

// A random input of `shape` drawn from its own generator seeded with `seed`,
// so that building a workload leaves torch's global generator untouched.
torch::Tensor workload_input(const std::vector<int64_t>& shape, uint64_t seed = 0x1a7e);

}  // namespace gos
