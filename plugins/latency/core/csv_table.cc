#include "plugins/latency/core/csv_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>

#include "framework/error.h"
#include "framework/tabular_space.h"
#include "framework/text.h"

namespace gos {
namespace {

std::vector<std::string> split_line(std::string_view line) {
  std::vector<std::string> cells;
  size_t start = 0;
  for (size_t end; (end = line.find(',', start)) != std::string_view::npos; start = end + 1)
    cells.emplace_back(line.substr(start, end - start));
  cells.emplace_back(line.substr(start));
  return cells;
}

}  // namespace

size_t CsvTable::column(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end())
    throw Error(fmt::format("{}:1: missing column '{}'{}; the header has: {}", file, name, did_you_mean(name, header),
                            join(header, ", ")));
  return static_cast<size_t>(it - header.begin());
}

double CsvTable::number(size_t row, size_t col) const {
  const std::string& text = rows[row][col];
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw Error(fmt::format("{}:{}: column '{}' holds '{}', which is not a number", file, row + 2, header[col], text));
  return value;
}

CsvTable read_csv_table(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("cannot open CSV file '{}'", path.string()));
  CsvTable table{path.string(), {}, {}};
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // files written on Windows
    if (line.empty()) continue;
    std::vector<std::string> cells = split_line(line);
    if (table.header.empty()) {
      table.header = std::move(cells);
      continue;
    }
    if (cells.size() != table.header.size())
      throw Error(
          fmt::format("{}:{}: {} cells, but the header has {} columns ({}); the file is truncated or "
                      "malformed",
                      table.file, number, cells.size(), table.header.size(), join(table.header, ",")));
    table.rows.push_back(std::move(cells));
  }
  if (table.header.empty()) throw Error(fmt::format("CSV file '{}' is empty", table.file));
  return table;
}

LatencyDataset read_latency_csv(const std::filesystem::path& path, const SearchSpace& space,
                                const std::string& latency_column) {
  const auto* tabular = dynamic_cast<const TabularGenomes*>(&space);
  if (!tabular)
    throw Error(
        fmt::format("reading '{}': the search space has no tabular form (genome columns); "
                    "CSV data sets work with spaces such as ofa_mbv3",
                    path.string()));
  const CsvTable table = read_csv_table(path);
  std::vector<std::string> expected = tabular->genome_columns();
  expected.push_back(latency_column);
  auto has = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (size_t c = 0; c < expected.size(); ++c)
    if (!has(table.header, expected[c]))
      throw Error(fmt::format("{}:1: missing column '{}' (column {} of {}: {})", table.file, expected[c], c + 1,
                              expected.size(), join(expected, ",")));
  for (size_t c = 0; c < table.header.size(); ++c)
    if (!has(expected, table.header[c]))
      throw Error(fmt::format("{}:1: unexpected column {} '{}'; expected exactly the columns {}", table.file, c + 1,
                              table.header[c], join(expected, ",")));
  if (table.header != expected)
    throw Error(
        fmt::format("{}:1: the columns are out of order (or repeated); expected {}", table.file, join(expected, ",")));
  LatencyDataset dataset;
  dataset.space = space.describe();
  dataset.device.name = path.stem().string();
  dataset.device.properties["source"] = table.file;
  const size_t genes = expected.size() - 1;
  std::vector<double> values(genes);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    for (size_t c = 0; c < genes; ++c) values[c] = table.number(r, c);
    const double latency = table.number(r, genes);
    if (!(latency > 0) || !std::isfinite(latency))
      throw Error(fmt::format("{}:{}: column '{}' holds {}; a latency must be a positive number of milliseconds",
                              table.file, r + 2, latency_column, latency));
    GenomePtr genome;
    try {
      genome = tabular->from_columns(values);
    } catch (const Error& e) {
      throw Error(fmt::format("{}:{}: {}", table.file, r + 2, e.what()));
    }
    dataset.genomes.push_back(space.serialize(*genome));
    dataset.latency_ms.push_back(latency);
    dataset.iqr_ms.push_back(0);
    dataset.cv.push_back(0);
  }
  if (dataset.genomes.empty()) throw Error(fmt::format("{}: no rows after the header", table.file));
  return dataset;
}

}  // namespace gos
