#include "plugins/strategies/hyperband/hyperband.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "framework/error.h"

namespace gos {
namespace {

// Floating-point slack for floor/ceil of products that are whole numbers in
// exact arithmetic ((5/3) * 9 is 15.000000000000002 in doubles).
constexpr double kSlack = 1e-9;

}  // namespace

std::vector<double> geometric_budgets(double min_budget, double max_budget, double eta, bool integral) {
  if (!(eta > 1)) throw Error(fmt::format("eta = {}: must be greater than 1", eta));
  if (!(min_budget > 0) || !(min_budget <= max_budget))
    throw Error(
        fmt::format("min_budget = {}: must be positive and at most the full budget {}", min_budget, max_budget));
  const auto s_max = static_cast<int64_t>(std::floor(std::log(max_budget / min_budget) / std::log(eta) + kSlack));
  std::vector<double> budgets;
  for (int64_t i = 0; i <= s_max; ++i) {
    double budget = i == s_max ? max_budget : max_budget * std::pow(eta, static_cast<double>(i - s_max));
    if (integral) budget = std::round(budget);
    if (!budgets.empty() && budget <= budgets.back())
      throw Error(
          fmt::format("rung budgets {} and {} are equal once rounded to whole numbers; use a larger "
                      "min_budget or eta",
                      budgets.back(), budget));
    budgets.push_back(budget);
  }
  return budgets;
}

std::vector<Bracket> hyperband_brackets(const std::vector<double>& budgets, double eta) {
  if (budgets.empty()) throw Error("hyperband needs at least one rung budget");
  const auto s_max = static_cast<int64_t>(budgets.size()) - 1;
  std::vector<Bracket> brackets;
  for (int64_t s = s_max; s >= 0; --s) {
    const double start =
        static_cast<double>(s_max + 1) / static_cast<double>(s + 1) * std::pow(eta, static_cast<double>(s));
    const auto n = static_cast<int64_t>(std::ceil(start - kSlack));
    Bracket bracket{s, {}};
    for (int64_t i = 0; i <= s; ++i) {
      const auto kept =
          static_cast<int64_t>(std::floor(static_cast<double>(n) * std::pow(eta, -static_cast<double>(i)) + kSlack));
      bracket.rungs.push_back({std::max<int64_t>(kept, 1), budgets[static_cast<size_t>(s_max - s + i)]});
    }
    brackets.push_back(std::move(bracket));
  }
  return brackets;
}

double schedule_cost(const std::vector<Bracket>& brackets) {
  double cost = 0;
  for (const Bracket& bracket : brackets)
    for (const Rung& rung : bracket.rungs) cost += static_cast<double>(rung.configurations) * rung.budget;
  return cost;
}

std::vector<Bracket> hyperband_schedule(const HyperbandConfig& config, const Fidelity& fidelity) {
  std::vector<double> budgets;
  if (!config.budgets.empty()) {
    if (config.min_budget)
      throw Error("[strategy] give either budgets or min_budget: explicit budgets start where they start");
    budgets = config.budgets;
    for (size_t i = 0; i < budgets.size(); ++i) {
      if (!fidelity.honours(budgets[i]))
        throw Error(fmt::format("[strategy] budgets: {} is not a budget the objectives honour ({})", budgets[i],
                                fidelity.describe()));
      if (i && budgets[i] <= budgets[i - 1]) throw Error("[strategy] budgets: must be strictly ascending");
    }
    if (budgets.back() != fidelity.full)
      throw Error(fmt::format("[strategy] budgets: the last must be the objectives' full fidelity {} {}", fidelity.full,
                              fidelity.key));
  } else if (!fidelity.levels.empty()) {
    const double min_budget = config.min_budget.value_or(fidelity.levels.front());
    for (double level : fidelity.levels)
      if (level >= min_budget) budgets.push_back(level);
    if (budgets.empty() || budgets.back() != fidelity.full)
      throw Error(
          fmt::format("[strategy] min_budget = {}: above the full fidelity ({})", min_budget, fidelity.describe()));
  } else {
    const double min_budget = config.min_budget.value_or(fidelity.min);
    if (min_budget < fidelity.min || min_budget > fidelity.full)
      throw Error(fmt::format("[strategy] min_budget = {}: outside what the objectives honour ({})", min_budget,
                              fidelity.describe()));
    try {
      budgets = geometric_budgets(min_budget, fidelity.full, config.eta, fidelity.integral);
    } catch (const Error& e) {
      throw Error(fmt::format("[strategy] {}", e.what()));
    }
    if (!fidelity.honours(budgets.front()))
      throw Error(
          fmt::format("[strategy] min_budget = {}: the first rung budget {} is not one the objectives "
                      "honour ({})",
                      min_budget, budgets.front(), fidelity.describe()));
  }
  std::vector<Bracket> brackets = hyperband_brackets(budgets, config.eta);
  if (config.brackets > static_cast<int64_t>(brackets.size()))
    throw Error(fmt::format("[strategy] brackets = {}: these budgets ({} rungs) give at most {} brackets",
                            config.brackets, budgets.size(), brackets.size()));
  if (config.brackets > 0) brackets.resize(static_cast<size_t>(config.brackets));
  return brackets;
}

void Hyperband::start(const StrategyContext& context, Rng rng) {
  if (!context.fidelity)
    throw Error(
        "hyperband needs an objective that declares a fidelity (a budget such as training epochs it can be "
        "evaluated at); none of this experiment's objectives does");
  if (context.num_objectives != 1)
    throw Error(
        fmt::format("hyperband ranks each rung by one objective, but this experiment optimises {}; make the "
                    "others constraints (optimize = false with max or min)",
                    context.num_objectives));
  space_ = context.space;
  rng_.emplace(rng);
  schedule_ = hyperband_schedule(config_, *context.fidelity);
  iteration_ = 0;
  bracket_ = rung_ = 0;
  rung_genomes_.clear();
  budgets_.clear();
}

std::vector<GenomePtr> Hyperband::ask() {
  budgets_.clear();
  if (iteration_ >= config_.iterations) return {};
  const Rung& rung = schedule_[bracket_].rungs[rung_];
  if (rung_ == 0)
    for (int64_t i = 0; i < rung.configurations; ++i) rung_genomes_.push_back(space_->sample(*rng_));
  budgets_.assign(rung_genomes_.size(), rung.budget);
  return rung_genomes_;
}

void Hyperband::tell(std::span<const EvaluatedGenome> evaluated) {
  const Bracket& bracket = schedule_[bracket_];
  std::vector<GenomePtr> promoted;
  if (rung_ + 1 < bracket.rungs.size()) {
    // Feasible before infeasible, then by the objective; ties keep the asked
    // order. Failed evaluations are never promoted.
    std::vector<size_t> order(evaluated.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (evaluated[a].violation != evaluated[b].violation) return evaluated[a].violation < evaluated[b].violation;
      return evaluated[a].objectives[0] < evaluated[b].objectives[0];
    });
    const auto keep = static_cast<size_t>(bracket.rungs[rung_ + 1].configurations);
    for (size_t index : order) {
      if (promoted.size() == keep) break;
      if (!evaluated[index].failed) promoted.push_back(evaluated[index].genome);
    }
  }
  rung_genomes_ = std::move(promoted);
  if (!rung_genomes_.empty()) {
    ++rung_;
    return;
  }
  advance();
}

void Hyperband::advance() {
  rung_ = 0;
  if (++bracket_ == schedule_.size()) {
    bracket_ = 0;
    ++iteration_;
  }
}

}  // namespace gos
