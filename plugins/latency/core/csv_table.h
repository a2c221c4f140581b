#pragma once
// Comma-separated tables read whole, with positions for error messages: the
// OFA lookup table and latency data sets (NAS_PerformanceEstimation's CSVs).
// No quoting: these files hold plain numbers and keys without commas.
#include <filesystem>
#include <string>
#include <vector>

#include "framework/search_space.h"
#include "plugins/latency/core/latency_dataset.h"

namespace gos {

struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // row i is line i + 2 of the file

  // The index of a column; throws gos::Error "file:1: missing column ...".
  size_t column(const std::string& name) const;
  // The number in a cell; throws gos::Error "file:line: column 'x' holds 'y',
  // which is not a number".
  double number(size_t row, size_t column) const;
};

// Throws gos::Error naming the file when it cannot be read or is empty, and
// the line of a row whose cell count differs from the header's.
CsvTable read_csv_table(const std::filesystem::path& path);

// A latency data set from a CSV whose columns are the space's genome columns
// (TabularGenomes) followed by `latency_column`, in that order and nothing
// else. The device is named after the file's stem. Throws gos::Error naming
// file, line and column for a missing or extra column, a cell that is not a
// number, a gene outside the space or a latency that is not positive; the
// data set is built whole or not at all.
LatencyDataset read_latency_csv(const std::filesystem::path& path, const SearchSpace& space,
                                const std::string& latency_column = "latency_ms");

}  // namespace gos
