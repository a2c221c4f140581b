// The differentiable bit-width search: temperature schedule, the BitOPs
// penalty steering the argmax genome, seeding, and the strategy run end to
// end by an experiment (results file). A seeded synthetic task (class =
// brightness) stands in for CIFAR-10 so the tests take seconds.
#include "plugins/strategies/differentiable_bits/supernet.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "framework/config.h"
#include "framework/error.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "framework/results.h"
#include "framework/runner.h"
#include "tests/test_support.h"

namespace gos::mixed_precision {
namespace {

ImageDataset brightness_task(int images) {
  ImageDataset data;
  data.channels = 3;
  data.height = data.width = 32;
  data.classes = 10;
  Rng rng(7);
  for (int i = 0; i < images; ++i) {
    const int label = static_cast<int>(rng.uniform_int(0, 9));
    data.labels.push_back(static_cast<uint8_t>(label));
    for (size_t j = 0; j < 3072; ++j)
      data.pixels.push_back(
          static_cast<uint8_t>(std::clamp<int64_t>(20 + 22 * label + rng.uniform_int(-8, 8), 0, 255)));
  }
  return data;
}

MixedPrecisionSpace small_space() {
  MixedPrecisionConfig config;
  config.width = 0.125;
  config.bits = {8, 2};
  // Layers with a real share of the BitOPs (fc has 0.01 %: the penalty barely touches it).
  config.layers = {"conv1", "layer1.0.conv1", "layer1.0.conv2"};
  config.fixed_bits = 8;
  return MixedPrecisionSpace(config);
}

SupernetConfig quick(double penalty) {
  SupernetConfig config;
  config.steps = 12;
  config.batch_size = 16;
  config.arch_learning_rate = 0.1;
  config.penalty = penalty;
  return config;
}

TEST(Supernet, TemperatureDecaysExponentiallyFromStartToEnd) {
  SupernetConfig config;
  config.steps = 11;
  config.temperature_start = 5;
  config.temperature_end = 0.5;
  EXPECT_DOUBLE_EQ(temperature_at(config, 0), 5);
  EXPECT_NEAR(temperature_at(config, 5), 5 * std::sqrt(0.1), 1e-12);
  EXPECT_NEAR(temperature_at(config, 10), 0.5, 1e-12);
}

TEST(Supernet, ALargeBitOpsPenaltyPicksTheNarrowestWidthEverywhere) {
  const MixedPrecisionSpace space = small_space();
  const ImageDataset data = brightness_task(64);
  const SupernetOutcome cheap = search_bit_widths(space, data, quick(100));
  EXPECT_EQ(cheap.bits, (std::vector<int64_t>{2, 2, 2}));
  for (const auto& row : cheap.probabilities) EXPECT_GT(row[1], row[0]);
  const SupernetOutcome free = search_bit_widths(space, data, quick(0));
  EXPECT_LT(cheap.expected_bitops, free.expected_bitops);
  // Seeded: the same configuration gives the same logits.
  EXPECT_EQ(search_bit_widths(space, data, quick(100)).probabilities, cheap.probabilities);
}

TEST(Supernet, GumbelRelaxationAndEntropyRunAndStayNormalised) {
  const MixedPrecisionSpace space = small_space();
  SupernetConfig config = quick(1);
  config.relaxation = Relaxation::kGumbel;
  config.temperature_start = 5;
  config.temperature_end = 0.5;
  config.entropy = 1;
  const SupernetOutcome outcome = search_bit_widths(space, brightness_task(32), config);
  ASSERT_EQ(outcome.bits.size(), 3u);
  for (const auto& row : outcome.probabilities) EXPECT_NEAR(row[0] + row[1], 1, 1e-6);
  EXPECT_TRUE(std::isfinite(outcome.last_loss));
}

// Writes the task as a CIFAR-10 binary batch.
std::filesystem::path write_task(const std::filesystem::path& dir) {
  const ImageDataset data = brightness_task(48);
  std::ofstream out(dir / "data_batch_1.bin", std::ios::binary);
  for (size_t i = 0; i < data.size(); ++i) {
    out.put(static_cast<char>(data.labels[i]));
    out.write(reinterpret_cast<const char*>(data.image(i)), std::streamsize(data.image_bytes()));
  }
  return dir;
}

std::string experiment(const std::filesystem::path& dir, const std::string& space, const std::string& strategy,
                       const std::string& objective = "metric = \"bitops\"") {
  return "[experiment]\nname = \"t\"\nseed = 2\noutput = \"" + (dir / "run.h5").string() + "\"\n" + space +
         "[strategy]\nplugin = \"differentiable_bits\"\ndata_dir = \"" + dir.string() +
         "\"\ntrain_files = [\"data_batch_1.bin\"]\nsteps = 4\nbatch_size = 16\nprogress = false\nthreads = 1\n" +
         strategy + "\n[[objectives]]\nplugin = \"metric\"\n" + objective + "\n";
}

const std::string kSpace =
    "[search_space]\nplugin = \"mixed_precision\"\nwidth = 0.125\nbits = [8, 4, 2]\nlayers = [\"conv1\", \"fc\"]\n";

TEST(DifferentiableBits, TheArgmaxGenomeIsEvaluatedAndWrittenToTheResultsFile) {
  const auto dir = write_task(testing::scratch_dir("differentiable_bits"));
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  Experiment e = build_experiment(
      parse_experiment(experiment(dir, kSpace, "penalty = 50"), "exp.toml", ".", {}, registry), registry);
  RunOptions options;
  options.progress = false;
  const RunSummary summary = run_experiment(e, options);
  EXPECT_EQ(summary.evaluations, 1u);
  const RunResults results = read_results(dir / "run.h5");
  ASSERT_EQ(results.evaluations.size(), 1u);
  const GenomePtr genome = e.space->deserialize(results.evaluations[0].genome);
  EXPECT_EQ(results.evaluations[0].values.at(0), e.space->query(*genome, {Metric::kBitOps, ""}));
}

TEST(DifferentiableBits, BadInputIsAnErrorNamingTheKey) {
  const auto dir = write_task(testing::scratch_dir("differentiable_bits_bad"));
  EXPECT_NE(testing::config_error(experiment(dir, kSpace, "penalty = -0.001")).find("penalty"), std::string::npos);
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  const std::string zdt = "[search_space]\nplugin = \"test_problem\"\nproblem = \"zdt1\"\n";
  try {
    Experiment e = build_experiment(
        parse_experiment(experiment(dir, zdt, "", "metric = \"function\"\non = \"f1\""), "exp.toml", ".", {}, registry),
        registry);
    RunOptions options;
    options.progress = false;
    run_experiment(e, options);
    FAIL() << "the strategy accepted a test-problem space";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mixed_precision"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gos::mixed_precision
