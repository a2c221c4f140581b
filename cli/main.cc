// gos: the command-line entry point. `gos --help` lists the subcommands;
// `gos COMMAND --help` describes one.
#include <fmt/format.h>

#include <boost/program_options/errors.hpp>
#include <iostream>

#include "cli/commands.h"
#include "framework/error.h"
#include "framework/runner.h"
#include "framework/text.h"

namespace gos::cli {

void load_default_plugins(PluginRegistry& registry, const std::vector<std::string>& extra) {
  for (const auto& dir : PluginRegistry::default_paths()) registry.load_directory(dir);
  for (const auto& dir : extra) registry.load_directory(dir);
}

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"run", "run an experiment file (resumable)", run_command},
      {"validate", "check an experiment file without running it", validate_command},
      {"plugins", "list plugins with their kind, version, path and parameters", plugins_command},
      {"compare", "hypervolume of runs by strategy at fixed budgets, with an SVG plot", compare_command},
      {"sweep", "run one experiment over seeds and strategies into one folder", sweep_command},
      {"nb201", "convert or inspect the NAS-Bench-201 tabular benchmark", nb201_command},
      {"show", "draw a gos_graph genome as Graphviz DOT and SVG", show_command},
      {"report", "HTML/SVG report of a gos adapt run", report_command},
      {"agent", "serve this machine's device to remote GOS runs (authenticated)", agent_command},
#ifdef GOS_WITH_LATENCY_COMMANDS
      {"lut", "build a per-operator latency lookup table on a device", lut_command},
      {"latency", "latency datasets, predictor training and evaluation", latency_command},
#endif
#ifdef GOS_WITH_TORCH
      {"profile", "per-slot latency, share, FLOPs and inefficiency of a zoo model", profile_command},
      {"train", "train a zoo model on CIFAR-10 or IDX data and report accuracy", train_command},
      {"adapt", "adapt a zoo model to this CPU by searched operator replacement (resumable)", adapt_command},
#endif
  };
  return list;
}

namespace {

void print_usage(std::ostream& out) {
  out << "gos " << gos_version() << " - Grassroots Operator Search: hardware-aware operator and architecture search\n\n"
      << "Usage: gos COMMAND [OPTIONS]\n\nCommands:\n";
  for (const Command& command : commands()) out << fmt::format("  {:<10} {}\n", command.name, command.summary);
  out << "\nRun 'gos COMMAND --help' for the options of a command.\n"
      << "Plugins are loaded from the 'plugins' directory next to the gos binary, from\n"
      << "GOS_PLUGIN_PATH (colon-separated), and from [plugins] paths in experiment files.\n";
}

}  // namespace
}  // namespace gos::cli

int main(int argc, char** argv) {
  using namespace gos::cli;
  if (argc < 2) {
    print_usage(std::cerr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout);
    return 0;
  }
  if (name == "--version") {
    std::cout << "gos " << gos::gos_version() << " (" << gos::gos_git_commit() << ")\n";
    return 0;
  }
  std::vector<std::string> names;
  for (const Command& command : commands()) {
    names.push_back(command.name);
    if (name != command.name) continue;
    try {
      return command.run(Args(argv + 2, argv + argc));
    } catch (const boost::program_options::error& e) {
      std::cerr << "gos " << name << ": " << e.what() << "\nRun 'gos " << name << " --help' for usage.\n";
      return 2;
    } catch (const gos::Error& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "internal error: " << e.what() << "\n";
      return 3;
    }
  }
  std::cerr << fmt::format("gos: unknown command '{}'{}\n", name, gos::did_you_mean(name, names));
  print_usage(std::cerr);
  return 2;
}
