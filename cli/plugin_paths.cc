// The plugin directories every command searches.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"

namespace gos::cli {

void load_default_plugins(PluginRegistry& registry, const std::vector<std::string>& extra) {
  for (const auto& dir : PluginRegistry::default_paths()) registry.load_directory(dir);
  for (const auto& dir : extra) registry.load_directory(dir);
}

void warn_about_plugin_failures(const PluginRegistry& registry, std::ostream& out) {
  for (const PluginLoadFailure& failure : registry.failures()) out << "warning: skipped " << failure.message << "\n";
}

}  // namespace gos::cli
