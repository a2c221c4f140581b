// End to end: an experiment with [indicators] run by the real runner and
// plugins (test_problem, nsga2, metric), read back from its HDF5 file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "framework/experiment.h"
#include "framework/moo/indicators.h"
#include "framework/plugin_registry.h"
#include "framework/runner.h"
#include "tests/test_support.h"

namespace gos {
namespace {

const std::string kExperiment = R"(
[experiment]
name = "indicators"
seed = 3
output = "OUTPUT"

[search_space]
plugin = "test_problem"
problem = "zdt1"
dimensions = 6

[strategy]
plugin = "nsga2"
population = 12
generations = 6

)" + gos::testing::kTwoFunctionObjectives + R"(
[indicators]
reference_point = [1.1, 5.0]
igd = true
igd_points = 200
)";

std::string with_output(std::string text, const std::filesystem::path& output) {
  text.replace(text.find("OUTPUT"), 6, output.string());
  return text;
}

class RunnerIndicators : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.load_directory(GOS_PLUGIN_DIR);
    // One file per test, since CTest runs the tests of this file in parallel.
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    output_ = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / ("runner_indicators_" + test + ".h5");
    std::filesystem::remove(output_);
  }
  PluginRegistry registry_;
  std::filesystem::path output_;
};

TEST_F(RunnerIndicators, HypervolumeAndIgdAreRecordedPerGenerationFromTheArchive) {
  Experiment experiment = build_experiment(
      parse_experiment(with_output(kExperiment, output_), "<test>", ".", {}, registry_), registry_);
  RunOptions options;
  options.progress = false;
  run_experiment(experiment, options);
  const RunResults results = read_results(output_);
  ASSERT_EQ(results.generations.size(), 6u);
  double previous_hypervolume = -1;
  for (const GenerationRecord& generation : results.generations) {
    ASSERT_EQ(generation.indicators.size(), 3u);
    EXPECT_EQ(generation.indicators[0].first, "hypervolume");
    EXPECT_EQ(generation.indicators[1].first, "igd");
    EXPECT_EQ(generation.indicators[2].first, "igd_plus");
    EXPECT_GT(generation.indicators[2].second, 0);
    EXPECT_LE(generation.indicators[2].second, generation.indicators[1].second);
    // The archive only improves, so its hypervolume never falls.
    EXPECT_GE(generation.indicators[0].second, previous_hypervolume);
    previous_hypervolume = generation.indicators[0].second;
    EXPECT_GT(generation.indicators[1].second, 0);
  }
  // The last value is the hypervolume of the front stored in the file.
  std::vector<double> front;
  for (int64_t index : results.front) {
    const auto& values = results.evaluations[static_cast<size_t>(index)].values;
    front.insert(front.end(), values.begin(), values.end());
  }
  EXPECT_DOUBLE_EQ(previous_hypervolume, moo::hypervolume(moo::Points{front, 2}, std::vector<double>{1.1, 5.0}));
  EXPECT_GT(previous_hypervolume, 0);
}

TEST_F(RunnerIndicators, TwoRunsWithTheSameSeedRecordTheSameEvaluations) {
  auto run = [&]() {
    Experiment experiment = build_experiment(
        parse_experiment(with_output(kExperiment, output_), "<test>", ".", {}, registry_), registry_);
    RunOptions options;
    options.progress = false;
    options.overwrite = true;
    run_experiment(experiment, options);
    return read_results(output_);
  };
  const RunResults first = run(), second = run();
  ASSERT_EQ(first.evaluations.size(), 72u);
  ASSERT_EQ(first.evaluations.size(), second.evaluations.size());
  for (size_t i = 0; i < first.evaluations.size(); ++i) {
    EXPECT_EQ(first.evaluations[i].genome, second.evaluations[i].genome);
    EXPECT_EQ(first.evaluations[i].values, second.evaluations[i].values);
  }
  EXPECT_EQ(first.front, second.front);
}

TEST_F(RunnerIndicators, AReferencePointOfTheWrongLengthIsAConfigurationError) {
  std::string text = with_output(kExperiment, output_);
  text.replace(text.find("[1.1, 5.0]"), 10, "[1.1, 5.0, 1.0]");
  try {
    parse_experiment(text, "<test>", ".", {}, registry_);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("reference_point"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("optimises 2 objectives"), std::string::npos) << e.what();
  }
}

TEST_F(RunnerIndicators, IgdWithAFrontOfOtherObjectivesFailsBeforeAnyFileIsWritten) {
  // DTLZ2 with three objectives, of which the experiment optimises two.
  std::string text = with_output(kExperiment, output_);
  const std::string zdt1 = "problem = \"zdt1\"";
  text.replace(text.find(zdt1), zdt1.size(), "problem = \"dtlz2\"\nobjectives = 3");
  // Found when the experiment is built, so `gos validate` reports it too.
  try {
    build_experiment(parse_experiment(text, "<test>", ".", {}, registry_), registry_);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has a known front of 3 objectives but the experiment optimises 2"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("[indicators] igd"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(output_));
}

}  // namespace
}  // namespace gos
