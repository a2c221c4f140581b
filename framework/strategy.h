#pragma once
// A search strategy in ask/tell form. The runner asks for a batch (one
// generation), evaluates it, and tells the results back. A strategy is
// deterministic given its rng and the results it is told: that is what lets
// `gos run --resume` replay a killed run exactly.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "framework/component.h"
#include "framework/fidelity.h"
#include "framework/genome.h"
#include "framework/mutator.h"
#include "framework/rng.h"

namespace gos {

class SearchSpace;

// A genome with its evaluation, as strategies see it: every optimised
// objective in minimisation form, and the total constraint violation.
struct EvaluatedGenome {
  GenomePtr genome;
  std::vector<double> objectives;  // +inf for failed evaluations
  double violation = 0;            // 0 = feasible; +inf for failed evaluations
  bool failed = false;
};

struct StrategyContext {
  const SearchSpace* space = nullptr;
  std::shared_ptr<const Mutator> mutator;  // the experiment's mutator or the space's default
  size_t num_objectives = 0;               // optimised objectives
  // The budget the experiment's objectives honour (framework/fidelity.h),
  // when one of them declares it; what Strategy::budgets() must fit.
  std::optional<Fidelity> fidelity{};
};

class Strategy : public Component {
 public:
  // Called once before the first ask(). Throws gos::Error if the strategy
  // cannot work with this context (e.g. needs crossover the space lacks).
  virtual void start(const StrategyContext& context, Rng rng) = 0;
  // The next batch of genomes to evaluate; empty when the strategy is done.
  virtual std::vector<GenomePtr> ask() = 0;
  // The evaluations of the last batch, in the order asked.
  virtual void tell(std::span<const EvaluatedGenome> evaluated) = 0;
  // Multi-fidelity strategies: the budget of each genome of the last ask(),
  // in order, in the unit of StrategyContext::fidelity. Empty (the default):
  // every genome at full fidelity.
  virtual std::vector<double> budgets() const { return {}; }
};

}  // namespace gos
