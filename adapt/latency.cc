#include "adapt/latency.h"

#include <fmt/format.h>

#include "adapt/model_state.h"
#include "adapt/seed.h"
#include "framework/plugin_registry.h"
#include "searchspaces/gos/space.h"
#include "torchlib/placement.h"
#include "torchlib/profile.h"
#include "torchlib/workload.h"

namespace gos::adapt {
namespace {

// A space that holds exactly `graph`'s shapes, for latency models, which
// price a genome within its space (kernels(), workload()).
graph::GraphSpace space_of(const graph::Graph& graph) {
  graph::GraphSpaceConfig config;
  config.input = graph.shapes.front();
  config.output = graph.output_shape();
  config.max_nodes = std::max<size_t>(graph.nodes.size(), 1);
  config.seed_graphs = {graph};
  return graph::GraphSpace(config);
}

}  // namespace

std::optional<graph::Graph> slot_graph(SlottedModel& model, const SlotInfo& info, int64_t max_nodes) {
  TorchModel& op = model.slot(info.path).module();
  if (auto* spliced = dynamic_cast<graph::GraphModule*>(&op)) return spliced->graph();
  return seed_from_operator(op, info, static_cast<size_t>(max_nodes)).graph;
}

AdaptLatency::AdaptLatency(const AdaptConfig& config, PluginRegistry& registry)
    : plugin_(config.latency.plugin), rounds_(static_cast<int>(config.latency_rounds)),
      max_nodes_(std::max<int64_t>(config.max_nodes, 64)) {
  model_ = registry.create<LatencyModel>(config.latency, PluginKind::kLatencyModel);
  if (config.latency.params->has("device"))
    device_ = registry.create<Device>(config.latency.params->get_component("device"), PluginKind::kDevice);
}

std::string AdaptLatency::describe() const {
  return fmt::format("{} ({}); A/B comparisons in {} alternating rounds", plugin_, model_->describe(), rounds_);
}

DeviceInfo AdaptLatency::device_info() const {
  if (device_) return device_->describe();
  DeviceInfo info;
  info.name = plugin_;
  for (const auto& [key, value] : model_->provenance()) info.properties[key] = value;
  return info;
}

double AdaptLatency::graph_ms(const graph::Graph& graph) {
  const graph::GraphSpace space = space_of(graph);
  return model_->predict_ms(graph, space);
}

double AdaptLatency::slot_delta_ms(const graph::Graph& original, const graph::Graph& candidate) {
  const AbLatency ab = compare([&] { return graph_ms(original); }, [&] { return graph_ms(candidate); });
  return ab.b_ms - ab.a_ms;
}

double AdaptLatency::model_ms(SlottedModel& model) {
  if (device_) {
    // Timed on the CPU, wherever the model trains (the device plugins run CPU modules).
    const ModuleOnDevice on_cpu(model, torch::kCPU);
    ModuleWorkload workload(model, workload_input(model.example_input()), "whole model");
    return device_->measure(workload).median_ms;
  }
  double total = 0;
  for (const SlotInfo& info : model.slots())
    if (const auto graph = slot_graph(model, info, max_nodes_)) total += graph_ms(*graph);
  return total;
}

std::vector<SlotRecord> AdaptLatency::profile(SlottedModel& model, double& whole_ms) {
  std::vector<SlotRecord> slots;
  if (device_) {
    const ModuleOnDevice on_cpu(model, torch::kCPU);
    const WorkloadTimer timer = [&](Workload& workload) { return device_->measure(workload).median_ms; };
    const ModelProfile profile = profile_model(model, model.example_input(), {0, rounds_, 0}, timer);
    for (const SlotProfile& slot : profile.slots)
      slots.push_back({slot.info.path, slot.info.kind, slot.latency_ms, 0, 0, slot.info.parameters});
    whole_ms = model_ms(model);
    return slots;
  }
  whole_ms = 0;
  for (const SlotInfo& info : model.slots()) {
    const auto graph = slot_graph(model, info, max_nodes_);
    const double ms = graph ? graph_ms(*graph) : 0.0;
    whole_ms += ms;
    slots.push_back({info.path, info.kind, ms, 0, 0, info.parameters});
  }
  return slots;
}

}  // namespace gos::adapt
