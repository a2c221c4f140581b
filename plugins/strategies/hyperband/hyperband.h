#pragma once
// Hyperband (Li et al., JMLR 2018) and its inner loop, successive halving
// (Jamieson & Talwalkar 2016): sample many configurations, evaluate them at a
// small budget (few epochs), keep the best 1/eta, evaluate those at eta times
// the budget, and so on up to full fidelity. Hyperband runs several such
// brackets, from the most exploratory (many configurations, smallest budget)
// to plain random search at full fidelity, because which trade-off wins
// depends on how well low budgets rank configurations. ASHA is the
// asynchronous form of the same schedule; this is the synchronous one, one
// rung per generation, which keeps runs deterministic and resumable.
//
// The budget is the experiment's fidelity (framework/fidelity.h), asked for
// through Strategy::budgets(). Its maximum is always the objectives' full
// fidelity (their own key, e.g. `epochs`), so that full-fidelity evaluations
// are the ones that reach the Pareto front.
#include <cstdint>
#include <optional>
#include <vector>

#include "framework/search_space.h"
#include "framework/strategy.h"

namespace gos {

// One rung of a bracket: how many configurations at which budget.
struct Rung {
  int64_t configurations = 0;
  double budget = 0;
  bool operator==(const Rung&) const = default;
};

// One successive-halving run: s + 1 rungs, the first sampled, the others
// promoted from the one before.
struct Bracket {
  int64_t s = 0;
  std::vector<Rung> rungs;
  bool operator==(const Bracket&) const = default;
};

// The rung budgets from min_budget to max_budget by factors of eta:
// S = floor(log_eta(max / min)), b_i = max * eta^-(S - i) for i = 0..S, so
// the last is max and the first is >= min. `integral` rounds each to the
// nearest whole number. Throws gos::Error when rounding makes two equal.
std::vector<double> geometric_budgets(double min_budget, double max_budget, double eta, bool integral);

// Hyperband's brackets over ascending rung budgets b_0..b_S (S = s_max):
// for s = s_max down to 0, n = ceil((s_max + 1) / (s + 1) * eta^s)
// configurations start at b_{s_max - s}, and rung i of the bracket keeps
// floor(n * eta^-i) of them at b_{s_max - s + i}. (With budgets 1..81 and
// eta 3 this is the paper's table: 81/27/9/3/1, 34/11/3/1, 15/5/1, 8/2, 5.)
std::vector<Bracket> hyperband_brackets(const std::vector<double>& budgets, double eta);

// The cost of a schedule: the sum over rungs of configurations x budget
// (every evaluation trains from scratch: no warm starts).
double schedule_cost(const std::vector<Bracket>& brackets);

struct HyperbandConfig {
  double eta = 3;                      // reduction factor, > 1
  std::optional<double> min_budget{};  // default: the fidelity's minimum (its first level)
  std::vector<double> budgets{};       // explicit rung budgets, ascending, ending at full; empty: from min_budget
  int64_t brackets = 0;                // the k most exploratory brackets; 0: all (Hyperband), 1: successive halving
  int64_t iterations = 1;              // how often the whole schedule runs, each time on fresh samples
};

// The schedule a config gives for a fidelity: budgets (explicit, the
// fidelity's levels from min_budget on, or geometric) and brackets. Throws
// gos::Error naming the key that does not fit the fidelity.
std::vector<Bracket> hyperband_schedule(const HyperbandConfig& config, const Fidelity& fidelity);

class Hyperband : public Strategy {
 public:
  explicit Hyperband(HyperbandConfig config) : config_(std::move(config)) {}
  // Throws gos::Error without a fidelity, for more than one optimised
  // objective (rungs rank by one), or for a schedule that does not fit.
  void start(const StrategyContext& context, Rng rng) override;
  std::vector<GenomePtr> ask() override;
  void tell(std::span<const EvaluatedGenome> evaluated) override;
  std::vector<double> budgets() const override { return budgets_; }

  const std::vector<Bracket>& schedule() const { return schedule_; }

 private:
  void advance();
  HyperbandConfig config_;
  const SearchSpace* space_ = nullptr;
  std::optional<Rng> rng_;
  std::vector<Bracket> schedule_;
  int64_t iteration_ = 0;
  size_t bracket_ = 0, rung_ = 0;
  std::vector<GenomePtr> rung_genomes_;  // the genomes the current rung evaluates
  std::vector<double> budgets_;          // of the last ask()
};

}  // namespace gos
