#pragma once
// The differentiable one-shot bit-width search of QuanTOAStER (DARTS-style):
// a supernet of the mixed_precision space's model whose searched layers hold
// every width at once (MixedQuantizedOperator), architecture logits alpha
// (layers x widths) relaxed by a softmax or a Gumbel-softmax at a
// temperature that decays exponentially, and the loss
//   cross-entropy + penalty * E[BitOPs] / BitOPs(widest) + entropy * mean H(pi),
// with E[BitOPs] under softmax(alpha / T). Weights, LSQ steps and alpha
// train jointly on the same batches (first-order, one level). The result is
// the argmax width of each layer. See docs/MIXED-PRECISION.md.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "searchspaces/mixed_precision/mixed_precision_space.h"
#include "torchlib/datasets.h"

namespace gos::mixed_precision {

enum class Relaxation { kSoftmax, kGumbel };

struct SupernetConfig {
  int64_t steps = 200;
  int64_t batch_size = 32;
  double learning_rate = 0.01;       // weights and LSQ steps: SGD, momentum 0.9
  double arch_learning_rate = 0.05;  // alpha: Adam
  Relaxation relaxation = Relaxation::kSoftmax;
  double temperature_start = 1.0;
  double temperature_end = 1.0;
  double entropy = 0;  // weight of the mean per-layer entropy of pi (> 0 pushes pi to one-hot)
  double penalty = 0;  // lambda of the normalised expected BitOPs
  uint64_t seed = 0;
  bool progress = false;
};

// T0 * (T1 / T0)^(step / (steps - 1)): T0 at the first step, T1 at the last.
double temperature_at(const SupernetConfig& config, int64_t step);

struct SupernetOutcome {
  std::vector<int64_t> bits;                       // argmax width per searched layer
  std::vector<std::vector<double>> probabilities;  // softmax(alpha / T_end) per layer
  double expected_bitops = 0;                      // under those probabilities
  double last_loss = 0;                            // cross-entropy of the last batch
};

// Trains the supernet on `train` (normalised per channel) and returns its
// argmax genome. Throws gos::Error when the data does not fit the model.
SupernetOutcome search_bit_widths(const MixedPrecisionSpace& space, const ImageDataset& train,
                                  const SupernetConfig& config);

}  // namespace gos::mixed_precision
