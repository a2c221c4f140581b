#include "plugins/latency/lut/latency_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "framework/error.h"
#include "plugins/latency/core/h5_io.h"

namespace gos {

void write_latency_table(const std::filesystem::path& path, const LatencyTable& table) {
  H5::H5File file = h5::create(path, "latency lookup table");
  H5::Group root = file.openGroup("/");
  h5::write_int(root, "schema_version", kLutSchemaVersion);
  h5::write_string(root, "space", table.space);
  h5::write_real(root, "overhead_ms", table.overhead_ms);
  h5::write_real(root, "kernel_scale", table.kernel_scale);
  h5::write_device(root, table.device);
  h5::write_strings(root, "key", table.keys);
  h5::write_reals(root, "latency_ms", table.latency_ms);
}

LatencyTable read_latency_table(const std::filesystem::path& path) {
  const std::string name = path.string();
  H5::H5File file = h5::open_for_reading(path, "latency lookup table");
  H5::Group root = file.openGroup("/");
  h5::require_schema_version(root, kLutSchemaVersion, name, "lookup table", "rebuild it with 'gos lut build'");
  LatencyTable table;
  table.space = h5::read_string(root, "space", name);
  table.overhead_ms = h5::read_real(root, "overhead_ms", name);
  table.kernel_scale = h5::read_real(root, "kernel_scale", name);
  table.device = h5::read_device(root, name);
  table.keys = h5::read_strings(root, "key", name);
  table.latency_ms = h5::read_reals(root, "latency_ms", name);
  if (table.keys.size() != table.latency_ms.size())
    throw Error(fmt::format("{}: {} keys but {} latencies", name, table.keys.size(), table.latency_ms.size()));
  std::set<std::string_view> seen;
  for (const std::string& key : table.keys)
    if (!seen.insert(key).second) throw Error(fmt::format("{}: key '{}' appears twice", name, key));
  return table;
}

std::vector<std::string> device_differences(const DeviceInfo& expected, const DeviceInfo& actual) {
  std::vector<std::string> differences;
  if (expected.name != actual.name) differences.push_back(fmt::format("name: '{}' vs '{}'", expected.name, actual.name));
  std::set<std::string> keys;
  for (const auto& [key, value] : expected.properties) keys.insert(key);
  for (const auto& [key, value] : actual.properties) keys.insert(key);
  for (const std::string& key : keys) {
    if (key == "frequency_mhz") continue;
    const auto a = expected.properties.find(key), b = actual.properties.find(key);
    const std::string left = a == expected.properties.end() ? "(absent)" : "'" + a->second + "'";
    const std::string right = b == actual.properties.end() ? "(absent)" : "'" + b->second + "'";
    if (left != right) differences.push_back(fmt::format("{}: {} vs {}", key, left, right));
  }
  return differences;
}

LatencyIndex::LatencyIndex(const LatencyTable& table)
    : overhead_ms_(table.overhead_ms), kernel_scale_(table.kernel_scale) {
  latency_.reserve(table.keys.size());
  for (size_t i = 0; i < table.keys.size(); ++i) latency_.emplace(table.keys[i], table.latency_ms[i]);
}

double LatencyIndex::sum_ms(const std::vector<Kernel>& kernels, std::vector<std::string>& missing) const {
  double sum = 0;
  for (const Kernel& kernel : kernels) {
    const auto it = latency_.find(std::string_view(kernel.key));
    if (it == latency_.end()) missing.push_back(kernel.key);
    else sum += it->second;
  }
  return overhead_ms_ + kernel_scale_ * sum;
}

double sum_by_scanning(const LatencyTable& table, const std::vector<Kernel>& kernels, std::vector<std::string>& missing) {
  double total = table.overhead_ms;
  for (const Kernel& kernel : kernels) {
    const auto it = std::find(table.keys.begin(), table.keys.end(), kernel.key);
    if (it == table.keys.end()) missing.push_back(kernel.key);
    else total += table.kernel_scale * table.latency_ms[static_cast<size_t>(it - table.keys.begin())];
  }
  return total;
}

}  // namespace gos
