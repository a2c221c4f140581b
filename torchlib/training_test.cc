#include "torchlib/training.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "framework/error.h"
#include "torchlib/placement.h"
#include "torchlib/zoo.h"

namespace gos {
namespace {

namespace fs = std::filesystem;

// A tiny IDX data set of 8x8 images: class 0 dark, class 1 bright, with noise.
class TrainingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gos_training_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    write_split("train", 256, 1);
    write_split("eval", 64, 2);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_split(const std::string& name, uint32_t count, uint64_t seed) {
    Rng rng(seed);
    std::vector<uint8_t> images = header(0x803, count, true), labels = header(0x801, count, false);
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t label = static_cast<uint8_t>(i % 2);
      labels.push_back(label);
      for (int p = 0; p < 64; ++p)
        images.push_back(static_cast<uint8_t>((label ? 150 : 60) + rng.uniform_int(0, 60)));
    }
    std::ofstream(dir_ / (name + "-images"), std::ios::binary).write(reinterpret_cast<char*>(images.data()), images.size());
    std::ofstream(dir_ / (name + "-labels"), std::ios::binary).write(reinterpret_cast<char*>(labels.data()), labels.size());
  }
  static std::vector<uint8_t> header(uint32_t magic, uint32_t count, bool images) {
    std::vector<uint8_t> bytes;
    const std::vector<uint32_t> fields = images ? std::vector<uint32_t>{magic, count, 8, 8} : std::vector<uint32_t>{magic, count};
    for (uint32_t field : fields)
      for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(field >> shift));
    return bytes;
  }
  TrainerConfig config() const {
    TrainerConfig c;
    c.format = "idx";
    c.data_dir = dir_;
    c.train_files = {"train-images", "train-labels"};
    c.eval_files = {"eval-images", "eval-labels"};
    c.batch_size = 32;
    c.learning_rate = 0.05;
    c.threads = 1;
    c.progress = false;
    c.augment = false;
    return c;
  }
  static std::shared_ptr<SlottedModel> tiny_resnet() {
    ZooOptions options;
    options.in_channels = 1;
    options.width = 1.0 / 16;
    return make_zoo_model("resnet18", options);
  }
  fs::path dir_;
};

TEST_F(TrainingTest, SgdLearnsASeparableTaskAndWritesACheckpoint) {
  TrainerConfig c = config();
  c.epochs = 4;
  c.checkpoint = (dir_ / "ckpt.pt").string();
  ImageTrainer trainer(c);
  torch::manual_seed(0);
  auto model = tiny_resnet();
  const TrainReport report = trainer.train(*model);
  EXPECT_EQ(report.steps, 4 * 8);
  EXPECT_GT(report.eval_accuracy, 90.0);
  EXPECT_DOUBLE_EQ(report.eval_accuracy, trainer.evaluate(*model));
  auto restored = tiny_resnet();
  load_checkpoint(*restored, c.checkpoint);
  EXPECT_DOUBLE_EQ(trainer.evaluate(*restored), report.eval_accuracy);
}

TEST_F(TrainingTest, AdamWithAStepBudgetAndTheSameSeedRepeatsExactly) {
  TrainerConfig c = config();
  c.optimizer = "adam";
  c.learning_rate = 0.01;
  c.steps = 5;
  c.augment = true;
  const auto run = [&] {
    ImageTrainer trainer(c);
    torch::manual_seed(0);
    auto model = tiny_resnet();
    return trainer.train(*model);
  };
  const TrainReport a = run(), b = run();
  EXPECT_EQ(a.steps, 5);
  EXPECT_DOUBLE_EQ(a.train_loss, b.train_loss);
  EXPECT_DOUBLE_EQ(a.eval_accuracy, b.eval_accuracy);
}

// device = "auto" trains on the GPU where there is one (the GPU machine) and
// on the CPU elsewhere; either way the model comes back where it was, so the
// latency path and the adapt stages find it on the CPU.
TEST_F(TrainingTest, TrainingOnTheConfiguredDeviceLeavesTheModelWhereItWas) {
  TrainerConfig c = config();
  c.device = ComputeDevice::kAuto;
  c.steps = 10;
  c.augment = true;
  ImageTrainer trainer(c);
  torch::manual_seed(0);
  auto model = tiny_resnet();
  const TrainReport report = trainer.train(*model);
  EXPECT_TRUE(module_device(*model).is_cpu());
  EXPECT_EQ(report.steps, 10);
  EXPECT_EQ(report.images, 10 * 32);
  EXPECT_GT(report.train_seconds, 0);
  EXPECT_LE(report.train_seconds, report.seconds);
  EXPECT_DOUBLE_EQ(trainer.evaluate(*model), report.eval_accuracy);
  EXPECT_TRUE(module_device(*model).is_cpu());
  trainer.forward_training_images(*model, 40);
  EXPECT_TRUE(module_device(*model).is_cpu());
}

TEST_F(TrainingTest, SubsetsAndHoldoutSizeTheSplits) {
  TrainerConfig c = config();
  c.train_subset = 100;
  c.eval_subset = 10;
  ImageTrainer subsets(c);
  EXPECT_EQ(subsets.train_data().size(), 100u);
  EXPECT_EQ(subsets.eval_data().size(), 10u);
  c = config();
  c.eval_files = {};
  c.holdout = 56;
  ImageTrainer holdout(c);
  EXPECT_EQ(holdout.train_data().size(), 200u);
  EXPECT_EQ(holdout.eval_data().size(), 56u);
}

TEST_F(TrainingTest, MissingOrWronglyListedFilesAreNamed) {
  TrainerConfig c = config();
  c.train_files = {"absent-images", "train-labels"};
  try {
    ImageTrainer trainer(c);
    FAIL() << "a missing file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent-images"), std::string::npos) << e.what();
  }
  c = config();
  c.train_files = {"train-images"};
  EXPECT_THROW(ImageTrainer trainer(c), Error);
}

}  // namespace
}  // namespace gos
