#pragma once
// LSQ fake quantization (Esser et al. 2020, "Learned Step Size
// Quantization") of the weights and input activations of the zoo's
// convolution and linear slots, for quantization-aware training and for the
// mixed-precision search (searchspaces/mixed_precision, docs/MIXED-PRECISION.md).
//
// A b-bit quantizer with step s maps v to
//   q(v) = (round(clamp(v / s - o, -Qn, Qp)) + o) * s
// with Qn = 2^(b-1), Qp = 2^(b-1) - 1, o = 0 for signed values (weights, and
// activations that can be negative), Qn = 0, Qp = 2^b - 1 for non-negative
// activations (after a ReLU). Signed 1 bit has no room for zero on the
// integer grid, so it uses the mid-rise grid o = 1/2, Qn = 1, Qp = 0: the two
// levels +-s/2. Gradients are LSQ's: the straight-through estimator for v
// (1 inside the clamp range, 0 outside) and for s
//   d q / d s = round(v/s - o) + o - v/s inside, -Qn + o below, Qp + o above,
// scaled by g = 1 / sqrt(N * Qp) (N = weights of the layer, or features of
// one sample for activations; Qp taken as 1 when it is 0). 32 bits = full
// precision (no quantizer).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/bit_widths.h"
#include "torchlib/zoo.h"

namespace gos {

struct BitWidths {
  int64_t weight = 32;
  int64_t activation = 32;
  bool full_precision() const { return weight == 32 && activation == 32; }
  bool operator==(const BitWidths&) const = default;
};

// The integer grid of a quantizer: levels (k + offset) * step for k in [-negative, positive].
struct QuantizerGrid {
  double negative = 0;
  double positive = 0;
  double offset = 0;
};
QuantizerGrid quantizer_grid(int64_t bits, bool is_signed);

// LSQ's gradient scale 1 / sqrt(count * Qp).
double lsq_gradient_scale(int64_t count, int64_t bits, bool is_signed);
// LSQ's initial step 2 mean(|v|) / sqrt(Qp).
double lsq_initial_step(const torch::Tensor& values, int64_t bits, bool is_signed);
// q(v) with LSQ's gradients for `values` and the one-element `step`.
torch::Tensor lsq_quantize(const torch::Tensor& values, const torch::Tensor& step, int64_t bits, bool is_signed,
                           double gradient_scale);

// A learned-step quantizer of activations. Whether they are signed and the
// initial step come from the first input that is not all zeros (so that the
// shape check of SlottedModel::replace, which runs zeros, does not set them);
// both are kept in the buffer "mode" and so survive a checkpoint.
class ActivationQuantizer : public torch::nn::Module {
 public:
  explicit ActivationQuantizer(int64_t bits);
  torch::Tensor forward(const torch::Tensor& input);
  int64_t bits() const { return bits_; }
  bool initialised() const;
  bool is_signed() const;
  torch::Tensor step() const { return step_; }

 private:
  int64_t bits_;
  torch::Tensor step_;
  torch::Tensor mode_;  // 0 uninitialised, 1 unsigned, 2 signed
};

// A convolution or linear operator with LSQ-quantized weights (signed,
// per tensor) and input activations. Its parameters are the wrapped
// operator's own ("weight", "bias", the same tensors) plus "weight_step" and
// "input_quantizer.step", so a full-precision checkpoint loads into the
// operator before it is wrapped.
class QuantizedOperator : public WeightedOperator {
 public:
  QuantizedOperator(std::shared_ptr<WeightedOperator> op, BitWidths bits);
  torch::Tensor forward(torch::Tensor input) override;
  std::string kind() const override { return op_->kind(); }
  double flops(const Shape& input, const Shape& output) const override { return op_->flops(input, output); }
  double macs(const Shape& input, const Shape& output) const override { return op_->macs(input, output); }
  torch::Tensor weight() const override { return op_->weight(); }
  torch::Tensor bias() const override { return op_->bias(); }
  torch::Tensor apply(const torch::Tensor& input, const torch::Tensor& weight) const override {
    return op_->apply(input, weight);
  }
  // The weight as the operator uses it (quantized unless 32 bits).
  torch::Tensor quantized_weight() const;
  const BitWidths& bits() const { return bits_; }
  const std::shared_ptr<WeightedOperator>& wrapped() const { return op_; }

 private:
  std::shared_ptr<WeightedOperator> op_;
  BitWidths bits_;
  torch::Tensor weight_step_;
  std::shared_ptr<ActivationQuantizer> input_quantizer_;
};

// The one-shot supernet's operator (differentiable mixed-precision search):
// every width of `choices` at once, mixed by weights pi (one per choice,
// summing to 1, set before each forward pass by the search). As EdMIPS (Cai
// and Vasconcelos 2020) it mixes the quantized weights and the quantized
// inputs and runs the operator once,
//   y = op(sum_k pi_k Qa_k(x), sum_k pi_k Qw_k(W)),
// rather than once per choice: exact for a one-hot pi, a K-fold saving
// otherwise. Each choice quantizes weights and inputs at the same width.
class MixedQuantizedOperator : public WeightedOperator {
 public:
  MixedQuantizedOperator(std::shared_ptr<WeightedOperator> op, std::vector<int64_t> choices);
  torch::Tensor forward(torch::Tensor input) override;
  std::string kind() const override { return op_->kind(); }
  double flops(const Shape& input, const Shape& output) const override { return op_->flops(input, output); }
  double macs(const Shape& input, const Shape& output) const override { return op_->macs(input, output); }
  torch::Tensor weight() const override { return op_->weight(); }
  torch::Tensor bias() const override { return op_->bias(); }
  torch::Tensor apply(const torch::Tensor& input, const torch::Tensor& weight) const override {
    return op_->apply(input, weight);
  }
  // The mixing weights, a tensor of choices().size() elements (kept with its
  // graph, so gradients reach whatever pi was computed from). Uniform until set.
  void set_mixture(torch::Tensor pi);
  const std::vector<int64_t>& choices() const { return choices_; }
  const std::shared_ptr<WeightedOperator>& wrapped() const { return op_; }

 private:
  std::shared_ptr<WeightedOperator> op_;
  std::vector<int64_t> choices_;
  std::vector<torch::Tensor> weight_steps_;                             // undefined for 32 bits
  std::vector<std::shared_ptr<ActivationQuantizer>> input_quantizers_;  // null for 32 bits
  torch::Tensor pi_;
};

// One quantizable slot of a model: a convolution or linear operator.
struct QuantizableLayer {
  std::string path;
  std::string kind;
  double macs = 0;               // per forward pass at the model's example input
  int64_t weights = 0;           // elements of the weight tensor
  int64_t other_parameters = 0;  // bias elements
};

// The convolution and linear slots of `model` in execution order (quantized
// or not), with their MACs at the model's example input.
std::vector<QuantizableLayer> quantizable_layers(SlottedModel& model);

// Gives slot `path` the bit widths `bits`: wraps its operator in a
// QuantizedOperator (re-wrapping the original one if it is quantized
// already), or restores the original operator for full precision. Throws
// gos::Error naming the slot when it is not a convolution or linear slot,
// or naming the valid widths.
void set_bit_widths(SlottedModel& model, const std::string& path, BitWidths bits);

// The bit widths of every quantizable slot, full precision where unquantized.
std::map<std::string, BitWidths> bit_widths(SlottedModel& model);

}  // namespace gos
