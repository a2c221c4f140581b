#pragma once
// Random search: samples the space uniformly, a batch at a time. The baseline
// every other strategy must beat (Li & Talwalkar 2019).
#include <cstdint>
#include <optional>

#include "framework/search_space.h"
#include "framework/strategy.h"

namespace gos {

struct RandomSearchConfig {
  int64_t evaluations = 1000;  // total genomes to sample
  int64_t batch = 100;         // genomes per generation (one results flush each)
};

class RandomSearch : public Strategy {
 public:
  explicit RandomSearch(RandomSearchConfig config) : config_(config) {}
  void start(const StrategyContext& context, Rng rng) override;
  std::vector<GenomePtr> ask() override;
  void tell(std::span<const EvaluatedGenome>) override {}

 private:
  RandomSearchConfig config_;
  const SearchSpace* space_ = nullptr;
  std::optional<Rng> rng_;
  int64_t asked_ = 0;
};

}  // namespace gos
