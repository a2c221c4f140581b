// The finetune_accuracy objective as an experiment wires it: quantization-
// aware fine-tuning of mixed_precision genomes on a seeded synthetic
// CIFAR-format task (the class is the image's brightness), so it runs in
// seconds without the shared data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "framework/config.h"
#include "framework/error.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "tests/test_support.h"
#include "torchlib/compute_device.h"

namespace gos {
namespace {

// CIFAR-10 binary records whose label k has pixels around 20 + 22 k.
std::filesystem::path write_brightness_task(const std::filesystem::path& dir, int images) {
  std::filesystem::create_directories(dir);
  Rng rng(5);
  for (const char* name : {"data_batch_1.bin", "test_batch.bin"}) {
    std::ofstream out(dir / name, std::ios::binary);
    std::vector<char> record(1 + 3072);
    for (int i = 0; i < images; ++i) {
      const int label = static_cast<int>(rng.uniform_int(0, 9));
      record[0] = static_cast<char>(label);
      for (size_t j = 1; j < record.size(); ++j)
        record[j] = static_cast<char>(std::clamp<int64_t>(20 + 22 * label + rng.uniform_int(-8, 8), 0, 255));
      out.write(record.data(), static_cast<std::streamsize>(record.size()));
    }
  }
  return dir;
}

struct Built {
  PluginRegistry registry;
  std::optional<Experiment> experiment;
};

void build(Built& built, const std::string& objective) {
  testing::load_build_plugins(built.registry);
  const std::string text =
      "[experiment]\nname = \"t\"\nseed = 1\noutput = \"unused.h5\"\n"
      "[search_space]\nplugin = \"mixed_precision\"\nwidth = 0.125\nbits = [8, 2]\nlayers = [\"conv1\", "
      "\"fc\"]\nfixed_bits = 8\n"
      "[strategy]\nplugin = \"random_search\"\nevaluations = 2\n"
      "[[objectives]]\nplugin = \"finetune_accuracy\"\n" +
      objective + "\n";
  built.experiment.emplace(
      build_experiment(parse_experiment(text, "exp.toml", ".", {}, built.registry), built.registry));
}

std::string table(const std::filesystem::path& dir, int steps) {
  return "data_dir = \"" + dir.string() +
         "\"\ntrain_files = [\"data_batch_1.bin\"]\ntrain_subset = 0\neval_subset = 0\nbatch_size = 32\n"
         "learning_rate = 0.05\nthreads = 1\nsteps = " +
         std::to_string(steps);
}

TEST(FinetuneAccuracy, QuantizationAwareFineTuningLearnsTheTaskAndIsSeeded) {
  const auto dir = write_brightness_task(testing::scratch_dir("finetune_accuracy"), 160);
  Built untrained, trained;
  build(untrained, table(dir, 0));
  build(trained, table(dir, 25));
  EXPECT_EQ(trained.experiment->roles.at(0).name, "accuracy");
  EXPECT_EQ(trained.experiment->roles.at(0).direction, Direction::kMaximize);
  const Experiment& e = *trained.experiment;
  const GenomePtr genome = e.space->deserialize("8-8");
  const double before = untrained.experiment->objectives.at(0)->evaluate(*genome, *e.space);
  const double after = e.objectives.at(0)->evaluate(*genome, *e.space);
  std::cout << "accuracy before " << before << " %, after " << after << " %\n";
  EXPECT_LT(before, 40) << "an untrained network already solves the task";
  // Chance is 10 %; 25 steps reach about 50 %.
  EXPECT_GT(after, before + 25) << "25 steps of QAT did not learn ten brightness levels";
  EXPECT_EQ(e.objectives.at(0)->evaluate(*genome, *e.space), after) << "not deterministic";
  EXPECT_EQ(e.objectives.at(0)->provenance().at("steps"), "25");
}

TEST(FinetuneAccuracy, DeviceCudaFineTunesOnTheGpuOrIsAnErrorNamingTheKeyWithoutOne) {
  const auto dir = write_brightness_task(testing::scratch_dir("finetune_accuracy_cuda"), 160);
  Built built;
  if (cuda_device_count() == 0) {
    try {
      build(built, table(dir, 25) + "\ndevice = \"cuda\"");
      FAIL() << "device = \"cuda\" was accepted without a CUDA device";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("device: \"cuda\""), std::string::npos) << message;
      EXPECT_NE(message.find("valid here: \"cpu\", or \"auto\""), std::string::npos) << message;
    }
    return;
  }
  build(built, table(dir, 25) + "\ndevice = \"cuda\"");
  const Experiment& e = *built.experiment;
  const double accuracy = e.objectives.at(0)->evaluate(*e.space->deserialize("8-2"), *e.space);
  std::cout << "accuracy after 25 steps on cuda " << accuracy << " %\n";
  EXPECT_GT(accuracy, 35) << "25 steps of QAT on the GPU did not learn ten brightness levels";
  EXPECT_EQ(e.objectives.at(0)->provenance().at("device"), "cuda");
}

TEST(FinetuneAccuracy, AMissingDataDirectoryIsAnErrorNamingTheKey) {
  Built built;
  try {
    build(built, "data_dir = \"/nonexistent/cifar10\"");
    FAIL() << "a missing data directory was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("data_dir"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("data_batch_1.bin"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gos
