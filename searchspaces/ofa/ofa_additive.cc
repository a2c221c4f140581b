#include "searchspaces/ofa/ofa_additive.h"

#include <fmt/format.h>

#include <algorithm>

#include "framework/error.h"

namespace gos::ofa {
namespace {

size_t choice_index(const std::array<int, 3>& choices, int value) {
  return static_cast<size_t>(std::find(choices.begin(), choices.end(), value) - choices.begin());
}

}  // namespace

size_t OfaAdditiveLatency::block_slot(size_t stage, bool first, int kernel, int expand) {
  return ((stage * 2 + (first ? 1 : 0)) * 3 + choice_index(kKernelChoices, kernel)) * 3 +
         choice_index(kExpandChoices, expand);
}

OfaAdditiveLatency::OfaAdditiveLatency(const OfaSpace& space, const std::function<double(const Kernel&)>& kernel_ms,
                                       double overhead_ms)
    : min_resolution_(space.config().min_resolution), step_(space.config().resolution_step) {
  for (int resolution : space.resolutions()) {
    BlockTable blocks{};
    double fixed = overhead_ms;
    // A full-depth genome with every slot at (k, e) holds each stage's first
    // block and a following one; nine of them cover every block kernel.
    for (int k : kKernelChoices) {
      for (int e : kExpandChoices) {
        OfaGenome genome;
        genome.resolution = resolution;
        genome.depth.fill(kMaxDepth);
        genome.kernel.fill(k);
        genome.expand.fill(e);
        const std::vector<Kernel> kernels = space.kernels(genome);
        for (size_t s = 0; s < kStages; ++s)
          for (size_t j = 0; j < 2; ++j)
            blocks[block_slot(s, j == 0, k, e)] = kernel_ms(kernels[2 + s * kMaxDepth + j]);
        if (k == kKernelChoices[0] && e == kExpandChoices[0]) {
          // Stem and first block, then final expand, pool, mix and classifier.
          for (size_t i :
               {size_t(0), size_t(1), kernels.size() - 4, kernels.size() - 3, kernels.size() - 2, kernels.size() - 1})
            fixed += kernel_ms(kernels[i]);
        }
      }
    }
    fixed_ms_.push_back(fixed);
    block_ms_.push_back(blocks);
  }
}

double OfaAdditiveLatency::predict_ms(const OfaGenome& g) const {
  const int offset = g.resolution - min_resolution_;
  const auto r = static_cast<size_t>(offset / step_);
  if (offset < 0 || offset % step_ != 0 || r >= fixed_ms_.size())
    throw Error(fmt::format("ofa_mbv3: resolution {} is outside the compiled latency table", g.resolution));
  const BlockTable& blocks = block_ms_[r];
  double total = fixed_ms_[r];
  for (size_t s = 0; s < kStages; ++s)
    for (int j = 0; j < g.depth[s]; ++j) {
      const size_t b = s * kMaxDepth + static_cast<size_t>(j);
      total += blocks[block_slot(s, j == 0, g.kernel[b], g.expand[b])];
    }
  return total;
}

}  // namespace gos::ofa
