#pragma once
// `ofa_mbv3`: the Once-for-All MobileNetV3 elastic space at width 1.2, the
// space of OFA's released latency tables and of NAS_PerformanceEstimation's
// data sets. A genome is an input resolution, a depth (2..4) for each of 5
// stages and a kernel size (3/5/7) and expand ratio (3/4/6) for each of the
// 20 block slots (4 per stage); slots beyond a stage's depth are skipped.
//
// Fixed skeleton (checked against the keys of OFA's Note10 table): a 3x3
// stride-2 stem to 24 channels (h-swish), one 24->24 depthwise block, stages
// of widths 32/48/96/136/192 with strides 2/2/2/1/2, squeeze-excite in stages
// 2, 4, 5, h-swish in stages 3..5, then 1x1 192->1152, global pooling, a 1x1
// 1152->1536 "mix" layer and a 1536->classes classifier. Mid channels of a
// block = in_channels x expand ratio (all multiples of 8 here).
//
// Canonical string: "r<resolution>-d<5 depth digits>-k<20 kernel digits>-
// e<20 expand digits>", skipped slots written as 0, e.g.
// "r208-d24233-k77003357...-e63004...". Skipped slots hold 0 in the genome
// too: two genomes that build the same network are equal.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "framework/search_space.h"
#include "framework/tabular_space.h"

namespace gos::ofa {

inline constexpr int kStages = 5;
inline constexpr int kMaxDepth = 4;
inline constexpr int kBlocks = kStages * kMaxDepth;
inline constexpr int kStemChannels = 24;
inline constexpr std::array<int, kStages> kStageWidths{32, 48, 96, 136, 192};
inline constexpr std::array<int, kStages> kStageStrides{2, 2, 2, 1, 2};
inline constexpr std::array<bool, kStages> kStageSqueezeExcite{false, true, false, true, true};
inline constexpr std::array<bool, kStages> kStageHswish{false, false, true, true, true};
inline constexpr int kFinalExpandChannels = 1152;
inline constexpr int kFeatureMixChannels = 1536;
inline constexpr std::array<int, 3> kDepthChoices{2, 3, 4};
inline constexpr std::array<int, 3> kKernelChoices{3, 5, 7};
inline constexpr std::array<int, 3> kExpandChoices{3, 4, 6};

struct OfaGenome : Genome {
  int resolution = 224;
  std::array<int, kStages> depth{};
  std::array<int, kBlocks> kernel{};  // 0 in skipped slots
  std::array<int, kBlocks> expand{};  // 0 in skipped slots
  bool operator==(const OfaGenome& other) const {
    return resolution == other.resolution && depth == other.depth && kernel == other.kernel && expand == other.expand;
  }
  bool active(int block) const { return block % kMaxDepth < depth[static_cast<size_t>(block / kMaxDepth)]; }
};

// What encode() returns: GOS's 46 genes (r, d1..d5, k1..k20, e1..e20, skipped
// slots 0), or OFA's 128-d one-hot vector (ofa_one_hot()).
enum class Encoding { kGenes, kOfaOneHot };

struct OfaConfig {
  int min_resolution = 160;
  int max_resolution = 224;
  int resolution_step = 4;
  int batch = 1;
  int classes = 1000;
  Encoding encoding = Encoding::kGenes;
};

// The layers of a sub-network in execution order, as OFA's latency tables
// name them. Each is one kernel of a lookup table.
enum class LayerType { kStem, kBlock, kFinalExpand, kPool, kFeatureMix, kClassifier };

struct LayerSpec {
  LayerType type = LayerType::kStem;
  int in_size = 0;  // square feature maps: height = width
  int in_channels = 0;
  int out_size = 0;
  int out_channels = 0;
  // Blocks only: depthwise channels (no 1x1 expansion when equal to
  // in_channels: the first block), kernel, stride, residual, SE, h-swish.
  int mid_channels = 0;
  int kernel = 0;
  int stride = 1;
  bool residual = false;
  bool squeeze_excite = false;
  bool hswish = false;
};

// OFA's table key of a layer ("expanded_conv-input:56x56x32-output:28x28x48-
// expand:192-kernel:5-stride:2-idskip:0-se:1-hs:0", "Conv_1-input:7x7x192-
// output:7x7x1152"), without batch or resolution.
std::string ofa_layer_key(const LayerSpec& layer);
// Kernel-row features of a layer, named by kLayerFeatureNames.
inline constexpr const char* kLayerFeatureNames[] = {"in_size",        "in_channels", "out_size", "out_channels",
                                                     "mid_channels",   "kernel",      "stride",   "residual",
                                                     "squeeze_excite", "hswish"};
// NAS_PerformanceEstimation's 128-d encoding (latency_encoding.py): one-hot
// kernel (60) and expand ratio (60) per slot, zero in skipped slots, then an
// 8-slot resolution one-hot at index (r - 112) / 16. Their data sets use
// resolutions 160, 176, 192, 208 and 224, one slot each; other resolutions of
// OFA's range share a slot with the one below (160..172 all encode as 160).
std::vector<double> ofa_one_hot(const OfaGenome& genome);
// Squeeze-excite bottleneck channels of a block with `mid` channels (OFA's
// SEModule: mid / 4 rounded to a multiple of 8).
int se_channels(int mid);

class OfaSpace : public SearchSpace, public TabularGenomes {
 public:
  // Throws gos::Error for an inconsistent configuration.
  explicit OfaSpace(OfaConfig config);

  GenomePtr sample(Rng& rng) const override;
  std::shared_ptr<const Mutator> default_mutator() const override { return mutator_; }
  bool supports_crossover() const override { return true; }
  // Uniform crossover of OFA's evolution finder: resolution and each depth
  // from either parent; each active slot's kernel and expand ratio from a
  // parent in which the slot is active.
  std::pair<GenomePtr, GenomePtr> crossover(const Genome& a, const Genome& b, Rng& rng) const override;
  std::vector<double> encode(const Genome& genome) const override;
  std::string serialize(const Genome& genome) const override;
  GenomePtr deserialize(std::string_view text) const override;
  std::string describe() const override;
  std::vector<MetricKey> metrics() const override;
  double query(const Genome& genome, const MetricKey& key) const override;
  // One kernel per layer in OFA's order; key = ofa_layer_key, "-batch:N" when
  // batch > 1, and "@r<resolution>": OFA keeps one table per input
  // resolution, and a layer's latency differs between them.
  std::vector<Kernel> kernels(const Genome& genome) const override;
  std::unique_ptr<Workload> workload(const Genome& genome) const override;
  std::unique_ptr<Workload> kernel_workload(const Kernel& kernel) const override;
  GenomeModel model(const Genome& genome) const override;

  // The 46 CSV columns of NAS_PerformanceEstimation's data sets: r, d1..d5,
  // ks1..ks20, e1..e20.
  std::vector<std::string> genome_columns() const override;
  // The genome of one CSV row. Skipped slots must still hold valid values
  // (OFA samples them) and are then cleared. Throws gos::Error naming the
  // column and the valid values.
  GenomePtr from_columns(const std::vector<double>& values) const override;

  const OfaConfig& config() const { return config_; }
  std::vector<int> resolutions() const;
  const OfaGenome& cast(const Genome& genome) const;
  std::vector<LayerSpec> layers(const OfaGenome& genome) const;

 private:
  OfaConfig config_;
  std::shared_ptr<const Mutator> mutator_;
};

// Changes one gene: the resolution, one depth (newly active slots get random
// kernel and expand ratio, dropped ones are cleared), or one active slot's
// kernel or expand ratio, always to a different value.
class OfaMutator : public Mutator {
 public:
  GenomePtr mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const override;
};

// Runnable and trainable models of a layer list (ofa_network.cc, LibTorch).
// Batch norm is left out: deployed inference folds it into the convolutions.
std::unique_ptr<Workload> make_layers_workload(const std::vector<LayerSpec>& layers, int batch, int classes,
                                               std::string key);
GenomeModel make_layers_model(const std::vector<LayerSpec>& layers, int classes, uint64_t seed);

}  // namespace gos::ofa
