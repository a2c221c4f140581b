// gos sweep FILE --seeds 0..9 : one experiment over seeds and strategies.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "cli/compare.h"
#include "cli/sweep.h"
#include "framework/experiment.h"
#include "framework/runner.h"
#include "framework/toml_input.h"
#include "mpi/coordinator.h"
#include "mpi/launch.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot read experiment file '{}'", path));
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

}  // namespace

int sweep_command(const Args& args) {
  std::string file, seeds_text, out_dir;
  std::vector<std::string> overrides, plugin_paths, grid_texts;
  bool overwrite = false, quiet = false;
  po::options_description options("Options");
  options.add_options()(
      "seeds", po::value(&seeds_text), "seeds, e.g. 0..9 or 1,4,7; default: [sweep] seeds, else the file's seed")(
      "output,o", po::value(&out_dir), "folder for the runs; default: [sweep] output, else results/<name>-sweep")(
      "set", po::value(&overrides)->composing(), "override a key of every run (repeatable)")(
      "grid", po::value(&grid_texts)->composing(),
      "KEY=V1,V2,...: run every value of a TOML key (repeatable: the product of the axes)")(
      "plugin-path", po::value(&plugin_paths)->composing(), "extra plugin directory (repeatable)")(
      "overwrite", po::bool_switch(&overwrite), "replace existing runs instead of resuming them")(
      "quiet,q", po::bool_switch(&quiet), "no per-generation progress lines");
  if (!parse_command_line(args, options, "file", file,
                          "Usage: gos sweep FILE [--seeds 0..9] [options]\n\n"
                          "Runs one experiment for every seed and every strategy into one folder\n"
                          "(<strategy>-seed<k>.h5), resuming runs already there, then prints the\n"
                          "`gos compare` table of the folder. Strategies come from an optional table\n\n"
                          "  [sweep]\n  seeds = \"0..9\"\n  output = \"results/zdt1-sweep\"\n"
                          "  [[sweep.strategies]]\n  plugin = \"nsga2\"\n  [[sweep.strategies]]\n"
                          "  plugin = \"random_search\"\n  evaluations = 25000\n\n"
                          "whose [[sweep.strategies]] tables replace [strategy] in turn; without it\n"
                          "the file's [strategy] is used. --grid KEY=V1,V2 (repeatable) also runs\n"
                          "every value of any key, e.g. --grid strategy.penalty=0,1e-4,1e-3: runs are\n"
                          "then <strategy>-<key=value>-seed<k>.h5 and the table groups by the swept keys.\n"
                          "Progress goes to stderr, one line per generation (redrawn on a terminal);\n"
                          "each finished run is a line on stdout."))
    return 0;
  if (file.empty()) throw po::error("missing the experiment FILE argument");

  toml::table root = parse_toml(read_file(file), file);
  sweep::SweepTable sweep_table = sweep::read_sweep_table(root, file);
  if (seeds_text.empty()) seeds_text = sweep_table.seeds;
  if (out_dir.empty()) out_dir = sweep_table.output;
  std::vector<toml::table> strategies = std::move(sweep_table.strategies);
  std::vector<int64_t> strategy_lines = std::move(sweep_table.strategy_lines);
  if (strategies.empty()) {
    const toml::table* strategy = root["strategy"].as_table();
    if (!strategy) throw Error(fmt::format("{}: missing required section [strategy]", file));
    strategies.push_back(*strategy);
    strategy_lines.push_back(strategy->source().begin.line);
  }
  const auto name = root["experiment"]["name"].value<std::string>();
  std::vector<uint64_t> seeds = seeds_text.empty()
                                    ? std::vector<uint64_t>{static_cast<uint64_t>(
                                          root["experiment"]["seed"].value<int64_t>().value_or(0))}
                                    : sweep::parse_seeds(seeds_text);
  if (out_dir.empty()) out_dir = "results/" + name.value_or("experiment") + "-sweep";
  std::vector<sweep::GridAxis> axes;
  std::vector<std::string> grid_keys;
  for (const std::string& text : grid_texts) {
    axes.push_back(sweep::parse_grid_axis(text));
    grid_keys.push_back(axes.back().key);
  }
  const std::vector<std::vector<std::string>> points = sweep::grid_points(axes);

  // Errors outside the strategy tables, reported with the file's own lines.
  // Under an MPI launcher every rank checks this and says what it found.
  const std::optional<int> launched = mpi::launcher_world_size();
  const bool distributed = launched && *launched != 1;
  if (launched && *launched == 1) std::cerr << mpi::kOneMpiProcessNote;
  mpi::Identity mine;
  mine.file = file;
  std::exception_ptr own_error;
  {
    PluginRegistry registry;
    try {
      load_default_plugins(registry, plugin_paths);
      const Experiment base = build_experiment(load_experiment(file, overrides, registry), registry);
      mine.work = base.config.fingerprint;
      if (distributed) mine.build = mpi::build_id(registry);
    } catch (const std::exception& e) {
      if (!distributed) throw;
      own_error = std::current_exception();
      mine.error = e.what();
    }
  }
  struct PlannedRun {
    size_t strategy;
    uint64_t seed;
    std::string output;
    std::vector<std::string> overrides;
  };
  std::vector<PlannedRun> plan;
  for (size_t s = 0; s < strategies.size(); ++s) {
    const std::string plugin = strategies[s]["plugin"].value<std::string>().value_or("strategy");
    for (const std::vector<std::string>& point : points) {
      for (uint64_t seed : seeds) {
        const std::string label = point.empty() ? plugin : plugin + "-" + sweep::grid_label(point);
        const std::string output = (std::filesystem::path(out_dir) / fmt::format("{}-seed{}.h5", label, seed)).string();
        std::vector<std::string> run_overrides = overrides;
        run_overrides.insert(run_overrides.end(), point.begin(), point.end());
        plan.push_back({s, seed, output, std::move(run_overrides)});
        mine.work += "\n" + output;
      }
    }
  }
  // One run, resumed when its file is there; its line without the counter.
  auto do_run = [&](size_t index) {
    const PlannedRun& run = plan[index];
    PluginRegistry registry;
    load_default_plugins(registry, plugin_paths);
    Experiment experiment = sweep::build_sweep_run(root, strategies[run.strategy], strategy_lines[run.strategy],
                                                   run.seed, run.output, file, run.overrides, registry);
    RunOptions run_options;
    run_options.progress = !quiet;
    run_options.overwrite = overwrite;
    run_options.resume = !overwrite && std::filesystem::exists(experiment.config.output);
    const RunSummary summary = run_experiment(experiment, run_options);
    return fmt::format("{}: {} evaluations, front {}{}", summary.output.string(), summary.evaluations,
                       summary.front_size, summary.already_complete ? " (already complete)" : "");
  };
  size_t done = 0;
  // One line per run, flushed, so that a pipe or a log sees each run as it ends.
  auto print_done = [&](const std::string& line) {
    std::cout << fmt::format("[{}/{}] {}", ++done, plan.size(), line) << std::endl;
  };
  mpi::World* world = distributed ? &mpi::load_world() : nullptr;
  const mpi::FinalizeOnExit finalize(world);
  if (world && world->size() > 1) {
    // The runs go side by side to the workers (mpi/coordinator.h); rank 0
    // prints their lines as they end and then the comparison.
    mine.rank = world->rank();
    mine.host = world->host();
    mine.work = mpi::fnv1a_hex(mine.work + "\n" + fmt::format("{}", overwrite));
    if (world->rank() != 0) {
      if (!mpi::agree(*world, mine)) return 0;  // rank 0 says why; its status is the job's
      mpi::do_runs(*world, do_run);
      return 0;
    }
    try {
      mpi::agree(*world, mine);
    } catch (...) {
      if (own_error) std::rethrow_exception(own_error);
      throw;
    }
    mpi::share_runs(*world, plan.size(), [&](const mpi::RunReply& reply, int rank) {
      print_done(fmt::format("{} (rank {})", reply.text, rank));
    });
  } else {
    if (own_error) std::rethrow_exception(own_error);
    for (size_t i = 0; i < plan.size(); ++i) print_done(do_run(i));
  }
  std::vector<std::string> outputs;
  for (const PlannedRun& run : plan) outputs.push_back(run.output);
  std::vector<compare::RunCurve> runs;
  for (const std::string& output : outputs) {
    try {
      runs.push_back(compare::load_run(output, grid_keys));
    } catch (const Error& e) {
      std::cout << "no comparison: " << e.what() << "\n";
      return 0;
    }
  }
  const auto budgets = compare::default_budgets(runs, 5);
  std::cout << compare::format_table(compare::summarize(runs, budgets), budgets);
  return 0;
}

}  // namespace gos::cli
