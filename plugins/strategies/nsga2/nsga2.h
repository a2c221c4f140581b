#pragma once
// NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002): a population evolved by
// selection, crossover and mutation, with (mu + lambda) survival by
// constraint-domination rank and crowding distance. An accuracy-drop bound is
// an objective with `max` in the experiment and arrives here as a violation,
// so it acts as a constraint (feasible first), not as a penalty.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "framework/strategy.h"
#include "plugins/strategies/operators/operators.h"

namespace gos {

struct Nsga2Config {
  int64_t population = 100;
  int64_t generations = 250;  // batches of `population` genomes, the random initial one included
  // Genomes (space strings) placed in the initial population before the
  // random ones, as pymoo's `sampling` takes a matrix: known good designs or
  // the baselines a front must beat. At most `population`.
  std::vector<std::string> initial;
  operators::VariationConfig variation;
  operators::Selection selection = operators::Selection::kShuffledTournament;
};

class Nsga2 : public Strategy {
 public:
  // Throws gos::Error for a population below 2, no generations or more
  // initial genomes than the population; start() for a string the space
  // does not accept.
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
  std::vector<GenomePtr> initial_;  // generation 0, drawn in start()
  int64_t generation_ = 0;  // batches told so far
};

}  // namespace gos
