#pragma once
// Components in TOML files other than experiment files (the [adapt.strategy]
// and [adapt.latency] tables of an adapt file): validated exactly as an
// experiment's components are, so unknown plugins, keys, types and ranges
// get the same messages. Implemented in config.cc.
#include <string>
#include <toml++/toml.h>

#include "framework/params.h"

namespace gos {

class PluginRegistry;

// `table` is `{ plugin = "...", ... }`; errors name `file`, the line and
// `section` (e.g. "adapt.strategy"). Nodes without a source position (made
// by --set) are reported as "command line --set".
ComponentConfig parse_component_table(const toml::table& table, PluginKind kind, const std::string& section,
                                      const std::string& file, PluginRegistry& registry);

// The component as a table with every default filled in (the resolved form
// that results files store).
toml::table component_to_toml(const ComponentConfig& config);

}  // namespace gos
