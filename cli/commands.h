#pragma once
// The `gos` subcommands. Each takes the arguments after its own name and
// returns the process exit code; gos::Error escapes to main(), which prints it.
#include <functional>
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

int plugins_command(const Args& args);
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
// Defined when GOS_WITH_TORCH is on (cli/model_commands.cc).
int profile_command(const Args& args);
int train_command(const Args& args);
int adapt_command(const Args& args);  // cli/adapt_command.cc

}  // namespace gos::cli
