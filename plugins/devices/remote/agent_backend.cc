#include "plugins/devices/remote/agent_backend.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "framework/config.h"
#include "plugins/devices/remote/workload_wire.h"

namespace gos::remote {
namespace {

// An experiment around a search space table, so that the space is validated
// by the same code as experiment files; the rest only has to be valid.
std::string experiment_text(const std::string& space_table, const std::string& device) {
  return fmt::format(
      "[experiment]\nname = \"agent\"\noutput = \"unused.h5\"\n[strategy]\nplugin = \"random_search\"\n"
      "[[objectives]]\nplugin = \"latency\"\nmodel = {{ plugin = \"measure\", device = {{ plugin = \"{}\" }} }}\n{}",
      device, space_table);
}

}  // namespace

PluginBackend::PluginBackend(PluginRegistry& registry, PluginBackendOptions options)
    : registry_(registry), options_(std::move(options)) {
  std::vector<std::string> overrides;
  for (const std::string& item : options_.device_settings) overrides.push_back("objectives.0.model.device." + item);
  const ExperimentConfig config =
      parse_experiment(experiment_text("[search_space]\nplugin = \"test_problem\"\n", options_.device),
                       "<agent --device/--set>", std::filesystem::current_path(), overrides, registry_);
  const ComponentConfig& model = config.objectives.at(0).component.params->get_component("model");
  device_ = registry_.create<Device>(model.params->get_component("device"), PluginKind::kDevice);
  device_->test_connection();
}

PluginBackend::~PluginBackend() = default;

DeviceInfo PluginBackend::describe() { return device_->describe(); }

const SearchSpace& PluginBackend::space_for(const std::string& space_toml) {
  if (auto it = spaces_.find(space_toml); it != spaces_.end()) return *it->second;
  std::string table;
  try {
    table = checked_space_table(space_toml);
  } catch (const Error& e) {
    throw BadWorkload(e.what());
  }
  std::unique_ptr<SearchSpace> space;
  try {
    const ExperimentConfig config = parse_experiment(experiment_text(table, options_.device), "<request>",
                                                     std::filesystem::current_path(), {}, registry_);
    space = registry_.create<SearchSpace>(config.search_space, PluginKind::kSearchSpace);
  } catch (const Error& e) {
    throw BadWorkload(fmt::format("this agent cannot build the search space: {}", e.what()));
  }
  if (spaces_.size() >= std::max<size_t>(options_.cached_spaces, 1)) {
    spaces_.erase(space_order_.front());
    space_order_.erase(space_order_.begin());
  }
  space_order_.push_back(space_toml);
  return *(spaces_[space_toml] = std::move(space));
}

Measurement PluginBackend::measure(const WireWorkload& wire) {
  const SearchSpace& space = space_for(wire.space_toml);
  std::unique_ptr<Workload> workload;
  try {
    if (wire.kind == WireWorkload::Kind::kGenome) {
      workload = space.workload(*space.deserialize(wire.genome));
    } else {
      Kernel kernel{wire.kernel_type, wire.kernel_key, wire.kernel_flops, wire.kernel_params, wire.kernel_features};
      workload = space.kernel_workload(kernel);
    }
  } catch (const Error& e) {
    throw BadWorkload(e.what());
  }
  return device_->measure(*workload);
}

}  // namespace gos::remote
