// gos adapt: the GOS pipeline from an adapt experiment file (docs/ADAPT.md).
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "adapt/adapt.h"
#include "cli/adapt_report.h"
#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/plugin_registry.h"

namespace po = boost::program_options;

namespace gos::cli {

int adapt_command(const Args& args) {
  std::string file;
  std::vector<std::string> overrides;
  std::vector<std::string> plugin_paths;
  std::string output;
  adapt::AdaptOptions options;
  bool quiet = false;
  bool validate = false;
  bool dry_run = false;  // its own variable: two switches on one bool reset each other
  po::options_description description("Options");
  description.add_options()
      ("set", po::value(&overrides)->composing(), "override a key: key=value, strategy.key=value, latency.device.key=value (repeatable)")
      ("output,o", po::value(&output), "run directory (default results/adapt/<name>)")
      ("resume", po::bool_switch(&options.resume), "continue the run recorded in the run directory")
      ("overwrite", po::bool_switch(&options.overwrite), "start over in an existing run directory")
      ("validate", po::bool_switch(&validate), "check the file (and --set values) without running it")
      ("dry-run", po::bool_switch(&dry_run), "same as --validate")
      ("plugin-path", po::value(&plugin_paths)->composing(), "extra plugin directory (repeatable)")
      ("quiet,q", po::bool_switch(&quiet), "no progress lines");
  if (!parse_command_line(
          args, description, "file", file,
          "Usage: gos adapt FILE [options]\n\nAdapts a zoo model to a device: trains (or loads) the baseline, profiles "
          "its slots,\nand replaces the least efficient operators with searched GOS instruction graphs\n(the "
          "[adapt.strategy] plugin, default NSGA-II, over latency and parameters, accuracy\ndrop <= epsilon), one slot "
          "at a time. Every latency comes from the [adapt.latency]\nplugin (measure on a device, lut, predictor).\n"
          "Writes adapt.h5, search_<k>.h5, checkpoints, adapted.pt and report.html into the run\ndirectory. A killed "
          "run continues with --resume. See docs/ADAPT.md."))
    return 0;
  validate = validate || dry_run;
  if (file.empty()) throw po::error("missing the FILE argument (an adapt experiment, e.g. experiments/adapt/quick.toml)");
  if (options.resume && options.overwrite) throw po::error("--resume and --overwrite exclude each other");
  PluginRegistry registry;
  load_default_plugins(registry, plugin_paths);
  const adapt::AdaptConfig config = adapt::load_adapt_config(file, overrides, registry);
  options.output = output.empty() ? adapt::default_output(config) : std::filesystem::path(output);
  adapt::check_input_files(config);
  if (validate) {
    std::cout << fmt::format("{}: ok (adapt {} width {}, epsilon {}, strategy {}, latency model {}, up to {} "
                             "replacements, accuracy estimate '{}'; output {})\n",
                             file, config.model, config.width, config.epsilon, config.strategy.plugin,
                             config.latency.plugin, config.max_modified, to_string(config.accuracy_estimate),
                             options.output.string());
    return 0;
  }
  options.progress = !quiet;
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

}  // namespace gos::cli
