#include "adapt/latency.h"

#include <fmt/format.h>

#include "adapt/model_state.h"
#include "adapt/seed.h"
#include "framework/plugin_registry.h"
#include "framework/toml_component.h"
#include "searchspaces/gos/space.h"
#include "searchspaces/zoo_model/zoo_model_space.h"
#include "torchlib/placement.h"
#include "torchlib/profile.h"
#include "torchlib/workload.h"

namespace gos::adapt {
namespace {

constexpr const char* kWholeModel = "whole model";

toml::array shape_array(const graph::Shape& shape) { return toml::array{shape.c, shape.h, shape.w}; }

}  // namespace

std::optional<graph::Graph> slot_graph(SlottedModel& model, const SlotInfo& info, int64_t max_nodes) {
  TorchModel& op = model.slot(info.path).module();
  if (auto* spliced = dynamic_cast<graph::GraphModule*>(&op)) return spliced->graph();
  return seed_from_operator(op, info, static_cast<size_t>(max_nodes)).graph;
}

AdaptLatency::AdaptLatency(const AdaptConfig& config, PluginRegistry& registry)
    : plugin_(config.latency.plugin),
      rounds_(static_cast<int>(config.latency_rounds)),
      max_nodes_(std::max<int64_t>(config.max_nodes, 64)),
      registry_(&registry),
      source_(config.source) {
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

void AdaptLatency::describe_models_as(const AdaptConfig& config, const ZooOptions& zoo) {
  const toml::table table{{"plugin", "zoo_model"},  {"model", config.model},          {"width", config.width},
                          {"classes", zoo.classes}, {"in_channels", zoo.in_channels}, {"cifar_stem", zoo.cifar_stem},
                          {"max_nodes", max_nodes_}};
  zoo_space_ = parse_component_table(table, PluginKind::kSearchSpace, "adapt (the model, as data)", source_, *registry_,
                                     "gos adapt (generated from the model)");
}

ComponentConfig AdaptLatency::space_config_of(const graph::Graph& graph) {
  const toml::table table{{"plugin", "gos_graph"},
                          {"input", shape_array(graph.shapes.front())},
                          {"output", shape_array(graph.output_shape())},
                          {"max_nodes", static_cast<int64_t>(std::max<size_t>(graph.nodes.size(), 1))},
                          {"seed_graphs", toml::array{graph::serialize(graph)}}};
  return parse_component_table(table, PluginKind::kSearchSpace, "adapt (a slot's space)", source_, *registry_,
                               "gos adapt (generated from the slot's operator)");
}

std::unique_ptr<SearchSpace> AdaptLatency::space_of(const graph::Graph& graph) {
  const ComponentConfig config = space_config_of(graph);
  std::unique_ptr<SearchSpace> space = registry_->create<SearchSpace>(config, PluginKind::kSearchSpace);
  space->set_origin(config);
  return space;
}

std::optional<WorkloadSpec> AdaptLatency::whole_model_workload_spec(SlottedModel& model) const {
  if (!zoo_space_) return std::nullopt;
  WorkloadSpec spec;
  spec.space = *zoo_space_;
  spec.genome = zoo_model_genome(model);
  return spec;
}

std::optional<WorkloadSpec> AdaptLatency::slot_workload_spec(SlottedModel& model, const SlotInfo& info) {
  const auto graph = slot_graph(model, info, max_nodes_);
  if (!graph) return std::nullopt;
  WorkloadSpec spec;
  spec.space = space_config_of(*graph);  // the configuration alone: no space needs building here
  spec.genome = graph::serialize(*graph);
  return spec;
}

double AdaptLatency::measure(Workload& workload, std::optional<WorkloadSpec> spec) {
  if (!spec) return device_->measure(workload).median_ms;
  DescribedWorkload described(workload, std::move(*spec));
  return device_->measure(described).median_ms;
}

double AdaptLatency::graph_ms(const graph::Graph& graph) {
  const std::unique_ptr<SearchSpace> space = space_of(graph);
  return model_->predict_ms(graph, *space);
}

double AdaptLatency::slot_delta_ms(const graph::Graph& original, const graph::Graph& candidate) {
  const AbLatency ab = compare([&] { return graph_ms(original); }, [&] { return graph_ms(candidate); });
  return ab.b_ms - ab.a_ms;
}

double AdaptLatency::model_ms(SlottedModel& model) {
  if (device_) {
    // Timed on the CPU, wherever the model trains (the device plugins run CPU modules).
    const ModuleOnDevice on_cpu(model, torch::kCPU);
    ModuleWorkload workload(model, workload_input(model.example_input()), kWholeModel);
    return measure(workload, whole_model_workload_spec(model));
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
    // profile_model keys slot workloads by their slot's path and the whole
    // model by kWholeModel; each one's description is made once.
    std::map<std::string, std::optional<WorkloadSpec>> specs{{kWholeModel, whole_model_workload_spec(model)}};
    for (const SlotInfo& info : model.slots()) specs.emplace(info.path, slot_workload_spec(model, info));
    // A slot without a description (no instruction-graph form: a batch norm,
    // a pooling branch) cannot be sent to a board; it is not priced (0 ms) as
    // without a device, since it can never be replaced either.
    const WorkloadTimer timer = [&](Workload& workload) {
      std::optional<WorkloadSpec> spec = specs.at(workload.key());
      if (spec || workload.key() == kWholeModel) return measure(workload, std::move(spec));
      try {
        return measure(workload, std::nullopt);
      } catch (const DeviceLost&) {
        throw;
      } catch (const Error&) {
        return 0.0;
      }
    };
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
