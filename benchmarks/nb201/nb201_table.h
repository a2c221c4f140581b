#pragma once
// The NAS-Bench-201 table: one row per architecture (in NAS-Bench-201 index
// order) and one column per metric. Built once from the shared CSV files by
// `gos nb201 convert` (or the build, when the data exists) into an HDF5 file,
// which the `nb201` search space loads at run time.
//
// HDF5 layout (docs/BENCHMARKS.md):
//   /            attributes format = "gos-nb201-table", version = 1, source
//   /arch        N fixed-length strings, the arch strings
//   /metrics/K   N doubles per metric key K (e.g. "latency(raspi4)"),
//                with string attributes `metric` and `on`
#include <filesystem>
#include <string>
#include <vector>

#include "framework/metric.h"

namespace gos::nb201 {

inline constexpr const char* kTableFormat = "gos-nb201-table";
inline constexpr int kTableVersion = 1;

struct Column {
  MetricKey key;
  std::vector<double> values;  // one per row
};

struct Table {
  std::vector<std::string> archs;  // row i = NAS-Bench-201 index i
  std::vector<Column> columns;
  std::string source;              // where the numbers came from
};

// Reads nb201_accuracy_200ep.csv, nb201_accuracy_12ep.csv and nb201_latency.csv
// from `directory` (see ../shared/data/README.md). Test accuracies after 200
// epochs answer test_accuracy(cifar10 | cifar100 | imagenet16); the 12-epoch
// schedule answers test_accuracy and valid_accuracy on "cifar10@12ep" etc.;
// each device column answers latency(<device>). Throws gos::Error naming the
// file, line and column of anything missing or malformed, and rows whose arch
// strings differ between files.
Table read_csv_directory(const std::filesystem::path& directory);

void write_table(const Table& table, const std::filesystem::path& path);
// Throws gos::Error naming the file when it is missing (with the command that
// makes it), not HDF5, or not an nb201 table.
Table read_table(const std::filesystem::path& path);

// The column with `key`, or nullptr.
const Column* find_column(const Table& table, const MetricKey& key);

}  // namespace gos::nb201
