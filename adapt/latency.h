#pragma once
// Every latency of an adapt run comes from the [adapt.latency] model: the
// baseline profile, the candidates (kernel decomposition per slot), the
// before/after re-measurement of each splice and the final comparison.
// With a device (measure, or lut / predictor given one) whole models are
// timed on it; without one (a LUT or predictor of another board) a whole
// model's latency is the latency model's sum over its slots that have an
// instruction-graph form, and slots without one are not priced (0 ms).
// Include only from torch translation units.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapt/config.h"
#include "adapt/results.h"
#include "framework/device.h"
#include "framework/latency_model.h"
#include "framework/workload_spec.h"
#include "plugins/devices/cpu/timing.h"
#include "searchspaces/gos/graph.h"
#include "torchlib/zoo.h"

namespace gos {
class PluginRegistry;
}

namespace gos::adapt {

class AdaptLatency {
 public:
  // Creates the latency model and, when its table names one, a device of the
  // same configuration for whole models. Throws gos::Error naming
  // [adapt.latency] when a plugin cannot be created.
  AdaptLatency(const AdaptConfig& config, PluginRegistry& registry);

  bool has_device() const { return device_ != nullptr; }
  int rounds() const { return rounds_; }
  // One line: plugin, its description, and the comparison protocol.
  std::string describe() const;
  // The device's description, or the latency model's when there is none.
  DeviceInfo device_info() const;

  // One instruction graph alone on its input shape.
  double graph_ms(const graph::Graph& graph);
  // Kernel decomposition: estimate(candidate) - estimate(original), both
  // alone on the slot's input, in alternating rounds.
  double slot_delta_ms(const graph::Graph& original, const graph::Graph& candidate);
  // The whole model at batch 1 (see the file comment without a device).
  double model_ms(SlottedModel& model);
  // Two latencies taken in alternating rounds (the timing core).
  AbLatency compare(const std::function<double()>& a, const std::function<double()>& b) const {
    return alternate_ab(a, b, rounds_);
  }
  // Latency of every slot alone, in execution order (share and inefficiency
  // left for the ranking stage), and the whole model's latency.
  std::vector<SlotRecord> profile(SlottedModel& model, double& whole_ms);

  // What the models of this run are, so that whole models can travel to a
  // device on another machine as data (the zoo_model space: zoo model and
  // its spliced graphs). Not called for an ONNX model, which cannot: a
  // remote device then refuses whole models with its own message.
  void describe_models_as(const AdaptConfig& config, const ZooOptions& zoo);

 private:
  // A gos_graph space holding exactly `graph`'s shapes, for latency models,
  // which price a genome within its space; it knows its configuration, so
  // that its workloads describe themselves to remote devices.
  std::unique_ptr<SearchSpace> space_of(const graph::Graph& graph);
  ComponentConfig space_config_of(const graph::Graph& graph);
  // Workloads described as data, where this run can describe them: the
  // whole model (after describe_models_as) and a slot with a graph form.
  std::optional<WorkloadSpec> whole_model_workload_spec(SlottedModel& model) const;
  std::optional<WorkloadSpec> slot_workload_spec(SlottedModel& model, const SlotInfo& info);
  // On the device, described by `spec` when there is one.
  double measure(Workload& workload, std::optional<WorkloadSpec> spec);

  std::unique_ptr<LatencyModel> model_;
  std::unique_ptr<Device> device_;
  std::string plugin_;
  int rounds_;
  int64_t max_nodes_;
  PluginRegistry* registry_;
  std::string source_;
  std::optional<ComponentConfig> zoo_space_;
};

// The slot's module as an instruction graph: a spliced GraphModule's graph,
// or the operator's exact seed; empty when it has none.
std::optional<graph::Graph> slot_graph(SlottedModel& model, const SlotInfo& info, int64_t max_nodes);

}  // namespace gos::adapt
