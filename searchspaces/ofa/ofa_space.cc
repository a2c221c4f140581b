#include "searchspaces/ofa/ofa_space.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::ofa {
namespace {

template <typename Choices>
bool is_choice(const Choices& choices, int value) {
  return std::find(choices.begin(), choices.end(), value) != choices.end();
}

template <typename Choices>
int random_choice(const Choices& choices, Rng& rng) {
  return choices[rng.index(choices.size())];
}

// A different value of `choices` than `current`.
template <typename Choices>
int other_choice(const Choices& choices, int current, Rng& rng) {
  std::vector<int> others;
  for (int c : choices)
    if (c != current) others.push_back(c);
  return others[rng.index(others.size())];
}

std::string shape(int size, int channels) { return fmt::format("{}x{}x{}", size, size, channels); }

// OFA's output size of a stride-s layer with "same" padding.
int strided(int size, int stride) { return (size - 1) / stride + 1; }

// Parameters and multiply-adds x 2 of a layer (batch 1; batch norm folded).
std::pair<double, double> params_and_flops(const LayerSpec& l) {
  const double out_pixels = double(l.out_size) * l.out_size;
  switch (l.type) {
    case LayerType::kStem: {
      const double weights = 9.0 * l.in_channels * l.out_channels;
      return {weights + l.out_channels, 2 * weights * out_pixels};
    }
    case LayerType::kFinalExpand:
    case LayerType::kFeatureMix: {
      const double weights = double(l.in_channels) * l.out_channels;
      return {weights + l.out_channels, 2 * weights * out_pixels};
    }
    case LayerType::kClassifier: {
      const double weights = double(l.in_channels) * l.out_channels;
      return {weights + l.out_channels, 2 * weights};
    }
    case LayerType::kPool:
      return {0, double(l.in_size) * l.in_size * l.in_channels};
    case LayerType::kBlock: {
      const double in_pixels = double(l.in_size) * l.in_size;
      double params = 0, flops = 0;
      if (l.mid_channels != l.in_channels) {
        params += double(l.in_channels) * l.mid_channels + l.mid_channels;
        flops += 2.0 * l.in_channels * l.mid_channels * in_pixels;
      }
      params += double(l.kernel) * l.kernel * l.mid_channels + l.mid_channels;
      flops += 2.0 * l.kernel * l.kernel * l.mid_channels * out_pixels;
      if (l.squeeze_excite) {
        const double se = se_channels(l.mid_channels);
        params += 2 * se * l.mid_channels + se + l.mid_channels;
        flops += 4 * se * l.mid_channels;
      }
      params += double(l.mid_channels) * l.out_channels + l.out_channels;
      flops += 2.0 * l.mid_channels * l.out_channels * out_pixels;
      return {params, flops};
    }
  }
  return {0, 0};
}

const char* kernel_type(LayerType type) {
  switch (type) {
    case LayerType::kStem:
      return "Conv";
    case LayerType::kBlock:
      return "expanded_conv";
    case LayerType::kFinalExpand:
      return "Conv_1";
    case LayerType::kPool:
      return "AvgPool2D";
    case LayerType::kFeatureMix:
      return "Conv_2";
    case LayerType::kClassifier:
      return "Logits";
  }
  return "";
}

constexpr LayerType kLayerTypes[] = {LayerType::kStem, LayerType::kBlock,      LayerType::kFinalExpand,
                                     LayerType::kPool, LayerType::kFeatureMix, LayerType::kClassifier};

std::vector<double> features(const LayerSpec& l) {
  return {double(l.in_size),        double(l.in_channels), double(l.out_size), double(l.out_channels),
          double(l.mid_channels),   double(l.kernel),      double(l.stride),   double(l.residual),
          double(l.squeeze_excite), double(l.hswish)};
}

// Reads `count` single digits after `prefix`, advancing `text`.
std::vector<int> read_digits(std::string_view& text, char prefix, size_t count, std::string_view genome) {
  if (text.size() < count + 1 || text.front() != prefix)
    throw Error(fmt::format("ofa_mbv3 genome '{}': expected '{}' followed by {} digits", genome, prefix, count));
  std::vector<int> digits;
  for (size_t i = 1; i <= count; ++i) {
    if (text[i] < '0' || text[i] > '9')
      throw Error(fmt::format("ofa_mbv3 genome '{}': expected {} digits after '{}'", genome, count, prefix));
    digits.push_back(text[i] - '0');
  }
  text.remove_prefix(count + 1);
  if (!text.empty()) {
    if (text.front() != '-')
      throw Error(fmt::format("ofa_mbv3 genome '{}': expected '-' after the {} digits of '{}'", genome, count, prefix));
    text.remove_prefix(1);
  }
  return digits;
}

}  // namespace

int se_channels(int mid) {
  const int value = mid / 4;
  int rounded = std::max(8, (value + 4) / 8 * 8);
  if (rounded < 0.9 * value) rounded += 8;
  return rounded;
}

std::string ofa_layer_key(const LayerSpec& l) {
  const std::string io = fmt::format(
      "input:{}-output:{}", shape(l.in_size, l.in_channels),
      l.type == LayerType::kClassifier ? std::to_string(l.out_channels) : shape(l.out_size, l.out_channels));
  if (l.type != LayerType::kBlock) return fmt::format("{}-{}", kernel_type(l.type), io);
  return fmt::format("expanded_conv-{}-expand:{}-kernel:{}-stride:{}-idskip:{}-se:{}-hs:{}", io, l.mid_channels,
                     l.kernel, l.stride, int(l.residual), int(l.squeeze_excite), int(l.hswish));
}

std::vector<double> ofa_one_hot(const OfaGenome& g) {
  std::vector<double> code(128, 0.0);
  for (int i = 0; i < kBlocks; ++i) {
    if (!g.active(i)) continue;
    const auto k = std::find(kKernelChoices.begin(), kKernelChoices.end(), g.kernel[size_t(i)]);
    const auto e = std::find(kExpandChoices.begin(), kExpandChoices.end(), g.expand[size_t(i)]);
    code[size_t(3 * i + (k - kKernelChoices.begin()))] = 1;
    code[size_t(60 + 3 * i + (e - kExpandChoices.begin()))] = 1;
  }
  const int slot = (g.resolution - 112) / 16;
  if (slot < 0 || slot >= 8)
    throw Error(fmt::format("ofa_mbv3: resolution {} has no slot in OFA's one-hot encoding (112..239)", g.resolution));
  code[size_t(120 + slot)] = 1;
  return code;
}

OfaSpace::OfaSpace(OfaConfig config) : config_(config), mutator_(std::make_shared<OfaMutator>()) {
  if (config_.resolution_step < 1 || config_.min_resolution < 32 || config_.min_resolution > config_.max_resolution)
    throw Error(
        fmt::format("ofa_mbv3: need 32 <= min_resolution <= max_resolution and resolution_step >= 1, got "
                    "{}..{} step {}",
                    config_.min_resolution, config_.max_resolution, config_.resolution_step));
  if (config_.batch < 1 || config_.classes < 1)
    throw Error(fmt::format("ofa_mbv3: batch and classes must be >= 1, got {} and {}", config_.batch, config_.classes));
  if (config_.encoding == Encoding::kOfaOneHot)
    for (int r : resolutions())
      if (r < 112 || r >= 240)
        throw Error(fmt::format("ofa_mbv3: resolution {} has no slot in OFA's one-hot encoding (112..239)", r));
}

std::vector<int> OfaSpace::resolutions() const {
  std::vector<int> result;
  for (int r = config_.min_resolution; r <= config_.max_resolution; r += config_.resolution_step) result.push_back(r);
  return result;
}

const OfaGenome& OfaSpace::cast(const Genome& genome) const {
  const auto* g = dynamic_cast<const OfaGenome*>(&genome);
  if (!g) throw Error("ofa_mbv3: the genome does not belong to this search space");
  return *g;
}

GenomePtr OfaSpace::sample(Rng& rng) const {
  auto g = std::make_shared<OfaGenome>();
  g->resolution = random_choice(resolutions(), rng);
  for (int& d : g->depth) d = random_choice(kDepthChoices, rng);
  for (int i = 0; i < kBlocks; ++i) {
    if (!g->active(i)) continue;
    g->kernel[size_t(i)] = random_choice(kKernelChoices, rng);
    g->expand[size_t(i)] = random_choice(kExpandChoices, rng);
  }
  return g;
}

std::pair<GenomePtr, GenomePtr> OfaSpace::crossover(const Genome& a, const Genome& b, Rng& rng) const {
  const OfaGenome* parents[2] = {&cast(a), &cast(b)};
  auto make_child = [&] {
    auto child = std::make_shared<OfaGenome>();
    child->resolution = parents[rng.index(2)]->resolution;
    for (size_t s = 0; s < kStages; ++s) child->depth[s] = parents[rng.index(2)]->depth[s];
    for (int i = 0; i < kBlocks; ++i) {
      if (!child->active(i)) continue;
      // The child's depth comes from a parent, so at least one parent has the slot.
      const bool both = parents[0]->active(i) && parents[1]->active(i);
      const OfaGenome* kernel_from = both ? parents[rng.index(2)] : parents[parents[0]->active(i) ? 0 : 1];
      const OfaGenome* expand_from = both ? parents[rng.index(2)] : kernel_from;
      child->kernel[size_t(i)] = kernel_from->kernel[size_t(i)];
      child->expand[size_t(i)] = expand_from->expand[size_t(i)];
    }
    return child;
  };
  GenomePtr first = make_child();
  return {first, make_child()};
}

std::vector<double> OfaSpace::encode(const Genome& genome) const {
  const OfaGenome& g = cast(genome);
  if (config_.encoding == Encoding::kOfaOneHot) return ofa_one_hot(g);
  std::vector<double> code{double(g.resolution)};
  for (int d : g.depth) code.push_back(d);
  for (int k : g.kernel) code.push_back(k);
  for (int e : g.expand) code.push_back(e);
  return code;
}

std::string OfaSpace::serialize(const Genome& genome) const {
  const OfaGenome& g = cast(genome);
  return fmt::format("r{}-d{}-k{}-e{}", g.resolution, fmt::join(g.depth, ""), fmt::join(g.kernel, ""),
                     fmt::join(g.expand, ""));
}

GenomePtr OfaSpace::deserialize(std::string_view text) const {
  std::string_view rest = text;
  if (rest.empty() || rest.front() != 'r')
    throw Error(fmt::format("ofa_mbv3 genome '{}': expected 'r' and the resolution first", text));
  const size_t dash = rest.find('-');
  const std::string number(rest.substr(1, dash == std::string_view::npos ? std::string_view::npos : dash - 1));
  auto g = std::make_shared<OfaGenome>();
  try {
    size_t used = 0;
    g->resolution = std::stoi(number, &used);
    if (used != number.size()) throw std::invalid_argument(number);
  } catch (const std::exception&) {
    throw Error(fmt::format("ofa_mbv3 genome '{}': resolution '{}' is not a number", text, number));
  }
  rest.remove_prefix(dash == std::string_view::npos ? rest.size() : dash + 1);
  const std::vector<int> depth = read_digits(rest, 'd', kStages, text);
  const std::vector<int> kernel = read_digits(rest, 'k', kBlocks, text);
  const std::vector<int> expand = read_digits(rest, 'e', kBlocks, text);
  if (!rest.empty()) throw Error(fmt::format("ofa_mbv3 genome '{}': unexpected text '{}' at the end", text, rest));
  const std::vector<int> valid = resolutions();
  if (!is_choice(valid, g->resolution))
    throw Error(fmt::format("ofa_mbv3 genome '{}': resolution {} is not one of {}..{} in steps of {}", text,
                            g->resolution, config_.min_resolution, config_.max_resolution, config_.resolution_step));
  for (size_t s = 0; s < kStages; ++s) {
    if (!is_choice(kDepthChoices, depth[s]))
      throw Error(fmt::format("ofa_mbv3 genome '{}': depth of stage {} is {}; valid: 2, 3, 4", text, s + 1, depth[s]));
    g->depth[s] = depth[s];
  }
  for (int i = 0; i < kBlocks; ++i) {
    const size_t b = size_t(i);
    const bool active = g->active(i);
    if (active ? !is_choice(kKernelChoices, kernel[b]) : kernel[b] != 0)
      throw Error(fmt::format("ofa_mbv3 genome '{}': kernel of block {} is {}; valid: {}", text, i + 1, kernel[b],
                              active ? "3, 5, 7" : "0 (the block is beyond its stage's depth)"));
    if (active ? !is_choice(kExpandChoices, expand[b]) : expand[b] != 0)
      throw Error(fmt::format("ofa_mbv3 genome '{}': expand ratio of block {} is {}; valid: {}", text, i + 1, expand[b],
                              active ? "3, 4, 6" : "0 (the block is beyond its stage's depth)"));
    g->kernel[b] = kernel[b];
    g->expand[b] = expand[b];
  }
  return g;
}

std::vector<std::string> OfaSpace::genome_columns() const {
  std::vector<std::string> names{"r"};
  for (int s = 1; s <= kStages; ++s) names.push_back(fmt::format("d{}", s));
  for (int i = 1; i <= kBlocks; ++i) names.push_back(fmt::format("ks{}", i));
  for (int i = 1; i <= kBlocks; ++i) names.push_back(fmt::format("e{}", i));
  return names;
}

GenomePtr OfaSpace::from_columns(const std::vector<double>& values) const {
  const std::vector<std::string> names = genome_columns();
  if (values.size() != names.size())
    throw Error(
        fmt::format("ofa_mbv3: a row needs {} genes ({}), got {}", names.size(), join(names, ","), values.size()));
  auto integer = [&](size_t column) {
    const double v = values[column];
    if (v != std::floor(v) || std::abs(v) > 1e6)
      throw Error(fmt::format("column {} ({}): {} is not an integer", names[column], column + 1, v));
    return static_cast<int>(v);
  };
  auto check = [&](size_t column, int value, bool ok, std::string_view valid) {
    if (!ok)
      throw Error(
          fmt::format("column {} ({}): {} is outside the space; valid: {}", names[column], column + 1, value, valid));
  };
  auto g = std::make_shared<OfaGenome>();
  g->resolution = integer(0);
  check(0, g->resolution, is_choice(resolutions(), g->resolution),
        fmt::format("{}..{} in steps of {}", config_.min_resolution, config_.max_resolution, config_.resolution_step));
  for (size_t s = 0; s < kStages; ++s) {
    g->depth[s] = integer(1 + s);
    check(1 + s, g->depth[s], is_choice(kDepthChoices, g->depth[s]), "2, 3, 4");
  }
  for (size_t b = 0; b < kBlocks; ++b) {
    const int kernel = integer(1 + kStages + b), expand = integer(1 + kStages + kBlocks + b);
    check(1 + kStages + b, kernel, is_choice(kKernelChoices, kernel), "3, 5, 7");
    check(1 + kStages + kBlocks + b, expand, is_choice(kExpandChoices, expand), "3, 4, 6");
    if (!g->active(int(b))) continue;
    g->kernel[b] = kernel;
    g->expand[b] = expand;
  }
  return g;
}

std::vector<LayerSpec> OfaSpace::layers(const OfaGenome& g) const {
  std::vector<LayerSpec> result;
  const int r = g.resolution;
  int size = strided(r, 2);
  result.push_back({LayerType::kStem, r, 3, size, kStemChannels, 0, 3, 2, false, false, true});
  result.push_back(
      {LayerType::kBlock, size, kStemChannels, size, kStemChannels, kStemChannels, 3, 1, true, false, false});
  int channels = kStemChannels;
  for (size_t s = 0; s < kStages; ++s) {
    for (int j = 0; j < g.depth[s]; ++j) {
      const size_t b = s * kMaxDepth + size_t(j);
      const int stride = j == 0 ? kStageStrides[s] : 1;
      const int out = kStageWidths[s];
      LayerSpec block{
          LayerType::kBlock,      size,        channels, strided(size, stride),          out,
          channels * g.expand[b], g.kernel[b], stride,   stride == 1 && channels == out, kStageSqueezeExcite[s],
          kStageHswish[s]};
      result.push_back(block);
      size = block.out_size;
      channels = out;
    }
  }
  result.push_back({LayerType::kFinalExpand, size, channels, size, kFinalExpandChannels, 0, 1, 1, false, false, true});
  result.push_back({LayerType::kPool, size, kFinalExpandChannels, 1, kFinalExpandChannels});
  result.push_back(
      {LayerType::kFeatureMix, 1, kFinalExpandChannels, 1, kFeatureMixChannels, 0, 1, 1, false, false, true});
  result.push_back({LayerType::kClassifier, 1, kFeatureMixChannels, 1, config_.classes});
  return result;
}

std::vector<Kernel> OfaSpace::kernels(const Genome& genome) const {
  const OfaGenome& g = cast(genome);
  const std::string suffix =
      (config_.batch > 1 ? fmt::format("-batch:{}", config_.batch) : std::string()) + fmt::format("@r{}", g.resolution);
  std::vector<Kernel> result;
  for (const LayerSpec& layer : layers(g)) {
    Kernel kernel;
    kernel.type = kernel_type(layer.type);
    kernel.key = ofa_layer_key(layer) + suffix;
    const auto [params, flops] = params_and_flops(layer);
    kernel.params = params;
    kernel.flops = flops * config_.batch;
    kernel.features = features(layer);
    result.push_back(std::move(kernel));
  }
  return result;
}

std::vector<MetricKey> OfaSpace::metrics() const {
  return {MetricKey{Metric::kParameters, ""}, MetricKey{Metric::kFlops, ""}};
}

double OfaSpace::query(const Genome& genome, const MetricKey& key) const {
  const auto offered = metrics();
  if (std::find(offered.begin(), offered.end(), key) == offered.end()) return SearchSpace::query(genome, key);
  double total = 0;
  for (const Kernel& kernel : kernels(genome)) total += key.metric == Metric::kFlops ? kernel.flops : kernel.params;
  return total;
}

std::unique_ptr<Workload> OfaSpace::workload(const Genome& genome) const {
  return make_layers_workload(layers(cast(genome)), config_.batch, config_.classes, serialize(genome));
}

GenomeModel OfaSpace::model(const Genome& genome) const {
  return make_layers_model(layers(cast(genome)), config_.classes, stable_hash(serialize(genome)));
}

std::unique_ptr<Workload> OfaSpace::kernel_workload(const Kernel& kernel) const {
  const auto& f = kernel.features;
  if (f.size() != std::size(kLayerFeatureNames))
    throw Error(fmt::format("ofa_mbv3: kernel '{}' has {} features, expected {}", kernel.key, f.size(),
                            std::size(kLayerFeatureNames)));
  for (LayerType type : kLayerTypes) {
    if (kernel.type != kernel_type(type)) continue;
    const LayerSpec layer{type,      int(f[0]), int(f[1]), int(f[2]), int(f[3]), int(f[4]),
                          int(f[5]), int(f[6]), f[7] != 0, f[8] != 0, f[9] != 0};
    return make_layers_workload({layer}, config_.batch, config_.classes, kernel.key);
  }
  throw Error(
      fmt::format("ofa_mbv3: unknown kernel type '{}' (key '{}'); valid: Conv, expanded_conv, Conv_1, "
                  "AvgPool2D, Conv_2, Logits",
                  kernel.type, kernel.key));
}

std::string OfaSpace::describe() const {
  return fmt::format(
      "ofa_mbv3: Once-for-All MobileNetV3 (width 1.2) sub-networks: resolution {}..{} step {}, depth 2/3/4 per "
      "stage (5 stages of widths 32/48/96/136/192), kernel 3/5/7 and expand ratio 3/4/6 per block (20 slots), "
      "batch {}, {} classes; encoding: {}. Metrics: parameters, flops. Kernels: OFA's lookup-table layers.",
      config_.min_resolution, config_.max_resolution, config_.resolution_step, config_.batch, config_.classes,
      config_.encoding == Encoding::kOfaOneHot ? "OFA 128-d one-hot" : "46 genes");
}

GenomePtr OfaMutator::mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const {
  const auto& ofa_space = dynamic_cast<const OfaSpace&>(space);
  auto child = std::make_shared<OfaGenome>(ofa_space.cast(parent));
  std::vector<int> active;
  for (int i = 0; i < kBlocks; ++i)
    if (child->active(i)) active.push_back(i);
  const std::vector<int> resolutions = ofa_space.resolutions();
  // Genes: the resolution (when it can change), 5 depths, 2 per active slot.
  const size_t resolution_genes = resolutions.size() > 1 ? 1 : 0;
  const size_t gene = rng.index(resolution_genes + kStages + 2 * active.size());
  if (gene < resolution_genes) {
    child->resolution = other_choice(resolutions, child->resolution, rng);
  } else if (gene < resolution_genes + kStages) {
    const size_t s = gene - resolution_genes;
    child->depth[s] = other_choice(kDepthChoices, child->depth[s], rng);
    for (int j = 0; j < kMaxDepth; ++j) {
      const size_t b = s * kMaxDepth + size_t(j);
      if (!child->active(int(b))) {
        child->kernel[b] = child->expand[b] = 0;
      } else if (child->kernel[b] == 0) {
        child->kernel[b] = random_choice(kKernelChoices, rng);
        child->expand[b] = random_choice(kExpandChoices, rng);
      }
    }
  } else {
    const size_t index = gene - resolution_genes - kStages;
    const size_t b = size_t(active[index / 2]);
    if (index % 2 == 0)
      child->kernel[b] = other_choice(kKernelChoices, child->kernel[b], rng);
    else
      child->expand[b] = other_choice(kExpandChoices, child->expand[b], rng);
  }
  return child;
}

}  // namespace gos::ofa
