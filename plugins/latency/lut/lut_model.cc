#include "plugins/latency/lut/lut_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "framework/error.h"
#include "framework/text.h"
#include "framework/workload_spec.h"
#include "plugins/devices/cpu/measurement_stats.h"
#include "plugins/latency/core/h5_io.h"

namespace gos {

LutLatencyModel::LutLatencyModel(LatencyTable table, std::string file, OnMissingKernel on_missing,
                                 std::unique_ptr<Device> device)
    : table_(std::move(table)), index_(table_), file_(std::move(file)), on_missing_(on_missing),
      device_(std::move(device)) {
  if (on_missing_ == OnMissingKernel::kMeasure && !device_)
    throw Error(fmt::format("lookup table '{}': on_missing = \"measure\" needs a device to measure on", file_));
  if (!device_) return;
  const std::vector<std::string> differences = device_differences(table_.device, device_->describe());
  if (!differences.empty())
    throw Error(fmt::format("lookup table '{}' was measured on another device than the one configured ({}); "
                            "table {} vs configured {}",
                            file_, join(differences, "; "), h5::to_string(table_.device),
                            h5::to_string(device_->describe())));
}

double LutLatencyModel::predict_ms(const Genome& genome, const SearchSpace& space) {
  const std::vector<Kernel> kernels = space.kernels(genome);
  std::vector<std::string> missing;
  double total = index_.sum_ms(kernels, missing);
  if (missing.empty()) return total;
  if (on_missing_ == OnMissingKernel::kError) {
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    const size_t shown = std::min<size_t>(missing.size(), 5);
    throw Error(fmt::format("lookup table '{}' has no entry for {} kernel(s) of '{}': {}{}; rebuild the table with "
                            "'gos lut build' over more models, or set on_missing = \"measure\" with a device",
                            file_, missing.size(), space.serialize(genome),
                            join({missing.begin(), missing.begin() + static_cast<std::ptrdiff_t>(shown)}, ", "),
                            shown < missing.size() ? ", ..." : ""));
  }
  for (const Kernel& kernel : kernels) {
    if (std::find(missing.begin(), missing.end(), kernel.key) == missing.end()) continue;
    auto workload = portable_kernel_workload(space, kernel);
    const double latency = device_->measure(*workload).median_ms;
    index_.insert(kernel.key, latency);
    ++measured_on_demand_;
    missing.erase(std::remove(missing.begin(), missing.end(), kernel.key), missing.end());
  }
  missing.clear();
  total = index_.sum_ms(kernels, missing);
  return total;
}

std::string LutLatencyModel::describe() const {
  return fmt::format("lookup table '{}' ({} kernels, {:.4f} ms + {:.4f} x kernel sum) measured on {}", file_,
                     index_.size(), table_.overhead_ms, table_.kernel_scale, h5::to_string(table_.device));
}

std::map<std::string, std::string> LutLatencyModel::provenance() const {
  std::map<std::string, std::string> result = h5::provenance(table_.device);
  result["latency_model"] = "lut";
  result["table"] = file_;
  result["table.schema_version"] = std::to_string(kLutSchemaVersion);
  result["table.kernels"] = std::to_string(table_.keys.size());
  result["table.overhead_ms"] = fmt::format("{}", table_.overhead_ms);
  result["table.kernel_scale"] = fmt::format("{}", table_.kernel_scale);
  result["table.space"] = table_.space;
  result["table.on_missing"] = on_missing_ == OnMissingKernel::kMeasure ? "measure" : "error";
  return result;
}

Calibration fit_calibration(const std::vector<double>& sums, const std::vector<double>& measured) {
  if (sums.size() != measured.size() || sums.empty())
    throw Error(fmt::format("calibrating a lookup table needs one measured latency per kernel sum and at least one "
                            "model ({} sums, {} measurements)",
                            sums.size(), measured.size()));
  // Weights 1 / measured^2: the squared relative error is minimised.
  double total = 0, mean_sum = 0, mean_measured = 0;
  std::vector<double> weights;
  for (size_t i = 0; i < sums.size(); ++i) {
    if (!(measured[i] > 0)) throw Error(fmt::format("measured model latency {} ms is not positive", measured[i]));
    weights.push_back(1 / (measured[i] * measured[i]));
    total += weights.back();
  }
  for (size_t i = 0; i < sums.size(); ++i) {
    mean_sum += weights[i] * sums[i] / total;
    mean_measured += weights[i] * measured[i] / total;
  }
  double covariance = 0, variance = 0;
  for (size_t i = 0; i < sums.size(); ++i) {
    covariance += weights[i] * (sums[i] - mean_sum) * (measured[i] - mean_measured);
    variance += weights[i] * (sums[i] - mean_sum) * (sums[i] - mean_sum);
  }
  // Relative to the sums' scale, so that equal sums count as equal despite
  // rounding. A scale that is not positive (a few noisy models) means more
  // kernels make a model faster: not a calibration to use.
  if (variance > 1e-18 * mean_sum * mean_sum * total && variance > 0 && covariance > 0) {
    const double scale = covariance / variance;
    return {mean_measured - scale * mean_sum, scale};
  }
  std::vector<double> differences;
  for (size_t i = 0; i < sums.size(); ++i) differences.push_back(measured[i] - sums[i]);
  return {summarize(differences).median, 1.0};
}

LatencyTable build_latency_table(const SearchSpace& space, Device& device, Rng& rng, size_t models,
                                 size_t overhead_models, const std::function<void(const std::string&)>& progress) {
  LatencyTable table;
  table.space = space.describe();
  table.device = device.describe();
  std::vector<Kernel> distinct;
  std::set<std::string> seen;
  for (size_t i = 0; i < models; ++i)
    for (Kernel& kernel : space.kernels(*space.sample(rng)))
      if (seen.insert(kernel.key).second) distinct.push_back(std::move(kernel));
  progress(fmt::format("profiling {} distinct kernels from {} sampled models", distinct.size(), models));
  // overhead 0 and scale 1 here, so the index gives the plain kernel sum.
  LatencyIndex index(table);
  for (size_t i = 0; i < distinct.size(); ++i) {
    auto workload = portable_kernel_workload(space, distinct[i]);
    table.keys.push_back(distinct[i].key);
    table.latency_ms.push_back(device.measure(*workload).median_ms);
    index.insert(table.keys.back(), table.latency_ms.back());
    if ((i + 1) % 100 == 0) progress(fmt::format("  {} / {} kernels", i + 1, distinct.size()));
  }
  // The overhead is what whole models take beyond their kernels, measured on
  // models whose kernels are all in the table by construction.
  std::vector<double> sums, measured;
  for (size_t i = 0; i < overhead_models; ++i) {
    const GenomePtr genome = space.sample(rng);
    std::vector<Kernel> kernels = space.kernels(*genome);
    for (const Kernel& kernel : kernels) {
      if (seen.insert(kernel.key).second) {
        auto workload = portable_kernel_workload(space, kernel);
        table.keys.push_back(kernel.key);
        table.latency_ms.push_back(device.measure(*workload).median_ms);
        index.insert(kernel.key, table.latency_ms.back());
      }
    }
    std::vector<std::string> missing;
    sums.push_back(index.sum_ms(kernels, missing));
    auto workload = portable_workload(space, *genome);
    measured.push_back(device.measure(*workload).median_ms);
  }
  if (!sums.empty()) {
    const Calibration fit = fit_calibration(sums, measured);
    table.overhead_ms = fit.overhead_ms;
    table.kernel_scale = fit.kernel_scale;
  }
  progress(fmt::format("model latency = {:.4f} ms + {:.4f} x sum of kernels (fitted on {} models)",
                       table.overhead_ms, table.kernel_scale, sums.size()));
  return table;
}

}  // namespace gos
