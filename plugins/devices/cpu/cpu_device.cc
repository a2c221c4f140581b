#include "plugins/devices/cpu/cpu_device.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>

#include <fstream>
#include <thread>

#include "framework/error.h"

namespace gos {
namespace {

// The first value of a "key : value" line of /proc/cpuinfo, or empty.
std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

// The nominal maximum frequency from cpufreq when exposed (not in most VMs),
// else the current frequency /proc/cpuinfo reports.
std::string frequency_mhz() {
  std::ifstream max_freq("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
  long khz = 0;
  if (max_freq >> khz && khz > 0) return std::to_string(khz / 1000);
  const std::string mhz = cpuinfo_field("cpu MHz");
  return mhz.empty() ? "" : mhz.substr(0, mhz.find('.'));
}

class ScopedPin {
 public:
  explicit ScopedPin(int core) : active_(core >= 0) {
    if (!active_) return;
    pthread_getaffinity_np(pthread_self(), sizeof(previous_), &previous_);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
      throw Error(fmt::format("device cpu: cannot pin the measuring thread to core {}", core));
  }
  ~ScopedPin() {
    if (active_) pthread_setaffinity_np(pthread_self(), sizeof(previous_), &previous_);
  }
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;

 private:
  bool active_;
  cpu_set_t previous_{};
};

// The intra-op thread count for the lifetime of the guard: a measurement
// must not change the thread count of the training that follows it.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads) : previous_(at::get_num_threads()) { at::set_num_threads(threads); }
  ~ScopedThreads() { at::set_num_threads(previous_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

}  // namespace

DeviceInfo describe_host_cpu() {
  DeviceInfo info;
  info.name = "cpu";
  info.properties["model"] = cpuinfo_field("model name");
  info.properties["cores"] = std::to_string(std::thread::hardware_concurrency());
  const std::string mhz = frequency_mhz();
  if (!mhz.empty()) info.properties["frequency_mhz"] = mhz;
  return info;
}

CpuDevice::CpuDevice(CpuDeviceConfig config) : config_(config) {
  if (config_.clock == TimingClock::kThreadCpu && config_.threads != 1)
    throw Error(fmt::format("device cpu: clock = \"thread_cpu\" needs threads = 1 (got {}): other threads' work "
                            "would not be counted",
                            config_.threads));
}

DeviceInfo CpuDevice::describe() const {
  DeviceInfo info = describe_host_cpu();
  info.properties["threads"] = std::to_string(config_.threads);
  info.properties["pinned_core"] = config_.pin_core < 0 ? "none" : std::to_string(config_.pin_core);
  info.properties["clock"] = to_string(config_.clock);
  // What a latency means; recorded only when it is not the median, so that
  // tables and datasets measured before the option existed still match.
  if (config_.measurement.quantile != 0.5)
    info.properties["quantile"] = fmt::format("{}", config_.measurement.quantile);
  return info;
}

void CpuDevice::test_connection() const {
  if (config_.pin_core < 0) return;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || !CPU_ISSET(config_.pin_core, &allowed))
    throw Error(fmt::format("device cpu: pin_core = {} is not a core this process may run on (it has {} cores)",
                            config_.pin_core, std::thread::hardware_concurrency()));
}

Measurement CpuDevice::measure(Workload& workload) {
  test_connection();
  ScopedPin pin(config_.pin_core);
  ScopedThreads threads(config_.threads);
  const std::string key = workload.key();
  auto run_once_ms = [&] {
    const double start = now_ms(config_.clock);
    try {
      workload.run();
    } catch (const std::exception& e) {
      throw Error(fmt::format("workload '{}' failed to run on device cpu: {}", key, e.what()));
    }
    return now_ms(config_.clock) - start;
  };
  return measure_until_stable(run_once_ms, config_.measurement, fmt::format("'{}' on cpu", key));
}

}  // namespace gos
