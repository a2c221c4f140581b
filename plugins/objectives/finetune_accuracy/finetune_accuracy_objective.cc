// The `finetune_accuracy` objective: top-1 accuracy (%) of the space's model
// for a genome after a short fine-tune (`steps`, the budget). For the
// mixed_precision space that is quantization-aware training from the
// full-precision baseline: the LSQ activation steps are first initialised
// from `calibration_images` training images, then weights and steps train
// together. Any space with model() works (then it is a short training from
// the genome's initialisation).
#include <fmt/format.h>

#include "framework/objective.h"
#include "framework/plugin_abi.h"
#include "framework/search_space.h"
#include "torchlib/compute_device.h"
#include "torchlib/training.h"

namespace gos {
namespace {

class FinetuneAccuracy : public Objective {
 public:
  FinetuneAccuracy(TrainerConfig config, int64_t steps, size_t calibration_images)
      : config_(config), steps_(steps), calibration_images_(calibration_images), trainer_(std::move(config)) {}

  std::string default_name() const override { return "accuracy"; }
  Direction default_direction() const override { return Direction::kMaximize; }
  double evaluate(const Genome& genome, const SearchSpace& space) override {
    const GenomeModel built = space.model(genome);
    if (!built.module) throw Error("the search space gave no model for this genome");
    if (calibration_images_ > 0) trainer_.forward_training_images(*built.module, calibration_images_);
    if (steps_ == 0) return trainer_.evaluate(*built.module);
    return trainer_.train(*built.module).eval_accuracy;
  }
  std::map<std::string, std::string> provenance() const override {
    return {{"data_dir", config_.data_dir.string()},
            {"steps", std::to_string(steps_)},
            {"train_subset", std::to_string(config_.train_subset)},
            {"eval_subset", std::to_string(config_.eval_subset)},
            {"learning_rate", fmt::format("{}", config_.learning_rate)},
            {"seed", std::to_string(config_.seed)},
            {"device", to_string(config_.device)}};
  }

 private:
  TrainerConfig config_;
  int64_t steps_;
  size_t calibration_images_;
  ImageTrainer trainer_;
};

ParamSchema schema() {
  ParamSchema s;
  s.string("data_dir", std::nullopt, "CIFAR-10 binary batches, e.g. \"../shared/data/cifar10\"")
      .path()
      .strings("train_files", std::vector<std::string>{"data_batch_1.bin", "data_batch_2.bin"},
               "training files in data_dir")
      .strings("eval_files", std::vector<std::string>{"test_batch.bin"}, "held-out files in data_dir")
      .integer("train_subset", 5000, 0, 100000000, "training images drawn by seed; 0 = all")
      .integer("eval_subset", 1000, 0, 100000000, "held-out images drawn by seed; 0 = all")
      .integer("holdout", 0, 0, 100000000, "hold out this many training images instead of eval_files")
      .integer("steps", 100, 0, 100000000, "fine-tune budget in SGD steps; 0 = evaluate without fine-tuning")
      .real("learning_rate", 0.01, 1e-8, 10, "base learning rate (cosine schedule)")
      .real("weight_decay", 5e-4, 0, 1, "L2 weight decay")
      .integer("batch_size", 64, 1, 65536, "minibatch size")
      .integer("calibration_images", 256, 0, 100000000,
               "training images run before fine-tuning (initialise LSQ activation steps)")
      .boolean("augment", true, "random crop and flip")
      .integer("seed", 0, 0, INT64_MAX, "seed of subsets, data order and augmentation")
      .integer("threads", 0, 0, 1024, "LibTorch threads; 0 = every hardware thread")
      .string("device", "cpu",
              "where the fine-tune and the evaluation run: cpu, cuda, or auto (CUDA when present, else the CPU)",
              {"cpu", "cuda", "auto"})
      .boolean("progress", false, "progress bar of each fine-tune on stderr");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  TrainerConfig config;
  config.format = "cifar10";
  config.data_dir = params.get_string("data_dir");
  config.train_files = params.get_strings("train_files");
  config.eval_files = params.get_strings("eval_files");
  config.train_subset = static_cast<size_t>(params.get_int("train_subset"));
  config.eval_subset = static_cast<size_t>(params.get_int("eval_subset"));
  config.holdout = static_cast<size_t>(params.get_int("holdout"));
  const int64_t steps = params.get_int("steps");
  config.steps = std::max<int64_t>(steps, 1);
  config.learning_rate = params.get_real("learning_rate");
  config.weight_decay = params.get_real("weight_decay");
  config.batch_size = params.get_int("batch_size");
  config.augment = params.get_bool("augment");
  config.seed = static_cast<uint64_t>(params.get_int("seed"));
  config.threads = static_cast<int>(params.get_int("threads"));
  config.progress = params.get_bool("progress");
  config.device = parse_compute_device(params.get_string("device"), "device");
  if (const std::string reason = device_unavailable(config.device); !reason.empty())
    throw params.error("device", fmt::format("\"{}\": {}", to_string(config.device), reason));
  try {
    return std::make_unique<FinetuneAccuracy>(std::move(config), steps,
                                              static_cast<size_t>(params.get_int("calibration_images")));
  } catch (const Error& e) {
    throw params.error("data_dir", e.what());
  }
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("finetune_accuracy", gos::PluginKind::kObjective, "1.0.0",
           "Top-1 accuracy after a short fine-tune of the space's model (QAT for mixed_precision)", &gos::schema,
           &gos::create)
