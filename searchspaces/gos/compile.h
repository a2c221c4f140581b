#pragma once
// Compiling an operator graph to a trainable LibTorch module. Include only
// from torch translation units (targets that call gos_use_torch).
#include <array>
#include <cstdint>
#include <vector>

#include "searchspaces/gos/graph.h"
#include "torchlib/torch_model.h"

namespace gos {
class ActivationQuantizer;
}

namespace gos::graph {

// The convolution a weighted node (conv, pconv, dwconv) computes on `in`
// input channels, with same padding.
struct ConvGeometry {
  int in = 0;
  int out = 0;
  int kernel = 1;  // height
  int groups = 1;
  int dilation = 1;
  int stride = 1;
  int kernel_width = 1;
  std::array<int64_t, 2> kernel_size() const { return {kernel, kernel_width}; }
  std::array<int64_t, 2> padding() const { return {dilation * (kernel - 1) / 2, dilation * (kernel_width - 1) / 2}; }
};
ConvGeometry conv_geometry(const Node& node, int in);

// The fake quantization of one weighted node at b bits (torchlib/quantization.h):
// its weight signed and per tensor, its input signed or not as the first
// non-zero input says. The weight's step is set from the weight on the first
// forward pass, after whatever copied weights into the node (a seed's).
class ConvQuantizer : public torch::nn::Module {
 public:
  explicit ConvQuantizer(int bits);
  // The convolution of `input` by `weight`, both quantized.
  torch::Tensor forward(const torch::Tensor& input, const torch::Tensor& weight, const ConvGeometry& geometry);
  int bits() const { return bits_; }
  torch::Tensor quantized_weight(const torch::Tensor& weight);

 private:
  int bits_;
  torch::Tensor weight_step_;  // 0 until the first forward pass
  std::shared_ptr<ActivationQuantizer> input_;
};

// A module computing the graph. Trainable parameters are registered per node
// as "n<index>" submodules (conv, pconv, dwconv, bn) or parameters (scale,
// bias), so their count equals count_params(graph). Convolutions have no bias
// of their own: a `bias` node after them adds it. A weighted node below 32
// bits (attribute b) also has a "q<index>" submodule, its LSQ quantizer: the
// learned steps of its weight and of its input, two parameters that
// count_params does not count (quantizer state, as batch-norm statistics).
class GraphModule : public TorchModel {
 public:
  explicit GraphModule(const Graph& graph);
  torch::Tensor forward(torch::Tensor input) override;
  // Node `index` alone on given inputs (`second` is ignored by one-input
  // instructions): how a kernel is profiled without the rest of its graph.
  torch::Tensor forward_node(size_t index, const torch::Tensor& first, const torch::Tensor& second);

  const Graph& graph() const { return graph_; }
  // The convolution of node `index`, null for nodes that are not convolutions.
  torch::nn::Conv2d conv(size_t index) const { return convs_[index]; }
  torch::nn::BatchNorm2d batch_norm(size_t index) const { return norms_[index]; }
  // The LSQ quantizer of node `index`, null for full-precision nodes.
  std::shared_ptr<ConvQuantizer> quantizer(size_t index) const { return quantizers_[index]; }
  // The scalar of a scale node, undefined for other nodes.
  torch::Tensor scale(size_t index) const { return scales_[index]; }
  // The C x 1 x 1 values of a bias node (broadcast over height and width, so
  // that the trace and the ONNX export are one Add), undefined for other nodes.
  torch::Tensor bias(size_t index) const { return biases_[index]; }

 private:
  Graph graph_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> norms_;
  std::vector<std::shared_ptr<ConvQuantizer>> quantizers_;
  std::vector<torch::Tensor> scales_;
  std::vector<torch::Tensor> biases_;
};

}  // namespace gos::graph
