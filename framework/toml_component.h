#pragma once
// Components in TOML files other than experiment files (the [adapt.strategy]
// and [adapt.latency] tables of an adapt file): validated exactly as an
// experiment's components are, so unknown plugins, keys, types and ranges
// get the same messages. Implemented in config.cc.
#include <toml++/toml.h>

#include <string>

#include "framework/params.h"
#include "framework/toml_input.h"

namespace gos {

class PluginRegistry;

// `table` is `{ plugin = "...", ... }`; errors name `file`, the line and
// `section` (e.g. "adapt.strategy"). Nodes without a source position are
// reported as coming from `unsourced`: by default they were made by --set. A
// table a command builds itself names its origin there, so that an error does
// not blame the command line.
ComponentConfig parse_component_table(const toml::table& table, PluginKind kind, const std::string& section,
                                      const std::string& file, PluginRegistry& registry,
                                      const std::string& unsourced = kOverrideSource);

// The component as a table with every default filled in (the resolved form
// that results files store).
toml::table component_to_toml(const ComponentConfig& config);

}  // namespace gos
