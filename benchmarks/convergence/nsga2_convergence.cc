// GOS's NSGA-II on ZDT1-3 and DTLZ2: hypervolume of the population and of
// the archive of all evaluations at 2,000 / 5,000 / 25,000 evaluations, one
// line per (problem, budget, seed) in the format of convergence.h.
//   build/nsga2_convergence [--seeds 10] [--problem zdt1]
// benchmarks/pagmo_compare.sh runs it beside pagmo2's NSGA-II.
#include "benchmarks/convergence/convergence.h"
#include "plugins/strategies/nsga2/nsga2.h"

namespace gos::convergence {
namespace {

void run(const ProblemCase& c, unsigned seed) {
  testproblems::TestProblemConfig config;
  config.problem = c.problem;
  config.dimensions = c.dimensions;
  config.objectives = c.objectives;
  const testproblems::TestProblemSpace space(config);
  Nsga2Config nsga2_config;
  nsga2_config.population = static_cast<int64_t>(kPopulation);
  nsga2_config.generations = static_cast<int64_t>(kBudgets.back() / kPopulation);
  Nsga2 nsga2(nsga2_config);
  nsga2.start(StrategyContext{&space, space.default_mutator(), c.objectives}, Rng(seed));
  std::vector<double> archive;  // every evaluation's objectives (the volume ignores dominated ones)
  size_t next_budget = 0;
  for (auto batch = nsga2.ask(); !batch.empty(); batch = nsga2.ask()) {
    std::vector<EvaluatedGenome> told;
    for (GenomePtr& genome : batch) {
      const auto& x = dynamic_cast<const testproblems::RealVector&>(*genome).values;
      EvaluatedGenome item{genome, testproblems::evaluate(c.problem, x, c.objectives), 0, false};
      archive.insert(archive.end(), item.objectives.begin(), item.objectives.end());
      told.push_back(std::move(item));
    }
    nsga2.tell(told);
    if (next_budget < kBudgets.size() && archive.size() / c.objectives == kBudgets[next_budget]) {
      std::vector<double> population;
      for (const EvaluatedGenome& member : nsga2.population())
        population.insert(population.end(), member.objectives.begin(), member.objectives.end());
      print_row(c, kBudgets[next_budget++], seed, hypervolume_of(population, c.objectives),
                hypervolume_of(archive, c.objectives));
    }
  }
}

}  // namespace
}  // namespace gos::convergence

int main(int argc, char** argv) {
  using namespace gos::convergence;
  const Options options = parse_options(argc, argv,
                                        "usage: nsga2_convergence [--seeds N] [--problem zdt1|zdt2|zdt3|dtlz2]\n"
                                        "GOS NSGA-II (population 100, SBX eta 15 p 0.9, polynomial mutation eta 20 "
                                        "p 1/n): hypervolume at 2000/5000/25000 evaluations per seed\n");
  for (const ProblemCase& c : problems())
    if (options.problem.empty() || options.problem == c.name)
      for (unsigned seed = 0; seed < options.seeds; ++seed) run(c, seed);
}
