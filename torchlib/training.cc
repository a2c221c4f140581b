#include "torchlib/training.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <numeric>
#include <thread>

#include "framework/error.h"
#include "framework/progress.h"
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
}

namespace {

// Normalised float images [N, C, H, W] of `indices`, augmented when `rng` is given.
torch::Tensor make_batch(const ImageDataset& data, const std::vector<size_t>& indices, const std::vector<double>& mean,
                         const std::vector<double>& stddev, Rng* rng) {
  std::vector<uint8_t> bytes(indices.size() * data.image_bytes());
  for (size_t i = 0; i < indices.size(); ++i) {
    uint8_t* out = bytes.data() + i * data.image_bytes();
    if (rng)
      random_crop_flip(data.image(indices[i]), data.channels, data.height, data.width, 4, *rng, out);
    else
      std::copy_n(data.image(indices[i]), data.image_bytes(), out);
  }
  const auto n = static_cast<int64_t>(indices.size());
  torch::Tensor images =
      torch::from_blob(bytes.data(), {n, data.channels, data.height, data.width}, torch::kUInt8).to(torch::kFloat32) / 255;
  const auto m = torch::tensor(std::vector<float>(mean.begin(), mean.end())).view({1, -1, 1, 1});
  const auto s = torch::tensor(std::vector<float>(stddev.begin(), stddev.end())).view({1, -1, 1, 1});
  return (images - m) / s;
}

torch::Tensor make_labels(const ImageDataset& data, const std::vector<size_t>& indices) {
  std::vector<int64_t> labels;
  for (size_t index : indices) labels.push_back(data.labels[index]);
  return torch::tensor(labels, torch::kLong);
}

std::string progress_text(int64_t epoch, int64_t epochs, int64_t step, int64_t steps, double loss, double accuracy) {
  constexpr int kWidth = 30;
  const int filled = steps > 0 ? static_cast<int>(kWidth * step / steps) : kWidth;
  return fmt::format("epoch {}/{} [{}{}] {:3d}% loss {:.4f} acc {:5.1f}%", epoch, epochs, std::string(filled, '='),
                     std::string(kWidth - filled, ' '), steps > 0 ? 100 * step / steps : 100, loss, accuracy);
}

}  // namespace

TrainReport ImageTrainer::train(TorchModel& model) {
  const int threads = config_.threads > 0 ? config_.threads : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(std::max(threads, 1));
  torch::manual_seed(config_.seed);
  Rng rng = Rng(config_.seed).fork("trainer");
  const auto start = std::chrono::steady_clock::now();

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
    std::vector<size_t> order(train_.size());
    std::iota(order.begin(), order.end(), size_t{0});
    rng.shuffle(std::span<size_t>(order));
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    const int64_t epoch_steps = std::min(steps_per_epoch, total_steps - report.steps);
    for (int64_t step = 0; step < epoch_steps; ++step) {
      if (config_.optimizer == "sgd") {
        // Cosine annealing from the base rate to zero over the whole budget.
        const double progress = double(report.steps) / double(total_steps);
        const double rate = 0.5 * config_.learning_rate * (1 + std::cos(std::numbers::pi * progress));
        for (auto& group : optimizer->param_groups()) group.options().set_lr(rate);
      }
      const auto first = order.begin() + static_cast<std::ptrdiff_t>(step * config_.batch_size);
      const std::vector<size_t> indices(first, std::min(first + config_.batch_size, order.end()));
      const torch::Tensor images = make_batch(train_, indices, mean_, stddev_, config_.augment ? &rng : nullptr);
      const torch::Tensor labels = make_labels(train_, indices);
      optimizer->zero_grad();
      const torch::Tensor logits = model.forward(images);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
      loss.backward();
      optimizer->step();
      ++report.steps;
      loss_sum += loss.item<double>() * double(indices.size());
      correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
      seen += static_cast<int64_t>(indices.size());
      if (config_.progress) {
        // Redrawn per batch on a terminal; one line per epoch in a log.
        const std::string text = progress_text(epoch, epochs, step + 1, epoch_steps, loss_sum / double(seen),
                                               100.0 * double(correct) / double(seen));
        if (step + 1 == epoch_steps) {
          progress.step(text);
          progress.finish();
        } else {
          progress.update(text);
        }
      }
    }
    report.train_loss = loss_sum / double(std::max<int64_t>(seen, 1));
    report.train_accuracy = 100.0 * double(correct) / double(std::max<int64_t>(seen, 1));
    if (!config_.checkpoint.empty()) save_checkpoint(model, config_.checkpoint);
  }
  report.eval_accuracy = evaluate(model);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

double ImageTrainer::evaluate(TorchModel& model) { return evaluate_on(model, eval_); }

double ImageTrainer::evaluate_on(TorchModel& model, const ImageDataset& images) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  int64_t correct = 0;
  const auto batch = static_cast<size_t>(config_.batch_size);
  for (size_t first = 0; first < images.size(); first += batch) {
    std::vector<size_t> indices;
    for (size_t i = first; i < std::min(first + batch, images.size()); ++i) indices.push_back(i);
    const torch::Tensor logits = model.forward(make_batch(images, indices, mean_, stddev_, nullptr));
    correct += logits.argmax(1).eq(make_labels(images, indices)).sum().item<int64_t>();
  }
  model.train(was_training);
  return images.size() > 0 ? 100.0 * double(correct) / double(images.size()) : 0;
}

void ImageTrainer::forward_training_images(TorchModel& model, size_t count) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  const auto batch = static_cast<size_t>(config_.batch_size);
  const size_t end = std::min(count, train_.size());
  for (size_t first = 0; first < end; first += batch) {
    std::vector<size_t> indices;
    for (size_t i = first; i < std::min(first + batch, end); ++i) indices.push_back(i);
    model.forward(make_batch(train_, indices, mean_, stddev_, nullptr));
  }
  model.train(was_training);
}

}  // namespace gos
