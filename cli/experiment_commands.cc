// gos run / gos validate / gos plugins.
#include <fmt/format.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "cli/sweep.h"
#include "framework/experiment.h"
#include "framework/runner.h"
#include "framework/text.h"
#include "framework/toml_input.h"

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

std::string read_text_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot read experiment file '{}': {}", path, std::strerror(errno)));
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

ExperimentConfig load(const ExperimentArgs& args, PluginRegistry& registry) {
  load_default_plugins(registry, args.plugin_paths);
  warn_about_plugin_failures(registry, std::cerr);
  std::vector<std::string> overrides = args.overrides;
  if (!args.output.empty()) overrides.push_back("experiment.output=\"" + args.output + "\"");
  return load_experiment(args.file, overrides, registry);
}

}  // namespace

namespace {

// "; hypervolume 0.6612, igd 0.00412" for the summary line, or "".
std::string format_indicators(const RunSummary& summary) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : summary.indicators) parts.push_back(fmt::format("{} {:.6g}", name, value));
  return parts.empty() ? "" : "; " + join(parts, ", ");
}

// A `gos adapt` file has an [adapt] table instead of [experiment]; the adapt
// command checks it (in torch builds).
int validate_adapt_file(const ExperimentArgs& args, bool print) {
  if (print) throw po::error(fmt::format("--print is for search experiments; {} is a `gos adapt` file", args.file));
  for (const Command& command : commands()) {
    if (std::string_view(command.name) != "adapt") continue;
    Args adapt_args = {args.file, "--validate"};
    for (const std::string& value : args.overrides) adapt_args.insert(adapt_args.end(), {"--set", value});
    for (const std::string& value : args.plugin_paths) adapt_args.insert(adapt_args.end(), {"--plugin-path", value});
    if (!args.output.empty()) adapt_args.insert(adapt_args.end(), {"--output", args.output});
    return command.run(adapt_args);
  }
  throw Error(fmt::format("{} is a `gos adapt` file ([adapt] table), and this gos was built without LibTorch "
                          "(GOS_WITH_TORCH=OFF), which `gos adapt` needs",
                          args.file));
}

// The [sweep] table: its keys, its seeds, and every [[sweep.strategies]] run
// built as `gos sweep` builds it. Returns a description for the ok line.
std::string validate_sweep(const toml::table& root, const ExperimentArgs& args, const ExperimentConfig& base) {
  const sweep::SweepTable table = sweep::read_sweep_table(root, args.file);
  const size_t seeds = table.seeds.empty() ? 1 : sweep::parse_seeds(table.seeds).size();
  for (size_t i = 0; i < table.strategies.size(); ++i) {
    PluginRegistry registry;
    load_default_plugins(registry, args.plugin_paths);
    sweep::build_sweep_run(root, table.strategies[i], table.strategy_lines[i], base.seed, base.output.string(),
                           args.file, args.overrides, registry);
  }
  return fmt::format(", sweep of {} strategies x {} seeds", std::max<size_t>(table.strategies.size(), 1), seeds);
}

}  // namespace

int validate_command(const Args& args) {
  ExperimentArgs experiment_args;
  bool print = false;
  po::options_description options("Options");
  add_experiment_options(options, experiment_args);
  options.add_options()("print", po::bool_switch(&print),
                        "print the resolved experiment (defaults filled in) on stdout; the status line goes to stderr");
  if (!parse(args, options, experiment_args,
             "Usage: gos validate FILE [options]\n\nChecks an experiment file: syntax, every key and value against the\n"
             "plugins' schemas, the [sweep] table, and that the components can be created\n"
             "and work together. Runs nothing. A `gos adapt` file ([adapt] table) is checked\n"
             "as `gos adapt FILE --dry-run` does. The status line goes to stderr, so that\n"
             "`gos validate FILE --print > resolved.toml` writes a runnable file."))
    return 0;
  const toml::table root = parse_toml(read_text_file(experiment_args.file), experiment_args.file);
  if (root.contains("adapt") && !root.contains("experiment")) return validate_adapt_file(experiment_args, print);
  PluginRegistry registry;
  Experiment experiment = build_experiment(load(experiment_args, registry), registry);
  const std::string sweep = root.contains("sweep") ? validate_sweep(root, experiment_args, experiment.config) : "";
  if (print) std::cout << experiment.config.resolved_toml << "\n";
  std::cerr << fmt::format("{}: ok (experiment '{}', search space '{}', strategy '{}', {} objectives{}, output {})\n",
                           experiment_args.file, experiment.config.name, experiment.config.search_space.plugin,
                           experiment.config.strategy.plugin, experiment.roles.size(), sweep,
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
    std::cout << fmt::format("{}: run already completed ({} evaluations{}); nothing to resume\n",
                             summary.output.string(), summary.evaluations, format_indicators(summary));
    return 0;
  }
  std::cout << fmt::format("{}: {} evaluations in {} generations ({} replayed from the file), {} failed, "
                           "Pareto front of {}{}\n",
                           summary.output.string(), summary.evaluations, summary.generations,
                           summary.replayed_generations, summary.failed, summary.front_size,
                           format_indicators(summary));
  return 0;
}

int plugins_command(const Args& args) {
  std::vector<std::string> paths;
  std::string name;
  po::options_description options("Options");
  options.add_options()("plugin-path", po::value(&paths)->composing(), "extra plugin directory (repeatable)");
  if (!parse_command_line(args, options, "name", name,
                          "Usage: gos plugins [NAME] [options]\n\nLists every loadable plugin (or the one named NAME) "
                          "with its kind, version,\nlibrary path, and parameters with types, defaults and help."))
    return 0;
  PluginRegistry registry;
  load_default_plugins(registry, paths);
  if (!name.empty()) {
    std::vector<std::string> names;
    for (const PluginRecord* record : registry.plugins()) names.push_back(record->name);
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw Error(fmt::format("no plugin named '{}'{}; plugins: {}", name, did_you_mean(name, names), join(names, ", ")));
  }
  for (const PluginRecord* record : registry.plugins()) {
    if (!name.empty() && record->name != name) continue;
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
