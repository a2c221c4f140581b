// gos adapt: the GOS pipeline from an adapt experiment file (docs/ADAPT.md).
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <optional>

#include "adapt/adapt.h"
#include "cli/adapt_mpi.h"
#include "cli/adapt_report.h"
#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/plugin_registry.h"
#include "mpi/launch.h"

namespace po = boost::program_options;

namespace gos::cli {

adapt::AdaptConfig load_adapt_args(const AdaptArgs& args, PluginRegistry& registry, std::filesystem::path& output) {
  adapt::AdaptConfig config = adapt::load_adapt_config(args.file, args.overrides, registry);
  output = args.output.empty() ? adapt::default_output(config) : std::filesystem::path(args.output);
  adapt::check_input_files(config);
  return config;
}

int run_adapt_and_report(const adapt::AdaptConfig& config, const adapt::AdaptOptions& options,
                         PluginRegistry& registry, bool quiet) {
  // The report is written at the end of every run that got as far as its
  // record, failed ones included (they show what was done).
  const auto write_report = [&] {
    const std::filesystem::path record = options.output / "adapt.h5";
    if (!std::filesystem::exists(record)) return;
    try {
      const std::filesystem::path report = report::write_report(record, {}, {});
      if (!quiet) std::cerr << "[adapt " << config.name << "] wrote " << report.string() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "gos adapt: the report could not be written: " << e.what() << "\n";
    }
  };
  adapt::AdaptSummary summary;
  try {
    summary = adapt::run_adapt(config, options, registry);
  } catch (...) {
    write_report();
    throw;
  }
  write_report();
  if (summary.already_complete) {
    std::cout << fmt::format("{}: run already completed ({} iterations, {} replaced, speedup {:.2f}x); nothing to "
                             "resume\n",
                             summary.output.string(), summary.iterations, summary.modified, summary.speedup);
    return 0;
  }
  std::cout << fmt::format("{}: {} iterations, {} replaced ({}); latency {:.3f} -> {:.3f} ms, speedup {:.2f}x; "
                           "held-out accuracy {:.2f}% -> {:.2f}%\n",
                           summary.output.string(), summary.iterations, summary.modified, summary.stop_reason,
                           summary.baseline_ms, summary.final_ms, summary.speedup, summary.baseline_accuracy,
                           summary.final_accuracy);
  return 0;
}

int adapt_command(const Args& args) {
  AdaptArgs adapt_args;
  std::vector<std::string> plugin_paths;
  adapt::AdaptOptions options;
  bool validate = false;
  bool dry_run = false;  // its own variable: two switches on one bool reset each other
  po::options_description description("Options");
  description.add_options()
      ("set", po::value(&adapt_args.overrides)->composing(), "override a key: key=value, strategy.key=value, latency.device.key=value (repeatable)")
      ("output,o", po::value(&adapt_args.output), "run directory (default results/adapt/<name>)")
      ("resume", po::bool_switch(&options.resume), "continue the run recorded in the run directory")
      ("overwrite", po::bool_switch(&options.overwrite), "start over in an existing run directory")
      ("validate", po::bool_switch(&validate), "check the file (and --set values) without running it")
      ("dry-run", po::bool_switch(&dry_run), "same as --validate")
      ("plugin-path", po::value(&plugin_paths)->composing(), "extra plugin directory (repeatable)")
      ("quiet,q", po::bool_switch(&adapt_args.quiet), "no progress lines");
  if (!parse_command_line(
          args, description, "file", adapt_args.file,
          "Usage: gos adapt FILE [options]\n\nAdapts a zoo model to a device: trains (or loads) the baseline, profiles "
          "its slots,\nand replaces the least efficient operators with searched GOS instruction graphs\n(the "
          "[adapt.strategy] plugin, default NSGA-II, over latency and parameters, accuracy\ndrop <= epsilon), one slot "
          "at a time. Every latency comes from the [adapt.latency]\nplugin (measure on a device, lut, predictor).\n"
          "Writes adapt.h5, search_<k>.h5, checkpoints, adapted.pt and report.html into the run\ndirectory. A killed "
          "run continues with --resume. Under mpirun (`mpirun -n K gos adapt\nFILE`), rank 0 runs the pipeline and "
          "the other K-1 ranks evaluate the candidates of\nevery inner search; the run directory must be on a file "
          "system all ranks read.\nSee docs/ADAPT.md."))
    return 0;
  validate = validate || dry_run;
  if (adapt_args.file.empty())
    throw po::error("missing the FILE argument (an adapt experiment, e.g. experiments/adapt/quick.toml)");
  if (options.resume && options.overwrite) throw po::error("--resume and --overwrite exclude each other");
  options.progress = !adapt_args.quiet;
  PluginRegistry registry;
  load_default_plugins(registry, plugin_paths);
  // Under an MPI launcher every rank loads the configuration itself, so that
  // rank 0 can report a rank that cannot.
  const std::optional<int> launched = validate ? std::nullopt : mpi::launcher_world_size();
  if (launched && *launched != 1) return adapt_on_mpi_ranks(adapt_args, options, registry);
  if (launched) std::cerr << mpi::kOneMpiProcessNote;
  const adapt::AdaptConfig config = load_adapt_args(adapt_args, registry, options.output);
  if (validate) {
    std::cout << fmt::format("{}: ok (adapt {} width {}, epsilon {}, strategy {}, latency model {}, up to {} "
                             "replacements, accuracy estimate '{}'; output {})\n",
                             adapt_args.file, config.model, config.width, config.epsilon, config.strategy.plugin,
                             config.latency.plugin, config.max_modified, to_string(config.accuracy_estimate),
                             options.output.string());
    return 0;
  }
  return run_adapt_and_report(config, options, registry, adapt_args.quiet);
}

}  // namespace gos::cli
