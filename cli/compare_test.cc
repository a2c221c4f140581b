#include "cli/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "framework/error.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "framework/runner.h"
#include "tests/test_support.h"

namespace gos::compare {
namespace {

RunCurve curve(std::string strategy, std::vector<double> evaluations, std::vector<double> hypervolume) {
  return RunCurve{strategy + ".h5", strategy, 0, {1.1, 1.1}, std::move(evaluations), std::move(hypervolume)};
}

TEST(Compare, HypervolumeAtABudgetIsTheLastGenerationWithinIt) {
  const RunCurve run = curve("a", {100, 200, 300}, {0.1, 0.5, 0.7});
  EXPECT_EQ(hypervolume_at(run, 50), 0);
  EXPECT_EQ(hypervolume_at(run, 100), 0.1);
  EXPECT_EQ(hypervolume_at(run, 299), 0.5);
  EXPECT_EQ(hypervolume_at(run, 1e9), 0.7);
}

TEST(Compare, GroupsByStrategyWithMeanAndSampleStandardDeviation) {
  const std::vector<RunCurve> runs = {curve("nsga2", {100, 200}, {0.2, 0.6}), curve("random", {200}, {0.3}),
                                      curve("nsga2", {100, 200}, {0.4, 0.8})};
  const auto summaries = summarize(runs, {100, 200});
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[0].strategy, "nsga2");
  EXPECT_EQ(summaries[0].runs, 2u);
  EXPECT_DOUBLE_EQ(summaries[0].mean[0], 0.3);
  EXPECT_DOUBLE_EQ(summaries[0].mean[1], 0.7);
  EXPECT_NEAR(summaries[0].stddev[1], std::sqrt(0.02), 1e-15);  // (0.1^2 + 0.1^2) / (2 - 1)
  EXPECT_EQ(summaries[1].strategy, "random");
  EXPECT_EQ(summaries[1].mean[0], 0);  // its first generation ends after 100 evaluations
  EXPECT_EQ(summaries[1].stddev[1], 0);
  EXPECT_NE(format_table(summaries, {100, 200}).find("0.700000 ± 0.141421"), std::string::npos)
      << format_table(summaries, {100, 200});
}

TEST(Compare, DefaultBudgetsStopAtTheShortestRun) {
  const std::vector<RunCurve> runs = {curve("a", {100, 1000}, {0, 1}), curve("b", {500}, {1})};
  EXPECT_EQ(default_budgets(runs, 5), (std::vector<double>{100, 200, 300, 400, 500}));
}

TEST(Compare, RefusesRunsWithDifferentReferencePoints) {
  RunCurve other = curve("b", {100}, {0.5});
  other.reference_point = {2, 2};
  EXPECT_THROW(summarize({curve("a", {100}, {0.5}), other}, {100}), Error);
}

TEST(Compare, SvgHasOneLinePerStrategyAndALegend) {
  const std::string svg = render_svg({curve("nsga2", {100, 200}, {0.2, 0.6}), curve("random_search", {200}, {0.3}),
                                      curve("nsga2", {100, 200}, {0.4, 0.8})});
  size_t lines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++lines;
  EXPECT_EQ(lines, 2u);
  EXPECT_NE(svg.find("nsga2 (2 runs)"), std::string::npos);
  EXPECT_NE(svg.find("random_search (1 runs)"), std::string::npos);
  EXPECT_EQ(svg.rfind("</svg>\n"), svg.size() - 7);
}

class CompareFiles : public ::testing::Test {
 protected:
  void SetUp() override { registry_.load_directory(GOS_PLUGIN_DIR); }

  std::filesystem::path run(const std::string& indicators, const std::string& name) {
    const auto output = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / (name + ".h5");
    const std::string text = R"(
[experiment]
name = "compare"
seed = 4
output = ")" + output.string() + R"("
[search_space]
plugin = "test_problem"
dimensions = 4
[strategy]
plugin = "random_search"
evaluations = 60
batch = 20
)" + gos::testing::kTwoFunctionObjectives + R"()" + indicators;
    Experiment experiment = build_experiment(parse_experiment(text, "<test>", ".", {}, registry_), registry_);
    RunOptions options;
    options.progress = false;
    options.overwrite = true;
    run_experiment(experiment, options);
    return output;
  }
  PluginRegistry registry_;
};

TEST_F(CompareFiles, LoadsStrategySeedAndHypervolumeFromAResultsFile) {
  const RunCurve loaded = load_run(run("[indicators]\nreference_point = [1.1, 10.0]\n", "compare_with"));
  EXPECT_EQ(loaded.strategy, "random_search");
  EXPECT_EQ(loaded.seed, 4u);
  EXPECT_EQ(loaded.reference_point, (std::vector<double>{1.1, 10.0}));
  EXPECT_EQ(loaded.evaluations, (std::vector<double>{20, 40, 60}));
  EXPECT_GT(loaded.hypervolume.back(), 0);
}

TEST_F(CompareFiles, GroupsByKeysOfTheStoredExperiment) {
  const auto file = run("[indicators]\nreference_point = [1.1, 10.0]\n", "compare_by");
  EXPECT_EQ(load_run(file, {"strategy.batch", "search_space.dimensions"}).strategy,
            "random_search strategy.batch=20 search_space.dimensions=4");
  try {
    load_run(file, {"strategy.penalty"});
    FAIL() << "an unknown key was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no key 'strategy.penalty'"), std::string::npos) << e.what();
  }
}

TEST_F(CompareFiles, ARunWithoutHypervolumeIsAClearError) {
  const auto file = run("", "compare_without");
  try {
    load_run(file);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("reference_point"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gos::compare
