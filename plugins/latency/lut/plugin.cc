// Plugin entry point of the `lut` latency model.
#include "framework/plugin_abi.h"
#include "plugins/latency/lut/lut_csv.h"
#include "plugins/latency/lut/lut_model.h"

namespace gos {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.string("file", std::nullopt,
           "lookup table: HDF5 from 'gos lut build', or a published CSV table (key, mean[, resolution])")
      .path()
      .string("on_missing", "error", "a kernel not in the table: report it, or measure it on the device",
              {"error", "measure"})
      .component("device", PluginKind::kDevice, "",
                 "the device the table was measured on; checked against the table, used by on_missing = measure")
      .optional();
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost& host) {
  std::unique_ptr<Device> device;
  if (params.has("device")) device = host.create<Device>(params.get_component("device"), PluginKind::kDevice);
  const OnMissingKernel on_missing =
      params.get_string("on_missing") == "measure" ? OnMissingKernel::kMeasure : OnMissingKernel::kError;
  try {
    const std::string& file = params.get_string("file");
    return std::make_unique<LutLatencyModel>(load_latency_table(file), file, on_missing, std::move(device));
  } catch (const Error& e) {
    throw params.error("file", e.what());
  }
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("lut", gos::PluginKind::kLatencyModel, "1.0.0",
           "Per-operator lookup table: sum of kernel latencies plus a measured per-model overhead", &gos::schema,
           &gos::create)
