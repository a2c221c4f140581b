// The `nb201` plugin end to end: an experiment file naming it, loaded through
// the plugin registry and run by the real runner with random search.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "benchmarks/nb201/nb201_space.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "framework/runner.h"

namespace gos::nb201 {
namespace {

namespace fs = std::filesystem;

// A complete synthetic table (all 15,625 cells) whose accuracy counts 3x3
// convolutions and whose latency adds per-operation costs, so any genome a
// strategy proposes is answered and the values are easy to recompute.
double synthetic_accuracy(const cell::CellGenome& genome) {
  double value = 50;
  for (uint8_t op : genome.ops) value += op == 3 ? 7.0 : op;
  return value;
}
double synthetic_latency(const cell::CellGenome& genome) {
  double value = 1;
  for (uint8_t op : genome.ops) value += 0.5 * op * op;
  return value;
}

class Nb201Plugin : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(GOS_BINARY_DIR) / "nb201_plugin_test_fixtures" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const cell::CellSpace space{cell::CellSpaceConfig{}};
    Table table;
    table.source = "synthetic test table";
    Column accuracy{{Metric::kTestAccuracy, "cifar10"}, {}}, latency{{Metric::kLatency, "raspi4"}, {}};
    for (uint64_t code = 0; code < space.size(); ++code) {
      const auto genome = space.from_code(code);
      table.archs.push_back(space.serialize(*genome));
      accuracy.values.push_back(synthetic_accuracy(*genome));
      latency.values.push_back(synthetic_latency(*genome));
    }
    table.columns = {accuracy, latency};
    write_table(table, dir_ / "table.h5");
    for (const char* plugin : {"nb201", "random_search", "metric_objective"})
      registry_.load_file(fs::path(GOS_PLUGIN_DIR) / (std::string("libgos_") + plugin + ".so"));
  }

  fs::path write_experiment(const std::string& table) {
    const fs::path file = dir_ / "experiment.toml";
    std::ofstream(file) << "[experiment]\nname = \"nb201_plugin_test\"\nseed = 5\noutput = \"" << (dir_ / "run.h5").string()
                        << "\"\n\n[search_space]\nplugin = \"nb201\"\ntable = \"" << table
                        << "\"\n\n[strategy]\nplugin = \"random_search\"\nevaluations = 200\nbatch = 50\n\n"
                           "[[objectives]]\nplugin = \"metric\"\nmetric = \"test_accuracy\"\non = \"cifar10\"\n\n"
                           "[[objectives]]\nplugin = \"metric\"\nmetric = \"latency\"\non = \"raspi4\"\n";
    return file;
  }

  fs::path dir_;
  PluginRegistry registry_;
};

TEST_F(Nb201Plugin, RunsAnExperimentAnsweringEveryEvaluationFromTheTable) {
  Experiment experiment = build_experiment(load_experiment(write_experiment((dir_ / "table.h5").string()), {}, registry_),
                                           registry_);
  RunOptions options;
  options.progress = false;
  const RunSummary summary = run_experiment(experiment, options);
  EXPECT_EQ(summary.evaluations, 200u);
  EXPECT_EQ(summary.failed, 0u);
  const RunResults results = read_results(dir_ / "run.h5");
  const cell::CellSpace space{cell::CellSpaceConfig{}};
  ASSERT_EQ(results.evaluations.size(), 200u);
  for (const EvaluationRecord& record : results.evaluations) {
    const GenomePtr parsed = space.deserialize(record.genome);
    const auto& genome = space.cast(*parsed);
    ASSERT_EQ(record.values.size(), 2u);
    EXPECT_EQ(record.values[0], synthetic_accuracy(genome)) << record.genome;
    EXPECT_EQ(record.values[1], synthetic_latency(genome)) << record.genome;
  }
  // Golden: the first architecture random search draws with seed 5.
  EXPECT_EQ(results.evaluations[0].genome,
            "|avg_pool_3x3~0|+|none~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|");
}

TEST_F(Nb201Plugin, MissingTableNamesTheKeyAndTheConvertCommand) {
  try {
    build_experiment(load_experiment(write_experiment((dir_ / "absent.h5").string()), {}, registry_), registry_);
    FAIL() << "accepted a missing table";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("experiment.toml:"), std::string::npos) << message;
    EXPECT_NE(message.find("table"), std::string::npos) << message;
    EXPECT_NE(message.find("gos nb201 convert"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace gos::nb201
