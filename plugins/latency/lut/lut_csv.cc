#include "plugins/latency/lut/lut_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "framework/error.h"
#include "plugins/latency/core/csv_table.h"

namespace gos {

LatencyTable read_lut_csv(const std::filesystem::path& path) {
  const CsvTable csv = read_csv_table(path);
  const size_t key_column = csv.column("key"), mean_column = csv.column("mean");
  const bool per_resolution = std::find(csv.header.begin(), csv.header.end(), "resolution") != csv.header.end();
  const size_t resolution_column = per_resolution ? csv.column("resolution") : 0;
  LatencyTable table;
  table.space = fmt::format("published lookup table {}", csv.file);
  table.device.name = path.stem().string();
  table.device.properties["source"] = csv.file;
  std::unordered_set<std::string> seen;
  for (size_t r = 0; r < csv.rows.size(); ++r) {
    std::string key = csv.rows[r][key_column];
    if (key.empty()) throw Error(fmt::format("{}:{}: column 'key' is empty", csv.file, r + 2));
    if (per_resolution) {
      const double resolution = csv.number(r, resolution_column);
      if (resolution != std::floor(resolution) || resolution < 1)
        throw Error(fmt::format("{}:{}: column 'resolution' holds {}, which is not a positive integer", csv.file, r + 2,
                                resolution));
      key += fmt::format("@r{}", static_cast<int64_t>(resolution));
    }
    const double mean = csv.number(r, mean_column);
    if (!(mean >= 0) || !std::isfinite(mean))
      throw Error(fmt::format("{}:{}: column 'mean' holds {}; a latency must be a non-negative number of ms", csv.file,
                              r + 2, mean));
    if (!seen.insert(key).second) throw Error(fmt::format("{}:{}: key '{}' appears twice", csv.file, r + 2, key));
    table.keys.push_back(std::move(key));
    table.latency_ms.push_back(mean);
  }
  if (table.keys.empty()) throw Error(fmt::format("{}: no entries after the header", csv.file));
  return table;
}

LatencyTable load_latency_table(const std::filesystem::path& path) {
  return path.extension() == ".csv" ? read_lut_csv(path) : read_latency_table(path);
}

}  // namespace gos
