#pragma once
// Runs a strategy in-process on a test problem, the ask/tell loop of the
// runner without the results file, so strategy tests can afford tens of
// thousands of evaluations. Used by the strategy tests only.
#include <functional>
#include <limits>
#include <vector>

#include "framework/strategy.h"
#include "searchspaces/testproblems/test_problems.h"

namespace gos::testing {

struct DriverResult {
  std::vector<EvaluatedGenome> evaluated;  // every evaluation, in order
  size_t batches = 0;
};

// `violation` maps the objective values to a constraint violation (0 when
// feasible); `fails` says which evaluations fail (they are told with +inf
// objectives and violation, as the runner does).
inline DriverResult drive(Strategy& strategy, const testproblems::TestProblemSpace& space, Rng rng,
                          std::function<double(const std::vector<double>&)> violation = nullptr,
                          std::function<bool(size_t)> fails = nullptr) {
  const size_t objectives = space.config().objectives;
  strategy.start(StrategyContext{&space, space.default_mutator(), objectives}, rng);
  DriverResult result;
  for (auto batch = strategy.ask(); !batch.empty(); batch = strategy.ask()) {
    std::vector<EvaluatedGenome> told;
    for (GenomePtr& genome : batch) {
      EvaluatedGenome item{genome, {}, 0, false};
      if (fails && fails(result.evaluated.size() + told.size())) {
        item.objectives.assign(objectives, std::numeric_limits<double>::infinity());
        item.violation = std::numeric_limits<double>::infinity();
        item.failed = true;
      } else {
        const auto& x = dynamic_cast<const testproblems::RealVector&>(*genome).values;
        item.objectives = testproblems::evaluate(space.config().problem, x, objectives);
        item.violation = violation ? violation(item.objectives) : 0;
      }
      told.push_back(std::move(item));
    }
    strategy.tell(told);
    result.evaluated.insert(result.evaluated.end(), told.begin(), told.end());
    ++result.batches;
  }
  return result;
}

}  // namespace gos::testing
