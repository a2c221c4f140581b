// The `predictor_rmse` objective: how well a latency predictor trained with a
// genome's hyper-parameters (an `mlp_hparams` genome: hidden width, depth,
// learning rate) predicts the held-out part of a latency data set: the RMSE
// in ms on the validation part of the split (the test part stays untouched
// for reporting). Training epochs are its fidelity, so Hyperband can train
// many configurations briefly and few for long (issue 16, item 4: what
// NAS_PerformanceEstimation did with RayTune's ASHA).
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "framework/objective.h"
#include "framework/plugin_abi.h"
#include "framework/search_space.h"
#include "plugins/latency/core/accuracy.h"
#include "plugins/latency/core/csv_table.h"
#include "plugins/latency/core/data_split.h"
#include "plugins/latency/predictor/kernel_predictor.h"
#include "searchspaces/mlp_hparams/mlp_hparams_space.h"

namespace gos {
namespace {

// The data set as the trainer sees it: feature rows per model, by part.
struct PreparedData {
  FeatureLayout layout;
  std::vector<std::vector<std::vector<double>>> train_rows, judged_rows;
  std::vector<double> train_ms, judged_ms;
};

struct PredictorRmseConfig {
  std::string dataset;
  std::string split = "70/15/15";
  DataPart part = DataPart::kValidation;
  int64_t epochs = 243;  // full fidelity
  int64_t min_epochs = 1;
  int64_t train_models = 0;  // 0: every model of the training part
  uint64_t seed = 1;
};

PreparedData prepare(const PredictorRmseConfig& config, const SearchSpace& data_space) {
  const LatencyDataset dataset = std::filesystem::path(config.dataset).extension() == ".csv"
                                     ? read_latency_csv(config.dataset, data_space)
                                     : read_latency_dataset(config.dataset);
  if (dataset.space != data_space.describe() && std::filesystem::path(config.dataset).extension() != ".csv")
    throw Error(fmt::format("dataset '{}' was measured in another space configuration than the objective's space",
                            config.dataset));
  const DataSplit split = DataSplit::parse_percentages(config.split);
  std::vector<std::vector<Kernel>> train_kernels, judged_kernels;
  PreparedData data;
  for (size_t i = 0; i < dataset.genomes.size(); ++i) {
    const DataPart part = split.part(i, dataset.genomes.size());
    const bool train = part == DataPart::kTrain &&
                       (config.train_models == 0 || train_kernels.size() < static_cast<size_t>(config.train_models));
    if (!train && part != config.part) continue;
    std::vector<Kernel> kernels = data_space.kernels(*data_space.deserialize(dataset.genomes[i]));
    (train ? train_kernels : judged_kernels).push_back(std::move(kernels));
    (train ? data.train_ms : data.judged_ms).push_back(dataset.latency_ms[i]);
  }
  if (train_kernels.empty() || judged_kernels.empty())
    throw Error(fmt::format("dataset '{}' ({} models) leaves no models to train or judge on with split {}",
                            config.dataset, dataset.genomes.size(), config.split));
  std::vector<std::vector<Kernel>> all = train_kernels;
  all.insert(all.end(), judged_kernels.begin(), judged_kernels.end());
  data.layout = layout_for(all, {});
  for (const auto& kernels : train_kernels)
    data.train_rows.push_back(feature_rows(data.layout, kernels, {}, config.dataset));
  for (const auto& kernels : judged_kernels)
    data.judged_rows.push_back(feature_rows(data.layout, kernels, {}, config.dataset));
  return data;
}

class PredictorRmseObjective : public Objective {
 public:
  PredictorRmseObjective(PredictorRmseConfig config, std::unique_ptr<SearchSpace> data_space)
      : config_(std::move(config)), data_space_(std::move(data_space)) {}

  std::string default_name() const override {
    return config_.part == DataPart::kTest ? "test_rmse_ms" : "validation_rmse_ms";
  }
  Direction default_direction() const override { return Direction::kMinimize; }
  void bind(const SearchSpace& space) override {
    if (!dynamic_cast<const MlpHparamsSpace*>(&space))
      throw Error("predictor_rmse needs the mlp_hparams search space (genomes are predictor hyper-parameters)");
  }
  std::optional<Fidelity> fidelity() const override {
    return Fidelity{"epochs", static_cast<double>(config_.min_epochs), static_cast<double>(config_.epochs), {}, true};
  }
  double evaluate(const Genome& genome, const SearchSpace& space) override {
    return rmse(genome, space, config_.epochs);
  }
  std::vector<BatchValue> evaluate_all_at(const std::vector<const Genome*>& genomes, const SearchSpace& space,
                                          double budget) override {
    std::vector<BatchValue> values(genomes.size());
    for (size_t i = 0; i < genomes.size(); ++i) {
      try {
        values[i].value = rmse(*genomes[i], space, static_cast<int64_t>(budget));
      } catch (const std::exception& e) {
        values[i].error = e.what();
      }
    }
    return values;
  }
  std::map<std::string, std::string> provenance() const override {
    const PreparedData& d = data();
    return {{"dataset", config_.dataset},
            {"split", config_.split},
            {"judged_on", fmt::format("{} part, {} models", config_.part == DataPart::kTest ? "test" : "validation",
                                      d.judged_ms.size())},
            {"trained_on", fmt::format("{} models of the training part", d.train_ms.size())},
            {"weight_seed", std::to_string(config_.seed)}};
  }

 private:
  const PreparedData& data() const {
    if (!data_) data_ = prepare(config_, *data_space_);
    return *data_;
  }
  double rmse(const Genome& genome, const SearchSpace& space, int64_t epochs) const {
    const auto& hparams = dynamic_cast<const MlpHparamsSpace&>(space);
    const MlpSettings settings = hparams.settings(genome);
    const PreparedData& d = data();
    PredictorTraining training;
    training.hidden = settings.hidden();
    training.learning_rate = settings.learning_rate;
    training.epochs = epochs;
    training.seed = config_.seed;
    const KernelPredictor predictor(train_kernel_predictor(d.layout, d.train_rows, d.train_ms, training));
    std::vector<double> predicted;
    for (const auto& rows : d.judged_rows) predicted.push_back(predictor.predict_rows_ms(rows));
    return compare_latencies(predicted, d.judged_ms).rmse_ms;
  }

  PredictorRmseConfig config_;
  std::unique_ptr<SearchSpace> data_space_;
  mutable std::optional<PreparedData> data_;  // read on first use, so `gos validate` stays quick
};

ParamSchema schema() {
  const PredictorRmseConfig d;
  ParamSchema s;
  s.string("dataset", std::nullopt,
           "latency data set: a CSV of genome columns + latency_ms, or 'gos latency dataset' HDF5")
      .path()
      .component("space", PluginKind::kSearchSpace, "ofa_mbv3", "the search space the data set's genomes are in")
      .string("split", d.split, "train/validation/test percentages of consecutive rows")
      .string("part", "validation", "the part the RMSE is measured on", {"validation", "test"})
      .integer("epochs", d.epochs, 1, 1000000, "training epochs of a plain evaluation: the full fidelity")
      .integer("min_epochs", d.min_epochs, 1, 1000000, "the fewest epochs a multi-fidelity strategy may ask for")
      .integer("train_models", d.train_models, 0, INT64_MAX, "train on the first N models of the training part; 0: all")
      .integer("seed", static_cast<int64_t>(d.seed), 0, INT64_MAX, "seed of the weight initialisation");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost& host) {
  PredictorRmseConfig config;
  config.dataset = params.get_string("dataset");
  config.split = params.get_string("split");
  config.part = parse_data_part(params.get_string("part"));
  config.epochs = params.get_int("epochs");
  config.min_epochs = params.get_int("min_epochs");
  config.train_models = params.get_int("train_models");
  config.seed = static_cast<uint64_t>(params.get_int("seed"));
  if (config.min_epochs > config.epochs)
    throw params.error("min_epochs", fmt::format("must be at most epochs ({})", config.epochs));
  if (!std::filesystem::exists(config.dataset))
    throw params.error("dataset", fmt::format("'{}' does not exist", config.dataset));
  try {
    DataSplit::parse_percentages(config.split);
  } catch (const Error& e) {
    throw params.error("split", e.what());
  }
  auto space = host.create<SearchSpace>(params.get_component("space"), PluginKind::kSearchSpace);
  return std::make_unique<PredictorRmseObjective>(std::move(config), std::move(space));
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("predictor_rmse", gos::PluginKind::kObjective, "1.0.0",
           "Held-out RMSE of a latency predictor trained with a genome's hyper-parameters (epochs as the fidelity)",
           &gos::schema, &gos::create)
