#pragma once
// An objective measures one number of a candidate. Whether that number is
// optimised, bounded (a constraint), or both is decided by the experiment file
// through the framework-level keys `name`, `direction`, `max`, `min` and
// `optimize`, which every objective table accepts.
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/batch.h"
#include "framework/component.h"
#include "framework/fidelity.h"
#include "framework/genome.h"

namespace gos {

class SearchSpace;

enum class Direction { kMinimize, kMaximize };
const char* to_string(Direction direction);

class Objective : public Component {
 public:
  // Name and direction the plugin suggests; the experiment may override both.
  virtual std::string default_name() const = 0;
  virtual Direction default_direction() const = 0;
  // Called once before the search with the space the candidates come from, so
  // that a mismatch (a metric the space cannot answer) is reported by
  // `gos validate` rather than in the middle of a run.
  virtual void bind(const SearchSpace& space) { (void)space; }
  // The objective's value for one genome. May throw; the run then records a
  // failed evaluation and goes on.
  virtual double evaluate(const Genome& genome, const SearchSpace& space) = 0;
  // Values for a generation's genomes, in order, so that an objective whose
  // device has several boards measures them at once. A genome the objective
  // fails on gets its message; DeviceLost propagates. The default calls
  // evaluate() for each.
  virtual std::vector<BatchValue> evaluate_all(const std::vector<const Genome*>& genomes, const SearchSpace& space);
  // What the values depend on besides the genome, as key -> text (the device
  // a latency was measured on, the table or predictor file it came from).
  // The runner writes it into the results file as root attributes
  // "objective.<name>.<key>", so a result says where its numbers came from.
  virtual std::map<std::string, std::string> provenance() const;

  // Multi-fidelity (framework/fidelity.h): the budget this objective can be
  // evaluated at below its full fidelity; none (the default) for objectives
  // whose value has one fidelity, which are then evaluated plainly whatever
  // budget a strategy asks for (a parameter count does not depend on epochs).
  virtual std::optional<Fidelity> fidelity() const { return std::nullopt; }
  // Values at `budget`, one that fidelity()->honours() and below its full
  // value (the runner calls evaluate_all at full fidelity). The default
  // throws gos::Error: only objectives that declare a fidelity are asked.
  virtual std::vector<BatchValue> evaluate_all_at(const std::vector<const Genome*>& genomes, const SearchSpace& space,
                                                  double budget);
};

// The role an objective plays in an experiment, resolved from its table.
struct ObjectiveRole {
  std::string name;
  Direction direction = Direction::kMinimize;
  bool optimize = true;           // ranks candidates
  std::optional<double> max;      // constraint: value <= max
  std::optional<double> min;      // constraint: value >= min
  bool is_constraint() const { return max.has_value() || min.has_value(); }
  // Amount by which `value` breaks the bounds (0 when within them).
  double violation(double value) const;
  // The value turned into minimisation form (negated for kMaximize).
  double minimized(double value) const { return direction == Direction::kMinimize ? value : -value; }
};

}  // namespace gos
