// The one LibTorch translation unit of operator graphs: compilation to a
// module, the workload for devices, and the functional fingerprint.
#include "searchspaces/gos/compile.h"

#include <fmt/format.h>

#include <cmath>

#include "framework/rng.h"
#include "searchspaces/gos/runtime.h"
#include "torchlib/quantization.h"
#include "torchlib/workload.h"

namespace gos::graph {
namespace {

torch::Tensor shift(const torch::Tensor& x, int direction) {
  const int64_t h = x.size(2);
  const int64_t w = x.size(3);
  // Pads are (left, right, top, bottom); the vacated row or column is zero.
  switch (direction) {
    case 0:
      return torch::constant_pad_nd(x.narrow(2, 1, h - 1), {0, 0, 0, 1});
    case 1:
      return torch::constant_pad_nd(x.narrow(2, 0, h - 1), {0, 0, 1, 0});
    case 2:
      return torch::constant_pad_nd(x.narrow(3, 1, w - 1), {0, 1, 0, 0});
    default:
      return torch::constant_pad_nd(x.narrow(3, 0, w - 1), {1, 0, 0, 0});
  }
}

}  // namespace

ConvGeometry conv_geometry(const Node& node, int in) {
  const Attrs& a = node.attrs;
  switch (node.op) {
    case Op::kConv:
      return {in, a[1], a[0], a[2], a[3], a[4], conv_kernel_width(a)};
    case Op::kPointwiseConv:
      return {in, a[0], 1, 1, 1, 1, 1};
    case Op::kDepthwiseConv:
      return {in, in, a[0], in, a[1], a[2], a[0]};
    default:
      throw std::invalid_argument("conv_geometry of an instruction without weights");
  }
}

ConvQuantizer::ConvQuantizer(int bits) : bits_(bits) {
  weight_step_ = register_parameter("weight_step", torch::zeros({1}));
  input_ = register_module("input", std::make_shared<ActivationQuantizer>(bits));
}

torch::Tensor ConvQuantizer::quantized_weight(const torch::Tensor& weight) {
  if (weight_step_.item<double>() <= 0) {
    torch::NoGradGuard no_grad;
    weight_step_.fill_(lsq_initial_step(weight, bits_, true));
  }
  return lsq_quantize(weight, weight_step_, bits_, true, lsq_gradient_scale(weight.numel(), bits_, true));
}

torch::Tensor ConvQuantizer::forward(const torch::Tensor& input, const torch::Tensor& weight, const ConvGeometry& g) {
  return torch::conv2d(input_->forward(input), quantized_weight(weight), {}, g.stride, g.padding(), g.dilation,
                       g.groups);
}

GraphModule::GraphModule(const Graph& graph)
    : graph_(graph),
      convs_(graph.nodes.size(), nullptr),
      norms_(graph.nodes.size(), nullptr),
      quantizers_(graph.nodes.size()),
      scales_(graph.nodes.size()),
      biases_(graph.nodes.size()) {
  for (size_t i = 1; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    const int in = graph_.shapes[node.inputs[0]].c;
    const Attrs& a = node.attrs;
    const std::string name = fmt::format("n{}", i);
    switch (node.op) {
      case Op::kConv:
      case Op::kPointwiseConv:
      case Op::kDepthwiseConv: {
        const ConvGeometry g = conv_geometry(node, in);
        convs_[i] = register_module(
            name, torch::nn::Conv2d(torch::nn::Conv2dOptions(g.in, g.out, torch::ExpandingArray<2>(g.kernel_size()))
                                        .stride(g.stride)
                                        .padding(torch::ExpandingArray<2>(g.padding()))
                                        .dilation(g.dilation)
                                        .groups(g.groups)
                                        .bias(false)));
        break;
      }
      case Op::kBatchNorm:
        norms_[i] = register_module(name, torch::nn::BatchNorm2d(in));
        break;
      case Op::kScale:
        scales_[i] = register_parameter(name, torch::ones({1}));
        break;
      case Op::kBias:
        biases_[i] = register_parameter(name, torch::zeros({in, 1, 1}));
        break;
      default:
        break;
    }
    if (const int bits = node_bits(node.op, a); bits != kFullPrecisionBits)
      quantizers_[i] = register_module(fmt::format("q{}", i), std::make_shared<ConvQuantizer>(bits));
  }
}

torch::Tensor GraphModule::forward(torch::Tensor input) {
  std::vector<torch::Tensor> values(graph_.nodes.size());
  values[0] = input;
  const torch::Tensor none;
  for (size_t i = 1; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    values[i] = forward_node(i, values[node.inputs[0]], node.inputs[1] >= 0 ? values[node.inputs[1]] : none);
  }
  return values.back();
}

torch::Tensor GraphModule::forward_node(size_t i, const torch::Tensor& x, const torch::Tensor& second) {
  const Node& node = graph_.nodes[i];
  const Attrs& a = node.attrs;
  torch::Tensor y;
  switch (node.op) {
    case Op::kInput:
      break;  // only node 0
    case Op::kConv:
    case Op::kPointwiseConv:
    case Op::kDepthwiseConv:
      y = quantizers_[i] ? quantizers_[i]->forward(x, convs_[i]->weight, conv_geometry(node, int(x.size(1))))
                         : convs_[i]->forward(x);
      break;
    case Op::kAdd:
      y = x + second;
      break;
    case Op::kMul:
      y = x * second;
      break;
    case Op::kConcat:
      y = torch::cat({x, second}, 1);
      break;
    case Op::kSplit:
      y = x.narrow(1, a[0] * (x.size(1) / 2), x.size(1) / 2);
      break;
    case Op::kShuffle:
      // -1, not x.size(0): a trace (TorchScript, ONNX export) records sizes as
      // constants, and the batch must stay free.
      y = x.view({-1, a[0], x.size(1) / a[0], x.size(2), x.size(3)})
              .transpose(1, 2)
              .reshape({-1, x.size(1), x.size(2), x.size(3)});
      break;
    case Op::kShift:
      y = shift(x, a[0]);
      break;
    case Op::kAvgPool:
      y = torch::avg_pool2d(x, {3, 3}, {a[0], a[0]}, {1, 1}, false, false);
      break;
    case Op::kMaxPool:
      y = torch::max_pool2d(x, {3, 3}, {a[0], a[0]}, {1, 1});
      break;
    case Op::kUpsample:
      y = x.repeat_interleave(2, 2).repeat_interleave(2, 3);
      break;
    case Op::kTranspose:
      y = x.transpose(2, 3).contiguous();
      break;
    case Op::kSpaceToDepth:
      y = torch::pixel_unshuffle(x, 2);
      break;
    case Op::kDepthToSpace:
      y = torch::pixel_shuffle(x, 2);
      break;
    case Op::kScale:
      y = x * scales_[i];
      break;
    case Op::kBatchNorm:
      y = norms_[i]->forward(x);
      break;
    case Op::kRelu:
      y = observed_relu(x);
      break;
    case Op::kRelu6:
      y = torch::hardtanh(x, 0, 6);
      break;
    case Op::kHardSwish:
      y = torch::hardswish(x);
      break;
    case Op::kSigmoid:
      y = torch::sigmoid(x);
      break;
    case Op::kGelu:
      y = torch::gelu(x);
      break;
    case Op::kIdentity:
      y = x;
      break;
    case Op::kBias:
      y = x + biases_[i];
      break;
  }
  return y;
}

namespace {

// Fills `tensor` with offset + scale * standard normals from `generator`
// (torch's generator: drawing element by element with gos::Rng costs
// milliseconds for wide convolutions).
void fill(torch::Tensor tensor, at::Generator& generator, double scale, double offset = 0) {
  tensor.copy_(torch::randn(tensor.sizes(), generator) * scale + offset);
}

// The probe: one sample, values from a fixed stream.
constexpr uint64_t kProbeSeed = 0x9b0be;
constexpr int kSignificantDigits = 4;
// The workload's input comes from its own generator, not torch's global one,
// so a measurement does not depend on what ran before it.
constexpr uint64_t kWorkloadInputSeed = 0x1a7e;

// One instruction alone, on its own random inputs (two distinct tensors for
// two-input instructions, as inside a graph where they come from different nodes).
class KernelWorkload : public Workload {
 public:
  KernelWorkload(const Graph& graph, const Shape& second, int batch, std::string key)
      : module_(std::make_shared<GraphModule>(graph)), key_(std::move(key)) {
    module_->eval();
    at::Generator generator = at::detail::createCPUGenerator(kWorkloadInputSeed);
    const Shape& in = graph.shapes.front();
    first_ = torch::randn({batch, in.c, in.h, in.w}, generator);
    if (graph.nodes[1].inputs[1] >= 0) second_ = torch::randn({batch, second.c, second.h, second.w}, generator);
  }
  std::string key() const override { return key_; }
  void run() override {
    torch::NoGradGuard no_grad;
    module_->forward_node(1, first_, second_);
  }

 private:
  std::shared_ptr<GraphModule> module_;
  torch::Tensor first_;
  torch::Tensor second_;
  std::string key_;
};

}  // namespace

std::unique_ptr<Workload> make_kernel_workload(const Graph& graph, const Shape& second_input, int batch,
                                               std::string key) {
  return std::make_unique<KernelWorkload>(graph, second_input, batch, std::move(key));
}

std::unique_ptr<Workload> make_graph_workload(const Graph& graph, int batch, std::string key) {
  const Shape& in = graph.shapes.front();
  return std::make_unique<ModuleWorkload>(std::make_shared<GraphModule>(graph),
                                          workload_input({batch, in.c, in.h, in.w}, kWorkloadInputSeed),
                                          std::move(key));
}

uint64_t functional_fingerprint(const Graph& graph) {
  torch::NoGradGuard no_grad;
  GraphModule module(graph);
  module.eval();
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    // Seeded by the node's own instruction, attributes and input shape, not
    // by its position or ancestry: an inserted identity upstream or another
    // listing order must leave every weight unchanged.
    at::Generator generator = at::detail::createCPUGenerator(
        stable_hash(describe_node(graph, i) + graph.shapes[graph.nodes[i].inputs[0]].to_string()));
    if (auto conv = module.conv(i)) {
      const auto& w = conv->weight;
      fill(w, generator, 1.0 / std::sqrt(static_cast<double>(w.numel() / w.size(0))));
    } else if (auto norm = module.batch_norm(i)) {
      fill(norm->weight, generator, 0.1, 1.0);
      fill(norm->bias, generator, 0.1);
    } else if (module.scale(i).defined()) {
      fill(module.scale(i), generator, 0.1, 1.0);
    } else if (module.bias(i).defined()) {
      fill(module.bias(i), generator, 0.1);
    }
  }
  const Shape& in = graph.shapes.front();
  at::Generator probe_generator = at::detail::createCPUGenerator(kProbeSeed);
  const torch::Tensor probe = torch::randn({1, in.c, in.h, in.w}, probe_generator);
  const torch::Tensor output = module.forward(probe).contiguous();
  const Shape& out = graph.output_shape();
  uint64_t hash = stable_hash(out.to_string());
  const float* data = output.data_ptr<float>();
  for (int64_t k = 0; k < output.numel(); ++k) {
    const double value = data[k];
    int64_t token[2] = {0, 0};  // (mantissa, exponent) rounded to kSignificantDigits
    if (!std::isfinite(value)) {
      token[1] = std::isnan(value) ? 1000 : value > 0 ? 1001 : 1002;
    } else if (std::abs(value) > 1e-30) {
      const int exponent = static_cast<int>(std::floor(std::log10(std::abs(value))));
      token[0] = std::llround(value * std::pow(10.0, kSignificantDigits - 1 - exponent));
      token[1] = exponent;
    }
    hash = stable_hash(std::string_view(reinterpret_cast<const char*>(token), sizeof(token)), hash);
  }
  return hash;
}

}  // namespace gos::graph
