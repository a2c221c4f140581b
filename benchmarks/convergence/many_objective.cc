// NSGA-II against NSGA-III on DTLZ2 with 3, 4 and 5 objectives (k = 10
// distance variables, population 100 for both; NSGA-III's reference
// directions are the Das-Dennis lattice that fits 100: 91, 84 and 70): at
// 5,000 / 10,000 / 25,000 evaluations, the final population's hypervolume
// (reference 1.1 in every objective; exact for M <= 4, a Monte-Carlo estimate
// of 200,000 samples with the same random numbers for both strategies at
// M = 5) and IGD+ to the true front (the positive unit sphere, sampled at
// Das-Dennis directions). One line per (strategy, M, budget, seed):
//   <strategy> <M> <budget> <seed> <hypervolume> <igd+>
// and a table of means and standard deviations over seeds at the end.
//   build/many_objective_convergence [--seeds 10]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "framework/moo/indicators.h"
#include "plugins/strategies/nsga2/nsga2.h"
#include "plugins/strategies/nsga3/nsga3.h"
#include "plugins/strategies/nsga3/reference_directions.h"
#include "searchspaces/testproblems/test_problems.h"

namespace gos {
namespace {

constexpr size_t kPopulation = 100;
const std::vector<size_t> kBudgets = {5000, 10000, 25000};

std::vector<double> sphere_front(size_t objectives) {
  std::vector<double> front = nsga3::das_dennis(objectives, objectives <= 3 ? 20 : objectives == 4 ? 12 : 8);
  for (size_t k = 0; k < front.size() / objectives; ++k) {
    double squared = 0;
    for (size_t j = 0; j < objectives; ++j) squared += front[k * objectives + j] * front[k * objectives + j];
    for (size_t j = 0; j < objectives; ++j) front[k * objectives + j] /= std::sqrt(squared);
  }
  return front;
}

double hypervolume_of(const std::vector<double>& values, size_t objectives) {
  const std::vector<double> reference(objectives, 1.1);
  if (objectives <= 4) return moo::hypervolume(moo::Points{values, objectives}, reference);
  Rng common(12345);  // the same samples for every run: differences are not sampling noise
  return moo::estimate_hypervolume(moo::Points{values, objectives}, reference, 200000, common).value;
}

template <typename Strategy>
void run(const char* name, Strategy& strategy, size_t objectives, unsigned seed,
         std::map<std::tuple<std::string, size_t, size_t>, std::vector<std::pair<double, double>>>& table) {
  testproblems::TestProblemConfig config;
  config.problem = testproblems::Problem::kDtlz2;
  config.objectives = objectives;
  config.dimensions = objectives + 9;
  const testproblems::TestProblemSpace space(config);
  const std::vector<double> front = sphere_front(objectives);
  strategy.start(StrategyContext{&space, space.default_mutator(), objectives}, Rng(seed));
  size_t evaluations = 0, next = 0;
  for (auto batch = strategy.ask(); !batch.empty(); batch = strategy.ask()) {
    std::vector<EvaluatedGenome> told;
    for (GenomePtr& genome : batch) {
      const auto& x = dynamic_cast<const testproblems::RealVector&>(*genome).values;
      told.push_back({genome, testproblems::evaluate(config.problem, x, objectives), 0, false});
    }
    strategy.tell(told);
    evaluations += told.size();
    if (next < kBudgets.size() && evaluations == kBudgets[next]) {
      std::vector<double> population;
      for (const EvaluatedGenome& member : strategy.population())
        population.insert(population.end(), member.objectives.begin(), member.objectives.end());
      const double hv = hypervolume_of(population, objectives);
      const double igd_plus = moo::igd_plus(moo::Points{population, objectives}, moo::Points{front, objectives});
      std::printf("%s %zu %zu %u %.6f %.6f\n", name, objectives, kBudgets[next], seed, hv, igd_plus);
      std::fflush(stdout);
      table[{name, objectives, kBudgets[next]}].push_back({hv, igd_plus});
      ++next;
    }
  }
}

std::pair<double, double> mean_sd(const std::vector<double>& x) {
  double mean = 0, squares = 0;
  for (double v : x) mean += v / static_cast<double>(x.size());
  for (double v : x) squares += (v - mean) * (v - mean);
  return {mean, x.size() > 1 ? std::sqrt(squares / static_cast<double>(x.size() - 1)) : 0.0};
}

}  // namespace
}  // namespace gos

int main(int argc, char** argv) {
  using namespace gos;
  unsigned seeds = 10;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seeds" && i + 1 < argc) {
      seeds = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      std::printf("usage: many_objective_convergence [--seeds N]   (default 10)\n"
                  "NSGA-II vs NSGA-III on DTLZ2, M = 3, 4, 5: hypervolume and IGD+ at 5000/10000/25000 "
                  "evaluations\n");
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  if (seeds == 0) {
    std::fprintf(stderr, "error: --seeds must be at least 1\n");
    return 2;
  }
  std::map<std::tuple<std::string, size_t, size_t>, std::vector<std::pair<double, double>>> table;
  const auto generations = static_cast<int64_t>(kBudgets.back() / kPopulation);
  for (size_t objectives : {3u, 4u, 5u})
    for (unsigned seed = 0; seed < seeds; ++seed) {
      Nsga2Config two;
      two.population = static_cast<int64_t>(kPopulation);
      two.generations = generations;
      Nsga2 nsga2(two);
      run("nsga2", nsga2, objectives, seed, table);
      Nsga3Config three;
      three.population = static_cast<int64_t>(kPopulation);
      three.generations = generations;
      Nsga3 nsga3(three);
      run("nsga3", nsga3, objectives, seed, table);
    }
  std::printf("\n| M | evaluations | NSGA-II hypervolume | NSGA-III hypervolume | NSGA-II IGD+ | NSGA-III IGD+ |\n"
              "|---|---:|---:|---:|---:|---:|\n");
  for (size_t objectives : {3u, 4u, 5u})
    for (size_t budget : kBudgets) {
      std::vector<double> hv[2], igd[2];
      for (int s = 0; s < 2; ++s)
        for (const auto& [h, g] : table[{s == 0 ? "nsga2" : "nsga3", objectives, budget}]) {
          hv[s].push_back(h);
          igd[s].push_back(g);
        }
      const auto h2 = mean_sd(hv[0]), h3 = mean_sd(hv[1]), g2 = mean_sd(igd[0]), g3 = mean_sd(igd[1]);
      std::printf("| %zu | %zu | %.4f ± %.4f | %.4f ± %.4f | %.4f ± %.4f | %.4f ± %.4f |\n", objectives, budget,
                  h2.first, h2.second, h3.first, h3.second, g2.first, g2.second, g3.first, g3.second);
    }
}
