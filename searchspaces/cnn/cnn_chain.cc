#include "searchspaces/cnn/cnn_chain.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::cnn {
namespace {

constexpr Activation kActivations[] = {Activation::kNone, Activation::kRelu, Activation::kHswish};

int output_size(int in_size, int kernel, int stride) { return (in_size + 2 * (kernel / 2) - kernel) / stride + 1; }

double conv_flops(const ConvShape& s) {
  return 2.0 * s.kernel * s.kernel * s.in_channels * s.out_channels * s.out_size * s.out_size;
}
double conv_params(const ConvShape& s) {
  return static_cast<double>(s.kernel) * s.kernel * s.in_channels * s.out_channels + s.out_channels;
}

const std::string& conv_type(Activation activation) {
  static const std::string types[] = {"conv2d+none", "conv2d+relu", "conv2d+hswish"};
  return types[static_cast<int>(activation)];
}

template <typename T>
bool contains(const std::vector<T>& items, const T& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string list(const std::vector<int>& items) {
  std::vector<std::string> parts;
  for (int item : items) parts.push_back(std::to_string(item));
  return "{" + join(parts, ", ") + "}";
}

// Reads the decimal number after `prefix` at the front of `text`, advancing it.
int read_number(std::string_view& text, char prefix, std::string_view layer) {
  if (text.empty() || text.front() != prefix)
    throw Error(fmt::format("cnn_chain layer '{}': expected '{}' followed by a number", layer, prefix));
  text.remove_prefix(1);
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data())
    throw Error(fmt::format("cnn_chain layer '{}': expected a number after '{}'", layer, prefix));
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return value;
}

// Text and decimal integers appended to a fixed buffer, turned into one
// string at the end: no format parsing and a single allocation. The buffer
// holds any key: under 50 literal characters and at most 10 integers of at
// most 11 characters each.
class KeyWriter {
 public:
  KeyWriter& operator<<(std::string_view text) {
    std::memcpy(end_, text.data(), text.size());
    end_ += text.size();
    return *this;
  }
  KeyWriter& operator<<(int value) {
    end_ = std::to_chars(end_, buffer_ + sizeof(buffer_), value).ptr;
    return *this;
  }
  std::string str() const { return std::string(buffer_, static_cast<size_t>(end_ - buffer_)); }

 private:
  char buffer_[256];
  char* end_ = buffer_;
};

}  // namespace

std::string conv_kernel_key(const ConvShape& s, int batch) {
  KeyWriter key;
  key << conv_type(s.activation) << "-in:" << s.in_size << "x" << s.in_size << "x" << s.in_channels << "-out:"
      << s.out_size << "x" << s.out_size << "x" << s.out_channels << "-k:" << s.kernel << "-s:" << s.stride
      << "-b:" << batch;
  return key.str();
}

std::string conv_kernel_key_reference(const ConvShape& s, int batch) {
  return fmt::format(fmt::runtime("{}-in:{}x{}x{}-out:{}x{}x{}-k:{}-s:{}-b:{}"), conv_type(s.activation), s.in_size,
                     s.in_size, s.in_channels, s.out_size, s.out_size, s.out_channels, s.kernel, s.stride, batch);
}

std::string head_kernel_key(int size, int channels, int classes, int batch) {
  KeyWriter key;
  key << "head-in:" << size << "x" << size << "x" << channels << "-classes:" << classes << "-b:" << batch;
  return key.str();
}

std::string head_kernel_key_reference(int size, int channels, int classes, int batch) {
  return fmt::format(fmt::runtime("head-in:{}x{}x{}-classes:{}-b:{}"), size, size, channels, classes, batch);
}

const char* to_string(Activation activation) {
  switch (activation) {
    case Activation::kNone: return "none";
    case Activation::kRelu: return "relu";
    case Activation::kHswish: return "hswish";
  }
  return "none";
}

CnnChainSpace::CnnChainSpace(CnnChainConfig config)
    : config_(std::move(config)), mutator_(std::make_shared<CnnChainMutator>()) {
  if (config_.min_layers < 1 || config_.min_layers > config_.max_layers)
    throw Error(fmt::format("cnn_chain: need 1 <= min_layers <= max_layers, got min_layers = {}, max_layers = {}",
                            config_.min_layers, config_.max_layers));
  if (config_.kernels.empty() || config_.channels.empty() || config_.strides.empty())
    throw Error("cnn_chain: kernels, channels and strides each need at least one value");
  if (!contains(config_.strides, 1)) throw Error("cnn_chain: strides must include 1 (small feature maps need it)");
  for (int k : config_.kernels)
    if (k % 2 == 0) throw Error(fmt::format("cnn_chain: kernel size {} is even; sizes must be odd", k));
}

const CnnChain& CnnChainSpace::cast(const Genome& genome) const {
  const auto* chain = dynamic_cast<const CnnChain*>(&genome);
  if (!chain) throw Error("cnn_chain: the genome does not belong to this search space");
  return *chain;
}

ConvLayer CnnChainSpace::repaired(ConvLayer layer, int in_size) const {
  if (in_size <= 1) layer.stride = 1;
  return layer;
}

ConvLayer CnnChainSpace::random_layer(Rng& rng, int in_size) const {
  ConvLayer layer;
  layer.kernel = config_.kernels[rng.index(config_.kernels.size())];
  layer.channels = config_.channels[rng.index(config_.channels.size())];
  layer.stride = config_.strides[rng.index(config_.strides.size())];
  layer.activation = kActivations[rng.index(std::size(kActivations))];
  return repaired(layer, in_size);
}

GenomePtr CnnChainSpace::sample(Rng& rng) const {
  const int count = static_cast<int>(rng.uniform_int(config_.min_layers, config_.max_layers));
  std::vector<ConvLayer> layers;
  int size = config_.resolution;
  for (int i = 0; i < count; ++i) {
    layers.push_back(random_layer(rng, size));
    size = output_size(size, layers.back().kernel, layers.back().stride);
  }
  return std::make_shared<CnnChain>(std::move(layers));
}

std::vector<ConvShape> CnnChainSpace::shapes(const CnnChain& chain) const {
  std::vector<ConvShape> result;
  int channels = config_.input_channels;
  int size = config_.resolution;
  for (const ConvLayer& layer : chain.layers) {
    ConvShape shape{channels, size, layer.channels, output_size(size, layer.kernel, layer.stride),
                    layer.kernel, layer.stride, layer.activation};
    result.push_back(shape);
    channels = shape.out_channels;
    size = shape.out_size;
  }
  return result;
}

std::vector<double> CnnChainSpace::encode(const Genome& genome) const {
  const CnnChain& chain = cast(genome);
  // Layer count, then four numbers per layer slot, zero for absent layers.
  std::vector<double> code(1 + 4 * static_cast<size_t>(config_.max_layers), 0.0);
  code[0] = static_cast<double>(chain.layers.size());
  for (size_t i = 0; i < chain.layers.size(); ++i) {
    const ConvLayer& layer = chain.layers[i];
    code[1 + 4 * i] = layer.kernel;
    code[2 + 4 * i] = layer.channels;
    code[3 + 4 * i] = layer.stride;
    code[4 + 4 * i] = static_cast<double>(layer.activation);
  }
  return code;
}

std::string CnnChainSpace::serialize(const Genome& genome) const {
  std::vector<std::string> parts;
  for (const ConvLayer& l : cast(genome).layers)
    parts.push_back(fmt::format("k{}c{}s{}{}", l.kernel, l.channels, l.stride, to_string(l.activation)));
  return join(parts, "-");
}

GenomePtr CnnChainSpace::deserialize(std::string_view text) const {
  std::vector<ConvLayer> layers;
  int size = config_.resolution;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('-', start), text.size());
    const std::string_view layer_text = text.substr(start, end - start);
    std::string_view rest = layer_text;
    ConvLayer layer;
    layer.kernel = read_number(rest, 'k', layer_text);
    layer.channels = read_number(rest, 'c', layer_text);
    layer.stride = read_number(rest, 's', layer_text);
    const auto activation = std::find_if(std::begin(kActivations), std::end(kActivations),
                                         [&](Activation a) { return rest == to_string(a); });
    if (activation == std::end(kActivations))
      throw Error(fmt::format("cnn_chain layer '{}': unknown activation '{}'; valid: none, relu, hswish", layer_text,
                              rest));
    layer.activation = *activation;
    if (!contains(config_.kernels, layer.kernel))
      throw Error(fmt::format("cnn_chain layer '{}': kernel {} is not one of {}", layer_text, layer.kernel,
                              list(config_.kernels)));
    if (!contains(config_.channels, layer.channels))
      throw Error(fmt::format("cnn_chain layer '{}': channels {} is not one of {}", layer_text, layer.channels,
                              list(config_.channels)));
    if (!contains(config_.strides, layer.stride) || repaired(layer, size).stride != layer.stride)
      throw Error(fmt::format("cnn_chain layer '{}': stride {} is not valid at input size {} (strides {})",
                              layer_text, layer.stride, size, list(config_.strides)));
    layers.push_back(layer);
    size = output_size(size, layer.kernel, layer.stride);
    start = end + 1;
  }
  const int count = static_cast<int>(layers.size());
  if (count < config_.min_layers || count > config_.max_layers)
    throw Error(fmt::format("cnn_chain genome '{}' has {} layers; valid: {} to {}", text, count, config_.min_layers,
                            config_.max_layers));
  return std::make_shared<CnnChain>(std::move(layers));
}

std::string CnnChainSpace::describe() const {
  return fmt::format(
      "cnn_chain: a chain of {}..{} convolutions (kernel {}, channels {}, stride {}, activation none/relu/hswish) "
      "on a {}x{}x{} input at batch {}, then global average pooling and a {}-class linear layer. Metrics: "
      "parameters, flops. Kernels: one per convolution plus the head.",
      config_.min_layers, config_.max_layers, list(config_.kernels), list(config_.channels), list(config_.strides),
      config_.input_channels, config_.resolution, config_.resolution, config_.batch, config_.classes);
}

std::vector<MetricKey> CnnChainSpace::metrics() const {
  return {MetricKey{Metric::kParameters, ""}, MetricKey{Metric::kFlops, ""}};
}

double CnnChainSpace::query(const Genome& genome, const MetricKey& key) const {
  const auto offered = metrics();
  if (std::find(offered.begin(), offered.end(), key) == offered.end()) return SearchSpace::query(genome, key);
  double total = 0;
  for (const Kernel& kernel : kernels(genome)) total += key.metric == Metric::kFlops ? kernel.flops : kernel.params;
  return total;
}

std::vector<Kernel> CnnChainSpace::kernels(const Genome& genome) const {
  const std::vector<ConvShape> conv_shapes = shapes(cast(genome));
  std::vector<Kernel> result;
  result.reserve(conv_shapes.size() + 1);
  for (const ConvShape& s : conv_shapes) {
    Kernel kernel;
    kernel.type = conv_type(s.activation);
    kernel.key = conv_kernel_key(s, config_.batch);
    kernel.flops = conv_flops(s) * config_.batch;
    kernel.params = conv_params(s);
    kernel.features = {double(s.in_channels), double(s.in_size), double(s.out_channels),
                       double(s.out_size),    double(s.kernel),  double(s.stride)};
    result.push_back(std::move(kernel));
  }
  const int channels = conv_shapes.empty() ? config_.input_channels : conv_shapes.back().out_channels;
  const int size = conv_shapes.empty() ? config_.resolution : conv_shapes.back().out_size;
  Kernel head;
  head.type = kHeadKernel;
  head.key = head_kernel_key(size, channels, config_.classes, config_.batch);
  head.flops = (static_cast<double>(size) * size * channels + 2.0 * channels * config_.classes) * config_.batch;
  head.params = static_cast<double>(channels) * config_.classes + config_.classes;
  head.features = {double(channels), double(size), double(config_.classes), 1, 1, 1};
  result.push_back(std::move(head));
  return result;
}

std::unique_ptr<Workload> CnnChainSpace::workload(const Genome& genome) const {
  return make_chain_workload(config_, shapes(cast(genome)), serialize(genome));
}

GenomeModel CnnChainSpace::model(const Genome& genome) const {
  return make_chain_model(config_, shapes(cast(genome)), stable_hash(serialize(genome)));
}

std::unique_ptr<Workload> CnnChainSpace::kernel_workload(const Kernel& kernel) const {
  const auto& f = kernel.features;
  if (f.size() != std::size(kConvFeatureNames))
    throw Error(fmt::format("cnn_chain: kernel '{}' has {} features, expected {}", kernel.key, f.size(),
                            std::size(kConvFeatureNames)));
  if (kernel.type == kHeadKernel)
    return make_head_workload(int(f[0]), int(f[1]), int(f[2]), config_.batch, kernel.key);
  for (Activation activation : kActivations) {
    if (kernel.type != conv_type(activation)) continue;
    const ConvShape shape{int(f[0]), int(f[1]), int(f[2]), int(f[3]), int(f[4]), int(f[5]), activation};
    return make_conv_workload(shape, config_.batch, kernel.key);
  }
  throw Error(fmt::format("cnn_chain: unknown kernel type '{}' (key '{}'); valid: conv2d+none, conv2d+relu, "
                          "conv2d+hswish, head",
                          kernel.type, kernel.key));
}

GenomePtr CnnChainMutator::mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const {
  const auto& chain_space = dynamic_cast<const CnnChainSpace&>(space);
  const CnnChainConfig& config = chain_space.config();
  std::vector<ConvLayer> layers = chain_space.cast(parent).layers;
  const int count = static_cast<int>(layers.size());
  const double choice = rng.uniform01();
  if (choice < 0.15 && count < config.max_layers) {
    layers.insert(layers.begin() + static_cast<std::ptrdiff_t>(rng.index(layers.size() + 1)), ConvLayer{});
  } else if (choice < 0.3 && count > config.min_layers) {
    layers.erase(layers.begin() + static_cast<std::ptrdiff_t>(rng.index(layers.size())));
  } else {
    ConvLayer& layer = layers[rng.index(layers.size())];
    const ConvLayer fresh = chain_space.random_layer(rng, config.resolution);
    switch (rng.uniform_int(0, 3)) {
      case 0: layer.kernel = fresh.kernel; break;
      case 1: layer.channels = fresh.channels; break;
      case 2: layer.stride = fresh.stride; break;
      default: layer.activation = fresh.activation; break;
    }
  }
  // An inserted default layer or a changed stride may not fit the sizes after
  // it; repair strides along the chain so the child is valid.
  int size = config.resolution;
  for (ConvLayer& layer : layers) {
    if (!std::count(config.kernels.begin(), config.kernels.end(), layer.kernel)) layer.kernel = config.kernels[0];
    if (!std::count(config.channels.begin(), config.channels.end(), layer.channels)) layer.channels = config.channels[0];
    layer = chain_space.repaired(layer, size);
    size = output_size(size, layer.kernel, layer.stride);
  }
  return std::make_shared<CnnChain>(std::move(layers));
}

}  // namespace gos::cnn
