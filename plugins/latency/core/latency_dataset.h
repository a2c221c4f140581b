#pragma once
// A latency dataset: sampled genomes of one search space with their latency
// measured on one device (`gos latency dataset` writes it; `train` and `eval`
// read it). HDF5: attributes schema_version, space, device + device.*;
// datasets genome, latency_ms, iqr_ms, cv.
#include <filesystem>
#include <string>
#include <vector>

#include "framework/device.h"

namespace gos {

inline constexpr int64_t kLatencyDatasetSchemaVersion = 1;

struct LatencyDataset {
  std::string space;  // the space's describe() text: genomes only parse in that space
  DeviceInfo device;
  std::vector<std::string> genomes;
  std::vector<double> latency_ms;
  std::vector<double> iqr_ms;
  std::vector<double> cv;
};

void write_latency_dataset(const std::filesystem::path& path, const LatencyDataset& dataset);
// Throws gos::Error naming the file for a missing file, another schema
// version, or columns of different lengths.
LatencyDataset read_latency_dataset(const std::filesystem::path& path);

}  // namespace gos
