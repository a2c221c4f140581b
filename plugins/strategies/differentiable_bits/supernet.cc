#include "plugins/strategies/differentiable_bits/supernet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "framework/error.h"
#include "framework/progress.h"
#include "framework/rng.h"
#include "torchlib/quantization.h"

namespace gos::mixed_precision {
namespace {

// Batches of normalised images drawn with replacement-free shuffles per epoch.
class Batches {
 public:
  Batches(const ImageDataset& data, int64_t batch_size, uint64_t seed)
      : data_(data), batch_size_(batch_size), rng_(Rng(seed).fork("supernet batches")) {
    if (data.size() == 0) throw Error("the supernet has no training images");
    images_ = torch::from_blob(const_cast<uint8_t*>(data.pixels.data()),
                               {int64_t(data.size()), data.channels, data.height, data.width}, torch::kUInt8)
                  .to(torch::kFloat32)
                  .div_(255);
    mean_ = images_.mean({0, 2, 3}, true);
    std_ = images_.std({0, 2, 3}, true, true).clamp_min(1e-6);
    labels_ = torch::from_blob(const_cast<uint8_t*>(data.labels.data()), {int64_t(data.size())}, torch::kUInt8)
                  .to(torch::kInt64);
  }
  std::pair<torch::Tensor, torch::Tensor> next() {
    if (position_ + size_t(batch_size_) > order_.size()) {
      order_.resize(data_.size());
      for (size_t i = 0; i < order_.size(); ++i) order_[i] = int64_t(i);
      for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.index(i)]);
      position_ = 0;
    }
    const size_t count = std::min(size_t(batch_size_), order_.size());
    const torch::Tensor index = torch::tensor(
        std::vector<int64_t>(order_.begin() + int64_t(position_), order_.begin() + int64_t(position_ + count)));
    position_ += count;
    return {(images_.index_select(0, index) - mean_) / std_, labels_.index_select(0, index)};
  }

 private:
  const ImageDataset& data_;
  int64_t batch_size_;
  Rng rng_;
  torch::Tensor images_, mean_, std_, labels_;
  std::vector<int64_t> order_;
  size_t position_ = 0;
};

}  // namespace

double temperature_at(const SupernetConfig& config, int64_t step) {
  if (config.steps <= 1) return config.temperature_start;
  const double fraction = double(step) / double(config.steps - 1);
  return config.temperature_start * std::pow(config.temperature_end / config.temperature_start, fraction);
}

SupernetOutcome search_bit_widths(const MixedPrecisionSpace& space, const ImageDataset& train,
                                  const SupernetConfig& config) {
  torch::manual_seed(config.seed);
  const MixedPrecisionConfig& mp = space.config();
  auto model = space.baseline_model();
  // Layers outside the search keep their fixed width; the searched ones hold every width.
  std::vector<std::shared_ptr<MixedQuantizedOperator>> mixed;
  for (const LayerCost& layer : space.all_layers()) {
    const bool searched = std::any_of(space.searched_layers().begin(), space.searched_layers().end(),
                                      [&](const LayerCost& s) { return s.path == layer.path; });
    if (!searched) {
      set_bit_widths(*model, layer.path, BitWidths{mp.fixed_bits, mp.fixed_bits});
      continue;
    }
    auto op = std::dynamic_pointer_cast<WeightedOperator>(model->slot(layer.path).module().shared_from_this());
    auto supernet_op = std::make_shared<MixedQuantizedOperator>(op, mp.bits);
    model->replace(layer.path, supernet_op);
    mixed.push_back(supernet_op);
  }
  const auto layers = int64_t(mixed.size());
  const auto widths = int64_t(mp.bits.size());
  torch::Tensor alpha = torch::zeros({layers, widths}, torch::requires_grad());

  // E[BitOPs] = constant of the fixed layers + sum_l macs_l sum_k pi_lk b_k^2, normalised by the widest model.
  std::vector<double> squares;
  for (int64_t bits : mp.bits) squares.push_back(double(bits * bits));
  std::vector<double> macs;
  for (const LayerCost& layer : space.searched_layers()) macs.push_back(layer.macs);
  const torch::Tensor cost = torch::tensor(macs, torch::kFloat64).unsqueeze(1) *
                             torch::tensor(squares, torch::kFloat64).unsqueeze(0);  // layers x widths
  const auto widest = std::max_element(mp.bits.begin(), mp.bits.end());
  const double all_bitops =
      bitops(space.all_layers(), space.layer_bits(*space.make_genome(std::vector<int64_t>(size_t(layers), *widest))));
  const double fixed_bitops = all_bitops - cost.select(1, widest - mp.bits.begin()).sum().item<double>();

  torch::optim::SGD weights(model->parameters(), torch::optim::SGDOptions(config.learning_rate).momentum(0.9));
  torch::optim::Adam architecture(std::vector<torch::Tensor>{alpha},
                                  torch::optim::AdamOptions(config.arch_learning_rate));
  Batches batches(train, config.batch_size, config.seed);
  ProgressLine progress;
  model->train();
  SupernetOutcome outcome;
  for (int64_t step = 0; step < config.steps; ++step) {
    const double temperature = temperature_at(config, step);
    const torch::Tensor expected_pi = torch::softmax(alpha / temperature, 1);
    const torch::Tensor pi = config.relaxation == Relaxation::kGumbel
                                 ? torch::nn::functional::gumbel_softmax(
                                       alpha, torch::nn::functional::GumbelSoftmaxFuncOptions().tau(temperature).dim(1))
                                 : expected_pi;
    for (int64_t l = 0; l < layers; ++l) mixed[size_t(l)]->set_mixture(pi[l]);
    auto [images, labels] = batches.next();
    const torch::Tensor cross_entropy = torch::nn::functional::cross_entropy(model->forward(images), labels);
    const torch::Tensor expected_bitops = (expected_pi.to(torch::kFloat64) * cost).sum() + fixed_bitops;
    const torch::Tensor entropy = -(expected_pi * torch::log(expected_pi.clamp_min(1e-12))).sum(1).mean();
    const torch::Tensor loss =
        cross_entropy + config.penalty * (expected_bitops / all_bitops).to(torch::kFloat32) + config.entropy * entropy;
    weights.zero_grad();
    architecture.zero_grad();
    loss.backward();
    weights.step();
    architecture.step();
    outcome.last_loss = cross_entropy.item<double>();
    if (config.progress && (step % 10 == 0 || step + 1 == config.steps))
      progress.step(fmt::format("supernet step {}/{}: loss {:.4f}, E[BitOPs] {:.4g} G, T {:.3g}", step + 1,
                                config.steps, outcome.last_loss, expected_bitops.item<double>() / 1e9, temperature));
  }
  progress.finish();
  torch::NoGradGuard no_grad;
  const torch::Tensor final_pi = torch::softmax(alpha / temperature_at(config, config.steps - 1), 1);
  const torch::Tensor best = alpha.argmax(1);
  for (int64_t l = 0; l < layers; ++l) {
    outcome.bits.push_back(mp.bits[size_t(best[l].item<int64_t>())]);
    std::vector<double> row;
    for (int64_t k = 0; k < widths; ++k) row.push_back(final_pi[l][k].item<double>());
    outcome.probabilities.push_back(std::move(row));
  }
  outcome.expected_bitops = (final_pi.to(torch::kFloat64) * cost).sum().item<double>() + fixed_bitops;
  return outcome;
}

}  // namespace gos::mixed_precision
