// gos run / gos validate / gos plugins.
#include <fmt/format.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "cli/sweep.h"
#include "framework/experiment.h"
#include "framework/runner.h"
#include "framework/text.h"
#include "framework/toml_input.h"
#include "mpi/coordinator.h"
#include "mpi/launch.h"

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

namespace {

int report_run(const RunSummary& summary) {
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

// `mpirun -n K gos run`: every rank builds the experiment from its own
// arguments; rank 0 checks that all built the same one with the same build,
// then runs it with the workers evaluating (mpi/coordinator.h).
int run_on_mpi_ranks(const ExperimentArgs& args, RunOptions run_options) {
  mpi::World& world = mpi::load_world();
  const mpi::FinalizeOnExit finalize(&world);
  PluginRegistry registry;
  std::optional<Experiment> experiment;
  mpi::Identity mine{world.rank(), world.host(), args.file, {}, {}, {}};
  std::exception_ptr own_error;
  try {
    experiment.emplace(build_experiment(load(args, registry), registry));
    mine.work = experiment->config.fingerprint;
    mine.build = mpi::build_id(registry);
  } catch (const std::exception& e) {
    own_error = std::current_exception();
    mine.error = e.what();
  }
  if (world.size() == 1) {  // a launcher that did not say how many (PMIx) started one
    std::cerr << mpi::kOneMpiProcessNote;
    if (own_error) std::rethrow_exception(own_error);
    return report_run(run_experiment(*experiment, run_options));
  }
  if (world.rank() != 0) {
    if (!mpi::agree(world, mine)) return 0;  // rank 0 says why; its status is the job's
    mpi::serve(world, *experiment);
    return 0;
  }
  try {
    mpi::agree(world, mine);
  } catch (...) {
    if (own_error) std::rethrow_exception(own_error);
    throw;
  }
  mpi::Coordinator coordinator(world, experiment->config.output.string());
  run_options.evaluation = &coordinator;
  run_options.attributes["mpi.ranks"] = std::to_string(world.size());
  return report_run(run_experiment(*experiment, run_options));
}

}  // namespace

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
             "and ends exactly as an uninterrupted run with the same seed. Under mpirun\n"
             "(`mpirun -n K gos run FILE`), rank 0 runs the search and writes the file while\n"
             "the other K-1 ranks evaluate genomes; the file is the same as with one process\n"
             "(docs/SCALING.md)."))
    return 0;
  if (run_options.resume && run_options.overwrite) throw po::error("--resume and --overwrite exclude each other");
  run_options.progress = !quiet;
  const std::optional<int> launched = mpi::launcher_world_size();
  if (launched && *launched != 1) return run_on_mpi_ranks(experiment_args, std::move(run_options));
  if (launched) std::cerr << mpi::kOneMpiProcessNote;
  PluginRegistry registry;
  Experiment experiment = build_experiment(load(experiment_args, registry), registry);
  return report_run(run_experiment(experiment, run_options));
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
