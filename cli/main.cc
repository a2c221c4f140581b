// gos: the command-line entry point. `gos --help` lists the subcommands;
// `gos COMMAND --help` describes one.
#include <fmt/format.h>

#include <algorithm>
#include <boost/program_options/errors.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "cli/torch_commands.h"
#include "framework/error.h"
#include "framework/runner.h"
#include "framework/text.h"

namespace gos::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> list = [] {
    std::vector<Command> builtin = {
        {"run", "run an experiment file (resumable)", run_command},
        {"validate", "check an experiment file without running it", validate_command},
        {"plugins", "list plugins with their kind, version, path and parameters", plugins_command},
        {"new-plugin", "write a buildable out-of-tree plugin project (docs/PLUGINS.md)", new_plugin_command},
        {"compare", "hypervolume of runs by strategy at fixed budgets, with an SVG plot", compare_command},
        {"sweep", "run one experiment over seeds and strategies into one folder", sweep_command},
        {"nb201", "convert or inspect the NAS-Bench-201 tabular benchmark", nb201_command},
        {"show", "draw a gos_graph genome as Graphviz DOT and SVG", show_command},
        {"report", "HTML/SVG report of a gos adapt run", report_command},
        {"agent", "serve this machine's device to remote GOS runs (authenticated)", agent_command},
    };
    // LibTorch commands: run through the library loaded on demand.
    for (const Command& command : torch_command_summaries()) {
      const std::string name = command.name;
      builtin.push_back({command.name, command.summary, [name](const Args& args) { return run_torch_command(name, args); }});
    }
    return builtin;
  }();
  return list;
}

namespace {

// Commands the build uses internally: runnable, not listed in --help.
const std::vector<Command>& internal_commands() {
  static const std::vector<Command> list = {
      {"plugin-manifest", "write the manifest of a plugin library", plugin_manifest_command},
  };
  return list;
}

void print_usage(std::ostream& out) {
  out << "gos " << gos_version() << " - Grassroots Operator Search: hardware-aware operator and architecture search\n\n"
      << "Usage: gos COMMAND [OPTIONS]\n\nCommands:\n";
  // Without the LibTorch command library, its commands are listed apart.
  const bool torch = find_torch_command_library().has_value();
  std::vector<const Command*> missing;
  for (const Command& command : commands()) {
    const bool needs_torch = std::any_of(torch_command_summaries().begin(), torch_command_summaries().end(),
                                         [&](const Command& c) { return std::string_view(c.name) == command.name; });
    if (needs_torch && !torch)
      missing.push_back(&command);
    else
      out << fmt::format("  {:<11} {}\n", command.name, command.summary);
  }
  if (!missing.empty()) {
    out << "\nNot in this build (they need LibTorch; rebuild with GOS_WITH_TORCH=ON):\n";
    for (const Command* command : missing) out << fmt::format("  {:<11} {}\n", command->name, command->summary);
  }
  out << "\nRun 'gos COMMAND --help' (or 'gos help COMMAND') for the options of a command;\n"
      << "'gos --version' prints the version. Exit codes: 0 success, 1 an error in the input or\n"
      << "the run (the message names it), 2 a usage error, 3 an internal error (docs/CLI.md).\n"
      << "Plugins are loaded from the 'plugins' directory next to the gos binary (../lib/gos/plugins\n"
      << "once installed), from GOS_PLUGIN_PATH (colon-separated), and from [plugins] paths in\n"
      << "experiment files.\n";
}

int run(const Command& command, const std::string& name, const Args& args) {
  try {
    return command.run(args);
  } catch (const boost::program_options::error& e) {
    std::cerr << "gos " << name << ": " << describe_usage_error(e) << "\nRun 'gos " << name << " --help' for usage.\n";
    return 2;
  } catch (const gos::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace
}  // namespace gos::cli

int main(int argc, char** argv) {
  using namespace gos::cli;
  if (argc < 2) {
    print_usage(std::cerr);
    return 2;
  }
  // `gos help CMD` is `gos CMD --help`.
  const bool help_for_command = std::string_view(argv[1]) == "help" && argc > 2;
  const std::string name = help_for_command ? argv[2] : argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout);
    return 0;
  }
  if (name == "--version") {
    std::cout << "gos " << gos::gos_version() << " (" << gos::gos_git_commit() << ")\n";
    return 0;
  }
  const Args args = help_for_command ? Args{"--help"} : Args(argv + 2, argv + argc);
  std::vector<std::string> names;
  for (const auto* list : {&commands(), &internal_commands()})
    for (const Command& command : *list)
      if (name == command.name) return run(command, name, args);
  for (const Command& command : commands()) names.push_back(command.name);
  std::cerr << fmt::format("gos: unknown command '{}'{}\n", name, gos::did_you_mean(name, names));
  print_usage(std::cerr);
  return 2;
}
