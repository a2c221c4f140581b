// gos run / gos validate / gos plugins.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/experiment.h"
#include "framework/runner.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

struct ExperimentArgs {
  std::string file;
  std::vector<std::string> overrides;
  std::vector<std::string> plugin_paths;
  std::string output;
};

void add_experiment_options(po::options_description& options, ExperimentArgs& args) {
  options.add_options()
      ("set", po::value(&args.overrides)->composing(), "override a key: --set strategy.population=64 (repeatable)")
      ("plugin-path", po::value(&args.plugin_paths)->composing(), "extra plugin directory (repeatable)")
      ("output,o", po::value(&args.output), "results file; overrides [experiment] output");
}

// Parses `args` with `options` and one positional FILE; returns false after
// printing help.
bool parse(const Args& args, po::options_description& options, ExperimentArgs& experiment_args,
           const char* usage) {
  if (!parse_command_line(args, options, "file", experiment_args.file, usage)) return false;
  if (experiment_args.file.empty()) throw po::error("missing the experiment FILE argument");
  return true;
}

ExperimentConfig load(const ExperimentArgs& args, PluginRegistry& registry) {
  load_default_plugins(registry, args.plugin_paths);
  warn_about_plugin_failures(registry, std::cerr);
  std::vector<std::string> overrides = args.overrides;
  if (!args.output.empty()) overrides.push_back("experiment.output=\"" + args.output + "\"");
  return load_experiment(args.file, overrides, registry);
}

}  // namespace

int validate_command(const Args& args) {
  ExperimentArgs experiment_args;
  bool print = false;
  po::options_description options("Options");
  add_experiment_options(options, experiment_args);
  options.add_options()("print", po::bool_switch(&print), "print the resolved experiment (defaults filled in)");
  if (!parse(args, options, experiment_args,
             "Usage: gos validate FILE [options]\n\nChecks an experiment file: syntax, every key and value against the\n"
             "plugins' schemas, and that the components can be created. Runs nothing."))
    return 0;
  PluginRegistry registry;
  Experiment experiment = build_experiment(load(experiment_args, registry), registry);
  if (print) std::cout << experiment.config.resolved_toml << "\n";
  std::cout << fmt::format("{}: ok (experiment '{}', search space '{}', strategy '{}', {} objectives, output {})\n",
                           experiment_args.file, experiment.config.name, experiment.config.search_space.plugin,
                           experiment.config.strategy.plugin, experiment.roles.size(),
                           experiment.config.output.string());
  return 0;
}

int run_command(const Args& args) {
  ExperimentArgs experiment_args;
  RunOptions run_options;
  bool quiet = false;
  po::options_description options("Options");
  add_experiment_options(options, experiment_args);
  options.add_options()
      ("resume", po::bool_switch(&run_options.resume), "continue the run recorded in the output file")
      ("overwrite", po::bool_switch(&run_options.overwrite), "replace an existing output file")
      ("quiet,q", po::bool_switch(&quiet), "no per-generation progress lines");
  if (!parse(args, options, experiment_args,
             "Usage: gos run FILE [options]\n\nRuns an experiment and writes one HDF5 results file (docs/RESULTS.md).\n"
             "Results are flushed after every generation; a killed run continues with --resume\n"
             "and ends exactly as an uninterrupted run with the same seed."))
    return 0;
  if (run_options.resume && run_options.overwrite) throw po::error("--resume and --overwrite exclude each other");
  run_options.progress = !quiet;
  PluginRegistry registry;
  Experiment experiment = build_experiment(load(experiment_args, registry), registry);
  const RunSummary summary = run_experiment(experiment, run_options);
  if (summary.already_complete) {
    std::cout << fmt::format("{}: run already completed ({} evaluations); nothing to resume\n",
                             summary.output.string(), summary.evaluations);
    return 0;
  }
  std::cout << fmt::format("{}: {} evaluations in {} generations ({} replayed from the file), {} failed, "
                           "Pareto front of {}\n",
                           summary.output.string(), summary.evaluations, summary.generations,
                           summary.replayed_generations, summary.failed, summary.front_size);
  return 0;
}

int plugins_command(const Args& args) {
  std::vector<std::string> paths;
  bool help = false;
  po::options_description options("Options");
  options.add_options()("plugin-path", po::value(&paths)->composing(), "extra plugin directory (repeatable)")(
      "help,h", po::bool_switch(&help), "show this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (help) {
    std::cout << "Usage: gos plugins [options]\n\nLists every loadable plugin with its kind, version, library path,\n"
                 "and parameters with types, defaults and help.\n\n"
              << options << "\n";
    return 0;
  }
  PluginRegistry registry;
  load_default_plugins(registry, paths);
  for (const PluginRecord* record : registry.plugins()) {
    std::cout << fmt::format("{} ({} plugin, version {})\n  {}\n  {}\n  build tag {}\n", record->name,
                             to_string(record->kind), record->version, record->summary, record->path.string(),
                             record->build_tag);
    for (const ParamSpec& spec : record->schema.specs()) {
      const std::string default_text = spec.default_value ? format_value(*spec.default_value)
                                       : spec.optional    ? "(optional)"
                                                          : "(required)";
      std::cout << fmt::format("    {:<22} {:<14} {}; {}\n", spec.name, default_text, spec.describe_type(), spec.help);
    }
  }
  if (registry.plugins().empty()) std::cout << "no plugins found; build the project or set GOS_PLUGIN_PATH\n";
  warn_about_plugin_failures(registry, std::cerr);
  return 0;
}

}  // namespace gos::cli
