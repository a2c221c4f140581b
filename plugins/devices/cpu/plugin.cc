// Plugin entry point of the `cpu` device.
#include <limits>

#include "framework/plugin_abi.h"
#include "plugins/devices/cpu/cpu_device.h"

namespace gos {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.integer("threads", 1, 1, 1024, "intra-op threads used while measuring")
      .integer("pin_core", -1, -1, 4095, "core to pin the measuring thread to; -1 leaves it unpinned")
      .string("clock", "wall", "what a run's duration is read from: wall time, the process's CPU time (all "
              "threads), or the measuring thread's CPU time (both leave out time descheduled by other work; "
              "thread_cpu needs threads = 1)", {"wall", "process_cpu", "thread_cpu"})
      .integer("warmup", 5, 0, 100000, "untimed runs before each attempt")
      .integer("runs", 30, 1, 100000, "timed runs per attempt")
      .real("max_spread", 0.05, 0.0, std::numeric_limits<double>::infinity(),
            "largest accepted IQR / median of the timed runs; inf accepts any spread (on a shared machine, with a "
            "low quantile: one run of a tiny operator can be slowed tenfold)")
      .integer("max_attempts", 5, 1, 1000, "attempts before reporting that the measurement is not repeatable")
      .real("quantile", 0.5, 0.0, 1.0, "quantile of the timed runs reported as the latency (0.5: the median; lower "
            "values are less moved by runs other work slowed down)");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  CpuDeviceConfig config;
  config.threads = static_cast<int>(params.get_int("threads"));
  config.pin_core = static_cast<int>(params.get_int("pin_core"));
  config.clock = parse_timing_clock(params.get_string("clock"));
  config.measurement.warmup = static_cast<int>(params.get_int("warmup"));
  config.measurement.runs = static_cast<int>(params.get_int("runs"));
  config.measurement.max_spread = params.get_real("max_spread");
  config.measurement.max_attempts = static_cast<int>(params.get_int("max_attempts"));
  config.measurement.quantile = params.get_real("quantile");
  std::unique_ptr<CpuDevice> device;
  try {
    device = std::make_unique<CpuDevice>(config);
  } catch (const Error& e) {
    throw params.error("clock", e.what());
  }
  try {
    device->test_connection();
  } catch (const Error& e) {
    throw params.error("pin_core", e.what());
  }
  return device;
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("cpu", gos::PluginKind::kDevice, "1.0.0",
           "This machine's CPU: median/IQR/CV of repeated timed runs, re-measured while the spread is too high",
           &gos::schema, &gos::create)
