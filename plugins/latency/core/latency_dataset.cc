#include "plugins/latency/core/latency_dataset.h"

#include <fmt/format.h>

#include "framework/error.h"
#include "plugins/latency/core/h5_io.h"

namespace gos {

void write_latency_dataset(const std::filesystem::path& path, const LatencyDataset& dataset) {
  H5::H5File file = h5::create(path, "latency dataset");
  H5::Group root = file.openGroup("/");
  h5::write_int(root, "schema_version", kLatencyDatasetSchemaVersion);
  h5::write_string(root, "space", dataset.space);
  h5::write_device(root, dataset.device);
  h5::write_strings(root, "genome", dataset.genomes);
  h5::write_reals(root, "latency_ms", dataset.latency_ms);
  h5::write_reals(root, "iqr_ms", dataset.iqr_ms);
  h5::write_reals(root, "cv", dataset.cv);
}

LatencyDataset read_latency_dataset(const std::filesystem::path& path) {
  const std::string name = path.string();
  H5::H5File file = h5::open_for_reading(path, "latency dataset");
  H5::Group root = file.openGroup("/");
  h5::require_schema_version(root, kLatencyDatasetSchemaVersion, name, "latency dataset", "");
  LatencyDataset dataset;
  dataset.space = h5::read_string(root, "space", name);
  dataset.device = h5::read_device(root, name);
  dataset.genomes = h5::read_strings(root, "genome", name);
  dataset.latency_ms = h5::read_reals(root, "latency_ms", name);
  dataset.iqr_ms = h5::read_reals(root, "iqr_ms", name);
  dataset.cv = h5::read_reals(root, "cv", name);
  const size_t n = dataset.genomes.size();
  if (dataset.latency_ms.size() != n || dataset.iqr_ms.size() != n || dataset.cv.size() != n)
    throw Error(fmt::format("{}: columns differ in length (genome {}, latency_ms {}, iqr_ms {}, cv {})", name, n,
                            dataset.latency_ms.size(), dataset.iqr_ms.size(), dataset.cv.size()));
  return dataset;
}

}  // namespace gos
