#include "plugins/strategies/nsga2/nsga2.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "framework/config.h"
#include "framework/experiment.h"
#include "framework/moo/indicators.h"
#include "framework/plugin_registry.h"
#include "plugins/strategies/operators/strategy_driver.h"

namespace gos {
namespace {

using testproblems::Problem;
using testproblems::TestProblemConfig;
using testproblems::TestProblemSpace;

TestProblemSpace zdt1() {
  TestProblemConfig config;
  config.problem = Problem::kZdt1;
  config.dimensions = 30;
  return TestProblemSpace(config);
}

double population_hypervolume(const std::vector<EvaluatedGenome>& population, double reference = 1.1) {
  std::vector<double> values;
  for (const auto& member : population) values.insert(values.end(), member.objectives.begin(), member.objectives.end());
  return moo::hypervolume(moo::Points{values, 2}, std::vector<double>{reference, reference});
}

Nsga2Config config(int64_t population, int64_t generations) {
  Nsga2Config c;
  c.population = population;
  c.generations = generations;
  return c;
}

TEST(Nsga2, ReachesWithinOnePercentOfTheZdt1FrontHypervolume) {
  const TestProblemSpace space = zdt1();
  Nsga2 nsga2(config(100, 250));
  const auto result = testing::drive(nsga2, space, Rng(1));
  EXPECT_EQ(result.evaluated.size(), 25000u);
  // The true front f2 = 1 - sqrt(f1) encloses 1.21 - 1/3 below (1.1, 1.1);
  // 100 points can hold at most about 99.5% of it. This seeded run reaches
  // 0.8695 (99.2%); seeds 0-9 all land between 99.08% and 99.21%.
  const double true_hypervolume = 1.21 - 1.0 / 3.0;
  const double reached = population_hypervolume(nsga2.population());
  EXPECT_GT(reached, 0.99 * true_hypervolume) << "hypervolume " << reached;
  EXPECT_LE(reached, true_hypervolume);
}

TEST(Nsga2, ConvergesToTheDtlz2SphereWithThreeObjectives) {
  // DTLZ2's front is the positive orthant of the unit sphere; the three-
  // objective path (staircase sort, 3-D crowding) must get the population there.
  TestProblemConfig problem;
  problem.problem = Problem::kDtlz2;
  problem.objectives = 3;
  problem.dimensions = 12;
  const TestProblemSpace space(problem);
  Nsga2 nsga2(config(92, 100));
  testing::drive(nsga2, space, Rng(5));
  double mean_radius = 0;
  std::vector<double> values;
  for (const auto& member : nsga2.population()) {
    const auto& f = member.objectives;
    mean_radius += std::sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]) / 92.0;
    values.insert(values.end(), f.begin(), f.end());
  }
  EXPECT_LT(mean_radius, 1.02);
  // The sphere encloses 1.1^3 - pi/6 below (1.1, 1.1, 1.1). Crowding distance
  // spreads three objectives poorly, so NSGA-II is known to stop near 0.70
  // (87%) here; this seeded run reaches 0.7017.
  const double true_hypervolume = 1.331 - std::numbers::pi / 6;
  const double reached = moo::hypervolume(moo::Points{values, 3}, std::vector<double>{1.1, 1.1, 1.1});
  EXPECT_GT(reached, 0.85 * true_hypervolume) << reached;
}

TEST(Nsga2, SeededRunMatchesTheGoldenResult) {
  // Generated once by this code (population 20, 40 generations, seed 7,
  // shuffled tournaments) and
  // printed with 17 significant digits. The reference point (5, 5) is far
  // enough out that this short run's population lies inside it. Any change to the operators, the sort
  // or the draw order of the rng changes it.
  const TestProblemSpace space = zdt1();
  Nsga2 nsga2(config(20, 40));
  testing::drive(nsga2, space, Rng(7));
  EXPECT_EQ(fmt::format("{:.17g}", population_hypervolume(nsga2.population(), 5.0)), "20.04911908411724");
}

TEST(Nsga2, RunsAreReproducibleForASeedAndDifferAcrossSeeds) {
  const TestProblemSpace space = zdt1();
  auto run = [&](uint64_t seed) {
    Nsga2 nsga2(config(16, 8));
    std::vector<std::string> genomes;
    for (const auto& item : testing::drive(nsga2, space, Rng(seed)).evaluated)
      genomes.push_back(space.serialize(*item.genome));
    return genomes;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

TEST(Nsga2, ConstraintKeepsInfeasiblePointsOutOfTheFinalFront) {
  // f1 >= 0.4 as a constraint: the infeasible points have the best f1, so a
  // penalty-free ranking would keep them.
  const TestProblemSpace space = zdt1();
  Nsga2 nsga2(config(40, 60));
  testing::drive(nsga2, space, Rng(2), [](const std::vector<double>& f) { return std::max(0.0, 0.4 - f[0]); });
  const auto ranking = operators::rank_and_crowd(nsga2.population());
  size_t front = 0;
  for (size_t i = 0; i < nsga2.population().size(); ++i) {
    if (ranking.rank[i] != 0) continue;
    ++front;
    EXPECT_EQ(nsga2.population()[i].violation, 0) << "infeasible member in the final front";
  }
  EXPECT_GT(front, 5u);
}

TEST(Nsga2, FailedEvaluationsNeverEnterTheFront) {
  const TestProblemSpace space = zdt1();
  Nsga2 nsga2(config(20, 15));
  const auto result = testing::drive(nsga2, space, Rng(9), nullptr, [](size_t i) { return i % 7 == 3; });
  EXPECT_EQ(result.evaluated.size(), 300u);
  for (const auto& member : nsga2.population()) EXPECT_FALSE(member.failed);
}

TEST(Nsga2, RejectsAPopulationBelowTwo) {
  EXPECT_THROW(Nsga2(config(1, 10)), Error);
  EXPECT_THROW(Nsga2(config(10, 0)), Error);
}

TEST(Nsga2, ExperimentFileErrorsNameTheKeyAndTheValidRange) {
  PluginRegistry registry;
  registry.load_directory(GOS_PLUGIN_DIR);
  const std::string text = R"([experiment]
name = "bad"
[search_space]
plugin = "test_problem"
[strategy]
plugin = "nsga2"
population = 1
[[objectives]]
plugin = "metric"
metric = "function"
on = "f1"
)";
  try {
    parse_experiment(text, "bad.toml", ".", {}, registry);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("bad.toml:7"), std::string::npos) << message;
    EXPECT_NE(message.find("population"), std::string::npos) << message;
  }
}

TEST(Nsga2, InitialGenomesOpenTheFirstGenerationAndTheRestIsSampledAsWithout) {
  const TestProblemSpace space = zdt1();
  const StrategyContext context{&space, space.default_mutator(), 2};
  Nsga2 plain(config(6, 2));
  plain.start(context, Rng(3));
  const std::vector<GenomePtr> sampled = plain.ask();

  Rng other(99);
  const std::vector<std::string> given = {space.serialize(*space.sample(other)), space.serialize(*space.sample(other))};
  Nsga2Config seeded_config = config(6, 2);
  seeded_config.initial = given;
  Nsga2 seeded(seeded_config);
  seeded.start(context, Rng(3));
  const std::vector<GenomePtr> first = seeded.ask();
  ASSERT_EQ(first.size(), 6u);
  EXPECT_EQ(space.serialize(*first[0]), given[0]);
  EXPECT_EQ(space.serialize(*first[1]), given[1]);
  // The random members are the first draws of the same seed: giving genomes
  // shifts nothing else.
  for (size_t i = 2; i < 6; ++i) EXPECT_EQ(space.serialize(*first[i]), space.serialize(*sampled[i - 2])) << i;
}

TEST(Nsga2, InitialGenomesAreCheckedAgainstThePopulationAndTheSpace) {
  Nsga2Config too_many = config(2, 1);
  too_many.initial = {"a", "b", "c"};
  EXPECT_THROW(Nsga2{too_many}, Error);

  const TestProblemSpace space = zdt1();
  Rng rng(1);
  Nsga2Config bad = config(4, 1);
  bad.initial = {space.serialize(*space.sample(rng)), "not a genome"};
  Nsga2 nsga2(bad);
  try {
    nsga2.start(StrategyContext{&space, space.default_mutator(), 2}, Rng(1));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("initial[1] = \"not a genome\""), std::string::npos) << message;
  }
}

TEST(Nsga2, MoreInitialGenomesThanThePopulationIsAnErrorAtTheKey) {
  PluginRegistry registry;
  registry.load_directory(GOS_PLUGIN_DIR);
  const std::string text = R"([experiment]
name = "bad"
[search_space]
plugin = "test_problem"
[strategy]
plugin = "nsga2"
population = 2
initial = ["x", "y", "z"]
[[objectives]]
plugin = "metric"
metric = "function"
on = "f1"
)";
  try {
    build_experiment(parse_experiment(text, "bad.toml", ".", {}, registry), registry);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("initial"), std::string::npos) << message;
    EXPECT_NE(message.find("at most population = 2"), std::string::npos) << message;
  }
}

TEST(Nsga2, RejectsAContextWithoutObjectives) {
  const TestProblemSpace space = zdt1();
  Nsga2 nsga2(config(10, 2));
  EXPECT_THROW(nsga2.start(StrategyContext{&space, space.default_mutator(), 0}, Rng(1)), Error);
}

}  // namespace
}  // namespace gos
