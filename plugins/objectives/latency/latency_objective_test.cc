// The latency plugins as an experiment file wires them: objective -> latency
// model -> device, created from TOML through the plugin registry.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "framework/config.h"
#include "framework/error.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"

namespace gos {
namespace {

std::string experiment(const std::string& model) {
  return "[experiment]\nname = \"t\"\noutput = \"unused.h5\"\n"
         "[search_space]\nplugin = \"cnn_chain\"\nresolution = 8\nchannels = [4, 8]\n"
         "[strategy]\nplugin = \"random_search\"\n"
         "[[objectives]]\nplugin = \"latency\"\nmodel = " + model + "\n";
}

struct Built {
  PluginRegistry registry;
  std::optional<Experiment> experiment;
};

void build(Built& built, const std::string& model) {
  built.registry.load_directory(GOS_PLUGIN_DIR);
  built.experiment.emplace(
      build_experiment(parse_experiment(experiment(model), "test.toml", ".", {}, built.registry), built.registry));
}

TEST(LatencyObjective, MeasuresOnTheCpuThroughNestedComponents) {
  Built built;
  build(built, "{ plugin = \"measure\", device = { plugin = \"cpu\", threads = 1, warmup = 1, runs = 5, "
               "max_spread = 10.0 } }");
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

}  // namespace
}  // namespace gos
