#pragma once
// NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002): a population evolved by
// selection, crossover and mutation, with (mu + lambda) survival by
// constraint-domination rank and crowding distance. An accuracy-drop bound is
// an objective with `max` in the experiment and arrives here as a violation,
// so it acts as a constraint (feasible first), not as a penalty.
#include <cstdint>
#include <optional>
#include <vector>

#include "framework/strategy.h"
#include "plugins/strategies/operators/operators.h"

namespace gos {

struct Nsga2Config {
  int64_t population = 100;
  int64_t generations = 250;  // batches of `population` genomes, the random initial one included
  operators::VariationConfig variation;
  operators::Selection selection = operators::Selection::kShuffledTournament;
};

class Nsga2 : public Strategy {
 public:
  // Throws gos::Error for a population below 2 or no generations.
  explicit Nsga2(Nsga2Config config);
  void start(const StrategyContext& context, Rng rng) override;
  std::vector<GenomePtr> ask() override;
  void tell(std::span<const EvaluatedGenome> evaluated) override;

  // The current parent population (the survivors of the last tell).
  const std::vector<EvaluatedGenome>& population() const { return population_; }

 private:
  Nsga2Config config_;
  StrategyContext context_;
  std::optional<Rng> rng_;
  std::vector<EvaluatedGenome> population_;
  int64_t generation_ = 0;  // batches told so far
};

}  // namespace gos
