#pragma once
// Pareto dominance with constraints (Deb's constraint-domination), and an
// incremental archive of the non-dominated evaluations of a run.
#include <cstddef>
#include <span>
#include <vector>

namespace gos {

// True when `a` dominates `b` (minimisation): no worse in every objective and
// better in at least one.
bool dominates(std::span<const double> a, std::span<const double> b);

// Constraint-domination: a feasible point beats an infeasible one; of two
// infeasible points the smaller violation wins; two feasible points compare
// by Pareto dominance.
bool constraint_dominates(std::span<const double> a, double violation_a, std::span<const double> b,
                          double violation_b);

// The non-dominated set of every point offered so far, by constraint-
// domination. Equal objective vectors are all kept (they are distinct genomes).
class ParetoArchive {
 public:
  // Offers point `id`; returns true when it entered the archive.
  bool offer(size_t id, std::span<const double> objectives, double violation);
  // Ids in the archive, in the order they entered.
  std::vector<size_t> ids() const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    size_t id;
    std::vector<double> objectives;
    double violation;
  };
  std::vector<Entry> entries_;
};

}  // namespace gos
