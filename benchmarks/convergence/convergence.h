#pragma once
// Shared by the two convergence drivers (GOS's NSGA-II and pagmo2's): the
// problems, budgets and reference points of the comparison, and its output.
// Each driver prints one line per (problem, budget, seed):
//   <problem> <budget> <seed> <population hypervolume> <archive hypervolume>
// where "population" is the strategy's population after the last generation
// within the budget and "archive" the non-dominated set of every evaluation
// so far. benchmarks/pagmo_compare.sh joins the two outputs.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "framework/moo/indicators.h"
#include "searchspaces/testproblems/test_problems.h"

namespace gos::convergence {

struct ProblemCase {
  const char* name;
  testproblems::Problem problem;
  size_t dimensions, objectives;
};

inline const std::vector<ProblemCase>& problems() {
  static const std::vector<ProblemCase> cases = {{"zdt1", testproblems::Problem::kZdt1, 30, 2},
                                                 {"zdt2", testproblems::Problem::kZdt2, 30, 2},
                                                 {"zdt3", testproblems::Problem::kZdt3, 30, 2},
                                                 {"dtlz2", testproblems::Problem::kDtlz2, 12, 3}};
  return cases;
}

// Evaluations at which hypervolume is reported; the population is 100, so
// these are 20, 50 and 250 generations (the random initial one included).
inline const std::vector<size_t> kBudgets = {2000, 5000, 25000};
constexpr size_t kPopulation = 100;

// 1.1 in every objective, as in the and the docs' ZDT1 figures;
// ZDT3's f2 goes down to -0.77, but 1.1 bounds it from above all the same.
inline double hypervolume_of(const std::vector<double>& values, size_t objectives) {
  return moo::hypervolume(moo::Points{values, objectives}, std::vector<double>(objectives, 1.1));
}

inline void print_row(const ProblemCase& c, size_t budget, unsigned seed, double population, double archive) {
  std::printf("%s %zu %u %.6f %.6f\n", c.name, budget, seed, population, archive);
  std::fflush(stdout);
}

// "--seeds N" (default 10) and "--problem NAME" (default all).
struct Options {
  unsigned seeds = 10;
  std::string problem;
};
inline Options parse_options(int argc, char** argv, const char* usage) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("%s", usage);
      std::exit(0);
    } else if (arg == "--seeds" && i + 1 < argc) {
      options.seeds = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--problem" && i + 1 < argc) {
      options.problem = argv[++i];
    } else {
      std::fprintf(stderr, "error: unknown argument '%s'\n%s", arg.c_str(), usage);
      std::exit(2);
    }
  }
  if (options.seeds == 0) {
    std::fprintf(stderr, "error: --seeds must be at least 1\n");
    std::exit(2);
  }
  return options;
}

}  // namespace gos::convergence
