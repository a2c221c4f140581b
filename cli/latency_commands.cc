// gos lut build / gos latency dataset|train|eval|repeat: building and judging
// latency models on a device.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "framework/config.h"
#include "framework/device.h"
#include "framework/error.h"
#include "framework/search_space.h"
#include "framework/text.h"
#include "framework/workload_spec.h"
#include "plugins/devices/cpu/measurement_stats.h"
#include "plugins/latency/core/accuracy.h"
#include "plugins/latency/core/h5_io.h"
#include "plugins/latency/core/latency_dataset.h"
#include "plugins/latency/lut/lut_model.h"
#include "plugins/latency/predictor/kernel_predictor.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

struct SetupArgs {
  std::string space = "cnn_chain";
  std::string device = "cpu";
  std::vector<std::string> overrides;
  std::vector<std::string> plugin_paths;
};

void add_setup_options(po::options_description& options, SetupArgs& args) {
  options.add_options()
      ("space", po::value(&args.space)->default_value(args.space), "search space plugin")
      ("device", po::value(&args.device)->default_value(args.device), "device plugin")
      ("set", po::value(&args.overrides)->composing(),
       "a parameter: --set space.resolution=16 or --set device.threads=1 (repeatable)")
      ("plugin-path", po::value(&args.plugin_paths)->composing(), "extra plugin directory (repeatable)");
}

bool parse(const Args& args, po::options_description& options, const std::string& usage) {
  options.add_options()("help,h", po::bool_switch(), "show this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  // Help is checked before notify(), which would otherwise insist on required options.
  if (vm["help"].as<bool>()) {
    std::cout << usage << "\n" << options << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

// The space and device, validated against their plugins' schemas through the
// same path as experiment files (so --set errors read like experiment errors).
struct Setup {
  std::unique_ptr<PluginRegistry> registry = std::make_unique<PluginRegistry>();
  std::unique_ptr<SearchSpace> space;
  std::unique_ptr<Device> device;
};

Setup make_setup(const SetupArgs& args, bool with_device) {
  Setup setup;
  load_default_plugins(*setup.registry, args.plugin_paths);
  const std::string text = fmt::format(
      "[experiment]\nname = \"latency\"\noutput = \"unused.h5\"\n[search_space]\nplugin = \"{}\"\n"
      "[strategy]\nplugin = \"random_search\"\n[[objectives]]\nplugin = \"latency\"\n"
      "model = {{ plugin = \"measure\", device = {{ plugin = \"{}\" }} }}\n",
      args.space, args.device);
  std::vector<std::string> overrides;
  for (const std::string& item : args.overrides) {
    if (item.rfind("space.", 0) == 0) overrides.push_back("search_space." + item.substr(6));
    else if (item.rfind("device.", 0) == 0) overrides.push_back("objectives.0.model.device." + item.substr(7));
    else throw Error(fmt::format("--set '{}': keys start with 'space.' or 'device.'", item));
  }
  const ExperimentConfig config =
      parse_experiment(text, "<command line>", std::filesystem::current_path(), overrides, *setup.registry);
  setup.space = setup.registry->create<SearchSpace>(config.search_space, PluginKind::kSearchSpace);
  setup.space->set_origin(config.search_space);
  if (with_device) {
    const ComponentConfig& model = config.objectives.at(0).component.params->get_component("model");
    setup.device = setup.registry->create<Device>(model.params->get_component("device"), PluginKind::kDevice);
    setup.device->test_connection();
  }
  return setup;
}

void check_same_space(const LatencyDataset& dataset, const SearchSpace& space, const std::string& file) {
  if (dataset.space != space.describe())
    throw Error(fmt::format("dataset '{}' was measured in another space configuration:\n  dataset: {}\n  "
                            "configured: {}",
                            file, dataset.space, space.describe()));
}

int lut_build(const Args& args) {
  SetupArgs setup_args;
  int64_t models = 200, overhead_models = 20;
  uint64_t seed = 1;
  std::string output;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("models", po::value(&models)->default_value(models), "sampled models whose kernels are profiled")
      ("overhead-models", po::value(&overhead_models)->default_value(overhead_models),
       "models measured whole to estimate the per-model overhead")
      ("seed", po::value(&seed)->default_value(seed), "seed of the model sampling")
      ("output,o", po::value(&output)->required(), "lookup table to write (HDF5)");
  if (!parse(args, options, "Usage: gos lut build -o LUT.h5 [options]\n\nProfiles every distinct kernel of sampled "
                            "models on the device into a lookup table."))
    return 0;
  Setup setup = make_setup(setup_args, true);
  Rng rng(seed);
  const auto start = std::chrono::steady_clock::now();
  const LatencyTable table =
      build_latency_table(*setup.space, *setup.device, rng, static_cast<size_t>(models),
                          static_cast<size_t>(overhead_models), [](const std::string& line) { std::cout << line << "\n"; });
  write_latency_table(output, table);
  std::cout << fmt::format("wrote {} ({} kernels, {:.1f} s) on {}\n", output, table.keys.size(),
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                           h5::to_string(table.device));
  return 0;
}

int latency_dataset(const Args& args) {
  SetupArgs setup_args;
  int64_t count = 500;
  uint64_t seed = 1;
  std::string output;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("count", po::value(&count)->default_value(count), "number of sampled models to measure")
      ("seed", po::value(&seed)->default_value(seed), "seed of the model sampling")
      ("output,o", po::value(&output)->required(), "dataset to write (HDF5)");
  if (!parse(args, options, "Usage: gos latency dataset -o DATA.h5 [options]\n\nMeasures sampled models of a "
                            "search space on a device."))
    return 0;
  Setup setup = make_setup(setup_args, true);
  LatencyDataset dataset;
  dataset.space = setup.space->describe();
  dataset.device = setup.device->describe();
  Rng rng(seed);
  size_t refused = 0;
  const auto start = std::chrono::steady_clock::now();
  // In chunks, so that a device of several boards measures a chunk at once.
  constexpr int64_t kChunk = 16;
  for (int64_t first = 0; first < count; first += kChunk) {
    std::vector<GenomePtr> genomes;
    std::vector<std::unique_ptr<Workload>> workloads;
    std::vector<Workload*> pointers;
    for (int64_t i = first; i < std::min(count, first + kChunk); ++i) {
      genomes.push_back(setup.space->sample(rng));
      workloads.push_back(portable_workload(*setup.space, *genomes.back()));
      pointers.push_back(workloads.back().get());
    }
    const std::vector<MeasureOutcome> outcomes = setup.device->measure_all(pointers);
    for (size_t i = 0; i < genomes.size(); ++i) {
      if (!outcomes[i].measurement) {
        // A model the device could not measure repeatably is left out, and counted.
        ++refused;
        std::cerr << "skipped: " << outcomes[i].error << "\n";
        continue;
      }
      const Measurement& m = *outcomes[i].measurement;
      dataset.genomes.push_back(setup.space->serialize(*genomes[i]));
      dataset.latency_ms.push_back(m.median_ms);
      dataset.iqr_ms.push_back(m.iqr_ms);
      dataset.cv.push_back(m.cv);
    }
    const int64_t done = first + static_cast<int64_t>(genomes.size());
    if (done % 48 == 0 || done == count) std::cout << fmt::format("  {} / {} models\n", done, count) << std::flush;
  }
  write_latency_dataset(output, dataset);
  std::cout << fmt::format("wrote {}: {} models ({} refused as not repeatable) in {:.1f} s on {}\n", output,
                           dataset.genomes.size(), refused,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                           h5::to_string(dataset.device));
  return 0;
}

int latency_train(const Args& args) {
  SetupArgs setup_args;
  std::vector<std::string> dataset_files;
  std::string output;
  std::vector<std::string> hardware;
  int64_t holdout_every = 5;
  PredictorTraining training;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("dataset", po::value(&dataset_files)->required()->composing(),
       "dataset from 'gos latency dataset' (repeatable: one per device, with --hardware features telling them apart)")
      ("hardware", po::value(&hardware)->multitoken(), "device properties used as features (e.g. cores threads)")
      ("holdout-every", po::value(&holdout_every)->default_value(holdout_every),
       "every N-th model is held out for 'gos latency eval' (0: train on all)")
      ("epochs", po::value(&training.epochs)->default_value(training.epochs), "full-batch training epochs")
      ("learning-rate", po::value(&training.learning_rate)->default_value(training.learning_rate), "Adam step size")
      ("hidden", po::value(&training.hidden)->multitoken(), "hidden layer widths (default 64 64)")
      ("seed", po::value(&training.seed)->default_value(training.seed), "seed of the weight initialisation")
      ("output,o", po::value(&output)->required(), "predictor to write (HDF5)");
  if (!parse(args, options, "Usage: gos latency train --dataset DATA.h5 -o PREDICTOR.h5 [options]\n\nFits the "
                            "per-kernel MLP latency predictor on the non-held-out models."))
    return 0;
  Setup setup = make_setup(setup_args, false);
  std::vector<LatencyDataset> datasets;
  for (const std::string& file : dataset_files) {
    datasets.push_back(read_latency_dataset(file));
    check_same_space(datasets.back(), *setup.space, file);
  }
  // Per dataset: the kernels and latencies of its non-held-out models.
  std::vector<std::vector<std::vector<Kernel>>> kernels(datasets.size());
  std::vector<double> latency;
  std::vector<std::vector<Kernel>> all_kernels;
  for (size_t d = 0; d < datasets.size(); ++d) {
    const LatencyDataset& dataset = datasets[d];
    for (size_t i = 0; i < dataset.genomes.size(); ++i) {
      if (is_held_out(i, static_cast<size_t>(holdout_every))) continue;
      kernels[d].push_back(setup.space->kernels(*setup.space->deserialize(dataset.genomes[i])));
      all_kernels.push_back(kernels[d].back());
      latency.push_back(dataset.latency_ms[i]);
    }
  }
  const FeatureLayout layout = layout_for(all_kernels, hardware);
  std::vector<std::vector<std::vector<double>>> rows;
  std::vector<std::string> devices, counts;
  for (size_t d = 0; d < datasets.size(); ++d) {
    const std::vector<double> hardware_row = hardware_values(layout, datasets[d].device);
    for (const auto& model : kernels[d]) rows.push_back(feature_rows(layout, model, hardware_row, dataset_files[d]));
    devices.push_back(h5::to_string(datasets[d].device));
    counts.push_back(fmt::format("{} ({} of {} models)", dataset_files[d], kernels[d].size(),
                                 datasets[d].genomes.size()));
  }
  const auto start = std::chrono::steady_clock::now();
  KernelPredictorWeights weights = train_kernel_predictor(layout, rows, latency, training);
  weights.trained_on = join(devices, "; ");
  weights.training_data = fmt::format("{}; every {}th held out", join(counts, "; "), holdout_every);
  write_predictor(output, weights);
  const KernelPredictor predictor(weights);
  std::vector<double> fitted;
  for (const auto& model : rows) fitted.push_back(predictor.predict_rows_ms(model));
  const AccuracyReport fit = compare_latencies(fitted, latency);
  std::cout << fmt::format("wrote {}: trained on {} models in {:.1f} s; training-set MAPE {:.2f}%, within 10% "
                           "{:.1f}%\n",
                           output, latency.size(),
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                           100 * fit.mape, 100 * fit.within_10);
  return 0;
}

void print_report(const std::string& name, const AccuracyReport& r, size_t uncovered) {
  std::cout << fmt::format("| {:<10} | {:>6} | {:>9.4f} | {:>7.2f}% | {:>7.1f}% | {:>8.1f}% | {:>7.3f} |{}\n", name,
                           r.count, r.rmse_ms, 100 * r.mape, 100 * r.within_5, 100 * r.within_10, r.kendall_tau,
                           uncovered ? fmt::format(" ({} models with kernels missing from the table left out)",
                                                   uncovered)
                                     : "");
}

int latency_eval(const Args& args) {
  SetupArgs setup_args;
  std::string dataset_file, lut_file, predictor_file, svg_prefix;
  int64_t holdout_every = 5;
  bool measure_missing = false, remeasure = false;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("dataset", po::value(&dataset_file)->required(), "dataset from 'gos latency dataset' (the measured truth)")
      ("remeasure", po::bool_switch(&remeasure),
       "measure the held-out models again on the device: the noise floor no latency model can beat")
      ("measure-missing", po::bool_switch(&measure_missing),
       "measure kernels missing from the lookup table on the device (else such models are left out)")
      ("lut", po::value(&lut_file), "lookup table from 'gos lut build'")
      ("predictor", po::value(&predictor_file), "predictor from 'gos latency train'")
      ("holdout-every", po::value(&holdout_every)->default_value(holdout_every),
       "evaluate on every N-th model (as held out by train); 1: all models")
      ("svg", po::value(&svg_prefix), "write PREFIX_<model>.svg predicted-vs-measured plots");
  if (!parse(args, options, "Usage: gos latency eval --dataset DATA.h5 [--lut LUT.h5] [--predictor P.h5]\n\n"
                            "Compares latency models with the measured latencies of held-out models."))
    return 0;
  if (lut_file.empty() && predictor_file.empty() && !remeasure)
    throw po::error("give --lut, --predictor and/or --remeasure");
  Setup setup = make_setup(setup_args, measure_missing || remeasure);
  const LatencyDataset dataset = read_latency_dataset(dataset_file);
  check_same_space(dataset, *setup.space, dataset_file);
  std::vector<GenomePtr> genomes;
  std::vector<double> measured;
  for (size_t i = 0; i < dataset.genomes.size(); ++i) {
    if (!is_held_out(i, static_cast<size_t>(holdout_every))) continue;
    genomes.push_back(setup.space->deserialize(dataset.genomes[i]));
    measured.push_back(dataset.latency_ms[i]);
  }
  std::cout << fmt::format("{} held-out models measured on {}\n\n", genomes.size(), h5::to_string(dataset.device));
  std::cout << "| model      | models | RMSE (ms) |    MAPE  | within 5% | within 10% | Kendall tau |\n"
               "|------------|--------|-----------|----------|-----------|------------|-------------|\n";
  if (remeasure) {
    std::vector<double> again;
    for (const GenomePtr& genome : genomes) again.push_back(setup.device->measure(*portable_workload(*setup.space, *genome)).median_ms);
    print_report("remeasured", compare_latencies(again, measured), 0);
  }
  auto judge = [&](const std::string& name, LatencyModel* lut, const KernelPredictor* predictor,
                   const std::vector<double>& hardware) {
    std::vector<double> predicted, truth;
    size_t uncovered = 0;
    for (size_t i = 0; i < genomes.size(); ++i) {
      try {
        predicted.push_back(lut ? lut->predict_ms(*genomes[i], *setup.space)
                                : predictor->predict_ms(setup.space->kernels(*genomes[i]), hardware,
                                                        "predictor '" + predictor_file + "'"));
        truth.push_back(measured[i]);
      } catch (const Error&) {
        if (!lut) throw;
        ++uncovered;
      }
    }
    print_report(name, compare_latencies(predicted, truth), uncovered);
    if (auto* table = dynamic_cast<LutLatencyModel*>(lut); table && table->measured_on_demand() > 0)
      std::cout << fmt::format("  ({} kernels missing from the table were measured on demand)\n",
                               table->measured_on_demand());
    if (!svg_prefix.empty())
      write_scatter_svg(svg_prefix + "_" + name + ".svg", predicted, truth,
                        fmt::format("{} vs measured ({} held-out models)", name, truth.size()));
  };
  if (!lut_file.empty()) {
    LatencyTable table = read_latency_table(lut_file);
    const auto differences = device_differences(table.device, dataset.device);
    if (!differences.empty())
      std::cout << fmt::format("note: the table and the dataset come from different devices: {}\n",
                               join(differences, "; "));
    std::unique_ptr<Device> device;
    if (measure_missing) device = std::move(setup.device);
    LutLatencyModel lut(std::move(table), lut_file,
                        measure_missing ? OnMissingKernel::kMeasure : OnMissingKernel::kError, std::move(device));
    judge("lut", &lut, nullptr, {});
  }
  if (!predictor_file.empty()) {
    const KernelPredictor predictor(read_predictor(predictor_file));
    judge("predictor", nullptr, &predictor, hardware_values(predictor.weights().layout, dataset.device));
  }
  return 0;
}

int latency_repeat(const Args& args) {
  SetupArgs setup_args;
  std::string genome_text;
  int64_t repeats = 10;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("genome", po::value(&genome_text), "canonical genome to measure (default: one sampled with seed 1)")
      ("repeats", po::value(&repeats)->default_value(repeats), "number of complete measurements");
  if (!parse(args, options, "Usage: gos latency repeat [options]\n\nMeasures one model repeatedly and reports the "
                            "coefficient of variation of the reported medians."))
    return 0;
  Setup setup = make_setup(setup_args, true);
  Rng rng(1);
  const GenomePtr genome = genome_text.empty() ? setup.space->sample(rng) : setup.space->deserialize(genome_text);
  auto workload = portable_workload(*setup.space, *genome);
  std::vector<double> medians;
  for (int64_t i = 0; i < repeats; ++i) {
    const Measurement m = setup.device->measure(*workload);
    medians.push_back(m.median_ms);
    std::cout << fmt::format("  median {:.4f} ms, IQR {:.4f} ms, CV of runs {:.2f}%\n", m.median_ms, m.iqr_ms,
                             100 * m.cv);
  }
  const TimingSummary summary = summarize(medians);
  std::cout << fmt::format("model {} on {}\nmedian of medians {:.4f} ms; CV of the {} medians {:.2f}%\n",
                           setup.space->serialize(*genome), h5::to_string(setup.device->describe()), summary.median,
                           repeats, 100 * summary.cv);
  return 0;
}

int dispatch(const Args& args, const std::string& command,
             const std::vector<std::pair<std::string, int (*)(const Args&)>>& subcommands) {
  std::vector<std::string> names;
  for (const auto& [name, run] : subcommands) names.push_back(name);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << fmt::format("Usage: gos {} SUBCOMMAND [options]; subcommands: {}\n", command, fmt::join(names, ", "));
    return args.empty() ? 2 : 0;
  }
  for (const auto& [name, run] : subcommands)
    if (args[0] == name) return run(Args(args.begin() + 1, args.end()));
  throw po::error(fmt::format("unknown subcommand '{}'; valid: {}", args[0], fmt::join(names, ", ")));
}

}  // namespace

int lut_command(const Args& args) { return dispatch(args, "lut", {{"build", lut_build}}); }

int latency_command(const Args& args) {
  return dispatch(args, "latency",
                  {{"dataset", latency_dataset}, {"train", latency_train}, {"eval", latency_eval},
                   {"repeat", latency_repeat}});
}

}  // namespace gos::cli
