#pragma once
// What the agent serves: its own device (by default `cpu`) and search spaces
// built from its own plugins, from the data a request carries.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/plugin_registry.h"
#include "framework/search_space.h"
#include "plugins/devices/remote/server.h"

namespace gos::remote {

struct PluginBackendOptions {
  std::string device = "cpu";                // device plugin the agent measures on
  std::vector<std::string> device_settings;  // "key=value" for the device's table
  size_t cached_spaces = 8;                  // spaces kept built between requests
};

class PluginBackend : public AgentBackend {
 public:
  // The registry must hold the device and search space plugins. Throws
  // gos::Error when the device cannot be created or used.
  PluginBackend(PluginRegistry& registry, PluginBackendOptions options);
  ~PluginBackend() override;
  DeviceInfo describe() override;
  Measurement measure(const WireWorkload& workload) override;

 private:
  const SearchSpace& space_for(const std::string& space_toml);
  PluginRegistry& registry_;
  PluginBackendOptions options_;
  std::unique_ptr<Device> device_;
  std::map<std::string, std::unique_ptr<SearchSpace>> spaces_;
  std::vector<std::string> space_order_;  // oldest first, for eviction
};

}  // namespace gos::remote
