#include "searchspaces/mixed_precision/mixed_precision_space.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "framework/error.h"
#include "framework/text.h"
#include "torchlib/quantization.h"

namespace gos::mixed_precision {
namespace {

// Moves one layer to another of the widths (QuanTOAStER's search changes one op at a time).
class BitMutator : public Mutator {
 public:
  GenomePtr mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const override {
    const auto& mp = static_cast<const MixedPrecisionSpace&>(space);
    std::vector<int64_t> bits = static_cast<const BitGenome&>(parent).bits;
    const auto& choices = mp.config().bits;
    if (choices.size() < 2 || bits.empty()) return std::make_shared<BitGenome>(std::move(bits));
    const size_t layer = rng.index(bits.size());
    std::vector<int64_t> others;
    for (int64_t width : choices)
      if (width != bits[layer]) others.push_back(width);
    bits[layer] = others[rng.index(others.size())];
    return std::make_shared<BitGenome>(std::move(bits));
  }
};

ZooOptions zoo_options(const MixedPrecisionConfig& config) {
  ZooOptions zoo;
  zoo.classes = config.classes;
  zoo.in_channels = config.in_channels;
  zoo.cifar_stem = config.cifar_stem;
  zoo.width = config.width;
  return zoo;
}

std::string widths_text(const std::vector<int64_t>& bits) { return fmt::format("{}", fmt::join(bits, ", ")); }

}  // namespace

MixedPrecisionSpace::MixedPrecisionSpace(MixedPrecisionConfig config)
    : config_(std::move(config)), mutator_(std::make_shared<BitMutator>()) {
  if (config_.bits.empty())
    throw Error(fmt::format("bits: the list of widths is empty; give one or more of {}", kValidBitsText));
  for (int64_t width : config_.bits)
    if (!valid_bits(width)) throw Error(fmt::format("bits: {} is not a valid width; valid: {}", width, kValidBitsText));
  std::vector<int64_t> unique = config_.bits;
  std::sort(unique.begin(), unique.end());
  if (std::adjacent_find(unique.begin(), unique.end()) != unique.end())
    throw Error(fmt::format("bits: [{}] names a width twice", widths_text(config_.bits)));
  if (!valid_bits(config_.fixed_bits))
    throw Error(fmt::format("fixed_bits: {} is not a valid width; valid: {}", config_.fixed_bits, kValidBitsText));
  if (!config_.baseline_checkpoint.empty() && !std::filesystem::exists(config_.baseline_checkpoint))
    throw Error(
        fmt::format("baseline_checkpoint: {} does not exist (train one with `gos train {} --checkpoint "
                    "FILE`, or leave the key out to start from the initialisation)",
                    config_.baseline_checkpoint, config_.model));

  auto model = baseline_model();
  int64_t total_parameters = 0;
  for (const auto& parameter : model->parameters()) total_parameters += parameter.numel();
  int64_t quantizable_parameters = 0;
  for (const QuantizableLayer& layer : quantizable_layers(*model)) {
    all_.push_back(LayerCost{layer.path, layer.macs, layer.weights, layer.other_parameters});
    quantizable_parameters += layer.weights + layer.other_parameters;
  }
  fixed_parameters_ = total_parameters - quantizable_parameters;

  std::vector<std::string> paths;
  for (const LayerCost& layer : all_) paths.push_back(layer.path);
  if (config_.layers.empty()) {
    searched_ = all_;
    for (size_t i = 0; i < all_.size(); ++i) searched_index_.push_back(i);
    return;
  }
  for (size_t i = 0; i < all_.size(); ++i)
    if (std::find(config_.layers.begin(), config_.layers.end(), all_[i].path) != config_.layers.end()) {
      searched_.push_back(all_[i]);
      searched_index_.push_back(i);
    }
  for (const std::string& name : config_.layers) {
    if (std::find(paths.begin(), paths.end(), name) != paths.end()) continue;
    throw Error(
        fmt::format("layers: '{}' is not a convolution or linear slot of {}{}; its {} quantizable slots "
                    "are {}",
                    name, config_.model, did_you_mean(name, paths), paths.size(), join(paths, ", ")));
  }
  if (searched_.size() != config_.layers.size())
    throw Error(fmt::format("layers: a slot is named twice in [{}]", join(config_.layers, ", ")));
}

std::shared_ptr<SlottedModel> MixedPrecisionSpace::baseline_model() const {
  torch::manual_seed(config_.seed);
  auto model = make_zoo_model(config_.model, zoo_options(config_));
  if (!config_.baseline_checkpoint.empty()) load_checkpoint(*model, config_.baseline_checkpoint);
  return model;
}

const BitGenome& MixedPrecisionSpace::cast(const Genome& genome) const {
  const auto* bits = dynamic_cast<const BitGenome*>(&genome);
  if (!bits) throw Error("mixed_precision: the genome is not a bit-width genome");
  return *bits;
}

GenomePtr MixedPrecisionSpace::make_genome(std::vector<int64_t> bits) const {
  if (bits.size() != searched_.size())
    throw Error(fmt::format("{} widths for the {} searched layers", bits.size(), searched_.size()));
  for (size_t i = 0; i < bits.size(); ++i)
    if (std::find(config_.bits.begin(), config_.bits.end(), bits[i]) == config_.bits.end())
      throw Error(fmt::format("layer '{}': width {} is not one of bits = [{}]", searched_[i].path, bits[i],
                              widths_text(config_.bits)));
  return std::make_shared<BitGenome>(std::move(bits));
}

GenomePtr MixedPrecisionSpace::sample(Rng& rng) const {
  std::vector<int64_t> bits(searched_.size());
  for (int64_t& width : bits) width = config_.bits[rng.index(config_.bits.size())];
  return std::make_shared<BitGenome>(std::move(bits));
}

std::pair<GenomePtr, GenomePtr> MixedPrecisionSpace::crossover(const Genome& a, const Genome& b, Rng& rng) const {
  std::vector<int64_t> first = cast(a).bits, second = cast(b).bits;
  for (size_t i = 0; i < first.size(); ++i)
    if (rng.bernoulli(0.5)) std::swap(first[i], second[i]);  // uniform crossover
  return {std::make_shared<BitGenome>(std::move(first)), std::make_shared<BitGenome>(std::move(second))};
}

std::vector<double> MixedPrecisionSpace::encode(const Genome& genome) const {
  const auto& bits = cast(genome).bits;
  return {bits.begin(), bits.end()};
}

std::string MixedPrecisionSpace::serialize(const Genome& genome) const {
  return fmt::format("{}", fmt::join(cast(genome).bits, "-"));
}

GenomePtr MixedPrecisionSpace::deserialize(std::string_view text) const {
  std::vector<int64_t> bits;
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = text.find('-', start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  for (std::string_view part : parts) {
    int64_t width = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), width);
    if (error != std::errc() || end != part.data() + part.size() || part.empty())
      throw Error(fmt::format("mixed_precision genome '{}': '{}' is not a bit width", text, part));
    bits.push_back(width);
  }
  try {
    return make_genome(std::move(bits));
  } catch (const Error& e) {
    throw Error(fmt::format("mixed_precision genome '{}': {}", text, e.what()));
  }
}

std::string MixedPrecisionSpace::describe() const {
  return fmt::format(
      "Per-layer bit widths of {} (width {}): {} of its {} convolution/linear layers each take one of [{}] bits "
      "for weights and input activations ({} genomes; the others {} bits). Metrics: bitops, model_bits.",
      config_.model, config_.width, searched_.size(), all_.size(), widths_text(config_.bits),
      fmt::format("{:.4g}", std::pow(double(config_.bits.size()), double(searched_.size()))), config_.fixed_bits);
}

std::vector<MetricKey> MixedPrecisionSpace::metrics() const {
  return {MetricKey{Metric::kBitOps, ""}, MetricKey{Metric::kModelBits, ""}};
}

std::vector<LayerBits> MixedPrecisionSpace::layer_bits(const Genome& genome) const {
  const auto& bits = cast(genome).bits;
  if (bits.size() != searched_.size())
    throw Error(fmt::format("{} widths for the {} searched layers", bits.size(), searched_.size()));
  std::vector<LayerBits> widths(all_.size(), LayerBits{config_.fixed_bits, config_.fixed_bits});
  for (size_t i = 0; i < bits.size(); ++i) widths[searched_index_[i]] = LayerBits{bits[i], bits[i]};
  return widths;
}

double MixedPrecisionSpace::query(const Genome& genome, const MetricKey& key) const {
  if (key == MetricKey{Metric::kBitOps, ""}) return bitops(all_, layer_bits(genome));
  if (key == MetricKey{Metric::kModelBits, ""}) return model_bits(all_, layer_bits(genome), fixed_parameters_);
  return SearchSpace::query(genome, key);
}

GenomeModel MixedPrecisionSpace::model(const Genome& genome) const {
  auto model = baseline_model();
  const std::vector<LayerBits> widths = layer_bits(genome);
  for (size_t i = 0; i < all_.size(); ++i)
    set_bit_widths(*model, all_[i].path, BitWidths{widths[i].weight, widths[i].activation});
  GenomeModel result;
  result.input = model->example_input();
  result.classes = config_.classes;
  result.module = model;
  return result;
}

}  // namespace gos::mixed_precision
