#pragma once
// The `cpu` device: times a workload on this machine's CPU with a fixed number
// of intra-op threads, optionally pinned to one core.
#include <string>

#include "framework/device.h"
#include "plugins/devices/cpu/measurement_stats.h"

namespace gos {

// What a timed run's duration is read from. Wall time is the latency a user
// sees; the measuring thread's CPU time leaves out the time the thread was
// descheduled, which on a machine shared with other work is most of the noise.
// Thread CPU time equals latency only when all work runs on the measuring
// thread, so it requires threads = 1.
enum class TimingClock { kWall, kThreadCpu };

struct CpuDeviceConfig {
  int threads = 1;        // LibTorch intra-op threads while measuring
  int pin_core = -1;      // core the measuring thread is pinned to; -1: not pinned
  TimingClock clock = TimingClock::kWall;
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
  Measurement measure(Workload& workload) override;

 private:
  CpuDeviceConfig config_;
};

// The description of the CPU: model name, logical cores and frequency.
DeviceInfo describe_host_cpu();

}  // namespace gos
