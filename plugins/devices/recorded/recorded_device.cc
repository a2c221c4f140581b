#include "plugins/devices/recorded/recorded_device.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>

#include "framework/error.h"
#include "framework/text.h"

namespace gos {
namespace {

// Splits one CSV line; fields may be double-quoted (with "" for a quote).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

size_t column_index(const std::vector<std::string>& header, const std::string& column, const std::string& file,
                    const std::string& role) {
  const auto it = std::find(header.begin(), header.end(), column);
  if (it == header.end())
    throw Error(fmt::format("{}:1: no {} column '{}'{}; columns: {}", file, role, column, did_you_mean(column, header),
                            join(header, ", ")));
  return static_cast<size_t>(it - header.begin());
}

}  // namespace

RecordedDevice::RecordedDevice(RecordedDeviceConfig config) : config_(std::move(config)) {
  const std::string file = config_.file.string();
  std::ifstream in(config_.file);
  if (!in) throw Error(fmt::format("recorded device: cannot open latency table '{}'", file));
  std::string line;
  if (!std::getline(in, line)) throw Error(fmt::format("{}: empty file; expected a CSV header line", file));
  const std::vector<std::string> header = split_csv(line);
  const size_t key_index = column_index(header, config_.key_column, file, "key");
  const size_t value_index = column_index(header, config_.value_column, file, "value");
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> fields = split_csv(line);
    if (fields.size() != header.size())
      throw Error(fmt::format("{}:{}: {} fields, the header has {}", file, number, fields.size(), header.size()));
    const std::string& text = fields[value_index];
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value <= 0)
      throw Error(fmt::format("{}:{}: column '{}' is '{}', not a positive latency in ms", file, number,
                              config_.value_column, text));
    if (!latencies_.emplace(fields[key_index], value).second)
      throw Error(fmt::format("{}:{}: key '{}' appears twice", file, number, fields[key_index]));
    if (references_.size() < static_cast<size_t>(config_.references)) references_.push_back(value);
  }
  if (latencies_.empty()) throw Error(fmt::format("{}: the table has a header but no rows", file));
  if (references_.size() < static_cast<size_t>(config_.references))
    throw Error(fmt::format("{}: references = {} but the table has only {} rows", file, config_.references,
                            latencies_.size()));
}

DeviceInfo RecordedDevice::describe() const {
  DeviceInfo info;
  info.name = config_.name.empty() ? config_.value_column : config_.name;
  info.properties["recorded_file"] = config_.file.string();
  info.properties["column"] = config_.value_column;
  info.properties["rows"] = std::to_string(latencies_.size());
  for (size_t i = 0; i < references_.size(); ++i) info.properties[fmt::format("reference_{}", i)] = fmt::format("{}", references_[i]);
  return info;
}

double RecordedDevice::latency_ms(const std::string& key) const {
  const auto it = latencies_.find(key);
  if (it == latencies_.end())
    throw Error(fmt::format("recorded device '{}': no row with {} = '{}' in '{}' ({} rows); the table does not "
                            "cover this model",
                            describe().name, config_.key_column, key, config_.file.string(), latencies_.size()));
  return it->second;
}

Measurement RecordedDevice::measure(Workload& workload) {
  Measurement measurement;
  measurement.median_ms = latency_ms(workload.key());
  return measurement;
}

}  // namespace gos
