#include "torchlib/training.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <numeric>
#include <thread>

#include "framework/error.h"
#include "framework/progress.h"
#include "torchlib/image_batches.h"
#include "torchlib/placement.h"
#include "torchlib/torch_model.h"
#include "torchlib/zoo.h"

namespace gos {
namespace {

ImageDataset load(const TrainerConfig& config, const std::vector<std::string>& files, const char* split) {
  std::vector<std::filesystem::path> paths;
  for (const auto& file : files) paths.push_back(config.data_dir / file);
  if (config.format == "cifar10") return load_cifar10(paths);
  if (config.format == "idx") {
    if (paths.size() != 2)
      throw Error(fmt::format("the {} files of an IDX data set are an images file and a labels file, not {} files",
                              split, paths.size()));
    return load_idx(paths[0], paths[1]);
  }
  throw Error(fmt::format("unknown data format '{}'; valid: cifar10, idx", config.format));
}

// Mean and standard deviation of every channel over all images.
void channel_statistics(const ImageDataset& data, std::vector<double>& mean, std::vector<double>& stddev) {
  const size_t plane = static_cast<size_t>(data.height * data.width);
  for (int64_t c = 0; c < data.channels; ++c) {
    double sum = 0, squares = 0;
    for (size_t i = 0; i < data.size(); ++i) {
      const uint8_t* pixels = data.image(i) + c * plane;
      for (size_t p = 0; p < plane; ++p) {
        const double v = pixels[p] / 255.0;
        sum += v;
        squares += v * v;
      }
    }
    const double n = double(data.size() * plane);
    mean.push_back(sum / n);
    stddev.push_back(std::sqrt(std::max(squares / n - (sum / n) * (sum / n), 1e-12)));
  }
}

}  // namespace

struct ImageTrainer::OnDevice {
  torch::Device device{torch::kCPU};
  ImageTensors train, eval;
  torch::Tensor mean, stddev;  // [C] float32
};

ImageTrainer::ImageTrainer(TrainerConfig config) : config_(std::move(config)) {
  ImageDataset train = load(config_, config_.train_files, "training");
  if (config_.holdout > 0) {
    train = shuffled_subset(train, config_.seed, 0);
    eval_ = split_tail(train, config_.holdout);
  } else {
    eval_ = load(config_, config_.eval_files, "evaluation");
  }
  train_ = shuffled_subset(train, config_.seed + 1, config_.train_subset);
  eval_ = shuffled_subset(eval_, config_.seed + 2, config_.eval_subset);
  channel_statistics(train_, mean_, stddev_);
  on_device_ = std::make_unique<OnDevice>();
  on_device_->device = resolve_device(config_.device, "device");
  // Fixed input shapes: let cuDNN pick its fastest convolution algorithms.
  if (on_device_->device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
  on_device_->train = to_tensors(train_, on_device_->device);
  on_device_->eval = to_tensors(eval_, on_device_->device);
  const auto floats = torch::TensorOptions().dtype(torch::kFloat32);
  on_device_->mean = torch::tensor(std::vector<float>(mean_.begin(), mean_.end()), floats).to(on_device_->device);
  on_device_->stddev = torch::tensor(std::vector<float>(stddev_.begin(), stddev_.end()), floats).to(on_device_->device);
}

ImageTrainer::~ImageTrainer() = default;

namespace {

std::string progress_text(int64_t epoch, int64_t epochs, int64_t step, int64_t steps, double loss, double accuracy) {
  constexpr int kWidth = 30;
  const int filled = steps > 0 ? static_cast<int>(kWidth * step / steps) : kWidth;
  return fmt::format("epoch {}/{} [{}{}] {:3d}% loss {:.4f} acc {:5.1f}%", epoch, epochs, std::string(filled, '='),
                     std::string(kWidth - filled, ' '), steps > 0 ? 100 * step / steps : 100, loss, accuracy);
}

}  // namespace

void ImageTrainer::use_configured_threads() const {
  const int threads = config_.threads > 0 ? config_.threads : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(std::max(threads, 1));
}

TrainReport ImageTrainer::train(TorchModel& model) {
  use_configured_threads();
  torch::manual_seed(config_.seed);
  Rng rng = Rng(config_.seed).fork("trainer");
  const auto start = std::chrono::steady_clock::now();
  const OnDevice& data = *on_device_;
  const ModuleOnDevice placed(model, data.device);

  const auto batch = static_cast<size_t>(config_.batch_size);
  const int64_t steps_per_epoch = static_cast<int64_t>((train_.size() + batch - 1) / batch);
  const int64_t total_steps = config_.steps > 0 ? config_.steps : config_.epochs * steps_per_epoch;
  const int64_t epochs = (total_steps + steps_per_epoch - 1) / steps_per_epoch;

  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (config_.optimizer == "sgd")
    optimizer = std::make_unique<torch::optim::SGD>(
        model.parameters(),
        torch::optim::SGDOptions(config_.learning_rate).momentum(config_.momentum).weight_decay(config_.weight_decay));
  else if (config_.optimizer == "adam")
    optimizer = std::make_unique<torch::optim::Adam>(
        model.parameters(), torch::optim::AdamOptions(config_.learning_rate).weight_decay(config_.weight_decay));
  else
    throw Error(fmt::format("unknown optimizer '{}'; valid: sgd, adam", config_.optimizer));

  TrainReport report;
  ProgressLine progress;
  model.train();
  for (int64_t epoch = 1; epoch <= epochs && report.steps < total_steps; ++epoch) {
    // The epoch's order and augmentation are drawn on the host (gos::Rng: the
    // same on every platform and device) and uploaded once per epoch.
    std::vector<int64_t> order(train_.size());
    std::iota(order.begin(), order.end(), int64_t{0});
    rng.shuffle(std::span<int64_t>(order));
    std::vector<CropFlip> draws;
    if (config_.augment) {
      draws.reserve(order.size());
      for (size_t i = 0; i < order.size(); ++i) draws.push_back(draw_crop_flip(4, rng));
    }
    const torch::Tensor order_on_device = torch::tensor(order, torch::kLong).to(data.device);
    const torch::Tensor draws_on_device = config_.augment ? draws_tensor(draws, data.device) : torch::Tensor();
    // Loss and hits stay on the device; reading them waits for the GPU, so
    // that happens only when the progress line is drawn and at the epoch's end.
    torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(data.device));
    torch::Tensor correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(data.device));
    int64_t seen = 0;
    const int64_t epoch_steps = std::min(steps_per_epoch, total_steps - report.steps);
    for (int64_t step = 0; step < epoch_steps; ++step) {
      if (config_.optimizer == "sgd") {
        // Cosine annealing from the base rate to zero over the whole budget.
        const double progress = double(report.steps) / double(total_steps);
        const double rate = 0.5 * config_.learning_rate * (1 + std::cos(std::numbers::pi * progress));
        for (auto& group : optimizer->param_groups()) group.options().set_lr(rate);
      }
      const int64_t first = step * config_.batch_size;
      const int64_t last = std::min<int64_t>(first + config_.batch_size, static_cast<int64_t>(order.size()));
      const torch::Tensor indices = order_on_device.slice(0, first, last);
      torch::Tensor pixels = data.train.pixels.index_select(0, indices);
      if (config_.augment) pixels = crop_flip_batch(pixels, draws_on_device.slice(1, first, last), 4);
      const torch::Tensor images = normalise(pixels, data.mean, data.stddev);
      const torch::Tensor labels = data.train.labels.index_select(0, indices);
      optimizer->zero_grad();
      const torch::Tensor logits = model.forward(images);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
      loss.backward();
      optimizer->step();
      ++report.steps;
      report.images += last - first;
      seen += last - first;
      loss_sum += loss.detach().to(torch::kFloat64) * double(last - first);
      correct += logits.argmax(1).eq(labels).sum();
      const bool epoch_end = step + 1 == epoch_steps;
      if (config_.progress && (epoch_end || step % 20 == 0)) {
        // Redrawn on a terminal; one line per epoch in a log.
        const std::string text =
            progress_text(epoch, epochs, step + 1, epoch_steps, loss_sum.item<double>() / double(seen),
                          100.0 * double(correct.item<int64_t>()) / double(seen));
        if (epoch_end) {
          progress.step(text);
          progress.finish();
        } else {
          progress.update(text);
        }
      }
    }
    report.train_loss = loss_sum.item<double>() / double(std::max<int64_t>(seen, 1));
    report.train_accuracy = 100.0 * double(correct.item<int64_t>()) / double(std::max<int64_t>(seen, 1));
    if (!config_.checkpoint.empty()) save_checkpoint(model, config_.checkpoint);
  }
  report.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.eval_accuracy = evaluate(model);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

double ImageTrainer::evaluate(TorchModel& model) { return evaluate_on(model, eval_); }

namespace {

// Top-1 hits of `model` (already on the images' device, in eval mode) on `images`.
int64_t count_correct(TorchModel& model, const ImageTensors& images, int64_t batch, const torch::Tensor& mean,
                      const torch::Tensor& stddev) {
  torch::Tensor correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(images.pixels.device()));
  for (int64_t first = 0; first < images.size(); first += batch) {
    const int64_t last = std::min(first + batch, images.size());
    const torch::Tensor logits = model.forward(normalise(images.pixels.slice(0, first, last), mean, stddev));
    correct += logits.argmax(1).eq(images.labels.slice(0, first, last)).sum();
  }
  return correct.item<int64_t>();
}

}  // namespace

double ImageTrainer::evaluate_on(TorchModel& model, const ImageDataset& images) {
  if (images.size() == 0) return 0;
  use_configured_threads();
  const OnDevice& data = *on_device_;
  const ModuleOnDevice placed(model, data.device);
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  // The held-out split is on the device already; other images (a test split) go there now.
  const int64_t correct =
      &images == &eval_
          ? count_correct(model, data.eval, config_.batch_size, data.mean, data.stddev)
          : count_correct(model, to_tensors(images, data.device), config_.batch_size, data.mean, data.stddev);
  model.train(was_training);
  return 100.0 * double(correct) / double(images.size());
}

void ImageTrainer::forward_training_images(TorchModel& model, size_t count) {
  use_configured_threads();
  const OnDevice& data = *on_device_;
  const ModuleOnDevice placed(model, data.device);
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  const int64_t end = std::min<int64_t>(static_cast<int64_t>(count), data.train.size());
  for (int64_t first = 0; first < end; first += config_.batch_size) {
    const int64_t last = std::min(first + config_.batch_size, end);
    model.forward(normalise(data.train.pixels.slice(0, first, last), data.mean, data.stddev));
  }
  model.train(was_training);
}

}  // namespace gos
