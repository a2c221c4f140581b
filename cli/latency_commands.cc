// gos lut build / gos latency dataset|train|eval|repeat: building and judging
// latency models on a device.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/config.h"
#include "framework/device.h"
#include "framework/error.h"
#include "framework/search_space.h"
#include "framework/text.h"
#include "framework/workload_spec.h"
#include "plugins/devices/cpu/measurement_stats.h"
#include "plugins/latency/core/accuracy.h"
#include "plugins/latency/core/csv_table.h"
#include "plugins/latency/core/data_split.h"
#include "plugins/latency/core/h5_io.h"
#include "plugins/latency/core/latency_dataset.h"
#include "plugins/latency/lut/lut_csv.h"
#include "plugins/latency/lut/lut_fit.h"
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

// A data set from `gos latency dataset` (HDF5, checked against the space), or
// a published CSV with one genome per row (the space's genome columns and
// latency_ms: NAS_PerformanceEstimation's OFA files).
LatencyDataset read_dataset_file(const std::string& file, const SearchSpace& space) {
  if (std::filesystem::path(file).extension() == ".csv") return read_latency_csv(file, space);
  LatencyDataset dataset = read_latency_dataset(file);
  check_same_space(dataset, space, file);
  return dataset;
}

// --split (percentages) when given, else --holdout-every.
DataSplit data_split(const std::string& percentages, int64_t holdout_every) {
  if (!percentages.empty()) return DataSplit::parse_percentages(percentages);
  if (holdout_every < 0) throw Error(fmt::format("--holdout-every {}: must be >= 0", holdout_every));
  return DataSplit::holdout_every(static_cast<size_t>(holdout_every));
}

int lut_build(const Args& args) {
  SetupArgs setup_args;
  int64_t models = 200, overhead_models = 20;
  uint64_t seed = 1;
  std::string output;
  bool overwrite = false;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("models", po::value(&models)->default_value(models), "sampled models whose kernels are profiled")
      ("overhead-models", po::value(&overhead_models)->default_value(overhead_models),
       "models measured whole to estimate the per-model overhead")
      ("seed", po::value(&seed)->default_value(seed), "seed of the model sampling")
      ("output,o", po::value(&output)->required(), "lookup table to write (HDF5)")
      ("overwrite", po::bool_switch(&overwrite), "replace an existing file");
  if (!parse(args, options, "Usage: gos lut build -o LUT.h5 [options]\n\nProfiles every distinct kernel of sampled "
                            "models on the device into a lookup table."))
    return 0;
  refuse_to_replace(output, overwrite);  // before minutes of measuring, not after
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

// Cross-device transfer of a fitted table: keep the per-kernel shares learnt
// on one device and refit overhead + scale x kernel sum (fit_calibration) on
// the first `models` training models of another device's data set.
void transfer_table(LatencyTable& table, const LatencyDataset& target, const DataSplit& split, size_t models,
                    const SearchSpace& space) {
  LatencyTable kernels_only = table;
  kernels_only.overhead_ms = 0;
  const LatencyIndex index(kernels_only);
  std::vector<double> sums, measured;
  for (size_t i = 0; i < target.genomes.size() && sums.size() < models; ++i) {
    if (split.part(i, target.genomes.size()) != DataPart::kTrain) continue;
    std::vector<std::string> missing;
    sums.push_back(index.sum_ms(space.kernels(*space.deserialize(target.genomes[i])), missing));
    if (!missing.empty()) throw Error(fmt::format("transfer to {}: model {} has kernels the fitted table lacks: {}",
                                                  target.device.name, i, join(missing, ", ")));
    measured.push_back(target.latency_ms[i]);
  }
  const Calibration calibration = fit_calibration(sums, measured);
  std::cout << fmt::format("transferred to {} on {} models: {:.4f} ms + {:.4f} x kernel sum (was {:.4f} ms + 1 x)\n",
                           target.device.name, sums.size(), calibration.overhead_ms, calibration.kernel_scale,
                           table.overhead_ms);
  table.overhead_ms = calibration.overhead_ms;
  table.kernel_scale = calibration.kernel_scale;
  table.device = target.device;
}

int lut_fit(const Args& args) {
  SetupArgs setup_args;
  std::string dataset_file, output, split_text, transfer_file;
  int64_t holdout_every = 5, transfer_models = 20;
  LutFit fit;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("dataset", po::value(&dataset_file)->required(),
       "dataset from 'gos latency dataset', or a CSV of genome columns + latency_ms")
      ("holdout-every", po::value(&holdout_every)->default_value(holdout_every),
       "every N-th model is held out (0: fit on all)")
      ("split", po::value(&split_text), "train/validation/test percentages of consecutive rows, e.g. 70/15/15, or 70/15/15,shuffle=SEED for a "
       "seeded random split (replaces --holdout-every)")
      ("ridge", po::value(&fit.ridge)->default_value(fit.ridge), "ridge term, relative to the mean diagonal")
      ("transfer-to", po::value(&transfer_file),
       "another device's data set: recalibrate overhead and scale of the fitted table on a few of its models")
      ("transfer-models", po::value(&transfer_models)->default_value(transfer_models),
       "how many of the other device's training models the recalibration sees (the first N of its train part)")
      ("output,o", po::value(&output)->required(), "lookup table to write (HDF5)");
  if (!parse(args, options, "Usage: gos lut fit --dataset DATA -o LUT.h5 [options]\n\nFits per-kernel latencies "
                            "and a per-model overhead to whole-model latencies (least squares), for a space whose "
                            "kernels repeat across models (ofa_mbv3)."))
    return 0;
  Setup setup = make_setup(setup_args, false);
  const LatencyDataset dataset = read_dataset_file(dataset_file, *setup.space);
  const DataSplit split = data_split(split_text, holdout_every);
  std::vector<std::vector<Kernel>> models;
  std::vector<double> latency;
  for (size_t i = 0; i < dataset.genomes.size(); ++i) {
    if (split.part(i, dataset.genomes.size()) != DataPart::kTrain) continue;
    models.push_back(setup.space->kernels(*setup.space->deserialize(dataset.genomes[i])));
    latency.push_back(dataset.latency_ms[i]);
  }
  const auto start = std::chrono::steady_clock::now();
  LatencyTable table = fit_latency_table(models, latency, fit);
  table.space = setup.space->describe();
  table.device = dataset.device;
  if (!transfer_file.empty()) transfer_table(table, read_dataset_file(transfer_file, *setup.space), split,
                                             static_cast<size_t>(std::max<int64_t>(transfer_models, 1)), *setup.space);
  write_latency_table(output, table);
  const LatencyIndex index(table);
  std::vector<double> fitted;
  for (const auto& model : models) {
    std::vector<std::string> missing;
    fitted.push_back(index.sum_ms(model, missing));
  }
  const AccuracyReport report = compare_latencies(fitted, latency);
  std::cout << fmt::format("wrote {}: {} kernels + overhead {:.4f} ms fitted to {} models ({}) in {:.1f} s; "
                           "training-set RMSE {:.4f} ms, MAPE {:.2f}%\n",
                           output, table.keys.size(), table.overhead_ms, models.size(), split.describe(),
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                           report.rmse_ms, 100 * report.mape);
  return 0;
}

int latency_dataset(const Args& args) {
  SetupArgs setup_args;
  int64_t count = 500;
  uint64_t seed = 1;
  std::string output;
  bool overwrite = false;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("count", po::value(&count)->default_value(count), "number of sampled models to measure")
      ("seed", po::value(&seed)->default_value(seed), "seed of the model sampling")
      ("output,o", po::value(&output)->required(), "dataset to write (HDF5)")
      ("overwrite", po::bool_switch(&overwrite), "replace an existing file");
  if (!parse(args, options, "Usage: gos latency dataset -o DATA.h5 [options]\n\nMeasures sampled models of a "
                            "search space on a device."))
    return 0;
  refuse_to_replace(output, overwrite);  // before minutes of measuring, not after
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
  bool overwrite = false;
  std::vector<std::string> hardware;
  int64_t holdout_every = 5;
  std::string split_text;
  PredictorTraining training;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("dataset", po::value(&dataset_files)->required()->composing(),
       "dataset from 'gos latency dataset', or a CSV of genome columns + latency_ms (repeatable: one per device, "
       "with --hardware features telling them apart)")
      ("hardware", po::value(&hardware)->multitoken(), "device properties used as features (e.g. cores threads)")
      ("holdout-every", po::value(&holdout_every)->default_value(holdout_every),
       "every N-th model is held out for 'gos latency eval' (0: train on all)")
      ("split", po::value(&split_text),
       "train/validation/test percentages of consecutive rows, e.g. 70/15/15, or 70/15/15,shuffle=SEED for a "
       "seeded random split (replaces --holdout-every)")
      ("epochs", po::value(&training.epochs)->default_value(training.epochs), "full-batch training epochs")
      ("learning-rate", po::value(&training.learning_rate)->default_value(training.learning_rate, shortest(training.learning_rate)),
       "Adam step size")
      ("hidden", po::value(&training.hidden)->multitoken(), "hidden layer widths (default 64 64)")
      ("seed", po::value(&training.seed)->default_value(training.seed), "seed of the weight initialisation")
      ("output,o", po::value(&output)->required(), "predictor to write (HDF5)")
      ("overwrite", po::bool_switch(&overwrite), "replace an existing file");
  if (!parse(args, options, "Usage: gos latency train --dataset DATA.h5 -o PREDICTOR.h5 [options]\n\nFits the "
                            "per-kernel MLP latency predictor on the non-held-out models."))
    return 0;
  refuse_to_replace(output, overwrite);  // before minutes of measuring, not after
  Setup setup = make_setup(setup_args, false);
  const DataSplit split = data_split(split_text, holdout_every);
  std::vector<LatencyDataset> datasets;
  for (const std::string& file : dataset_files) datasets.push_back(read_dataset_file(file, *setup.space));
  // Per dataset: the kernels and latencies of its non-held-out models.
  std::vector<std::vector<std::vector<Kernel>>> kernels(datasets.size());
  std::vector<double> latency;
  std::vector<std::vector<Kernel>> all_kernels;
  for (size_t d = 0; d < datasets.size(); ++d) {
    const LatencyDataset& dataset = datasets[d];
    for (size_t i = 0; i < dataset.genomes.size(); ++i) {
      if (split.part(i, dataset.genomes.size()) != DataPart::kTrain) continue;
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
  weights.training_data = fmt::format("{}; {}", join(counts, "; "), split.describe());
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
  std::cout << fmt::format("| {:<10} | {:>6} | {:>9.4f} | {:>8.4f} | {:>7.2f}% | {:>7.1f}% | {:>8.1f}% | {:>7.3f} |{}\n",
                           name, r.count, r.rmse_ms, r.mae_ms, 100 * r.mape, 100 * r.within_5, 100 * r.within_10, r.kendall_tau,
                           uncovered ? fmt::format(" ({} models with kernels missing from the table left out)",
                                                   uncovered)
                                     : "");
}

int latency_eval(const Args& args) {
  SetupArgs setup_args;
  std::string dataset_file, lut_file, predictor_file, svg_prefix, split_text, part_text = "test";
  int64_t holdout_every = 5;
  bool measure_missing = false, remeasure = false;
  po::options_description options("Options");
  add_setup_options(options, setup_args);
  options.add_options()
      ("dataset", po::value(&dataset_file)->required(),
       "dataset from 'gos latency dataset', or a CSV of genome columns + latency_ms (the measured truth)")
      ("remeasure", po::bool_switch(&remeasure),
       "measure the held-out models again on the device: the noise floor no latency model can beat")
      ("measure-missing", po::bool_switch(&measure_missing),
       "measure kernels missing from the lookup table on the device (else such models are left out)")
      ("lut", po::value(&lut_file), "lookup table from 'gos lut build' or 'gos lut fit', or a published CSV table")
      ("predictor", po::value(&predictor_file), "predictor from 'gos latency train'")
      ("holdout-every", po::value(&holdout_every)->default_value(holdout_every),
       "evaluate on every N-th model (as held out by train); 1: all models")
      ("split", po::value(&split_text),
       "train/validation/test percentages, as given to train (replaces --holdout-every)")
      ("part", po::value(&part_text)->default_value(part_text),
       "with --split: the part to evaluate on (train, validation, test)")
      ("svg", po::value(&svg_prefix), "write PREFIX_<model>.svg predicted-vs-measured plots");
  if (!parse(args, options, "Usage: gos latency eval --dataset DATA.h5 [--lut LUT.h5] [--predictor P.h5]\n\n"
                            "Compares latency models with the measured latencies of held-out models."))
    return 0;
  if (lut_file.empty() && predictor_file.empty() && !remeasure)
    throw po::error("give --lut, --predictor and/or --remeasure");
  Setup setup = make_setup(setup_args, measure_missing || remeasure);
  const LatencyDataset dataset = read_dataset_file(dataset_file, *setup.space);
  const DataSplit split = data_split(split_text, holdout_every);
  // With --holdout-every, the held-out models are the "test" part; 1 means all.
  const DataPart part = split_text.empty() ? DataPart::kTest : parse_data_part(part_text);
  std::vector<GenomePtr> genomes;
  std::vector<double> measured;
  for (size_t i = 0; i < dataset.genomes.size(); ++i) {
    if (split.part(i, dataset.genomes.size()) != part) continue;
    genomes.push_back(setup.space->deserialize(dataset.genomes[i]));
    measured.push_back(dataset.latency_ms[i]);
  }
  std::cout << fmt::format("{} held-out models ({}) measured on {}\n\n", genomes.size(),
                           split_text.empty() ? split.describe() : split.describe() + ", part " + part_text,
                           h5::to_string(dataset.device));
  std::cout << "| model      | models | RMSE (ms) | MAE (ms) |    MAPE  | within 5% | within 10% | Kendall tau |\n"
               "|------------|--------|-----------|----------|----------|-----------|------------|-------------|\n";
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
    LatencyTable table = load_latency_table(lut_file);
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

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(const Args&);
};

int dispatch(const Args& args, const std::string& command, const std::vector<Subcommand>& subcommands) {
  std::vector<std::string> names;
  for (const Subcommand& sub : subcommands) names.push_back(sub.name);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::ostream& out = args.empty() ? std::cerr : std::cout;
    out << fmt::format("Usage: gos {} SUBCOMMAND [options]\n\nSubcommands:\n", command);
    for (const Subcommand& sub : subcommands) out << fmt::format("  {:<10} {}\n", sub.name, sub.summary);
    out << fmt::format("\nRun 'gos {} SUBCOMMAND --help' for the options of a subcommand.\n", command);
    return args.empty() ? 2 : 0;
  }
  for (const Subcommand& sub : subcommands)
    if (args[0] == sub.name) return sub.run(Args(args.begin() + 1, args.end()));
  throw po::error(fmt::format("unknown subcommand '{}'{}; valid: {}", args[0], did_you_mean(args[0], names),
                              fmt::join(names, ", ")));
}

}  // namespace

int lut_command(const Args& args) {
  return dispatch(args, "lut",
                  {{"build", "profile the kernels of sampled models on a device into a lookup table (HDF5)", lut_build},
                   {"fit", "fit per-kernel latencies and an overhead to whole-model latencies (least squares)",
                    lut_fit}});
}

int latency_command(const Args& args) {
  return dispatch(
      args, "latency",
      {{"dataset", "measure sampled models end to end on a device into a dataset (HDF5)", latency_dataset},
       {"train", "train a kernel-level latency predictor (MLP) on datasets", latency_train},
       {"eval", "judge a lookup table and/or predictor against a dataset's measurements", latency_eval},
       {"repeat", "measure one model repeatedly and report the spread of its medians", latency_repeat}});
}

}  // namespace gos::cli
