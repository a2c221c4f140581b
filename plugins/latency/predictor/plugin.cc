// Plugin entry point of the `predictor` latency model.
#include <fmt/format.h>

#include <optional>

#include "framework/latency_model.h"
#include "framework/plugin_abi.h"
#include "framework/text.h"
#include "plugins/latency/core/h5_io.h"
#include "plugins/latency/predictor/kernel_predictor.h"

namespace gos {
namespace {

class PredictorLatencyModel : public LatencyModel {
 public:
  // `target` is the configured device, if any (predictions are for it).
  PredictorLatencyModel(std::string file, KernelPredictor predictor, std::vector<double> hardware,
                        std::optional<DeviceInfo> target)
      : file_(std::move(file)), predictor_(std::move(predictor)), hardware_(std::move(hardware)),
        target_(std::move(target)) {}
  double predict_ms(const Genome& genome, const SearchSpace& space) override {
    return predictor_.predict_ms(space.kernels(genome), hardware_, "predictor '" + file_ + "'");
  }
  std::string describe() const override {
    return fmt::format("learned predictor '{}' ({}) trained on {}, predicting for {}", file_,
                       predictor_.weights().layout.describe(), predictor_.weights().trained_on,
                       target_ ? h5::to_string(*target_) : predictor_.weights().trained_on);
  }
  // The predictor file and what it was fitted on; "device.*" only when a
  // device is configured: without one, predictions are for the training device.
  std::map<std::string, std::string> provenance() const override {
    std::map<std::string, std::string> result;
    if (target_) result = h5::provenance(*target_);
    const KernelPredictorWeights& weights = predictor_.weights();
    result["latency_model"] = "predictor";
    result["predictor"] = file_;
    result["predictor.schema_version"] = std::to_string(kPredictorSchemaVersion);
    result["predictor.features"] = weights.layout.describe();
    result["predictor.trained_on"] = weights.trained_on;
    if (!weights.training_data.empty()) result["predictor.training_data"] = weights.training_data;
    return result;
  }

 private:
  std::string file_;
  KernelPredictor predictor_;
  std::vector<double> hardware_;
  std::optional<DeviceInfo> target_;
};

ParamSchema schema() {
  ParamSchema s;
  s.string("file", std::nullopt, "predictor written by 'gos latency train' (HDF5)")
      .path()
      .component("device", PluginKind::kDevice, "",
                 "the device to predict for; needed when the predictor uses hardware features")
      .optional();
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost& host) {
  const std::string& file = params.get_string("file");
  KernelPredictorWeights weights;
  try {
    weights = read_predictor(file);
  } catch (const Error& e) {
    throw params.error("file", e.what());
  }
  std::vector<double> hardware;
  std::optional<DeviceInfo> target;
  if (params.has("device")) {
    target = host.create<Device>(params.get_component("device"), PluginKind::kDevice)->describe();
    hardware = hardware_values(weights.layout, *target);
  } else if (!weights.layout.hardware_features.empty()) {
    throw params.error("device", fmt::format("predictor '{}' uses hardware features [{}]; configure the device to "
                                             "predict for, e.g. device = {{ plugin = \"cpu\" }}",
                                             file, join(weights.layout.hardware_features, ", ")));
  }
  return std::make_unique<PredictorLatencyModel>(file, KernelPredictor(std::move(weights)), std::move(hardware),
                                                 std::move(target));
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("predictor", gos::PluginKind::kLatencyModel, "1.0.0",
           "Learned per-kernel MLP latency predictor (sum over kernels), optional hardware features", &gos::schema,
           &gos::create)
