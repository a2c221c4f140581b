// The latency plugins as an experiment file wires them: objective -> latency
// model -> device, created from TOML through the plugin registry.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "framework/config.h"
#include "framework/error.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "framework/results.h"
#include "framework/runner.h"
#include "plugins/latency/lut/latency_table.h"
#include "plugins/latency/predictor/kernel_predictor.h"

namespace gos {
namespace {

// Small enough that a handful of sampled models covers every kernel.
const std::string kTinySpace =
    "resolution = 8\nchannels = [4, 8]\nkernels = [1]\nstrides = [1]\nmin_layers = 1\nmax_layers = 1\n";

std::string experiment(const std::string& model, const std::string& space = "resolution = 8\nchannels = [4, 8]\n") {
  return "[experiment]\nname = \"t\"\noutput = \"unused.h5\"\n"
         "[search_space]\nplugin = \"cnn_chain\"\n" + space +
         "[strategy]\nplugin = \"random_search\"\nevaluations = 6\nbatch = 3\n"
         "[[objectives]]\nplugin = \"latency\"\nmodel = " + model + "\n";
}

struct Built {
  PluginRegistry registry;
  std::optional<Experiment> experiment;
};

void build(Built& built, const std::string& model, const std::string& space = "resolution = 8\nchannels = [4, 8]\n") {
  built.registry.load_directory(GOS_PLUGIN_DIR);
  built.experiment.emplace(build_experiment(
      parse_experiment(experiment(model, space), "test.toml", ".", {}, built.registry), built.registry));
}

std::filesystem::path temp(const std::string& name) { return std::filesystem::path(GOS_BINARY_DIR) / name; }

// Runs the experiment to a results file and reads back its root attributes.
std::map<std::string, std::string> run_and_read_attributes(Experiment& e, const std::string& name) {
  const auto output = temp(name);
  e.config.output = output;
  RunOptions options;
  options.overwrite = true;
  options.progress = false;
  const RunSummary summary = run_experiment(e, options);
  EXPECT_EQ(summary.evaluations, 6u);
  EXPECT_EQ(summary.failed, 0u);
  return read_results(output).metadata.extra;
}

std::string at(const std::map<std::string, std::string>& attributes, const std::string& key) {
  const auto it = attributes.find(key);
  if (it == attributes.end()) {
    std::string present;
    for (const auto& [k, v] : attributes) present += " " + k;
    ADD_FAILURE() << "attribute '" << key << "' is missing; present:" << present;
    return "";
  }
  return it->second;
}

TEST(LatencyObjective, MeasuresOnTheCpuThroughNestedComponents) {
  Built built;
  build(built, "{ plugin = \"measure\", device = { plugin = \"cpu\", threads = 1, warmup = 1, runs = 5, "
               "max_spread = inf } }");
  Experiment& e = *built.experiment;
  EXPECT_EQ(e.roles.at(0).name, "latency_ms");
  Rng rng(1);
  const GenomePtr genome = e.space->sample(rng);
  EXPECT_GT(e.objectives.at(0)->evaluate(*genome, *e.space), 0.0);
}

TEST(LatencyObjective, RecordedDeviceAnswersAndMissingKeysAreNamed) {
  const auto table = std::filesystem::path(GOS_BINARY_DIR) / "latency_objective_test.csv";
  std::ofstream(table) << "arch,ms\nk3c4s1relu-k1c8s1none,2.5\n";
  Built built;
  build(built, "{ plugin = \"measure\", device = { plugin = \"recorded\", file = \"" + table.string() +
                   "\", key_column = \"arch\", value_column = \"ms\" } }");
  Experiment& e = *built.experiment;
  EXPECT_DOUBLE_EQ(e.objectives[0]->evaluate(*e.space->deserialize("k3c4s1relu-k1c8s1none"), *e.space), 2.5);
  try {
    e.objectives[0]->evaluate(*e.space->deserialize("k3c4s1relu-k1c8s1relu"), *e.space);
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("no row with arch = 'k3c4s1relu-k1c8s1relu'"), std::string::npos);
  }
}

TEST(LatencyObjective, BadNestedParametersNameTheirSection) {
  Built built;
  try {
    build(built, "{ plugin = \"lut\", file = \"/nonexistent/lut.h5\" }");
    FAIL();
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("/nonexistent/lut.h5' does not exist"), std::string::npos) << message;
    EXPECT_NE(message.find("objectives[0].model"), std::string::npos) << message;
  }
  Built again;
  EXPECT_THROW(build(again, "{ plugin = \"predictor\", file = \"/nonexistent/p.h5\" }"), Error);
}

TEST(LatencyObjective, ResultsRecordTheMeasuringDevice) {
  Built built;
  build(built, "{ plugin = \"measure\", device = { plugin = \"cpu\", threads = 1, clock = \"thread_cpu\", warmup = 1, "
               "runs = 3, max_spread = inf } }",
        kTinySpace);
  const auto attributes = run_and_read_attributes(*built.experiment, "latency_objective_measure.h5");
  EXPECT_EQ(at(attributes, "objective.latency_ms.latency_model"), "measure");
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.name"), "cpu");
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.threads"), "1");
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.clock"), "thread_cpu");
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.pinned_core"), "none");
  EXPECT_GE(std::stoi(at(attributes, "objective.latency_ms.device.cores")), 1);
  EXPECT_TRUE(attributes.count("objective.latency_ms.device.model"));
  EXPECT_NE(at(attributes, "objective.latency_ms.description").find("measured on cpu"), std::string::npos);
}

TEST(LatencyObjective, ResultsRecordTheTableAndTheDeviceItWasMeasuredOn) {
  // A table covering every kernel of the tiny space, listed through the space itself.
  Built probe;
  build(probe, "{ plugin = \"measure\", device = { plugin = \"cpu\" } }", kTinySpace);
  LatencyTable table;
  table.space = probe.experiment->space->describe();
  table.device = {"phone", {{"cores", "8"}, {"threads", "4"}, {"model", "Snapdragon 855"}}};
  table.overhead_ms = 0.25;
  table.kernel_scale = 0.9;
  Rng rng(3);
  for (int i = 0; i < 200; ++i)
    for (const Kernel& kernel : probe.experiment->space->kernels(*probe.experiment->space->sample(rng)))
      if (std::find(table.keys.begin(), table.keys.end(), kernel.key) == table.keys.end()) {
        table.keys.push_back(kernel.key);
        table.latency_ms.push_back(1.0);
      }
  const auto file = temp("latency_objective_lut.h5");
  write_latency_table(file, table);

  Built built;
  build(built, "{ plugin = \"lut\", file = \"" + file.string() + "\" }", kTinySpace);
  const auto attributes = run_and_read_attributes(*built.experiment, "latency_objective_lut_run.h5");
  EXPECT_EQ(at(attributes, "objective.latency_ms.latency_model"), "lut");
  EXPECT_EQ(at(attributes, "objective.latency_ms.table"), file.string());
  EXPECT_EQ(at(attributes, "objective.latency_ms.table.schema_version"), std::to_string(kLutSchemaVersion));
  EXPECT_EQ(at(attributes, "objective.latency_ms.table.kernels"), std::to_string(table.keys.size()));
  EXPECT_EQ(at(attributes, "objective.latency_ms.table.overhead_ms"), "0.25");
  EXPECT_EQ(at(attributes, "objective.latency_ms.table.kernel_scale"), "0.9");
  EXPECT_EQ(at(attributes, "objective.latency_ms.table.space"), table.space);
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.name"), "phone");
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.model"), "Snapdragon 855");
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.threads"), "4");
  // The values are the table's: overhead + scale x (one conv + head), 1 ms each.
  const RunResults results = read_results(temp("latency_objective_lut_run.h5"));
  for (const EvaluationRecord& e : results.evaluations) EXPECT_DOUBLE_EQ(e.values.at(0), 0.25 + 0.9 * 2);
}

TEST(LatencyObjective, ResultsRecordThePredictorAndWhatItWasTrainedOn) {
  // Untrained weights: the provenance, not the quality, is under test.
  KernelPredictorWeights weights;
  weights.layout.kernel_types = {"conv2d+none", "conv2d+relu", "conv2d+hswish", "head"};
  weights.layout.kernel_features = 6;
  weights.layout.hardware_features = {"cores"};
  weights.feature_mean.assign(weights.layout.width(), 0.0);
  weights.feature_std.assign(weights.layout.width(), 1.0);
  weights.layers.push_back({weights.layout.width(), 1, std::vector<double>(weights.layout.width(), 0.01), {0.0}});
  weights.trained_on = "cpu (cores=2, threads=1)";
  weights.training_data = "data.h5 (520 of 650 models; every 5th held out)";
  const auto file = temp("latency_objective_predictor.h5");
  write_predictor(file, weights);

  Built built;
  build(built, "{ plugin = \"predictor\", file = \"" + file.string() + "\", device = { plugin = \"cpu\", threads = 1 } }",
        kTinySpace);
  const auto attributes = run_and_read_attributes(*built.experiment, "latency_objective_predictor_run.h5");
  EXPECT_EQ(at(attributes, "objective.latency_ms.latency_model"), "predictor");
  EXPECT_EQ(at(attributes, "objective.latency_ms.predictor"), file.string());
  EXPECT_EQ(at(attributes, "objective.latency_ms.predictor.schema_version"), std::to_string(kPredictorSchemaVersion));
  EXPECT_EQ(at(attributes, "objective.latency_ms.predictor.trained_on"), weights.trained_on);
  EXPECT_EQ(at(attributes, "objective.latency_ms.predictor.training_data"), weights.training_data);
  EXPECT_EQ(at(attributes, "objective.latency_ms.predictor.features"), weights.layout.describe());
  // The device predicted for is the configured one.
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.name"), "cpu");
  EXPECT_EQ(at(attributes, "objective.latency_ms.device.threads"), "1");
}

}  // namespace
}  // namespace gos
