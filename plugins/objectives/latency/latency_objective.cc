// The `latency` objective: the latency of a candidate as any latency model
// estimates it (measured, lookup table, learned predictor), in milliseconds.
#include "framework/latency_model.h"
#include "framework/objective.h"
#include "framework/plugin_abi.h"

namespace gos {
namespace {

class LatencyObjective : public Objective {
 public:
  explicit LatencyObjective(std::unique_ptr<LatencyModel> model) : model_(std::move(model)) {}
  std::string default_name() const override { return "latency_ms"; }
  Direction default_direction() const override { return Direction::kMinimize; }
  double evaluate(const Genome& genome, const SearchSpace& space) override { return model_->predict_ms(genome, space); }
  std::vector<BatchValue> evaluate_all(const std::vector<const Genome*>& genomes, const SearchSpace& space) override {
    return model_->predict_all(genomes, space);
  }
  // The latency model's own provenance (device, table or predictor file) and
  // its one-line description.
  std::map<std::string, std::string> provenance() const override {
    std::map<std::string, std::string> result = model_->provenance();
    result["description"] = model_->describe();
    return result;
  }

 private:
  std::unique_ptr<LatencyModel> model_;
};

ParamSchema schema() {
  ParamSchema s;
  s.component("model", PluginKind::kLatencyModel, "",
              "the latency model, e.g. { plugin = \"lut\", file = \"lut.h5\" } or "
              "{ plugin = \"measure\", device = { plugin = \"cpu\" } }");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost& host) {
  return std::make_unique<LatencyObjective>(
      host.create<LatencyModel>(params.get_component("model"), PluginKind::kLatencyModel));
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("latency", gos::PluginKind::kObjective, "1.0.0",
           "Latency in ms of a candidate, from a nested latency model (measure, lut, predictor)", &gos::schema,
           &gos::create)
