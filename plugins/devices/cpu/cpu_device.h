#pragma once
// The `cpu` device: times a workload on this machine's CPU with a fixed number
// of intra-op threads, optionally pinned to one core.
#include <string>

#include "framework/device.h"
#include "plugins/devices/cpu/measurement_stats.h"
#include "plugins/devices/cpu/timing.h"

namespace gos {

struct CpuDeviceConfig {
  int threads = 1;        // LibTorch intra-op threads while measuring
  int pin_core = -1;      // core the measuring thread is pinned to; -1: not pinned
  TimingClock clock = TimingClock::kWall;  // thread CPU time requires threads = 1
  MeasurementConfig measurement;
};

class CpuDevice : public Device {
 public:
  // Throws gos::Error for clock = thread CPU time with more than one thread.
  explicit CpuDevice(CpuDeviceConfig config);
  // name "cpu"; properties model, cores, threads, pinned_core, clock,
  // quantile (when not the median) and, where /proc/cpuinfo or cpufreq tell,
  // frequency_mhz.
  DeviceInfo describe() const override;
  // Throws gos::Error when pin_core is not a core this process may run on.
  void test_connection() const override;
  // Times the workload with `threads` intra-op threads; the caller's thread
  // count is restored afterwards.
  Measurement measure(Workload& workload) override;

 private:
  CpuDeviceConfig config_;
};

// The description of the CPU: model name, logical cores and frequency.
DeviceInfo describe_host_cpu();

}  // namespace gos
