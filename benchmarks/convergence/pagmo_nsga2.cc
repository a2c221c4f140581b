// pagmo2's NSGA-II on the same problems (GOS's own objective functions, so
// both optimise exactly the same thing) with GOS's operator parameters:
// population 100, SBX eta 15 with probability 0.9, polynomial mutation eta
// 20 with probability 1/n per variable. Same output as nsga2_convergence.
// Built only when libpagmo-dev is installed; see benchmarks/pagmo_compare.sh.
#include <memory>
#include <pagmo/algorithm.hpp>
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>

#include "benchmarks/convergence/convergence.h"

namespace gos::convergence {
namespace {

// A pagmo problem that evaluates a GOS test problem and records every
// evaluation (the archive); pagmo copies problems, so the record is shared.
struct RecordingProblem {
  testproblems::Problem problem = testproblems::Problem::kZdt1;
  size_t dimensions = 30, objectives = 2;
  std::shared_ptr<std::vector<double>> evaluated = std::make_shared<std::vector<double>>();

  pagmo::vector_double fitness(const pagmo::vector_double& x) const {
    auto f = testproblems::evaluate(problem, x, objectives);
    evaluated->insert(evaluated->end(), f.begin(), f.end());
    return f;
  }
  std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    return {pagmo::vector_double(dimensions, 0.0), pagmo::vector_double(dimensions, 1.0)};
  }
  pagmo::vector_double::size_type get_nobj() const { return objectives; }
};

void run(const ProblemCase& c, unsigned seed) {
  RecordingProblem udp{c.problem, c.dimensions, c.objectives};
  const auto record = udp.evaluated;
  pagmo::population population{pagmo::problem{udp}, kPopulation, seed};
  // One generation per evolve() call; the algorithm keeps its random engine between calls.
  pagmo::algorithm algorithm{pagmo::nsga2(1u, 0.9, 15.0, 1.0 / static_cast<double>(c.dimensions), 20.0, seed)};
  for (size_t budget : kBudgets) {
    while (record->size() / c.objectives < budget) population = algorithm.evolve(population);
    std::vector<double> values;
    for (const auto& f : population.get_f()) values.insert(values.end(), f.begin(), f.end());
    print_row(c, budget, seed, hypervolume_of(values, c.objectives), hypervolume_of(*record, c.objectives));
  }
}

}  // namespace
}  // namespace gos::convergence

int main(int argc, char** argv) {
  using namespace gos::convergence;
  const Options options = parse_options(argc, argv,
                                        "usage: pagmo_nsga2 [--seeds N] [--problem zdt1|zdt2|zdt3|dtlz2]\n"
                                        "pagmo2 NSGA-II with GOS's operator parameters: hypervolume at "
                                        "2000/5000/25000 evaluations per seed\n");
  for (const ProblemCase& c : problems())
    if (options.problem.empty() || options.problem == c.name)
      for (unsigned seed = 0; seed < options.seeds; ++seed) run(c, seed);
}
