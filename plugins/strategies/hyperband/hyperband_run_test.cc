// Multi-fidelity runs end to end through the runner: budgets reach the
// objective, every evaluation records its fidelity, low-fidelity values stay
// off the front, and an interrupted run resumes to the uninterrupted result.
#include <gmock/gmock.h>

#include <cmath>

#include "framework/experiment.h"
#include "framework/runner.h"
#include "searchspaces/testproblems/test_problems.h"
#include "tests/test_support.h"

namespace gos {
namespace {

using ::testing::HasSubstr;

// ZDT1 with one objective at two fidelities: budget 1 reads f2, budget 3
// (full) reads f1 = x0, so each record says which level answered it.
std::string two_level_experiment(const std::filesystem::path& output, const std::string& strategy) {
  return "[experiment]\nname = \"two_levels\"\nseed = 5\noutput = \"" + output.string() +
         "\"\n\n[search_space]\nplugin = \"test_problem\"\nproblem = \"zdt1\"\ndimensions = 3\n\n"
         "[strategy]\n" +
         strategy +
         "\n\n[[objectives]]\nplugin = \"fidelity_metric\"\nbudgets = [1, 3]\nmetrics = [\"function\", "
         "\"function\"]\non = [\"f2\", \"f1\"]\n";
}

const std::string kHyperband = "plugin = \"hyperband\"\neta = 3\niterations = 3";

struct Harness {
  PluginRegistry registry;
  Harness() { testing::load_build_plugins(registry); }
  RunSummary run(const std::string& text, RunOptions options = {}) {
    options.progress = false;
    Experiment experiment = build_experiment(parse_experiment(text, "exp.toml", ".", {}, registry), registry);
    return run_experiment(experiment, options);
  }
};

TEST(HyperbandRun, RecordsTheBudgetOfEveryEvaluationAndKeepsLowFidelityOffTheFront) {
  Harness h;
  const auto out = testing::scratch_dir("hyperband_levels") / "run.h5";
  h.run(two_level_experiment(out, kHyperband));
  const RunResults results = read_results(out);
  const testproblems::TestProblemSpace space({.problem = testproblems::Problem::kZdt1, .dimensions = 3});
  // Brackets per iteration: 3 at budget 1 then the best 1 at 3; then 2 at 3.
  ASSERT_EQ(results.evaluations.size(), 3u * (3 + 1 + 2));
  const std::vector<double> schedule{1, 1, 1, 3, 3, 3};
  for (size_t i = 0; i < results.evaluations.size(); ++i) {
    const EvaluationRecord& record = results.evaluations[i];
    EXPECT_EQ(record.fidelity, schedule[i % 6]) << i;
    const auto values = testproblems::evaluate(
        testproblems::Problem::kZdt1,
        dynamic_cast<const testproblems::RealVector&>(*space.deserialize(record.genome)).values, 2);
    // The level's own metric, never a value cached from the other budget.
    EXPECT_DOUBLE_EQ(record.values[0], record.fidelity == 1 ? values[1] : values[0]) << i;
  }
  // The promoted genome is the best of the three at budget 1.
  for (size_t iteration = 0; iteration < 3; ++iteration) {
    size_t best = 6 * iteration;
    for (size_t k = 1; k < 3; ++k)
      if (results.evaluations[6 * iteration + k].values[0] < results.evaluations[best].values[0])
        best = 6 * iteration + k;
    EXPECT_EQ(results.evaluations[6 * iteration + 3].genome, results.evaluations[best].genome);
  }
  ASSERT_EQ(results.front.size(), 1u);
  EXPECT_EQ(results.evaluations[static_cast<size_t>(results.front[0])].fidelity, 3);
}

TEST(HyperbandRun, InterruptedRunResumesToTheUninterruptedResult) {
  Harness h;
  const auto dir = testing::scratch_dir("hyperband_resume");
  h.run(two_level_experiment(dir / "full.h5", kHyperband));
  RunOptions interrupt;
  interrupt.on_generation = [](const GenerationRecord& g) {
    if (g.generation == 3) throw std::runtime_error("simulated crash");
  };
  EXPECT_THROW(h.run(two_level_experiment(dir / "cut.h5", kHyperband), interrupt), std::runtime_error);
  RunOptions resume;
  resume.resume = true;
  EXPECT_EQ(h.run(two_level_experiment(dir / "cut.h5", kHyperband), resume).replayed_generations, 4u);
  testing::expect_same_evaluations(read_results(dir / "full.h5"), read_results(dir / "cut.h5"));
}

TEST(HyperbandRun, PlainStrategiesEvaluateAtFullFidelity) {
  Harness h;
  const auto out = testing::scratch_dir("hyperband_plain") / "run.h5";
  h.run(two_level_experiment(out, "plugin = \"random_search\"\nevaluations = 8\nbatch = 4"));
  const RunResults results = read_results(out);
  ASSERT_EQ(results.evaluations.size(), 8u);
  for (const EvaluationRecord& record : results.evaluations) {
    EXPECT_EQ(record.fidelity, 3);
    EXPECT_DOUBLE_EQ(record.values[0], std::stod(record.genome.substr(0, record.genome.find(','))));  // f1 = x0
  }
}

TEST(HyperbandRun, ExperimentsWithoutFidelityRecordNoneAndRefuseHyperband) {
  Harness h;
  const auto dir = testing::scratch_dir("hyperband_none");
  h.run(testing::zdt_experiment(dir / "plain.h5"));
  for (const EvaluationRecord& record : read_results(dir / "plain.h5").evaluations)
    EXPECT_TRUE(std::isnan(record.fidelity));
  std::string text = testing::zdt_experiment(dir / "hb.h5");
  const size_t strategy = text.find("plugin = \"random_search\"");
  text.replace(strategy, text.find("\n\n", strategy) - strategy, "plugin = \"hyperband\"");
  try {
    h.run(text);
    FAIL() << "hyperband ran without a fidelity";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("declares a fidelity"));
  }
}

}  // namespace
}  // namespace gos
