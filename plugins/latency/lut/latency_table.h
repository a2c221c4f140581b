#pragma once
// Per-operator latency lookup tables (nn-Meter/ProxylessNAS/OFA style): a
// latency per kernel key, measured on one device, plus a fixed per-model
// overhead (framework dispatch, input handling) that no kernel accounts for,
// and a scale on the kernel sum: a kernel timed alone pays costs (module
// dispatch, a fresh output allocation, cold caches) it does not pay inside a
// model, which makes the plain sum overestimate by a roughly constant factor.
//
// HDF5 layout: attributes schema_version, space, overhead_ms, kernel_scale,
// device and device.*; datasets key (text) and latency_ms.
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "framework/device.h"
#include "framework/search_space.h"

namespace gos {

inline constexpr int64_t kLutSchemaVersion = 2;

struct LatencyTable {
  std::string space;       // describe() of the space the kernels came from
  DeviceInfo device;       // where they were measured
  double overhead_ms = 0;    // per-model latency beyond the sum of kernels
  double kernel_scale = 1;   // multiplies the sum of kernel latencies
  std::vector<std::string> keys;
  std::vector<double> latency_ms;
};

void write_latency_table(const std::filesystem::path& path, const LatencyTable& table);
// Throws gos::Error naming the file for a missing file, another schema
// version, mismatched columns or duplicate keys.
LatencyTable read_latency_table(const std::filesystem::path& path);

// Properties in which two descriptions of a device differ ("threads: 1 vs 4"),
// ignoring the current clock frequency, which drifts between readings.
std::vector<std::string> device_differences(const DeviceInfo& expected, const DeviceInfo& actual);

// The hashed form of a table used to answer queries.
class LatencyIndex {
 public:
  explicit LatencyIndex(const LatencyTable& table);
  // Overhead + scale x sum of kernel latencies. Keys not in the table are
  // appended to `missing` (and contribute nothing); callers must not report a
  // sum while `missing` is non-empty.
  double sum_ms(const std::vector<Kernel>& kernels, std::vector<std::string>& missing) const;
  void insert(const std::string& key, double latency_ms) { latency_[key] = latency_ms; }
  size_t size() const { return latency_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, double, Hash, std::equal_to<>> latency_;
  double overhead_ms_;
  double kernel_scale_;
};

// The reference for LatencyIndex::sum_ms: a linear scan of the table per kernel.
double sum_by_scanning(const LatencyTable& table, const std::vector<Kernel>& kernels, std::vector<std::string>& missing);

}  // namespace gos
