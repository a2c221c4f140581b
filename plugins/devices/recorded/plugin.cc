// Plugin entry point of the `recorded` device.
#include "framework/plugin_abi.h"
#include "plugins/devices/recorded/recorded_device.h"

namespace gos {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.string("file", std::nullopt, "CSV file of measured latencies (e.g. ../shared/data/nb201/nb201_latency.csv)")
      .path()
      .string("key_column", std::nullopt, "column holding the workload key (e.g. arch_str)")
      .string("value_column", std::nullopt, "column holding latency in milliseconds (e.g. raspi4)")
      .string("name", "", "device name in descriptions; empty: the value column")
      .integer("references", 0, 0, 1000, "report the latencies of the first N rows as properties reference_0.. "
               "(a device embedding for predictor hardware features)");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  try {
    return std::make_unique<RecordedDevice>(RecordedDeviceConfig{
        params.get_string("file"), params.get_string("key_column"), params.get_string("value_column"),
        params.get_string("name"), static_cast<int>(params.get_int("references"))});
  } catch (const Error& e) {
    throw params.error("file", e.what());
  }
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("recorded", gos::PluginKind::kDevice, "1.0.0",
           "A device that answers from a CSV table of latencies measured elsewhere (edge devices)", &gos::schema,
           &gos::create)
