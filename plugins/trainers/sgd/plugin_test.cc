// The sgd trainer plugin as the host loads it: schema, parameter checks, creation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "framework/plugin_registry.h"
#include "framework/trainer.h"
#include "torchlib/compute_device.h"

namespace gos {
namespace {

namespace fs = std::filesystem;

class SgdPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.load_file(GOS_PLUGIN_DIR "/libgos_sgd_trainer.so");
    dir_ = fs::temp_directory_path() / ("gos_sgd_plugin_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    // Two 1x1 IDX images with labels 3 and 7.
    const std::vector<uint8_t> images = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 10, 200};
    const std::vector<uint8_t> labels = {0, 0, 8, 1, 0, 0, 0, 2, 3, 7};
    std::ofstream(dir_ / "images", std::ios::binary).write(reinterpret_cast<const char*>(images.data()), images.size());
    std::ofstream(dir_ / "labels", std::ios::binary).write(reinterpret_cast<const char*>(labels.data()), labels.size());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The plugin's defaults plus `values`, as a validated table would hold them.
  ComponentConfig config(const std::map<std::string, ParamValue>& values) {
    const PluginRecord& record = registry_.find("sgd", PluginKind::kTrainer, "test");
    auto params = std::make_shared<Params>("trainer", SourceLocation{"test.toml", 1, 1});
    for (const ParamSpec& spec : record.schema.specs())
      if (spec.default_value) params->set(spec.name, *spec.default_value, {"test.toml", 1, 1});
    for (const auto& [name, value] : values) params->set(name, value, {"test.toml", 2, 1});
    return ComponentConfig{"sgd", "trainer", {"test.toml", 1, 1}, params};
  }

  PluginRegistry registry_;
  fs::path dir_;
};

TEST_F(SgdPluginTest, CreatesATrainerFromIdxFiles) {
  auto trainer = registry_.create<Trainer>(
      config({{"format", std::string("idx")},
              {"data_dir", dir_.string()},
              {"train_files", std::vector<std::string>{"images", "labels"}},
              {"holdout", int64_t{1}}}),
      PluginKind::kTrainer);
  EXPECT_NE(trainer, nullptr);
}

TEST_F(SgdPluginTest, IdxWithoutFileListsOrWithMissingFilesIsAnErrorNamingTheKey) {
  try {
    registry_.create<Trainer>(config({{"format", std::string("idx")}, {"data_dir", dir_.string()}}),
                              PluginKind::kTrainer);
    FAIL() << "an idx data set without train_files was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("train_files"), std::string::npos) << e.what();
  }
  try {
    registry_.create<Trainer>(config({{"data_dir", (dir_ / "nowhere").string()}}), PluginKind::kTrainer);
    FAIL() << "a missing CIFAR-10 directory was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("data_batch_1.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("data_dir"), std::string::npos) << e.what();
  }
}

TEST_F(SgdPluginTest, CudaWithoutAGpuIsAnErrorNamingTheKeyAndTheValidValues) {
  const auto make = [&](const std::string& device) {
    return registry_.create<Trainer>(config({{"format", std::string("idx")},
                                             {"data_dir", dir_.string()},
                                             {"train_files", std::vector<std::string>{"images", "labels"}},
                                             {"holdout", int64_t{1}},
                                             {"device", device}}),
                                     PluginKind::kTrainer);
  };
  EXPECT_NE(make("auto"), nullptr);  // the CPU when there is no GPU
  if (cuda_device_count() > 0) {
    EXPECT_NE(make("cuda"), nullptr);
    return;
  }
  try {
    make("cuda");
    FAIL() << "device = \"cuda\" was accepted without a CUDA device";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("test.toml:2:1: [trainer] device: \"cuda\""), std::string::npos) << message;
    EXPECT_NE(message.find("valid here: \"cpu\", or \"auto\""), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace gos
