#pragma once
// The LibTorch layer of GOS. Include this (not <torch/torch.h> directly) in
// the few translation units that need LibTorch; targets that do should call
// gos_use_torch(<target>) in CMake to reuse the shared precompiled header.
#include <torch/torch.h>

namespace gos {

// A trainable model with one input tensor and one output tensor: what
// trainers, devices and exporters handle. torch::nn::Module has no virtual
// forward, so this base class provides one.
class TorchModel : public torch::nn::Module {
 public:
  ~TorchModel() override;
  virtual torch::Tensor forward(torch::Tensor input) = 0;
};

}  // namespace gos
