#pragma once
// One item of a batched call (Objective::evaluate_all,
// LatencyModel::predict_all): a value, or why there is none.
#include <optional>
#include <string>

namespace gos {

struct BatchValue {
  std::optional<double> value;
  std::string error;  // set when value is empty
};

}  // namespace gos
