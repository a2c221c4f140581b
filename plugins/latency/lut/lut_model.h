#pragma once
// The `lut` latency model: model latency = sum of per-kernel table entries +
// the table's fixed overhead. A kernel missing from the table is never
// counted as zero: it is measured on demand when a device is configured (and
// on_missing = measure), otherwise reported.
#include <functional>
#include <memory>

#include "framework/latency_model.h"
#include "plugins/latency/lut/latency_table.h"

namespace gos {

enum class OnMissingKernel { kError, kMeasure };

class LutLatencyModel : public LatencyModel {
 public:
  // `device` may be null. When given, it must describe the device the table
  // was measured on; otherwise gos::Error lists the differing properties.
  LutLatencyModel(LatencyTable table, std::string file, OnMissingKernel on_missing, std::unique_ptr<Device> device);
  double predict_ms(const Genome& genome, const SearchSpace& space) override;
  std::string describe() const override;
  // The table file, its schema version, size and calibration, and the device
  // recorded in it ("device.*"): the one its latencies were measured on.
  std::map<std::string, std::string> provenance() const override;
  size_t measured_on_demand() const { return measured_on_demand_; }

 private:
  LatencyTable table_;
  LatencyIndex index_;
  std::string file_;
  OnMissingKernel on_missing_;
  std::unique_ptr<Device> device_;
  size_t measured_on_demand_ = 0;
};

// model latency = overhead_ms + kernel_scale x sum of kernel latencies.
struct Calibration {
  double overhead_ms = 0;
  double kernel_scale = 1;
};
// The calibration minimising the squared *relative* error over models with
// kernel sums `sums` and measured latencies `measured` (weighted least squares,
// weights 1 / measured^2): plain least squares is ruled by the slowest models
// and gave intercepts larger than whole fast models (a 0.3 us identity graph
// predicted at 11 us). Scale 1 and the median difference as overhead when the
// sums do not differ or the fitted scale is not positive. Throws gos::Error for mismatched or empty lists or a
// latency that is not positive.
Calibration fit_calibration(const std::vector<double>& sums, const std::vector<double>& measured);

// Profiles a table: every distinct kernel of `models` sampled genomes is
// measured alone on `device`; over `overhead_models` further genomes, the
// measured model latency is calibrated against the sum of its kernels
// (fit_calibration).
// `progress` is called with a line per step worth telling.
LatencyTable build_latency_table(const SearchSpace& space, Device& device, Rng& rng, size_t models,
                                 size_t overhead_models, const std::function<void(const std::string&)>& progress);

}  // namespace gos
