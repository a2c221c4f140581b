#include "plugins/strategies/hyperband/hyperband.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "framework/error.h"
#include "searchspaces/testproblems/test_problems.h"

namespace gos {
namespace {

testproblems::TestProblemSpace unit_square() {
  testproblems::TestProblemConfig config;
  config.dimensions = 2;
  return testproblems::TestProblemSpace(config);
}

Fidelity epochs(double min, double full) { return Fidelity{"epochs", min, full, {}, true}; }

double first_gene(const Genome& genome) { return dynamic_cast<const testproblems::RealVector&>(genome).values[0]; }

struct Evaluation {
  GenomePtr genome;
  double budget = 0;
  double value = 0;
};

struct Batch {
  std::vector<Evaluation> evaluations;
  double budget() const { return evaluations.front().budget; }
};

// The runner's loop without a results file: ask, evaluate each genome at its
// budget with `value(x0, budget)`, tell.
std::vector<Batch> drive(Hyperband& strategy, const testproblems::TestProblemSpace& space, const Fidelity& fidelity,
                         Rng rng, const std::function<double(double, double)>& value,
                         const std::function<bool(size_t)>& fails = nullptr) {
  strategy.start(StrategyContext{&space, space.default_mutator(), 1, fidelity}, rng);
  std::vector<Batch> batches;
  size_t count = 0;
  for (auto genomes = strategy.ask(); !genomes.empty(); genomes = strategy.ask()) {
    const std::vector<double> budgets = strategy.budgets();
    EXPECT_EQ(budgets.size(), genomes.size());
    Batch batch;
    std::vector<EvaluatedGenome> told;
    for (size_t i = 0; i < genomes.size(); ++i) {
      EXPECT_TRUE(fidelity.honours(budgets[i])) << budgets[i];
      const bool failed = fails && fails(count++);
      const double v = failed ? std::numeric_limits<double>::infinity() : value(first_gene(*genomes[i]), budgets[i]);
      batch.evaluations.push_back({genomes[i], budgets[i], v});
      told.push_back({genomes[i], {v}, failed ? std::numeric_limits<double>::infinity() : 0, failed});
    }
    strategy.tell(told);
    batches.push_back(std::move(batch));
  }
  return batches;
}

double identity(double x, double) { return x; }

TEST(HyperbandSchedule, GeometricBudgetsEndAtTheFullBudget) {
  EXPECT_EQ(geometric_budgets(1, 81, 3, false), (std::vector<double>{1, 3, 9, 27, 81}));
  EXPECT_EQ(geometric_budgets(10, 270, 3, true), (std::vector<double>{10, 30, 90, 270}));
  // log_3(81 / 5) = 2.53: three rungs, the first above min_budget.
  EXPECT_EQ(geometric_budgets(5, 81, 3, true), (std::vector<double>{9, 27, 81}));
  // 200 / 3^2 = 22.2 and 200 / 3 = 66.7, rounded to whole epochs.
  EXPECT_EQ(geometric_budgets(12, 200, 3, true), (std::vector<double>{22, 67, 200}));
  EXPECT_EQ(geometric_budgets(81, 81, 3, true), (std::vector<double>{81}));
  EXPECT_THROW(geometric_budgets(1, 2, 1.1, true), Error);  // rungs 1, 1, 1, ... once rounded
  EXPECT_THROW(geometric_budgets(0, 81, 3, true), Error);
  EXPECT_THROW(geometric_budgets(1, 81, 1, true), Error);
}

TEST(HyperbandSchedule, BracketsAreThePapersTableForEta3AndMaximum81) {
  // Li et al. 2018, Table 1 (R = 81, eta = 3): n_i configurations at r_i.
  const std::vector<Bracket> expected{
      {4, {{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}}},
      {3, {{34, 3}, {11, 9}, {3, 27}, {1, 81}}},
      {2, {{15, 9}, {5, 27}, {1, 81}}},
      {1, {{8, 27}, {2, 81}}},
      {0, {{5, 81}}},
  };
  const auto brackets = hyperband_brackets({1, 3, 9, 27, 81}, 3);
  EXPECT_EQ(brackets, expected);
  // 405 + (102 + 99 + 81 + 81) + (135 + 135 + 81) + (216 + 162) + 405, by hand.
  EXPECT_DOUBLE_EQ(schedule_cost(brackets), 1902);
}

TEST(HyperbandSchedule, TwoTabularFidelitiesAndARealEta) {
  // NAS-Bench-201's 12 and 200 epochs, eta 3: s_max = 1, so n = ceil(2/2 * 3) = 3
  // start at 12 epochs and 1 goes on; then n = ceil(2/1 * 1) = 2 at 200.
  EXPECT_EQ(hyperband_brackets({12, 200}, 3), (std::vector<Bracket>{{1, {{3, 12}, {1, 200}}}, {0, {{2, 200}}}}));
  // eta 2.5: n = ceil(3/3 * 6.25) = 7 -> floor(7/2.5) = 2 -> floor(7/6.25) = 1;
  // n = ceil(3/2 * 2.5) = 4 -> floor(4/2.5) = 1; n = 3.
  EXPECT_EQ(hyperband_brackets({1, 2.5, 6.25}, 2.5),
            (std::vector<Bracket>{{2, {{7, 1}, {2, 2.5}, {1, 6.25}}}, {1, {{4, 2.5}, {1, 6.25}}}, {0, {{3, 6.25}}}}));
}

TEST(HyperbandSchedule, ConfigIsCheckedAgainstTheFidelity) {
  const Fidelity tabular{"epochs", 12, 200, {12, 200}, true};
  EXPECT_EQ(hyperband_schedule({.eta = 4}, tabular), hyperband_brackets({12, 200}, 4));
  EXPECT_EQ(hyperband_schedule({.eta = 4, .brackets = 1}, tabular).size(), 1u);
  EXPECT_THROW(hyperband_schedule({.eta = 4, .budgets = {36, 200}}, tabular), Error);     // 36 is no level
  EXPECT_THROW(hyperband_schedule({.eta = 4, .budgets = {12}}, tabular), Error);          // does not end at full
  EXPECT_THROW(hyperband_schedule({.eta = 4, .brackets = 3}, tabular), Error);            // two rungs, two brackets
  EXPECT_THROW(hyperband_schedule({.eta = 3, .min_budget = 0.5}, epochs(1, 81)), Error);  // below the minimum
  EXPECT_EQ(schedule_cost(hyperband_schedule({.eta = 3}, epochs(1, 81))), 1902);
  EXPECT_EQ(hyperband_schedule({.eta = 3, .min_budget = 9}, epochs(1, 81)), hyperband_brackets({9, 27, 81}, 3));
}

TEST(Hyperband, AsksRungByRungAndPromotesTheBestOfEach) {
  const auto space = unit_square();
  Hyperband hyperband({.eta = 3, .iterations = 2});
  const auto batches = drive(hyperband, space, epochs(1, 81), Rng(7), identity);
  // Every rung of every bracket, twice, in the schedule's order.
  std::vector<Rung> asked, expected;
  for (const Batch& batch : batches) asked.push_back({static_cast<int64_t>(batch.evaluations.size()), batch.budget()});
  for (int iteration = 0; iteration < 2; ++iteration)
    for (const Bracket& bracket : hyperband.schedule())
      expected.insert(expected.end(), bracket.rungs.begin(), bracket.rungs.end());
  EXPECT_EQ(asked, expected);
  // A promoted rung holds exactly the best values of the rung before.
  for (size_t b = 1; b < batches.size(); ++b) {
    if (batches[b].budget() <= batches[b - 1].budget()) continue;  // a new bracket samples afresh
    std::vector<double> before, promoted;
    for (const auto& e : batches[b - 1].evaluations) before.push_back(e.value);
    for (const auto& e : batches[b].evaluations) promoted.push_back(e.value);
    std::sort(before.begin(), before.end());
    before.resize(promoted.size());
    EXPECT_EQ(promoted, before) << "batch " << b;  // best first, as ranked
  }
}

TEST(Hyperband, NeverPromotesAFailedEvaluation) {
  const auto space = unit_square();
  Hyperband hyperband({.eta = 3, .brackets = 1});
  // Every other evaluation of the first rung fails; failures read as the best value.
  const auto batches =
      drive(hyperband, space, epochs(1, 9), Rng(3), identity, [](size_t i) { return i < 9 && i % 2 == 0; });
  ASSERT_EQ(batches.size(), 3u);
  for (const auto& e : batches[1].evaluations) EXPECT_TRUE(std::isfinite(e.value));
}

TEST(Hyperband, IsReproducibleForASeed) {
  const auto space = unit_square();
  auto run = [&](uint64_t seed) {
    Hyperband hyperband({.eta = 3});
    std::vector<std::string> genomes;
    for (const auto& batch : drive(hyperband, space, epochs(1, 27), Rng(seed), identity))
      for (const auto& e : batch.evaluations)
        genomes.push_back(space.serialize(*e.genome) + "@" + std::to_string(e.budget));
    return genomes;
  };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

TEST(Hyperband, RefusesAnExperimentWithoutFidelityOrWithTwoObjectives) {
  const auto space = unit_square();
  Hyperband hyperband(HyperbandConfig{});
  EXPECT_THROW(hyperband.start(StrategyContext{&space, space.default_mutator(), 1, std::nullopt}, Rng(1)), Error);
  EXPECT_THROW(hyperband.start(StrategyContext{&space, space.default_mutator(), 2, epochs(1, 9)}, Rng(1)), Error);
}

// With an objective that low budgets rank exactly, successive halving ends on
// the best of its n_0 uniform samples: over seeds its final value follows
// min of n_0 U(0,1), P(min <= q) = 1 - (1 - q)^n_0. Chi-square over 8 bins
// of equal probability, 400 seeds.
TEST(Hyperband, SuccessiveHalvingEndsOnTheBestOfItsSamplesInDistribution) {
  const auto space = unit_square();
  const int64_t n0 = 27, seeds = 400, bins = 8;
  std::vector<int> counts(bins, 0);
  for (int64_t seed = 0; seed < seeds; ++seed) {
    Hyperband hyperband({.eta = 3, .brackets = 1});
    const auto batches = drive(hyperband, space, epochs(1, 27), Rng(static_cast<uint64_t>(seed) + 1000), identity);
    ASSERT_EQ(batches.front().evaluations.size(), static_cast<size_t>(n0));
    ASSERT_EQ(batches.back().evaluations.size(), 1u);
    const double final_value = batches.back().evaluations[0].value;
    const double cdf = 1 - std::pow(1 - final_value, static_cast<double>(n0));
    ++counts[std::min<int64_t>(bins - 1, static_cast<int64_t>(cdf * bins))];
  }
  const double expected = static_cast<double>(seeds) / bins;
  double chi2 = 0;
  for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 24.32);  // chi-square, 7 degrees of freedom, p = 0.001
}

// When low budgets rank configurations noisily but usefully, Hyperband finds
// better configurations than random search at full fidelity for the same
// total budget, on average over seeds.
TEST(Hyperband, BeatsRandomSearchAtEqualCostWhenLowBudgetsRankUsefully) {
  const auto space = unit_square();
  const Fidelity fidelity = epochs(1, 81);
  const double cost = schedule_cost(hyperband_schedule({.eta = 3}, fidelity));
  const auto random_evaluations = static_cast<int64_t>(cost / fidelity.full);  // 23 at 81 epochs
  double hyperband_total = 0, random_total = 0;
  const int seeds = 100;
  for (int seed = 0; seed < seeds; ++seed) {
    Rng noise(static_cast<uint64_t>(seed) + 5000);
    // Value at budget b: the true value plus noise shrinking with the budget.
    auto noisy = [&](double x, double budget) {
      return budget == fidelity.full ? x : x + 0.3 * noise.normal() / std::sqrt(budget);
    };
    Hyperband hyperband({.eta = 3});
    double best = 1;
    double spent = 0;
    for (const auto& batch : drive(hyperband, space, fidelity, Rng(static_cast<uint64_t>(seed)), noisy))
      for (const auto& e : batch.evaluations) {
        spent += e.budget;
        if (e.budget == fidelity.full) best = std::min(best, e.value);
      }
    EXPECT_DOUBLE_EQ(spent, cost);
    hyperband_total += best;
    Rng rng(static_cast<uint64_t>(seed) + 9000);
    double random_best = 1;
    for (int64_t i = 0; i < random_evaluations; ++i)
      random_best = std::min(random_best, first_gene(*space.sample(rng)));
    random_total += random_best;
  }
  EXPECT_LT(hyperband_total / seeds, random_total / seeds);
}

}  // namespace
}  // namespace gos
