#pragma once
// A latency model estimates the latency of the model a genome stands for:
// by measuring it on a device, by summing a per-operator lookup table, or by a
// learned predictor (nn-Meter's pipeline: model -> kernels -> predictors -> sum).
#include <map>
#include <string>
#include <vector>

#include "framework/batch.h"
#include "framework/component.h"
#include "framework/genome.h"

namespace gos {

class SearchSpace;

class LatencyModel : public Component {
 public:
  // Estimated latency in milliseconds of one forward pass.
  virtual double predict_ms(const Genome& genome, const SearchSpace& space) = 0;
  // Estimates for several genomes, in order (a device of several boards
  // measures them at once). Failures are per genome; DeviceLost propagates.
  // The default calls predict_ms() for each.
  virtual std::vector<BatchValue> predict_all(const std::vector<const Genome*>& genomes, const SearchSpace& space);
  // What the estimate is based on (device, table file, predictor file).
  virtual std::string describe() const = 0;
  // Key -> text for the results file: the device description (name, cores,
  // threads, frequency), table or predictor files. Objectives forward it.
  virtual std::map<std::string, std::string> provenance() const;
};

}  // namespace gos
