#pragma once
// The `gos` subcommands. Each takes the arguments after its own name and
// returns the process exit code; gos::Error escapes to main(), which prints it.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "framework/plugin_registry.h"

namespace gos::cli {

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;
  std::function<int(const Args&)> run;
};

const std::vector<Command>& commands();

// A registry loaded from the default plugin paths plus `extra` directories.
void load_default_plugins(PluginRegistry& registry, const std::vector<std::string>& extra);
// One "warning: skipped ..." line per plugin library that could not be used.
void warn_about_plugin_failures(const PluginRegistry& registry, std::ostream& out);

int plugins_command(const Args& args);
int plugin_manifest_command(const Args& args);  // cli/plugin_manifest_command.cc
int new_plugin_command(const Args& args);       // cli/new_plugin_command.cc
int validate_command(const Args& args);
int run_command(const Args& args);
int compare_command(const Args& args);
int sweep_command(const Args& args);
int nb201_command(const Args& args);
int show_command(const Args& args);
int report_command(const Args& args);
int lut_command(const Args& args);
int latency_command(const Args& args);
int agent_command(const Args& args);  // cli/agent_command.cc
// In libgos_torch_commands.so (cli/torch_commands.h): cli/model_commands.cc,
// cli/latency_commands.cc, cli/adapt_command.cc.
int profile_command(const Args& args);
int train_command(const Args& args);
int adapt_command(const Args& args);  // cli/adapt_command.cc
int model_command(const Args& args);  // cli/model_onnx_command.cc, with GOS_WITH_ONNX

}  // namespace gos::cli
