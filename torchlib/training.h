#pragma once
// Supervised training of a TorchModel on an image classification data set:
// SGD with momentum and a cosine learning-rate schedule, or Adam; a budget of
// epochs or steps; top-1 accuracy; a progress bar; checkpoints. Trains on the
// CPU or a CUDA device (`device`): the images are uploaded there once and
// every batch is indexed, cropped, flipped and normalised there. The model is
// moved to the training device for each call and back to where it was, so
// callers (the latency path, the adapt stages) always find it where they left
// it. Free of LibTorch headers so that plugins and commands using it compile
// quickly.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "framework/trainer.h"
#include "torchlib/compute_device.h"
#include "torchlib/datasets.h"

namespace gos {

struct TrainerConfig {
  std::string format = "cifar10";  // "cifar10" (binary batches) or "idx" (MNIST / Fashion-MNIST)
  std::filesystem::path data_dir;
  // File names relative to data_dir; for "idx", the images file then the labels file.
  std::vector<std::string> train_files = {"data_batch_1.bin", "data_batch_2.bin"};
  std::vector<std::string> eval_files = {"test_batch.bin"};
  size_t train_subset = 0;  // images drawn (seeded) from the training files; 0 = all
  size_t eval_subset = 0;   // images drawn (seeded) from the held-out split; 0 = all
  // When > 0, the held-out split is this many training images (set aside
  // before train_subset is drawn) instead of eval_files.
  size_t holdout = 0;
  std::string optimizer = "sgd";  // "sgd" (momentum, cosine schedule) or "adam"
  double learning_rate = 0.05;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  int64_t epochs = 1;
  int64_t steps = 0;  // when > 0, train exactly this many steps instead of `epochs`
  int64_t batch_size = 128;
  bool augment = true;  // random crop (padding 4) + horizontal flip
  uint64_t seed = 0;
  int threads = 0;  // LibTorch intra-op threads; 0 = every hardware thread
  ComputeDevice device = ComputeDevice::kCpu;  // where training and evaluation run
  bool progress = true;  // progress bar on stderr
  std::string checkpoint;  // written after every epoch when not empty
};

class ImageTrainer : public Trainer {
 public:
  // Loads and checks the data and uploads it to the device; throws
  // gos::Error naming a missing or corrupt file, or `device` when it asks
  // for CUDA where there is none.
  explicit ImageTrainer(TrainerConfig config);
  ~ImageTrainer() override;
  TrainReport train(TorchModel& model) override;
  double evaluate(TorchModel& model) override;
  // Top-1 accuracy (%) on other images (a test split), normalised with this
  // trainer's training-set statistics as every other input.
  double evaluate_on(TorchModel& model, const ImageDataset& images);
  // Runs `model` in eval mode without gradients on the first `count`
  // training images (unaugmented, normalised), so that an observer of the
  // model sees the activations of real inputs (adapt's distillation).
  void forward_training_images(TorchModel& model, size_t count);

  const ImageDataset& train_data() const { return train_; }
  const ImageDataset& eval_data() const { return eval_; }

 private:
  // LibTorch's intra-op threads as configured. Every entry point sets them:
  // a reduction split over another thread count sums in another order, and
  // a calibration run before train() would otherwise see other activations.
  void use_configured_threads() const;

  TrainerConfig config_;
  ImageDataset train_;
  ImageDataset eval_;
  std::vector<double> mean_, stddev_;  // per channel, of the training images, in [0, 1] units
  struct OnDevice;                     // the images as tensors on the training device
  std::unique_ptr<OnDevice> on_device_;
};

}  // namespace gos
