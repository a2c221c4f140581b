#include "framework/pareto.h"

#include <algorithm>

namespace gos {

bool dominates(std::span<const double> a, std::span<const double> b) {
  bool strictly_better = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strictly_better = true;
  }
  return strictly_better;
}

bool constraint_dominates(std::span<const double> a, double violation_a, std::span<const double> b,
                          double violation_b) {
  const bool feasible_a = violation_a <= 0;
  const bool feasible_b = violation_b <= 0;
  if (feasible_a != feasible_b) return feasible_a;
  if (!feasible_a) return violation_a < violation_b;
  return dominates(a, b);
}

bool ParetoArchive::offer(size_t id, std::span<const double> objectives, double violation) {
  for (const Entry& entry : entries_)
    if (constraint_dominates(entry.objectives, entry.violation, objectives, violation)) return false;
  std::erase_if(entries_, [&](const Entry& entry) {
    return constraint_dominates(objectives, violation, entry.objectives, entry.violation);
  });
  entries_.push_back({id, std::vector<double>(objectives.begin(), objectives.end()), violation});
  return true;
}

std::vector<size_t> ParetoArchive::ids() const {
  std::vector<size_t> result;
  for (const Entry& entry : entries_) result.push_back(entry.id);
  return result;
}

}  // namespace gos
