#pragma once
// Regularized (aging) evolution (Real, Aggarwal, Huang & Le 2019): a
// population filled by random samples, then each child is a mutation of the
// best of `sample_size` members drawn at random, and the OLDEST member dies,
// whatever its quality. Multi-objective aware: "best" is the first by
// constraint-domination rank, then crowding distance, both computed over the
// whole living population (crowding within a small sample would only pick its
// extremes); with one objective that is simply the smallest value.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "framework/strategy.h"
#include "plugins/strategies/operators/operators.h"

namespace gos {

struct RegularizedEvolutionConfig {
  int64_t population = 100;
  int64_t sample_size = 25;    // tournament size; at most `population`
  int64_t evaluations = 1000;  // total genomes, the random initial population included
  int64_t batch = 10;          // children per generation, all bred from the population before they are told
};

class RegularizedEvolution : public Strategy {
 public:
  // Throws gos::Error when sample_size exceeds population.
  explicit RegularizedEvolution(RegularizedEvolutionConfig config);
  void start(const StrategyContext& context, Rng rng) override;
  std::vector<GenomePtr> ask() override;
  void tell(std::span<const EvaluatedGenome> evaluated) override;

  // The living population, oldest first.
  const std::deque<EvaluatedGenome>& population() const { return population_; }

 private:
  size_t select_parent(const operators::Ranking& ranking);
  RegularizedEvolutionConfig config_;
  StrategyContext context_;
  std::optional<Rng> rng_;
  std::deque<EvaluatedGenome> population_;
  int64_t asked_ = 0;
};

}  // namespace gos
