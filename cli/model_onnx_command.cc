// gos model inspect|run|export: ONNX models from the command line.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <iostream>
#include <algorithm>
#include <map>

#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/error.h"
#include "framework/text.h"
#include "torchlib/export.h"
#include "torchlib/onnx/export.h"
#include "torchlib/onnx/model.h"
#include "torchlib/onnx/npy.h"
#include "torchlib/profile.h"
#include "plugins/devices/cpu/timing.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

const char kUsage[] =
    "Usage: gos model inspect FILE.onnx\n"
    "       gos model run FILE.onnx --input x.npy --output y.npy\n"
    "       gos model time FILE.onnx [--native ZOO_MODEL] [--repeats N]\n"
    "       gos model export FILE.onnx|ZOO_MODEL [--width W] [--onnx OUT.onnx] [--torchscript OUT.pt]\n"
    "                        [--static-batch]\n\n"
    "ONNX models (opsets 11-17, one float32 input of static shape; the batch may be symbolic)\n"
    "imported as trainable GOS models: 'inspect' lists the slots (path, op, shapes, parameters,\n"
    "FLOPs), 'run' maps a NumPy float32 .npy input to an .npy output, 'export' writes the\n"
    "imported model (or a zoo model, e.g. resnet18) as standard ONNX (opset 17, symbolic batch)\n"
    "and/or TorchScript, "
    "'time' prints the import time and the latency against the same network built by the zoo.";

// An ONNX file, or a zoo model by name (CIFAR-size stem, 10 classes, at
// `width`) for export.
std::shared_ptr<SlottedModel> load_model(const std::string& name, double width) {
  if (name.ends_with(".onnx")) return onnx_io::import_model(name);
  ZooOptions zoo;
  zoo.width = width;
  return make_zoo_model(name, zoo);
}

std::string mflops(double flops) { return std::isnan(flops) ? "?" : fmt::format("{:.2f}", flops / 1e6); }

int inspect(const std::string& file) {
  const auto start = std::chrono::steady_clock::now();
  auto model = onnx_io::import_model(file);
  const double import_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const auto& in = model->graph_inputs().at(0);
  int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  const auto slots = model->slots();
  std::cout << fmt::format("{}: opset {}, {} nodes, imported in {:.0f} ms\ninput '{}' {}{}, output '{}'\n", file,
                           model->opset(), model->node_count(), import_ms, in.name,
                           in.dynamic_batch ? "(batch symbolic) " : "", shape_string(in.shape),
                           model->output_names().at(0));
  std::cout << fmt::format("{:<40} {:<12} {:<16} {:<16} {:>10} {:>10}\n", "slot", "op", "input", "output", "params",
                           "MFLOPs");
  double flops = 0;
  std::map<std::string, int> kinds;
  for (const SlotInfo& slot : slots) {
    std::cout << fmt::format("{:<40} {:<12} {:<16} {:<16} {:>10} {:>10}\n", slot.path, slot.kind,
                             shape_string(slot.input), shape_string(slot.output), slot.parameters, mflops(slot.flops));
    flops += std::isnan(slot.flops) ? 0 : slot.flops;
    ++kinds[slot.kind];
  }
  std::vector<std::string> counts;
  for (const auto& [kind, count] : kinds) counts.push_back(fmt::format("{} {}", count, kind));
  std::cout << fmt::format("\n{} slots ({}), {} parameters, {:.2f} MFLOPs in slots\n", slots.size(), join(counts, ", "),
                           parameters, flops / 1e6);
  return 0;
}

int run(const std::string& file, const std::string& input_path, const std::string& output_path, int threads) {
  if (input_path.empty() || output_path.empty()) throw Error("gos model run needs --input x.npy and --output y.npy");
  if (threads > 0) torch::set_num_threads(threads);
  auto model = onnx_io::import_model(file);
  const torch::Tensor x = onnx_io::read_npy(input_path);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto start = std::chrono::steady_clock::now();
  torch::Tensor y;
  try {
    y = model->forward(x);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {} (nothing written to {})", input_path, e.what(), output_path));
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  onnx_io::write_npy(y, output_path);
  std::cout << fmt::format("{}: {} float32 from {} {} in {:.1f} ms\n", output_path,
                           shape_string(Shape(y.sizes().begin(), y.sizes().end())), input_path,
                           shape_string(Shape(x.sizes().begin(), x.sizes().end())), ms);
  return 0;
}

int export_model(const std::string& file, const std::string& onnx_path, const std::string& torchscript_path,
                 double width, bool static_batch) {
  if (onnx_path.empty() && torchscript_path.empty()) throw Error("gos model export needs --onnx and/or --torchscript");
  auto model = load_model(file, width);
  if (!onnx_path.empty()) {
    const auto batch = static_batch ? onnx_io::BatchDim::kStatic : onnx_io::BatchDim::kSymbolic;
    onnx_io::export_onnx(*model, model->example_input(), onnx_path, batch);
    std::cout << "wrote " << onnx_path << " (ONNX opset 17, "
              << (static_batch ? fmt::format("batch {}", model->example_input().at(0)) : "symbolic batch")
              << ", checked by onnx::checker)\n";
  }
  if (!torchscript_path.empty()) {
    export_torchscript(*model, model->example_input(), torchscript_path);
    std::cout << "wrote " << torchscript_path << " (TorchScript)\n";
  }
  return 0;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Import time (median of `repeats` imports) and the imported model's latency
// against the zoo model `native` built for the same input and classes, timed
// in alternating rounds so that both see the same machine load (process CPU
// time, which stays meaningful while other jobs share the cores).
int time_model(const std::string& file, const std::string& native, int repeats, int threads) {
  if (repeats < 1) throw Error("--repeats must be at least 1");
  if (threads > 0) torch::set_num_threads(threads);
  std::vector<double> imports;
  std::shared_ptr<onnx_io::OnnxModel> model;
  for (int i = 0; i < std::max(3, std::min(repeats, 9)); ++i) {
    const auto start = std::chrono::steady_clock::now();
    model = onnx_io::import_model(file);
    imports.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  const Shape input = model->example_input();
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn(input);
  std::cout << fmt::format("{}: import median {:.1f} ms over {} imports (read, onnx::checker, lowering)\n", file,
                           median(imports), imports.size());
  if (native.empty()) return 0;
  ZooOptions zoo;
  zoo.classes = model->forward(x).size(1);
  zoo.cifar_stem = input.size() == 4 && input[2] == 32;
  auto reference = make_zoo_model(native, zoo);
  reference->eval();
  if (reference->example_input() != input)
    throw Error(fmt::format("the zoo's {} takes {}, the ONNX model {}", native, shape_string(reference->example_input()),
                            shape_string(input)));
  // Alternating rounds through the timing core; process CPU time counts the
  // work, not the waits, on a shared machine.
  const TimingConfig one_run{TimingClock::kProcessCpu, 3, 1, 0.5};
  const AbLatency ab = alternate_ab([&] { return time_ms([&] { model->forward(x); }, one_run); },
                                    [&] { return time_ms([&] { reference->forward(x); }, one_run); }, repeats);
  const double a = ab.a_ms, b = ab.b_ms;
  std::cout << fmt::format(
      "CPU time per forward at {} ({} threads, median of {} alternating rounds): imported {:.3f} ms, zoo {} {:.3f} ms, "
      "ratio {:.3f}\n",
      shape_string(input), torch::get_num_threads(), repeats, a, native, b, a / b);
  return 0;
}

}  // namespace

int model_command(const Args& args) {
  if (args.empty()) throw po::error("missing the action: inspect, run, time or export");
  const std::string action = args[0];
  if (action == "--help" || action == "-h") {
    std::cout << kUsage << "\n";
    return 0;
  }
  std::string file, input, output, onnx_path, torchscript_path, native;
  double width = 1.0;
  bool static_batch = false;
  int threads = 0, repeats = 30;
  po::options_description options("Options");
  if (action == "run") {
    options.add_options()("input", po::value(&input), "NumPy .npy float32 input of the model's input shape")(
        "output", po::value(&output), "NumPy .npy file for the output (written only on success)")(
        "threads", po::value(&threads)->default_value(0), "LibTorch threads; 0 = LibTorch's default");
  } else if (action == "time") {
    options.add_options()("native", po::value(&native), "zoo model to compare the latency with (e.g. resnet18)")(
        "repeats", po::value(&repeats)->default_value(30), "alternating timing rounds")(
        "threads", po::value(&threads)->default_value(0), "LibTorch threads; 0 = LibTorch's default");
  } else if (action == "export") {
    options.add_options()("onnx", po::value(&onnx_path), "standard ONNX file to write")(
        "torchscript", po::value(&torchscript_path), "TorchScript file to write")(
        "width", po::value(&width)->default_value(1.0, "1"), "channel multiplier of a zoo model (inception_v3: k/16)")(
        "static-batch", po::bool_switch(&static_batch),
        "ONNX with the example input's batch fixed instead of a symbolic 'batch' dimension");
  } else if (action != "inspect") {
    throw po::error(fmt::format("unknown action '{}'{}; valid: inspect, run, export, time", action,
                                did_you_mean(action, {"inspect", "run", "export", "time"})));
  }
  if (!parse_command_line(Args(args.begin() + 1, args.end()), options, "file", file, kUsage)) return 0;
  if (file.empty()) throw po::error("missing the FILE.onnx argument");
  if (action == "inspect") return inspect(file);
  if (action == "run") return run(file, input, output, threads);
  if (action == "time") return time_model(file, native, repeats, threads);
  if (width <= 0) throw po::error(fmt::format("--width {} must be positive", width));
  if (file.ends_with(".onnx") && width != 1.0) throw po::error("--width applies to zoo models, not to an ONNX file");
  return export_model(file, onnx_path, torchscript_path, width, static_batch);
}

}  // namespace gos::cli
