#pragma once
// `cnn_chain`: a small test CNN search space for latency work. A genome is a
// chain of 1..max_layers convolutions (kernel size, output channels, stride,
// activation) on a fixed input, followed by global average pooling and a
// linear classifier. Canonical string: layers joined by '-', each
// "k<kernel>c<channels>s<stride><activation>", e.g. "k3c16s1relu-k5c32s2hswish".
#include <memory>
#include <string>
#include <vector>

#include "framework/search_space.h"

namespace gos::cnn {

enum class Activation { kNone = 0, kRelu = 1, kHswish = 2 };
const char* to_string(Activation activation);

struct ConvLayer {
  int kernel = 3;
  int channels = 16;
  int stride = 1;
  Activation activation = Activation::kRelu;
  bool operator==(const ConvLayer&) const = default;
};

struct CnnChain : Genome {
  explicit CnnChain(std::vector<ConvLayer> l) : layers(std::move(l)) {}
  std::vector<ConvLayer> layers;
};

struct CnnChainConfig {
  int input_channels = 3;
  int resolution = 32;
  int batch = 1;
  int classes = 10;
  int min_layers = 2;
  int max_layers = 6;
  std::vector<int> kernels{1, 3, 5};
  std::vector<int> channels{8, 16, 24, 32, 48, 64};
  std::vector<int> strides{1, 2};
};

// Shapes of one convolution as it runs inside a chain.
struct ConvShape {
  int in_channels = 0;
  int in_size = 0;  // square input: height = width
  int out_channels = 0;
  int out_size = 0;
  int kernel = 0;
  int stride = 1;
  Activation activation = Activation::kNone;
};

// Kernel types this space emits; `conv2d+<activation>` and `head`.
inline constexpr const char* kHeadKernel = "head";

// The lookup-table keys of a convolution and of the head
// ("conv2d+relu-in:32x32x3-out:32x32x16-k:3-s:1-b:1", "head-in:8x8x64-classes:10-b:1").
// kernels() runs once per lookup-table query and writes them with
// std::to_chars into one buffer; fmt::format (parsing the format at run time,
// growing the string) was most of a query's time. The *_reference versions
// use fmt::format: the plain implementation the fast ones are tested against.
std::string conv_kernel_key(const ConvShape& s, int batch);
std::string conv_kernel_key_reference(const ConvShape& s, int batch);
std::string head_kernel_key(int size, int channels, int classes, int batch);
std::string head_kernel_key_reference(int size, int channels, int classes, int batch);

class CnnChainSpace : public SearchSpace {
 public:
  // Throws gos::Error for an inconsistent configuration.
  explicit CnnChainSpace(CnnChainConfig config);

  GenomePtr sample(Rng& rng) const override;
  std::shared_ptr<const Mutator> default_mutator() const override { return mutator_; }
  std::vector<double> encode(const Genome& genome) const override;
  std::string serialize(const Genome& genome) const override;
  GenomePtr deserialize(std::string_view text) const override;
  std::string describe() const override;
  std::vector<MetricKey> metrics() const override;
  double query(const Genome& genome, const MetricKey& key) const override;
  std::vector<Kernel> kernels(const Genome& genome) const override;
  std::unique_ptr<Workload> workload(const Genome& genome) const override;
  std::unique_ptr<Workload> kernel_workload(const Kernel& kernel) const override;
  // The chain with its classifier head, weights seeded by the genome's
  // canonical string, at batch 1 (for zero-cost proxies and training).
  GenomeModel model(const Genome& genome) const override;

  const CnnChainConfig& config() const { return config_; }
  // The shapes every convolution of the chain runs at, in order.
  std::vector<ConvShape> shapes(const CnnChain& chain) const;
  const CnnChain& cast(const Genome& genome) const;
  // A copy of `layer` with a stride the chain can take at this input size
  // (stride 1 once the feature map is 1x1 pixel).
  ConvLayer repaired(ConvLayer layer, int in_size) const;
  ConvLayer random_layer(Rng& rng, int in_size) const;

 private:
  CnnChainConfig config_;
  std::shared_ptr<const Mutator> mutator_;
};

// Changes one attribute of one layer, or adds or removes a layer.
class CnnChainMutator : public Mutator {
 public:
  GenomePtr mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const override;
};

// Features of a convolution kernel, in this order (the per-kernel layout
// that learned latency predictors see).
inline constexpr const char* kConvFeatureNames[] = {"in_channels", "in_size", "out_channels", "out_size",
                                                    "kernel",      "stride"};
// Builds the runnable model of a chain or of one convolution (cnn_model.cc, LibTorch).
std::unique_ptr<Workload> make_chain_workload(const CnnChainConfig& config, const std::vector<ConvShape>& shapes,
                                              std::string key);
GenomeModel make_chain_model(const CnnChainConfig& config, const std::vector<ConvShape>& shapes, uint64_t seed);
std::unique_ptr<Workload> make_conv_workload(const ConvShape& shape, int batch, std::string key);
std::unique_ptr<Workload> make_head_workload(int channels, int size, int classes, int batch, std::string key);

}  // namespace gos::cnn
