// `gos run --resume` replays a strategy from its seed and the recorded
// evaluations, so every strategy must ask for exactly the same genomes again.
// Each strategy plugin is run through the real runner, interrupted after a few
// generations, resumed, and compared with an uninterrupted run.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "framework/runner.h"
#include "tests/test_support.h"

namespace gos {
namespace {

// The plugin name of a [strategy] body that starts with `plugin = "name"`.
std::string plugin_of(const std::string& strategy) {
  const size_t open = strategy.find('"') + 1;
  return strategy.substr(open, strategy.find('"', open) - open);
}

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted by the test") {}
};

class StrategyResume : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { registry_.load_directory(GOS_PLUGIN_DIR); }

  RunResults run(const std::string& name, int interrupt_after, bool resume) {
    const auto output = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / (name + ".h5");
    const std::string text = R"([experiment]
name = "resume"
seed = 11
output = ")" + output.string() + R"("
[search_space]
plugin = "test_problem"
dimensions = 5
[strategy]
)" + std::string(GetParam()) + R"(
)" + gos::testing::kTwoFunctionObjectives + R"(max = 3.0
)";
    Experiment experiment = build_experiment(parse_experiment(text, "<test>", ".", {}, registry_), registry_);
    RunOptions options;
    options.progress = false;
    options.resume = resume;
    options.overwrite = !resume;
    if (interrupt_after >= 0)
      options.on_generation = [&](const GenerationRecord& generation) {
        if (generation.generation == interrupt_after) throw Interrupted();
      };
    try {
      run_experiment(experiment, options);
    } catch (const Interrupted&) {
    }
    return read_results(output);
  }
  PluginRegistry registry_;
};

TEST_P(StrategyResume, AResumedRunEqualsAnUninterruptedOne) {
  const std::string plugin = plugin_of(GetParam());
  const RunResults whole = run(plugin + "_whole", -1, false);
  const RunResults partial = run(plugin + "_resumed", 2, false);
  ASSERT_EQ(partial.metadata.status, "failed");
  ASSERT_LT(partial.evaluations.size(), whole.evaluations.size());
  const RunResults resumed = run(plugin + "_resumed", -1, true);
  EXPECT_EQ(resumed.metadata.status, "completed");
  ASSERT_EQ(resumed.evaluations.size(), whole.evaluations.size());
  for (size_t i = 0; i < whole.evaluations.size(); ++i) {
    ASSERT_EQ(resumed.evaluations[i].genome, whole.evaluations[i].genome) << "evaluation " << i;
    ASSERT_EQ(resumed.evaluations[i].values, whole.evaluations[i].values) << "evaluation " << i;
  }
  EXPECT_EQ(resumed.front, whole.front);
}

INSTANTIATE_TEST_SUITE_P(
    Strategies, StrategyResume,
    ::testing::Values("plugin = \"nsga2\"\npopulation = 10\ngenerations = 6",
                      "plugin = \"regularized_evolution\"\npopulation = 10\nsample_size = 3\n"
                      "evaluations = 60\nbatch = 5",
                      "plugin = \"local_search\"\nevaluations = 60\nneighbours = 6"),
    [](const auto& info) { return plugin_of(info.param); });

}  // namespace
}  // namespace gos
