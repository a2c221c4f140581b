#pragma once
// The hyper-parameters of a multi-layer perceptron as a search space: hidden
// width, hidden depth and Adam learning rate, each one of a listed set of
// values. What a strategy tunes when the objective is a trained model's
// error (the latency predictor's validation RMSE, experiments/ofa/); the
// training length is not a gene but the objective's fidelity (epochs), so that
// multi-fidelity strategies can spend it.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/search_space.h"

namespace gos {

struct MlpHparamsConfig {
  std::vector<int64_t> widths{16, 32, 64, 128, 256};
  std::vector<int64_t> depths{1, 2, 3, 4};
  std::vector<double> learning_rates{1e-3, 3e-3, 1e-2, 3e-2, 1e-1};
};

// One choice per dimension, as indices into the config's lists.
struct MlpHparams : Genome {
  explicit MlpHparams(std::array<size_t, 3> choice) : index(choice) {}
  std::array<size_t, 3> index;  // width, depth, learning rate
};

// The values a genome stands for.
struct MlpSettings {
  int64_t width = 0;
  int64_t depth = 0;
  double learning_rate = 0;
  std::vector<int64_t> hidden() const { return std::vector<int64_t>(static_cast<size_t>(depth), width); }
};

class MlpHparamsSpace : public SearchSpace {
 public:
  // Throws gos::Error "widths: ..." for an empty list, a repeated value or a
  // value that is not positive.
  explicit MlpHparamsSpace(MlpHparamsConfig config);

  GenomePtr sample(Rng& rng) const override;
  std::shared_ptr<const Mutator> default_mutator() const override { return mutator_; }
  bool supports_crossover() const override { return true; }
  std::pair<GenomePtr, GenomePtr> crossover(const Genome& a, const Genome& b, Rng& rng) const override;
  // log2 width, depth, log10 learning rate.
  std::vector<double> encode(const Genome& genome) const override;
  // "width=64,depth=2,learning_rate=0.003".
  std::string serialize(const Genome& genome) const override;
  GenomePtr deserialize(std::string_view text) const override;
  std::string describe() const override;

  // Throws gos::Error when the genome is not one of this space's.
  MlpSettings settings(const Genome& genome) const;
  size_t size() const;  // number of configurations
  const MlpHparamsConfig& config() const { return config_; }

 private:
  const MlpHparams& cast(const Genome& genome) const;
  size_t choices(size_t dimension) const;
  MlpHparamsConfig config_;
  std::shared_ptr<const Mutator> mutator_;
};

}  // namespace gos
