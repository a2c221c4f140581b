// gos model inspect|run|export: ONNX models from the command line.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/error.h"
#include "framework/text.h"
#include "torchlib/export.h"
#include "torchlib/onnx/export.h"
#include "torchlib/onnx/model.h"
#include "torchlib/onnx/npy.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

const char kUsage[] =
    "Usage: gos model inspect FILE.onnx\n"
    "       gos model run FILE.onnx --input x.npy --output y.npy\n"
    "       gos model export FILE.onnx [--onnx OUT.onnx] [--torchscript OUT.pt]\n\n"
    "ONNX models (opsets 11-17, one float32 input of static shape; the batch may be symbolic)\n"
    "imported as trainable GOS models: 'inspect' lists the slots (path, op, shapes, parameters,\n"
    "FLOPs), 'run' maps a NumPy float32 .npy input to an .npy output, 'export' writes the\n"
    "imported model back as standard ONNX (opset 17) and/or TorchScript.";

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

int export_model(const std::string& file, const std::string& onnx_path, const std::string& torchscript_path) {
  if (onnx_path.empty() && torchscript_path.empty()) throw Error("gos model export needs --onnx and/or --torchscript");
  auto model = onnx_io::import_model(file);
  if (!onnx_path.empty()) {
    onnx_io::export_onnx(*model, model->example_input(), onnx_path);
    std::cout << "wrote " << onnx_path << " (ONNX opset 17, checked by onnx::checker)\n";
  }
  if (!torchscript_path.empty()) {
    export_torchscript(*model, model->example_input(), torchscript_path);
    std::cout << "wrote " << torchscript_path << " (TorchScript)\n";
  }
  return 0;
}

}  // namespace

int model_command(const Args& args) {
  if (args.empty()) throw po::error("missing the action: inspect, run or export");
  const std::string action = args[0];
  if (action == "--help" || action == "-h") {
    std::cout << kUsage << "\n";
    return 0;
  }
  std::string file, input, output, onnx_path, torchscript_path;
  int threads = 0;
  po::options_description options("Options");
  if (action == "run") {
    options.add_options()("input", po::value(&input), "NumPy .npy float32 input of the model's input shape")(
        "output", po::value(&output), "NumPy .npy file for the output (written only on success)")(
        "threads", po::value(&threads)->default_value(0), "LibTorch threads; 0 = LibTorch's default");
  } else if (action == "export") {
    options.add_options()("onnx", po::value(&onnx_path), "standard ONNX file to write")(
        "torchscript", po::value(&torchscript_path), "TorchScript file to write");
  } else if (action != "inspect") {
    throw po::error(fmt::format("unknown action '{}'{}; valid: inspect, run, export", action,
                                did_you_mean(action, {"inspect", "run", "export"})));
  }
  if (!parse_command_line(Args(args.begin() + 1, args.end()), options, "file", file, kUsage)) return 0;
  if (file.empty()) throw po::error("missing the FILE.onnx argument");
  if (action == "inspect") return inspect(file);
  if (action == "run") return run(file, input, output, threads);
  return export_model(file, onnx_path, torchscript_path);
}

}  // namespace gos::cli
