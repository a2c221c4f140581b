// The `sgd` trainer plugin: gos::ImageTrainer configured from an experiment
// table (SGD with momentum and cosine schedule, or Adam).
#include <fmt/format.h>

#include "framework/plugin_abi.h"
#include "torchlib/training.h"

namespace gos {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.string("format", "cifar10", "data file format", {"cifar10", "idx"})
      .string("data_dir", std::nullopt, "directory holding the data files, e.g. \"../shared/data/cifar10\"")
      .path()
      .strings("train_files", std::nullopt,
               "training files in data_dir; default the two CIFAR-10 batches (idx: images file, labels file)")
      .optional()
      .strings("eval_files", std::nullopt, "held-out files in data_dir; default test_batch.bin (idx: images, labels)")
      .optional()
      .integer("train_subset", 0, 0, 100000000, "training images drawn by seed; 0 = all")
      .integer("eval_subset", 0, 0, 100000000, "held-out images drawn by seed; 0 = all")
      .integer("holdout", 0, 0, 100000000, "hold out this many training images for evaluation instead of eval_files")
      .string("optimizer", "sgd", "sgd: momentum + cosine schedule; adam: constant rate", {"sgd", "adam"})
      .real("learning_rate", 0.05, 1e-8, 10, "base learning rate")
      .real("momentum", 0.9, 0, 0.999, "SGD momentum")
      .real("weight_decay", 5e-4, 0, 1, "L2 weight decay")
      .integer("epochs", 1, 1, 100000, "epochs to train (ignored when steps > 0)")
      .integer("steps", 0, 0, 100000000, "train exactly this many steps when > 0")
      .integer("batch_size", 128, 1, 65536, "minibatch size")
      .boolean("augment", true, "random crop (padding 4) and horizontal flip")
      .integer("seed", 0, 0, INT64_MAX, "seed of data order, subsets, augmentation and initialisation")
      .integer("threads", 0, 0, 1024, "LibTorch threads; 0 = every hardware thread")
      .string("device", "cpu", "where training runs: cpu, cuda, or auto (CUDA when present, else the CPU)",
              {"cpu", "cuda", "auto"})
      .boolean("progress", true, "progress bar with loss and accuracy on stderr")
      .string("checkpoint", "", "file written after every epoch; empty = none");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  TrainerConfig config;
  config.format = params.get_string("format");
  config.data_dir = params.get_string("data_dir");
  if (params.has("train_files")) config.train_files = params.get_strings("train_files");
  if (params.has("eval_files")) config.eval_files = params.get_strings("eval_files");
  if (config.format == "idx" && !params.has("train_files"))
    throw params.error("train_files", "an idx data set needs train_files = [\"<images>\", \"<labels>\"]");
  if (config.format == "idx" && !params.has("eval_files") && params.get_int("holdout") == 0)
    throw params.error("eval_files", "an idx data set needs eval_files = [\"<images>\", \"<labels>\"] or holdout > 0");
  config.train_subset = static_cast<size_t>(params.get_int("train_subset"));
  config.eval_subset = static_cast<size_t>(params.get_int("eval_subset"));
  config.holdout = static_cast<size_t>(params.get_int("holdout"));
  config.optimizer = params.get_string("optimizer");
  config.learning_rate = params.get_real("learning_rate");
  config.momentum = params.get_real("momentum");
  config.weight_decay = params.get_real("weight_decay");
  config.epochs = params.get_int("epochs");
  config.steps = params.get_int("steps");
  config.batch_size = params.get_int("batch_size");
  config.augment = params.get_bool("augment");
  config.seed = static_cast<uint64_t>(params.get_int("seed"));
  config.threads = static_cast<int>(params.get_int("threads"));
  config.progress = params.get_bool("progress");
  config.device = parse_compute_device(params.get_string("device"), "device");
  if (const std::string reason = device_unavailable(config.device); !reason.empty())
    throw params.error("device", fmt::format("\"{}\": {}", to_string(config.device), reason));
  config.checkpoint = params.get_string("checkpoint");
  try {
    return std::make_unique<ImageTrainer>(std::move(config));
  } catch (const Error& e) {
    throw params.error("data_dir", e.what());
  }
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("sgd", gos::PluginKind::kTrainer, "1.0.0",
           "Image classification training: SGD + momentum + cosine schedule or Adam, top-1 accuracy, checkpoints",
           &gos::schema, &gos::create)
