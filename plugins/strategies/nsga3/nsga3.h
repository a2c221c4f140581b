#pragma once
// NSGA-III (Deb & Jain 2014; constraint handling of Jain & Deb 2014): NSGA-II's
// (mu + lambda) loop with the last front cut by niching around Das-Dennis
// reference directions (survival.h) instead of crowding distance, for four
// or more objectives. Parents are chosen by binary tournament on
// feasibility (the smaller violation wins; between feasible parents the pick
// is random), as in Jain & Deb and pymoo.
#include <cstdint>
#include <optional>
#include <vector>

#include "framework/strategy.h"
#include "plugins/strategies/operators/operators.h"

namespace gos {

struct Nsga3Config {
  int64_t population = 100;
  int64_t generations = 250;  // batches of `population` genomes, the random initial one included
  int64_t divisions = 0;      // Das-Dennis divisions p; 0: the largest whose directions fit the population
  operators::VariationConfig variation;
};

class Nsga3 : public Strategy {
 public:
  // Throws gos::Error for a population below 2 or no generations.
  explicit Nsga3(Nsga3Config config);
  // Builds the reference directions for the context's number of objectives.
  void start(const StrategyContext& context, Rng rng) override;
  std::vector<GenomePtr> ask() override;
  void tell(std::span<const EvaluatedGenome> evaluated) override;

  const std::vector<EvaluatedGenome>& population() const { return population_; }
  // Row-major, context.num_objectives per direction.
  const std::vector<double>& directions() const { return directions_; }

 private:
  Nsga3Config config_;
  StrategyContext context_;
  std::optional<Rng> rng_;
  std::vector<double> directions_;
  std::vector<EvaluatedGenome> population_;
  int64_t generation_ = 0;  // batches told so far
};

}  // namespace gos
