// The `measure` latency model: no estimate at all, the device itself runs the
// model. The ground truth that `lut` and `predictor` are judged against.
#include <fmt/format.h>

#include "framework/device.h"
#include "framework/latency_model.h"
#include "framework/plugin_abi.h"
#include "framework/search_space.h"
#include "framework/workload_spec.h"
#include "plugins/latency/core/h5_io.h"

namespace gos {
namespace {

class MeasureLatencyModel : public LatencyModel {
 public:
  explicit MeasureLatencyModel(std::unique_ptr<Device> device) : device_(std::move(device)) {}
  double predict_ms(const Genome& genome, const SearchSpace& space) override {
    auto workload = portable_workload(space, genome);
    return device_->measure(*workload).median_ms;
  }
  // The device measures the whole batch (a pool of boards: several at once).
  std::vector<BatchValue> predict_all(const std::vector<const Genome*>& genomes, const SearchSpace& space) override {
    std::vector<BatchValue> values(genomes.size());
    std::vector<std::unique_ptr<Workload>> workloads;
    std::vector<Workload*> pointers;
    std::vector<size_t> built;  // genomes whose workload could be built
    for (size_t i = 0; i < genomes.size(); ++i) {
      try {
        workloads.push_back(portable_workload(space, *genomes[i]));
        pointers.push_back(workloads.back().get());
        built.push_back(i);
      } catch (const std::exception& e) {
        values[i].error = e.what();
      }
    }
    const std::vector<MeasureOutcome> outcomes = device_->measure_all(pointers);
    for (size_t k = 0; k < built.size(); ++k) {
      if (outcomes[k].measurement) values[built[k]].value = outcomes[k].measurement->median_ms;
      else values[built[k]].error = outcomes[k].error;
    }
    return values;
  }
  std::string describe() const override {
    const DeviceInfo info = device_->describe();
    std::string properties;
    for (const auto& [key, value] : info.properties) properties += fmt::format(" {}={}", key, value);
    return fmt::format("measured on {}:{}", info.name, properties);
  }
  std::map<std::string, std::string> provenance() const override {
    std::map<std::string, std::string> result = h5::provenance(device_->describe());
    result["latency_model"] = "measure";
    return result;
  }

 private:
  std::unique_ptr<Device> device_;
};

ParamSchema schema() {
  ParamSchema s;
  s.component("device", PluginKind::kDevice, "", "the device that runs each model (e.g. { plugin = \"cpu\" })");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost& host) {
  auto device = host.create<Device>(params.get_component("device"), PluginKind::kDevice);
  device->test_connection();
  return std::make_unique<MeasureLatencyModel>(std::move(device));
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("measure", gos::PluginKind::kLatencyModel, "1.0.0",
           "Latency measured by running the model on a device", &gos::schema, &gos::create)
