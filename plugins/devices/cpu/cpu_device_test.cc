#include "plugins/devices/cpu/cpu_device.h"

#include <gtest/gtest.h>

#include <cmath>

#include "framework/error.h"

namespace gos {
namespace {

class Spin : public Workload {
 public:
  std::string key() const override { return "spin"; }
  void run() override {
    for (int i = 0; i < 20000; ++i) sink_ = std::sqrt(sink_ + i);
    ++runs;
  }
  int runs = 0;

 private:
  volatile double sink_ = 0;
};

class Broken : public Workload {
 public:
  std::string key() const override { return "broken-model"; }
  void run() override { throw std::runtime_error("shape mismatch in conv2"); }
};

CpuDeviceConfig lenient(TimingClock clock) {
  CpuDeviceConfig config;
  config.clock = clock;
  config.measurement.warmup = 2;
  config.measurement.runs = 7;
  // No spread bound: this test checks what is counted, not how calm the machine is.
  config.measurement.max_spread = 1e9;
  return config;
}

TEST(CpuDevice, RunsWarmupPlusTimedRunsAndReportsTheirStatistics) {
  for (TimingClock clock : {TimingClock::kWall, TimingClock::kThreadCpu}) {
    CpuDevice device(lenient(clock));
    Spin spin;
    const Measurement m = device.measure(spin);
    EXPECT_EQ(spin.runs, 9);
    EXPECT_EQ(m.runs, 7);
    EXPECT_GT(m.median_ms, 0);
    EXPECT_GE(m.iqr_ms, 0);
  }
}

TEST(CpuDevice, DescribesItself) {
  const DeviceInfo info = CpuDevice(lenient(TimingClock::kThreadCpu)).describe();
  EXPECT_EQ(info.name, "cpu");
  EXPECT_EQ(info.properties.at("threads"), "1");
  EXPECT_EQ(info.properties.at("clock"), "thread_cpu");
  EXPECT_EQ(info.properties.at("pinned_core"), "none");
  EXPECT_GE(std::stoi(info.properties.at("cores")), 1);
  EXPECT_TRUE(info.properties.count("model"));
  EXPECT_FALSE(info.properties.count("quantile"));  // the median is the default
  CpuDeviceConfig low = lenient(TimingClock::kThreadCpu);
  low.measurement.quantile = 0.1;
  EXPECT_EQ(CpuDevice(low).describe().properties.at("quantile"), "0.1");
}

TEST(CpuDevice, AFailingModelIsAnErrorNamingIt) {
  CpuDevice device(lenient(TimingClock::kWall));
  Broken broken;
  try {
    device.measure(broken);
    FAIL();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("workload 'broken-model' failed to run on device cpu"), std::string::npos) << message;
    EXPECT_NE(message.find("shape mismatch in conv2"), std::string::npos) << message;
  }
}

TEST(CpuDevice, InvalidConfigurationsAreRejected) {
  CpuDeviceConfig threads = lenient(TimingClock::kThreadCpu);
  threads.threads = 2;
  EXPECT_THROW(CpuDevice{threads}, Error);
  CpuDeviceConfig pin = lenient(TimingClock::kWall);
  pin.pin_core = 4095;
  EXPECT_THROW(CpuDevice(pin).test_connection(), Error);
}

TEST(CpuDevice, ProcessCpuTimeAllowsSeveralThreads) {
  CpuDeviceConfig config = lenient(TimingClock::kProcessCpu);
  config.threads = 2;
  CpuDevice device(config);
  Spin spin;
  EXPECT_GT(device.measure(spin).median_ms, 0);
  EXPECT_EQ(device.describe().properties.at("clock"), "process_cpu");
}

}  // namespace
}  // namespace gos
