#include "adapt/baseline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "adapt/model_state.h"
#include "framework/error.h"
#include "searchspaces/gos/compile.h"
#ifdef GOS_WITH_ONNX
#include "torchlib/onnx/model.h"
#endif

namespace gos::adapt {
namespace {

TrainerConfig trainer_config(const AdaptConfig& config) {
  TrainerConfig t;
  t.format = "cifar10";
  t.data_dir = config.data_dir;
  t.train_files = config.train_files;
  t.eval_files = config.test_files;
  t.train_subset = static_cast<size_t>(config.train_subset);
  t.holdout = static_cast<size_t>(config.holdout);
  t.batch_size = config.batch_size;
  t.seed = config.seed;
  t.threads = static_cast<int>(config.threads);
  t.progress = false;
  t.device = config.device;
  return t;
}

}  // namespace

AdaptData load_data(const AdaptConfig& config) {
  if (const std::string reason = device_unavailable(config.device); !reason.empty())
    throw Error(fmt::format("{}: [adapt] device = \"{}\": {}", config.source, to_string(config.device), reason));
  AdaptData data;
  const TrainerConfig base = trainer_config(config);
  TrainerConfig search = base;
  search.eval_subset = static_cast<size_t>(config.eval_subset);
  data.search_eval = std::make_unique<ImageTrainer>(search);
  data.holdout_eval = std::make_unique<ImageTrainer>(base);
  TrainerConfig finetune = base;
  finetune.steps = std::max<int64_t>(config.finetune_steps, 1);
  finetune.learning_rate = config.finetune_lr;
  data.finetune = std::make_unique<ImageTrainer>(finetune);
  if (config.accuracy_estimate == AccuracyEstimate::kFinetune) {
    TrainerConfig candidate = finetune;
    candidate.steps = std::max<int64_t>(config.candidate_finetune_steps, 1);
    data.candidate_finetune = std::make_unique<ImageTrainer>(candidate);
  }
  if (config.test_images > 0) {
    std::vector<std::filesystem::path> files;
    for (const auto& file : config.test_files) files.push_back(config.data_dir / file);
    data.test_images =
        shuffled_subset(load_cifar10(files), config.seed + 3, static_cast<size_t>(config.test_images));
  }
  data.zoo.cifar_stem = config.cifar_stem;
  data.zoo.width = config.width;
  data.zoo.in_channels = data.holdout_eval->train_data().channels;
  data.zoo.classes = std::max<int64_t>(10, data.holdout_eval->train_data().classes);
  return data;
}

double test_accuracy(AdaptData& data, TorchModel& model) {
  if (data.test_images.size() == 0) return std::nan("");
  return data.holdout_eval->evaluate_on(model, data.test_images);
}

std::shared_ptr<SlottedModel> make_model(const AdaptConfig& config, const ZooOptions& zoo) {
  if (!is_onnx_model(config)) return make_zoo_model(config.model, zoo);
#ifdef GOS_WITH_ONNX
  try {
    return onnx_io::import_model(config.model);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: [adapt] model '{}': {}", config.source, config.model, e.what()));
  }
#else
  throw Error(fmt::format("{}: [adapt] model '{}' is an ONNX file, and this GOS was built without ONNX support "
                          "(libonnx-dev and libprotobuf-dev, which scripts/setup.sh installs)",
                          config.source, config.model));
#endif
}

BaselineModel prepare_baseline(const AdaptConfig& config, AdaptData& data, const RunDirectory& run, bool progress) {
  torch::manual_seed(config.seed);
  BaselineModel baseline;
  baseline.model = make_model(config, data.zoo);
  const std::string key = baseline_key(config);
  const std::string checkpoint = run.baseline_checkpoint().string();
  if (std::filesystem::exists(run.baseline_checkpoint()) && read_baseline_key(run) == key) {
    load_checkpoint(*baseline.model, checkpoint);
    baseline.origin = "reusing " + checkpoint;
  } else if (!config.baseline_checkpoint.empty()) {
    load_checkpoint(*baseline.model, config.baseline_checkpoint);
    save_checkpoint(*baseline.model, checkpoint);
    baseline.origin = "loaded " + config.baseline_checkpoint;
  } else {
    TrainerConfig train = trainer_config(config);
    train.epochs = config.baseline_epochs;
    train.steps = config.baseline_steps;
    train.learning_rate = config.baseline_lr;
    train.progress = progress;
    ImageTrainer trainer(train);
    baseline.train_seconds = trainer.train(*baseline.model).seconds;
    save_checkpoint(*baseline.model, checkpoint);
    baseline.origin = "trained on " + std::to_string(trainer.train_data().size()) + " images";
  }
  write_baseline_key(run, key);
  torch::set_num_threads(static_cast<int>(config.threads));
  return baseline;
}

std::shared_ptr<SlottedModel> rebuild_model(const AdaptConfig& config, const AdaptData& data,
                                            const AdaptRecord& record, const RunDirectory& run) {
  auto model = make_model(config, data.zoo);
  torch::set_num_threads(static_cast<int>(config.threads));
  const auto infos = model->slots();
  for (const IterationRecord& it : record.iterations) {
    if (!is_spliced(it.status)) continue;
    const auto info = std::find_if(infos.begin(), infos.end(), [&](const SlotInfo& s) { return s.path == it.slot; });
    if (info == infos.end())
      throw Error(fmt::format("{}: recorded slot '{}' is not in the model", run.record().string(), it.slot));
    model->replace(it.slot, std::make_shared<graph::GraphModule>(
                                graph::parse(it.chosen_genome, slot_spec(*info, config.max_nodes))));
  }
  load_checkpoint(*model, run.weights_before(record.iterations.size()).string());
  return model;
}

}  // namespace gos::adapt
