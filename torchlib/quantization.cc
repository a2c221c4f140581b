#include "torchlib/quantization.h"

#include <fmt/format.h>

#include <cmath>

#include "framework/error.h"

namespace gos {

QuantizerGrid quantizer_grid(int64_t bits, bool is_signed) {
  if (!valid_bits(bits) || bits == 32)
    throw Error(fmt::format("no quantizer grid for {} bits; quantized widths are 1..8 or 16", bits));
  if (!is_signed) return {0, std::ldexp(1.0, int(bits)) - 1, 0};
  if (bits == 1) return {1, 0, 0.5};  // mid-rise: levels -s/2 and +s/2
  const double half = std::ldexp(1.0, int(bits - 1));
  return {half, half - 1, 0};
}

namespace {

// Qp as LSQ's initialisation and gradient scale use it; a grid without
// positive integer levels (signed 1 bit) counts as 1.
double positive_levels(int64_t bits, bool is_signed) { return std::max(1.0, quantizer_grid(bits, is_signed).positive); }

// Forward: x; backward: the gradient times `scale` (LSQ's gradient scaling).
torch::Tensor scale_gradient(const torch::Tensor& x, double scale) {
  const torch::Tensor scaled = x * scale;
  return (x - scaled).detach() + scaled;
}

// Forward: round(x); backward: the identity (straight-through estimator).
torch::Tensor round_straight_through(const torch::Tensor& x) { return (x.round() - x).detach() + x; }

}  // namespace

double lsq_gradient_scale(int64_t count, int64_t bits, bool is_signed) {
  return 1.0 / std::sqrt(double(count) * positive_levels(bits, is_signed));
}

double lsq_initial_step(const torch::Tensor& values, int64_t bits, bool is_signed) {
  const double mean = values.detach().abs().mean().item<double>();
  // A zero tensor would give a zero step and divide by it; any positive step quantizes zeros exactly.
  return mean > 0 ? 2 * mean / std::sqrt(positive_levels(bits, is_signed)) : 1.0;
}

torch::Tensor lsq_quantize(const torch::Tensor& values, const torch::Tensor& step, int64_t bits, bool is_signed,
                           double gradient_scale) {
  const QuantizerGrid grid = quantizer_grid(bits, is_signed);
  const torch::Tensor s = scale_gradient(step, gradient_scale);
  const torch::Tensor levels = torch::clamp(values / s - grid.offset, -grid.negative, grid.positive);
  return (round_straight_through(levels) + grid.offset) * s;
}

// ---------------------------------------------------------------------------

ActivationQuantizer::ActivationQuantizer(int64_t bits) : bits_(bits) {
  if (!valid_bits(bits) || bits == 32)
    throw Error(fmt::format("activation quantizer of {} bits; valid: 1..8 or 16", bits));
  step_ = register_parameter("step", torch::ones({1}));
  mode_ = register_buffer("mode", torch::zeros({1}, torch::kInt64));
}

bool ActivationQuantizer::initialised() const { return mode_.item<int64_t>() != 0; }
bool ActivationQuantizer::is_signed() const { return mode_.item<int64_t>() == 2; }

torch::Tensor ActivationQuantizer::forward(const torch::Tensor& input) {
  if (!initialised()) {
    // All zeros (a shape check) says nothing about the range, and quantizes to itself.
    if (!input.ne(0).any().item<bool>()) return input;
    torch::NoGradGuard no_grad;
    const bool is_signed = input.lt(0).any().item<bool>();
    step_.fill_(lsq_initial_step(input, bits_, is_signed));
    mode_.fill_(is_signed ? 2 : 1);
  }
  const int64_t features = input.dim() > 0 && input.size(0) > 0 ? input.numel() / input.size(0) : 1;
  const bool is_signed = this->is_signed();
  return lsq_quantize(input, step_, bits_, is_signed, lsq_gradient_scale(features, bits_, is_signed));
}

// ---------------------------------------------------------------------------

QuantizedOperator::QuantizedOperator(std::shared_ptr<WeightedOperator> op, BitWidths bits)
    : op_(std::move(op)), bits_(bits) {
  if (!valid_bits(bits.weight) || !valid_bits(bits.activation))
    throw Error(fmt::format("bit widths (weight {}, activation {}): valid widths are {}", bits.weight, bits.activation,
                            kValidBitsText));
  register_parameter("weight", op_->weight());
  if (op_->bias().defined()) register_parameter("bias", op_->bias());
  if (bits_.weight != 32)
    weight_step_ = register_parameter(
        "weight_step", torch::full({1}, lsq_initial_step(op_->weight(), bits_.weight, true), op_->weight().options()));
  if (bits_.activation != 32)
    input_quantizer_ = register_module("input_quantizer", std::make_shared<ActivationQuantizer>(bits_.activation));
}

torch::Tensor QuantizedOperator::quantized_weight() const {
  const torch::Tensor weight = op_->weight();
  if (bits_.weight == 32) return weight;
  return lsq_quantize(weight, weight_step_, bits_.weight, true, lsq_gradient_scale(weight.numel(), bits_.weight, true));
}

torch::Tensor QuantizedOperator::forward(torch::Tensor input) {
  const torch::Tensor x = input_quantizer_ ? input_quantizer_->forward(input) : input;
  return op_->apply(x, quantized_weight());
}

// ---------------------------------------------------------------------------

MixedQuantizedOperator::MixedQuantizedOperator(std::shared_ptr<WeightedOperator> op, std::vector<int64_t> choices)
    : op_(std::move(op)), choices_(std::move(choices)) {
  if (choices_.empty()) throw Error("a mixed-precision operator needs at least one width");
  register_parameter("weight", op_->weight());
  if (op_->bias().defined()) register_parameter("bias", op_->bias());
  for (int64_t bits : choices_) {
    if (!valid_bits(bits)) throw Error(fmt::format("width {}: valid widths are {}", bits, kValidBitsText));
    if (bits == 32) {
      weight_steps_.emplace_back();
      input_quantizers_.emplace_back();
      continue;
    }
    weight_steps_.push_back(register_parameter(
        fmt::format("weight_step_{}", bits),
        torch::full({1}, lsq_initial_step(op_->weight(), bits, true), op_->weight().options())));
    input_quantizers_.push_back(
        register_module(fmt::format("input_quantizer_{}", bits), std::make_shared<ActivationQuantizer>(bits)));
  }
  pi_ = torch::full({int64_t(choices_.size())}, 1.0 / double(choices_.size()));
}

void MixedQuantizedOperator::set_mixture(torch::Tensor pi) {
  if (pi.numel() != int64_t(choices_.size()))
    throw Error(fmt::format("{} mixing weights for {} widths", pi.numel(), choices_.size()));
  pi_ = pi.reshape({-1});
}

torch::Tensor MixedQuantizedOperator::forward(torch::Tensor input) {
  const torch::Tensor weight = op_->weight();
  torch::Tensor mixed_input, mixed_weight;
  for (size_t k = 0; k < choices_.size(); ++k) {
    const int64_t bits = choices_[k];
    const torch::Tensor x = input_quantizers_[k] ? input_quantizers_[k]->forward(input) : input;
    const torch::Tensor w = bits == 32 ? weight
                                       : lsq_quantize(weight, weight_steps_[k], bits, true,
                                                      lsq_gradient_scale(weight.numel(), bits, true));
    const torch::Tensor p = pi_[int64_t(k)];
    mixed_input = k == 0 ? p * x : mixed_input + p * x;
    mixed_weight = k == 0 ? p * w : mixed_weight + p * w;
  }
  return op_->apply(mixed_input, mixed_weight);
}

// ---------------------------------------------------------------------------

std::vector<QuantizableLayer> quantizable_layers(SlottedModel& model) {
  std::vector<QuantizableLayer> layers;
  for (const SlotInfo& info : model.slots()) {
    const auto* op = dynamic_cast<const WeightedOperator*>(&model.slot(info.path).module());
    if (!op) continue;
    QuantizableLayer layer;
    layer.path = info.path;
    layer.kind = info.kind;
    layer.macs = op->macs(info.input, info.output);
    layer.weights = op->weight().numel();
    layer.other_parameters = op->bias().defined() ? op->bias().numel() : 0;
    layers.push_back(std::move(layer));
  }
  return layers;
}

void set_bit_widths(SlottedModel& model, const std::string& path, BitWidths bits) {
  if (!valid_bits(bits.weight) || !valid_bits(bits.activation))
    throw Error(fmt::format("slot '{}': bit widths (weight {}, activation {}) are not valid; valid widths are {}", path,
                            bits.weight, bits.activation, kValidBitsText));
  auto current = model.slot(path).module().shared_from_this();
  std::shared_ptr<WeightedOperator> original;
  if (auto quantized = std::dynamic_pointer_cast<QuantizedOperator>(current)) {
    original = quantized->wrapped();
  } else {
    original = std::dynamic_pointer_cast<WeightedOperator>(current);
    if (!original)
      throw Error(fmt::format("slot '{}' is not a convolution or linear slot and cannot be quantized", path));
    if (bits.full_precision()) return;
  }
  if (bits.full_precision()) {
    model.replace(path, original);
  } else {
    model.replace(path, std::make_shared<QuantizedOperator>(original, bits));
  }
}

std::map<std::string, BitWidths> bit_widths(SlottedModel& model) {
  std::map<std::string, BitWidths> widths;
  for (const std::string& path : model.slot_paths()) {
    TorchModel& module = model.slot(path).module();
    if (const auto* quantized = dynamic_cast<const QuantizedOperator*>(&module)) {
      widths[path] = quantized->bits();
    } else if (dynamic_cast<const WeightedOperator*>(&module)) {
      widths[path] = BitWidths{};
    }
  }
  return widths;
}

}  // namespace gos
