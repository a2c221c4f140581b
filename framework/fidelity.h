#pragma once
// Multi-fidelity evaluation: an objective that can be evaluated more cheaply
// and less exactly (fewer training epochs, a tabular benchmark's short
// schedule) declares the budget it honours; a multi-fidelity strategy
// (successive halving, Hyperband) asks for each genome at a budget
// (Strategy::budgets), the runner passes it to the objective
// (Objective::evaluate_all_at) and records it with the evaluation
// (EvaluationRecord::fidelity), so that resume replays it and reports can
// count the cost and keep low-fidelity values off the Pareto front.
#include <string>
#include <vector>

namespace gos {

struct Fidelity {
  std::string key;             // what the budget counts, e.g. "epochs"
  double min = 0;              // the smallest budget honoured
  double full = 0;             // the budget of a plain evaluate(): full fidelity
  std::vector<double> levels;  // the only budgets honoured, ascending, ending at full; empty: any in [min, full]
  bool integral = false;       // budgets must be whole numbers (epochs)

  bool operator==(const Fidelity&) const = default;
  // Whether `budget` is one this objective can be evaluated at.
  bool honours(double budget) const;
  // "epochs in [1, 270], whole numbers" / "epochs, one of 12, 200".
  std::string describe() const;
};

}  // namespace gos
