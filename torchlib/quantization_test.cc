// LSQ fake quantization: grids, forward values and gradients against
// hand-computed numbers, and bit widths on the slots of a zoo model.
#include "torchlib/quantization.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "framework/error.h"

namespace gos {
namespace {

torch::Tensor doubles(std::vector<double> values) {
  return torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64));
}

void expect_tensor_near(const torch::Tensor& actual, std::vector<double> expected, double tolerance = 1e-12) {
  ASSERT_EQ(actual.numel(), int64_t(expected.size()));
  const torch::Tensor flat = actual.to(torch::kFloat64).flatten();
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(flat[int64_t(i)].item<double>(), expected[i], tolerance) << "element " << i;
}

TEST(Quantization, ValidBitWidthsAreOneToEightSixteenAndThirtyTwo) {
  for (int64_t bits : {1, 2, 3, 4, 5, 6, 7, 8, 16, 32}) EXPECT_TRUE(valid_bits(bits)) << bits;
  for (int64_t bits : {-1, 0, 9, 12, 15, 17, 31, 33, 64}) EXPECT_FALSE(valid_bits(bits)) << bits;
}

TEST(Quantization, GridsAreLsqsIntegerRanges) {
  const QuantizerGrid signed4 = quantizer_grid(4, true);
  EXPECT_EQ(signed4.negative, 8);
  EXPECT_EQ(signed4.positive, 7);
  EXPECT_EQ(signed4.offset, 0);
  const QuantizerGrid unsigned2 = quantizer_grid(2, false);
  EXPECT_EQ(unsigned2.negative, 0);
  EXPECT_EQ(unsigned2.positive, 3);
  const QuantizerGrid signed1 = quantizer_grid(1, true);  // mid-rise, levels +-s/2
  EXPECT_EQ(signed1.negative, 1);
  EXPECT_EQ(signed1.positive, 0);
  EXPECT_EQ(signed1.offset, 0.5);
  EXPECT_EQ(quantizer_grid(16, true).positive, 32767);
  EXPECT_THROW(quantizer_grid(32, true), Error);
}

// 2-bit signed (Qn = 2, Qp = 1), step 0.5: v/s = -1.8, 0.6, 1.4, -5.2 clamp
// to -1.8, 0.6, 1, -2 and round to -2, 1, 1, -2, so q = -1, 0.5, 0.5, -1.
// dq/dv = 1 inside the clamp range: 1, 1, 0, 0. dq/ds = round(v/s) - v/s
// inside, Qp above, -Qn below: -0.2 + 0.4 + 1 - 2 = -0.8, times the gradient
// scale 1/sqrt(4 * 1) = 0.5: -0.4.
TEST(Quantization, LsqForwardAndGradientsMatchHandComputedValues) {
  torch::Tensor values = doubles({-0.9, 0.3, 0.7, -2.6}).requires_grad_(true);
  torch::Tensor step = doubles({0.5}).requires_grad_(true);
  const double scale = lsq_gradient_scale(4, 2, true);
  EXPECT_DOUBLE_EQ(scale, 0.5);
  const torch::Tensor q = lsq_quantize(values, step, 2, true, scale);
  expect_tensor_near(q, {-1, 0.5, 0.5, -1});
  q.sum().backward();
  expect_tensor_near(values.grad(), {1, 1, 0, 0});
  expect_tensor_near(step.grad(), {-0.4});
}

// Unsigned 3 bits (Qp = 7), step 0.25, scale 1: v/s = 0.8, 3.2, 10, -0.4
// -> levels 1, 3, 7, 0; dq/ds = 0.2 - 0.2 + 7 + 0 (below the range: -Qn = 0).
// The upstream gradient 1, 2, 3, 4 weights them: 0.2 - 0.4 + 21 + 0 = 20.8.
TEST(Quantization, UnsignedGridClampsNegativeValuesToZeroWithoutStepGradient) {
  torch::Tensor values = doubles({0.2, 0.8, 2.5, -0.1}).requires_grad_(true);
  torch::Tensor step = doubles({0.25}).requires_grad_(true);
  const torch::Tensor q = lsq_quantize(values, step, 3, false, 1.0);
  expect_tensor_near(q, {0.25, 0.75, 1.75, 0});
  (q * doubles({1, 2, 3, 4})).sum().backward();
  expect_tensor_near(values.grad(), {1, 2, 0, 0});
  expect_tensor_near(step.grad(), {20.8});
}

// Mid-rise 1 bit, step 2: v/s = -0.25, 0.1, 2.5; minus 1/2 and clamped to
// [-1, 0]: -0.75, -0.4, 0 -> levels -1, 0, 0 -> q = (level + 1/2) * 2 = -1, 1, 1.
// dq/ds = round(v/s - 1/2) + 1/2 - v/s inside: -1 + 0.5 + 0.25 = -0.25 and
// 0 + 0.5 - 0.1 = 0.4; above the range Qp + 1/2 = 0.5. Sum 0.65.
TEST(Quantization, OneBitSignedHasTwoLevelsAroundZero) {
  torch::Tensor values = doubles({-0.5, 0.2, 5.0}).requires_grad_(true);
  torch::Tensor step = doubles({2.0}).requires_grad_(true);
  const torch::Tensor q = lsq_quantize(values, step, 1, true, 1.0);
  expect_tensor_near(q, {-1, 1, 1});
  q.sum().backward();
  expect_tensor_near(step.grad(), {0.65});
}

TEST(Quantization, InitialStepIsTwiceTheMeanMagnitudeOverRootQp) {
  // mean |v| = 1.5; 8-bit signed Qp = 127.
  EXPECT_NEAR(lsq_initial_step(doubles({-1, 2, -3, 0}), 8, true), 3.0 / std::sqrt(127.0), 1e-12);
  EXPECT_EQ(lsq_initial_step(doubles({0, 0}), 4, true), 1.0);
}

TEST(Quantization, ActivationQuantizerInitialisesFromTheFirstNonZeroInput) {
  ActivationQuantizer quantizer(2);
  const torch::Tensor zeros = torch::zeros({2, 3});
  EXPECT_TRUE(quantizer.forward(zeros).equal(zeros));
  EXPECT_FALSE(quantizer.initialised());
  // Non-negative: unsigned, Qp = 3, step = 2 * mean |v| / sqrt(3) = 2 * 1.5 / sqrt(3) = sqrt(3).
  quantizer.forward(torch::tensor({0.0f, 1.0f, 2.0f, 3.0f}).reshape({1, 4}));
  EXPECT_TRUE(quantizer.initialised());
  EXPECT_FALSE(quantizer.is_signed());
  EXPECT_NEAR(quantizer.step().item<double>(), std::sqrt(3.0), 1e-6);
  // Later inputs do not move the step (it is learned from then on).
  quantizer.forward(torch::full({1, 4}, -7.0f));
  EXPECT_NEAR(quantizer.step().item<double>(), std::sqrt(3.0), 1e-6);

  ActivationQuantizer signed_quantizer(4);
  signed_quantizer.forward(torch::tensor({-1.0f, 1.0f}).reshape({1, 2}));
  EXPECT_TRUE(signed_quantizer.is_signed());
  EXPECT_THROW(ActivationQuantizer(32), Error);
}

// A 3 -> 1 linear layer with weight 0.1, -0.3, 0.7 and bias 0.5, 2-bit
// weights: step 2 * mean|w| / sqrt(Qp = 1) = 2.2/3, w/s = 0.136, -0.409,
// 0.955 -> levels 0, 0, 1 -> weight 0, 0, 2.2/3; output 0.5 + 3 * 2.2/3 = 2.7.
TEST(Quantization, QuantizedLinearUsesTheQuantizedWeightAndPassesGradientsStraightThrough) {
  auto linear = std::dynamic_pointer_cast<WeightedOperator>(make_linear(3, 1));
  ASSERT_TRUE(linear);
  {
    torch::NoGradGuard no_grad;
    linear->weight().copy_(torch::tensor({{0.1f, -0.3f, 0.7f}}));
    linear->bias().fill_(0.5f);
  }
  QuantizedOperator quantized(linear, {2, 32});
  expect_tensor_near(quantized.quantized_weight(), {0, 0, 2.2 / 3}, 1e-6);
  const torch::Tensor input = torch::tensor({{1.0f, 2.0f, 3.0f}});
  const torch::Tensor output = quantized.forward(input);
  EXPECT_NEAR(output.item<double>(), 2.7, 1e-5);
  output.sum().backward();
  // Straight through: every weight is inside the clamp range, so its gradient is its input.
  expect_tensor_near(linear->weight().grad(), {1, 2, 3}, 1e-6);
  // The parameters keep the operator's names, so checkpoints of the float model still load.
  std::vector<std::string> names;
  for (const auto& item : quantized.named_parameters()) names.push_back(item.key());
  EXPECT_EQ(names, (std::vector<std::string>{"weight", "bias", "weight_step"}));
}

TEST(Quantization, ZooModelSlotsCarryBitWidthsAndKeepTheirWeights) {
  torch::manual_seed(0);
  auto model = make_zoo_model("resnet18", ZooOptions{.width = 0.25});
  const auto layers = quantizable_layers(*model);
  // Stem convolution, 2 x 8 block convolutions, 3 downsample convolutions, fc.
  ASSERT_EQ(layers.size(), 21u);
  EXPECT_EQ(layers.front().path, "conv1");
  EXPECT_EQ(layers.front().macs, 3.0 * 9 * 16 * 32 * 32);  // 3 -> 16 channels, 3x3, 32x32 output
  EXPECT_EQ(layers.front().weights, 16 * 3 * 9);
  EXPECT_EQ(layers.back().path, "fc");
  EXPECT_EQ(layers.back().macs, 128.0 * 10);
  EXPECT_EQ(layers.back().other_parameters, 10);

  const torch::Tensor before = model->slot("layer1.0.conv1").module().named_parameters()["weight"].clone();
  auto original = model->slot("layer1.0.conv1").module().shared_from_this();
  set_bit_widths(*model, "layer1.0.conv1", {4, 4});
  set_bit_widths(*model, "fc", {8, 8});
  EXPECT_EQ((bit_widths(*model).at("layer1.0.conv1")), (BitWidths{4, 4}));
  EXPECT_EQ((bit_widths(*model).at("conv1")), (BitWidths{32, 32}));
  auto parameters = model->named_parameters();
  EXPECT_TRUE(parameters["layer1.0.conv1.weight"].equal(before));
  EXPECT_TRUE(parameters.contains("layer1.0.conv1.weight_step"));
  EXPECT_TRUE(parameters.contains("layer1.0.conv1.input_quantizer.step"));
  // Re-quantizing wraps the original operator, full precision restores it.
  set_bit_widths(*model, "layer1.0.conv1", {2, 8});
  EXPECT_EQ((bit_widths(*model).at("layer1.0.conv1")), (BitWidths{2, 8}));
  set_bit_widths(*model, "layer1.0.conv1", {32, 32});
  EXPECT_EQ(model->slot("layer1.0.conv1").module().shared_from_this(), original);

  // A training forward pass initialises the activation quantizers from real inputs.
  model->train();
  model->forward(torch::randn({4, 3, 32, 32})).sum().backward();
  auto* fc = dynamic_cast<QuantizedOperator*>(&model->slot("fc").module());
  ASSERT_NE(fc, nullptr);
  auto fc_quantizer = std::dynamic_pointer_cast<ActivationQuantizer>(fc->named_children()["input_quantizer"]);
  ASSERT_TRUE(fc_quantizer);
  EXPECT_TRUE(fc_quantizer->initialised());
  EXPECT_FALSE(fc_quantizer->is_signed());  // after ReLU and pooling
  EXPECT_TRUE(model->named_parameters()["fc.weight_step"].grad().defined());
}

TEST(Quantization, BadSlotsAndWidthsAreErrorsNamingThem) {
  auto model = make_zoo_model("resnet18", ZooOptions{.width = 0.25});
  try {
    set_bit_widths(*model, "bn1", {8, 8});
    FAIL() << "a batch-norm slot was quantized";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'bn1' is not a convolution or linear slot"), std::string::npos) << e.what();
  }
  try {
    set_bit_widths(*model, "conv1", {9, 8});
    FAIL() << "9 bits were accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("1..8, 16 or 32"), std::string::npos) << e.what();
  }
  EXPECT_THROW(set_bit_widths(*model, "conv9", {8, 8}), Error);
}

TEST(Quantization, AFloatCheckpointLoadsBeforeQuantizingAndAQuantizedOneAfter) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("gos_quantization_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  torch::manual_seed(1);
  auto trained = make_zoo_model("resnet18", ZooOptions{.width = 0.25});
  save_checkpoint(*trained, (dir / "float.ckpt").string());
  torch::manual_seed(2);
  auto model = make_zoo_model("resnet18", ZooOptions{.width = 0.25});
  load_checkpoint(*model, (dir / "float.ckpt").string());
  set_bit_widths(*model, "conv1", {8, 8});
  model->forward(torch::randn({2, 3, 32, 32}));
  save_checkpoint(*model, (dir / "quantized.ckpt").string());
  auto copy = make_zoo_model("resnet18", ZooOptions{.width = 0.25});
  set_bit_widths(*copy, "conv1", {8, 8});
  load_checkpoint(*copy, (dir / "quantized.ckpt").string());
  auto* quantized = dynamic_cast<QuantizedOperator*>(&copy->slot("conv1").module());
  ASSERT_NE(quantized, nullptr);
  EXPECT_TRUE(quantized->weight().equal(trained->named_parameters()["conv1.weight"]));
  auto quantizer = std::dynamic_pointer_cast<ActivationQuantizer>(quantized->named_children()["input_quantizer"]);
  EXPECT_TRUE(quantizer->initialised());  // the mode buffer travels with the checkpoint
  EXPECT_TRUE(quantizer->is_signed());
  fs::remove_all(dir);
}

// One-hot mixing weights give exactly the single-width operator; soft ones
// pass gradients to the mixing weights.
TEST(Quantization, MixedOperatorWithOneHotWeightsIsTheSingleWidthOperator) {
  torch::manual_seed(4);
  auto conv = std::dynamic_pointer_cast<WeightedOperator>(make_conv(3, 4, 3, 1, 1));
  MixedQuantizedOperator mixed(conv, {8, 4, 32});
  QuantizedOperator four(conv, {4, 4});
  const torch::Tensor input = torch::randn({2, 3, 8, 8});
  mixed.set_mixture(torch::tensor({0.0f, 1.0f, 0.0f}));
  EXPECT_TRUE(torch::allclose(mixed.forward(input), four.forward(input), 1e-5, 1e-6));
  mixed.set_mixture(torch::tensor({0.0f, 0.0f, 1.0f}));
  EXPECT_TRUE(torch::allclose(mixed.forward(input), conv->forward(input), 1e-5, 1e-6));
  const torch::Tensor logits = torch::zeros({3}, torch::requires_grad());
  mixed.set_mixture(torch::softmax(logits, 0));
  mixed.forward(input).pow(2).sum().backward();
  ASSERT_TRUE(logits.grad().defined());
  EXPECT_GT(logits.grad().abs().sum().item<double>(), 0);
  EXPECT_THROW(mixed.set_mixture(torch::ones({2})), Error);
  EXPECT_THROW(MixedQuantizedOperator(conv, {}), Error);
}

}  // namespace
}  // namespace gos
