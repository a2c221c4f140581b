// gos profile / gos train: the model zoo from the command line.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <algorithm>
#include <cmath>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/text.h"
#include "torchlib/export.h"
#include "torchlib/profile.h"
#include "torchlib/training.h"
#ifdef GOS_WITH_ONNX
#include "torchlib/onnx/model.h"
#endif

namespace po = boost::program_options;

namespace gos::cli {
namespace {

// Parses options plus one positional MODEL; returns false after printing help.
bool parse_model_args(const Args& args, po::options_description& options, std::string& model, const char* usage) {
  const std::string models = gos::join(zoo_model_names(), ", ");
  if (!parse_command_line(args, options, "model", model, std::string(usage) + "\nModels: " + models + "\n"))
    return false;
  if (model.empty()) throw po::error("missing the MODEL argument (one of " + models + ")");
  return true;
}

void add_zoo_options(po::options_description& options, ZooOptions& zoo, bool& imagenet_stem) {
  options.add_options()
      ("width", po::value(&zoo.width)->default_value(1.0, "1"), "channel multiplier (resnet18; inception_v3: k/16)")
      ("classes", po::value(&zoo.classes)->default_value(10), "output classes")
      ("imagenet-stem", po::bool_switch(&imagenet_stem), "ImageNet stem and input size instead of the CIFAR-size stem");
}

std::string format_flops(double flops) {
  if (std::isnan(flops)) return "?";
  return fmt::format("{:.2f}", flops / 1e6);
}

}  // namespace

int profile_command(const Args& args) {
  std::string name;
  ZooOptions zoo;
  bool imagenet_stem = false;
  ProfileOptions options;
  bool cpu_time = false;
  int64_t batch = 1;
  size_t top = 0;
  double tolerance = 25;
  po::options_description description("Options");
  add_zoo_options(description, zoo, imagenet_stem);
  description.add_options()
      ("batch", po::value(&batch)->default_value(1), "batch size of the profiled input")
      ("threads", po::value(&options.threads)->default_value(0), "LibTorch threads; 0 = all hardware threads")
      ("warmup", po::value(&options.warmup)->default_value(3), "untimed runs before timing each slot")
      ("repeats", po::value(&options.rounds)->default_value(15),
       "alternating rounds, one timed run of every slot and of the whole model each; the median is reported")
      ("cpu-time", po::bool_switch(&cpu_time), "time with process CPU time (work) instead of wall clock")
      ("top", po::value(&top)->default_value(0), "print only the N most inefficient slots (0 = all)")
      ("tolerance", po::value(&tolerance)->default_value(25.0, "25"),
       "warn when the per-slot sum and the whole model differ by more than this many percent");
  if (!parse_model_args(args, description, name,
                        "Usage: gos profile MODEL|FILE.onnx [options]\n\nTimes every slot of a zoo model (or an ONNX model) alone on this CPU "
                        "(median of repeats after warm-up)\nand the whole model, and ranks the slots by "
                        "inefficiency score\n(docs/MODELS.md)."))
    return 0;
  if (batch < 1) throw Error("--batch must be at least 1");
  // One meaning of --threads 0 across commands (as `gos train`): every hardware thread.
  if (options.threads == 0) options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  zoo.cifar_stem = !imagenet_stem;
  std::shared_ptr<SlottedModel> model;
#ifdef GOS_WITH_ONNX
  if (name.ends_with(".onnx")) model = onnx_io::import_model(name);  // its slots, at its input shape
#endif
  if (!model) model = make_zoo_model(name, zoo);
  Shape input = model->example_input();
  input[0] = batch;
  const ModelProfile profile = profile_model(*model, input, options, single_run_timer(cpu_time));

  std::cout << fmt::format("{} (input {}, {} threads, median {} of {} runs after {} warm-up)\n", name,
                           shape_string(input), profile.threads, cpu_time ? "CPU time" : "wall time",
                           options.rounds, options.warmup);
  std::cout << fmt::format("{:>4}  {:<34} {:<14} {:<22} {:>10} {:>8} {:>7} {:>10} {:>10} {:>8}\n", "rank", "slot",
                           "kind", "output", "ms", "spread%", "share%", "params", "MFLOPs", "score");
  const auto order = rank_by_inefficiency(profile);
  double flops = 0;
  for (const SlotProfile& slot : profile.slots) flops += std::isnan(slot.info.flops) ? 0 : slot.info.flops;
  for (size_t rank = 0; rank < order.size() && (top == 0 || rank < top); ++rank) {
    const SlotProfile& slot = profile.slots[order[rank]];
    std::cout << fmt::format("{:>4}  {:<34} {:<14} {:<22} {:>10.4f} {:>8.1f} {:>7.2f} {:>10} {:>10} {:>8.2f}\n",
                             rank + 1, slot.info.path, slot.info.kind, shape_string(slot.info.output), slot.latency_ms,
                             100 * slot.spread, 100 * slot.share, slot.info.parameters, format_flops(slot.info.flops),
                             slot.inefficiency);
  }
  std::vector<double> spreads;
  for (const SlotProfile& slot : profile.slots) spreads.push_back(slot.spread);
  std::sort(spreads.begin(), spreads.end());
  const double difference = 100 * (profile.slots_sum_ms - profile.whole_ms) / profile.whole_ms;
  std::cout << fmt::format(
      "\n{} slots, {:.2f} MFLOPs. Sum of per-slot medians {:.3f} ms vs whole model {:.3f} ms: {:+.1f}%\n"
      "(shares are of the per-slot sum; the difference is the joins between slots - residual adds,\n"
      "concatenations - plus per-call overhead and cache effects of running slots alone).\n"
      "Spread (IQR / median over the {} rounds): whole model {:.1f}%, slots median {:.1f}%, largest {:.1f}%.\n",
      profile.slots.size(), flops / 1e6, profile.slots_sum_ms, profile.whole_ms, difference, options.rounds,
      100 * profile.whole_spread, spreads.empty() ? 0.0 : 100 * spreads[spreads.size() / 2],
      spreads.empty() ? 0.0 : 100 * spreads.back());
  if (!(std::abs(difference) <= tolerance))
    std::cerr << fmt::format("warning: the per-slot sum is {:+.1f}% off the whole model, more than --tolerance {}%; "
                             "slot shares may not reflect the whole model (more --repeats, --cpu-time or a quieter "
                             "machine help)\n",
                             difference, tolerance);
  return 0;
}

int train_command(const Args& args) {
  std::string name;
  ZooOptions zoo;
  bool imagenet_stem = false;
  TrainerConfig config;
  std::string data_dir;
  std::string resume;
  std::string export_path;
  bool no_augment = false;
  bool quiet = false;
  std::string device = "cpu";
  po::options_description description("Options");
  add_zoo_options(description, zoo, imagenet_stem);
  description.add_options()
      ("data", po::value(&data_dir)->required(), "data directory, e.g. ../shared/data/cifar10")
      ("format", po::value(&config.format)->default_value("cifar10"), "cifar10 or idx")
      ("train-files", po::value(&config.train_files)->multitoken(), "training files in the data directory")
      ("eval-files", po::value(&config.eval_files)->multitoken(), "held-out files in the data directory")
      ("train-subset", po::value(&config.train_subset)->default_value(0), "training images (seeded draw); 0 = all")
      ("eval-subset", po::value(&config.eval_subset)->default_value(0), "held-out images (seeded draw); 0 = all")
      ("holdout", po::value(&config.holdout)->default_value(0), "hold out N training images instead of eval files")
      ("optimizer", po::value(&config.optimizer)->default_value("sgd"), "sgd (momentum, cosine) or adam")
      ("learning-rate", po::value(&config.learning_rate)->default_value(0.05, "0.05"), "base learning rate")
      ("epochs", po::value(&config.epochs)->default_value(1), "epochs")
      ("steps", po::value(&config.steps)->default_value(0), "exact number of steps instead of epochs when > 0")
      ("batch-size", po::value(&config.batch_size)->default_value(128), "minibatch size")
      ("seed", po::value(&config.seed)->default_value(0), "seed")
      ("threads", po::value(&config.threads)->default_value(0), "LibTorch threads; 0 = all hardware threads")
      ("device", po::value(&device)->default_value("cpu"),
       "where training runs: cpu, cuda, or auto (CUDA when present, else the CPU)")
      ("no-augment", po::bool_switch(&no_augment), "no random crop and flip")
      ("quiet,q", po::bool_switch(&quiet), "no progress bar")
      ("checkpoint", po::value(&config.checkpoint), "checkpoint written after every epoch")
      ("resume", po::value(&resume), "start from this checkpoint (of the same model)")
      ("export", po::value(&export_path), "write the trained model as TorchScript to this file");
  if (!parse_model_args(args, description, name,
                        "Usage: gos train MODEL --data DIR [options]\n\nTrains a zoo model on CIFAR-10 binary "
                        "batches or IDX files and reports top-1\naccuracy before and after."))
    return 0;
  config.data_dir = data_dir;
  config.augment = !no_augment;
  config.progress = !quiet;
  if (config.batch_size < 1 || config.epochs < 1) throw Error("--batch-size and --epochs must be at least 1");
  config.device = parse_compute_device(device, "--device");
  require_available(config.device, "--device");
  ImageTrainer trainer(config);
  zoo.cifar_stem = !imagenet_stem;
  zoo.in_channels = trainer.train_data().channels;
  zoo.classes = std::max<int64_t>(zoo.classes, trainer.train_data().classes);
  auto model = make_zoo_model(name, zoo);
  if (!resume.empty()) load_checkpoint(*model, resume);
  torch::manual_seed(config.seed);
  std::cout << fmt::format("{}: {} training and {} held-out images of {}x{}x{}, {} parameters\n", name,
                           trainer.train_data().size(), trainer.eval_data().size(), trainer.train_data().channels,
                           trainer.train_data().height, trainer.train_data().width, [&] {
                             int64_t n = 0;
                             for (const auto& p : model->parameters()) n += p.numel();
                             return n;
                           }());
  const double before = trainer.evaluate(*model);
  const TrainReport report = trainer.train(*model);
  std::cout << fmt::format(
      "top-1 accuracy {:.2f}% -> {:.2f}% (held-out), last-epoch train accuracy {:.2f}%, loss {:.4f}, {} steps, "
      "{:.1f} s\n",
      before, report.eval_accuracy, report.train_accuracy, report.train_loss, report.steps, report.seconds);
  const bool on_gpu = config.device != ComputeDevice::kCpu && cuda_device_count() > 0;
  std::cout << fmt::format("training on {}: {} images in {:.1f} s, {:.0f} images/s\n", on_gpu ? "cuda" : "cpu",
                           report.images, report.train_seconds,
                           double(report.images) / std::max(report.train_seconds, 1e-9));
  if (!export_path.empty()) {
    Shape input = model->example_input();
    export_torchscript(*model, input, export_path);
    std::cout << "TorchScript written to " << export_path << "\n";
  }
  return 0;
}

}  // namespace gos::cli
