#pragma once
// The `recorded` device: answers from a CSV table of latencies measured on a
// device we cannot reach (phones, FPGAs, the HW-NAS-Bench/HELP tables). The
// workload's key() selects the row; one column holds milliseconds.
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "framework/device.h"

namespace gos {

struct RecordedDeviceConfig {
  std::filesystem::path file;
  std::string key_column;    // column holding workload keys
  std::string value_column;  // column holding latency in milliseconds
  std::string name;          // device name in descriptions; empty: value_column
  // The first `references` rows' latencies are reported by describe() as
  // properties reference_0 .. reference_<n-1>: a device embedding from a few
  // measurements (as in HELP), usable as predictor hardware features.
  int references = 0;
};

class RecordedDevice : public Device {
 public:
  // Reads the whole table. Throws gos::Error naming the file, the line and
  // the column for a missing file, a missing column, a row with too few
  // fields, a value that is not a positive number, a duplicated key, or more
  // references than rows.
  explicit RecordedDevice(RecordedDeviceConfig config);
  DeviceInfo describe() const override;
  // The recorded latency (runs = 0, spread 0: nothing was timed here). Throws
  // gos::Error naming the key and the file when no row has that key.
  Measurement measure(Workload& workload) override;
  double latency_ms(const std::string& key) const;
  size_t size() const { return latencies_.size(); }

 private:
  RecordedDeviceConfig config_;
  std::unordered_map<std::string, double> latencies_;
  std::vector<double> references_;  // latencies of the first config_.references rows
};

}  // namespace gos
