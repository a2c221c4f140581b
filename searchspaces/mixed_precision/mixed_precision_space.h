#pragma once
// `mixed_precision`: per-layer bit widths of a zoo model (QuanTOAStER's
// arch.bits). A genome is one width per searched convolution or linear
// layer, drawn from the configured list (e.g. {8, 4, 2}, or {32, 4} to mix
// full precision with 4 bits); the layer's weights and input activations
// both take it. Canonical string: the widths joined by '-', in execution
// order ("8-4-4-2-...-8"). Metrics: BitOPs and model size in bits (no model
// is run); model(genome) is the full-precision baseline with LSQ quantizers
// at the genome's widths, ready for a quantization-aware fine-tune
// (the finetune_accuracy objective). See docs/MIXED-PRECISION.md.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/search_space.h"
#include "searchspaces/mixed_precision/bit_costs.h"

namespace gos {
class SlottedModel;
}

namespace gos::mixed_precision {

struct BitGenome : Genome {
  explicit BitGenome(std::vector<int64_t> b) : bits(std::move(b)) {}
  std::vector<int64_t> bits;  // one per searched layer
};

struct MixedPrecisionConfig {
  std::string model = "resnet18";  // a zoo model (torchlib/zoo.h)
  double width = 0.25;
  int64_t classes = 10;
  int64_t in_channels = 3;
  bool cifar_stem = true;
  std::vector<int64_t> bits{8, 4, 2};  // choices, each in 1..8, 16, 32
  // Slot paths of the searched layers; empty = every convolution and linear slot.
  std::vector<std::string> layers;
  // Width of the quantizable layers that are not searched.
  int64_t fixed_bits = 32;
  // Full-precision weights every genome starts from; empty = the model's
  // initialisation seeded by `seed` (for tests; accuracy is then meaningless).
  std::string baseline_checkpoint;
  uint64_t seed = 0;
};

class MixedPrecisionSpace : public SearchSpace {
 public:
  // Builds the model once to read its layers. Throws gos::Error naming the
  // key ("bits", "layers", "fixed_bits", "model", "baseline_checkpoint") and
  // what is valid.
  explicit MixedPrecisionSpace(MixedPrecisionConfig config);

  GenomePtr sample(Rng& rng) const override;
  std::shared_ptr<const Mutator> default_mutator() const override { return mutator_; }
  bool supports_crossover() const override { return true; }
  std::pair<GenomePtr, GenomePtr> crossover(const Genome& a, const Genome& b, Rng& rng) const override;
  std::vector<double> encode(const Genome& genome) const override;
  std::string serialize(const Genome& genome) const override;
  GenomePtr deserialize(std::string_view text) const override;
  std::string describe() const override;
  std::vector<MetricKey> metrics() const override;
  double query(const Genome& genome, const MetricKey& key) const override;
  GenomeModel model(const Genome& genome) const override;

  const MixedPrecisionConfig& config() const { return config_; }
  // The searched layers in execution order, and every quantizable layer.
  const std::vector<LayerCost>& searched_layers() const { return searched_; }
  const std::vector<LayerCost>& all_layers() const { return all_; }
  // A genome of these widths; throws gos::Error for a wrong count or a width not in `bits`.
  GenomePtr make_genome(std::vector<int64_t> bits) const;
  // The widths of every quantizable layer (searched ones from the genome, the others fixed_bits).
  std::vector<LayerBits> layer_bits(const Genome& genome) const;
  // The zoo model with the baseline weights, full precision everywhere.
  std::shared_ptr<SlottedModel> baseline_model() const;

 private:
  const BitGenome& cast(const Genome& genome) const;
  MixedPrecisionConfig config_;
  std::vector<LayerCost> all_;
  std::vector<LayerCost> searched_;
  std::vector<size_t> searched_index_;  // position of each searched layer in all_
  int64_t fixed_parameters_ = 0;        // parameters outside the quantizable layers (batch norm)
  std::shared_ptr<const Mutator> mutator_;
};

}  // namespace gos::mixed_precision
