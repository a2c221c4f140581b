#pragma once
// Devices run workloads and report latency. Split as in nn-Meter's backends:
// describe (what the device is), test_connection (is it usable now), measure
// (profile a workload and parse the timings into a Measurement).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/component.h"

namespace gos {

struct WorkloadSpec;  // framework/workload_spec.h

// Something a device can execute: a compiled model at a fixed input shape.
// `key` identifies it for devices that answer from recorded tables.
class Workload {
 public:
  virtual ~Workload();
  virtual std::string key() const = 0;
  // Executes the workload once (one forward pass at its batch size).
  virtual void run() = 0;
  // The workload as data (search space plugin, resolved keys, canonical genome
  // or kernel), for devices on another machine that rebuild it with their own
  // plugins; null when the workload cannot describe itself.
  virtual const WorkloadSpec* spec() const { return nullptr; }
};

struct DeviceInfo {
  std::string name;
  std::map<std::string, std::string> properties;  // cores, threads, frequency, ...
};

struct Measurement {
  double median_ms = 0;
  double iqr_ms = 0;   // interquartile range of the timed runs
  double cv = 0;       // coefficient of variation of the timed runs
  int runs = 0;
};

struct MeasureOutcome {
  std::optional<Measurement> measurement;  // empty: the device refused, see error
  std::string error;
  std::string measured_by;  // the board that measured it, for devices of several
};

class Device : public Component {
 public:
  virtual DeviceInfo describe() const = 0;
  // Throws gos::Error saying why the device cannot be used right now.
  virtual void test_connection() const {}
  // Latency of one execution of the workload.
  virtual Measurement measure(Workload& workload) = 0;
  // Latencies of several workloads, in their order; devices that can measure
  // several at once (a pool of boards) override it. A workload the device could
  // not measure gets its error message; DeviceLost propagates. The default
  // calls measure() for each.
  virtual std::vector<MeasureOutcome> measure_all(const std::vector<Workload*>& workloads);
};

}  // namespace gos
