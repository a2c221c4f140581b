#pragma once
// Any per-layer additive latency model (a lookup table, the kernel MLP
// predictor) compiled for ofa_mbv3: a layer's kernel depends only on the
// resolution and, for a block, on its stage, whether it opens the stage, its
// kernel size and its expand ratio. So a sub-network's latency is a fixed
// per-resolution part (stem, first block, final layers) plus one table entry
// per active block: 15..22 additions, no key strings. This is what makes a
// learned predictor answer millions of sub-networks a second.
#include <array>
#include <functional>
#include <vector>

#include "searchspaces/ofa/ofa_space.h"

namespace gos::ofa {

class OfaAdditiveLatency {
 public:
  // Evaluates `kernel_ms` once for every distinct kernel of the space, and
  // adds `overhead_ms` to every sub-network.
  OfaAdditiveLatency(const OfaSpace& space, const std::function<double(const Kernel&)>& kernel_ms,
                     double overhead_ms = 0);
  // Throws gos::Error for a resolution outside the space.
  double predict_ms(const OfaGenome& genome) const;

 private:
  // [stage][opens the stage][kernel index][expand index]
  using BlockTable = std::array<double, kStages * 2 * 3 * 3>;
  static size_t block_slot(size_t stage, bool first, int kernel, int expand);
  int min_resolution_ = 0, step_ = 1;
  std::vector<double> fixed_ms_;
  std::vector<BlockTable> block_ms_;
};

}  // namespace gos::ofa
