#pragma once
// The LibTorch layer of GOS. Include this (not <torch/torch.h> directly) in
// the few translation units that need LibTorch; targets that do should call
// gos_use_torch(<target>) in CMake to reuse the shared precompiled header.
#include <torch/torch.h>

#include <vector>

namespace gos {

// A trainable model with one input tensor and one output tensor: what
// trainers, devices and exporters handle. torch::nn::Module has no virtual
// forward, so this base class provides one.
class TorchModel : public torch::nn::Module {
 public:
  ~TorchModel() override;
  virtual torch::Tensor forward(torch::Tensor input) = 0;
};

// torch::relu that activation-pattern proxies (NASWOT) can see. LibTorch's C++
// modules have no forward hooks, so every model of GOS (zoo activations,
// NAS-Bench-201 cells, cnn_chain layers) applies its ReLUs through this
// function; while a ReluCodeRecorder is alive on the calling thread, the
// binary code (output > 0) of each call is appended to it.
torch::Tensor observed_relu(const torch::Tensor& input);

// Records the ReLU codes of the forward passes run on this thread during its
// lifetime. Recorders do not nest: creating a second one on the same thread
// throws gos::Error.
class ReluCodeRecorder {
 public:
  ReluCodeRecorder();
  ~ReluCodeRecorder();
  ReluCodeRecorder(const ReluCodeRecorder&) = delete;
  ReluCodeRecorder& operator=(const ReluCodeRecorder&) = delete;
  // One [batch, units] tensor (0/1, float64) per observed ReLU call, in call order.
  const std::vector<torch::Tensor>& codes() const { return codes_; }

 private:
  friend torch::Tensor observed_relu(const torch::Tensor& input);
  std::vector<torch::Tensor> codes_;
};

}  // namespace gos
