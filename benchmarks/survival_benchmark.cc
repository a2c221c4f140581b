// Google Benchmark suite for NSGA-II's survival step and generation loop.
//   build/survival_benchmark
//   benchmarks/deap_compare.sh   (this suite beside DEAP, with the ratio)
// Populations are uniform random points, the same distribution the DEAP
// script uses, so most of them are spread over many fronts.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "framework/moo/bitset_sort.h"
#include "framework/moo/divide_and_conquer_sort.h"
#include "framework/moo/indicators.h"
#include "plugins/strategies/nsga2/nsga2.h"
#include "plugins/strategies/operators/operators.h"
#include "plugins/strategies/operators/strategy_driver.h"

namespace {

std::vector<double> random_points(size_t n, size_t m) {
  gos::Rng rng(n * 31 + m);
  std::vector<double> values(n * m);
  for (double& v : values) v = rng.uniform01();
  return values;
}

void SurvivalArguments(benchmark::internal::Benchmark* b) {
  for (int64_t n : {200, 1000, 5000, 20000})
    for (int64_t m : {2, 3, 4, 5, 6, 8}) b->Args({n, m});
  b->ArgNames({"N", "M"})->Unit(benchmark::kMillisecond);
}

// Non-dominated sorting alone, M = 2..8 (ENS with staircases up to M = 3,
// bitset ranking beyond).
void BM_NondominatedSort(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0)), m = static_cast<size_t>(state.range(1));
  const auto values = random_points(n, m);
  for (auto _ : state) benchmark::DoNotOptimize(gos::moo::nondominated_sort(gos::moo::Points{values, m}));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_NondominatedSort)
    ->ArgsProduct({{1000, 5000, 20000}, {2, 3, 4, 5, 6, 7, 8}})
    ->ArgNames({"N", "M"})
    ->Unit(benchmark::kMillisecond);

// The two many-objective rankings alone, on the same points: the bitset
// ranking nondominated_sort() uses for M >= 4 and the divide and conquer it
// falls back to beyond the bitsets' memory budget (N = 100000 shows where
// the quadratic bitsets stand against the O(N log^(M-1) N) recursion).
std::vector<size_t> all_members(size_t n) {
  std::vector<size_t> members(n);
  for (size_t i = 0; i < n; ++i) members[i] = i;
  return members;
}

void BM_BitsetRanks(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0)), m = static_cast<size_t>(state.range(1));
  const auto values = random_points(n, m);
  const auto members = all_members(n);
  // Without the point cap, to show where it should sit; the memory budgets stay.
  const gos::moo::BitsetRankingOptions uncapped{.max_points = n};
  for (auto _ : state) benchmark::DoNotOptimize(gos::moo::bitset_ranks(gos::moo::Points{values, m}, members, uncapped));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
void BM_DivideAndConquerRanks(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0)), m = static_cast<size_t>(state.range(1));
  const auto values = random_points(n, m);
  const auto members = all_members(n);
  for (auto _ : state)
    benchmark::DoNotOptimize(gos::moo::divide_and_conquer_ranks(gos::moo::Points{values, m}, members));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
void ManyObjectiveArguments(benchmark::internal::Benchmark* b) {
  for (int64_t n : {5000, 20000})
    for (int64_t m : {4, 5, 8}) b->Args({n, m});
  b->Args({100000, 5})->Args({200000, 5})->ArgNames({"N", "M"})->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_BitsetRanks)->Apply(ManyObjectiveArguments);
BENCHMARK(BM_DivideAndConquerRanks)->Apply(ManyObjectiveArguments);

// Full ranking: non-dominated sort of all N points plus crowding distance in
// every front, the work DEAP's sortNondominated + assignCrowdingDist do.
void BM_RankAndCrowd(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0)), m = static_cast<size_t>(state.range(1));
  const auto values = random_points(n, m);
  for (auto _ : state) benchmark::DoNotOptimize(gos::operators::rank_and_crowd(gos::moo::Points{values, m}, {}));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_RankAndCrowd)->Apply(SurvivalArguments);

// NSGA-II survival: keep N/2 of N (parents + offspring), crowding only in
// the front that overflows.
void BM_Survival(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0)), m = static_cast<size_t>(state.range(1));
  const auto values = random_points(n, m);
  for (auto _ : state)
    benchmark::DoNotOptimize(gos::operators::rank_crowding_survival(gos::moo::Points{values, m}, {}, n / 2));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Survival)->Apply(SurvivalArguments);

// The whole NSGA-II loop on ZDT1 (30 variables), whose evaluation costs
// about a microsecond, so the figure is the strategy's own overhead:
// sampling, ranking, tournaments, SBX, mutation and survival per generation.
void BM_Nsga2GenerationLoop(benchmark::State& state) {
  const auto population = state.range(0);
  gos::testproblems::TestProblemConfig config;
  const gos::testproblems::TestProblemSpace space(config);
  const int64_t generations = 50;
  for (auto _ : state) {
    gos::Nsga2 nsga2({.population = population, .generations = generations, .variation = {}, .selection = {}});
    benchmark::DoNotOptimize(gos::testing::drive(nsga2, space, gos::Rng(1)).batches);
  }
  // CPU seconds per generation (an inverted rate of generations).
  state.counters["per_generation"] = benchmark::Counter(
      static_cast<double>(generations), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(state.iterations() * generations * population);
}
BENCHMARK(BM_Nsga2GenerationLoop)->Arg(100)->Arg(1000)->ArgName("population")->Unit(benchmark::kMillisecond);

// Exact hypervolume, which the runner computes after every generation.
void BM_Hypervolume(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0)), m = static_cast<size_t>(state.range(1));
  const auto values = random_points(n, m);
  const std::vector<double> reference(m, 1.1);
  for (auto _ : state) benchmark::DoNotOptimize(gos::moo::hypervolume(gos::moo::Points{values, m}, reference));
}
BENCHMARK(BM_Hypervolume)
    ->Args({1000, 2})
    ->Args({1000, 3})
    ->Args({5000, 3})
    ->Args({100, 4})
    ->Args({1000, 4})
    ->ArgNames({"N", "M"})
    ->Unit(benchmark::kMillisecond);

// Points of the positive unit sphere: all mutually non-dominated, the worst
// case for the exact 4-objective slices and for the estimate's front scan.
std::vector<double> sphere_points(size_t n, size_t m) {
  gos::Rng rng(n * 17 + m);
  std::vector<double> values;
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> p(m);
    double norm = 0;
    for (double& v : p) {
      v = std::abs(rng.normal());
      norm += v * v;
    }
    for (double v : p) values.push_back(v / std::sqrt(norm));
  }
  return values;
}

void BM_HypervolumeFront(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0)), m = static_cast<size_t>(state.range(1));
  const auto values = sphere_points(n, m);
  const std::vector<double> reference(m, 1.1);
  for (auto _ : state) benchmark::DoNotOptimize(gos::moo::hypervolume(gos::moo::Points{values, m}, reference));
}
BENCHMARK(BM_HypervolumeFront)
    ->ArgsProduct({{100, 300, 1000}, {3, 4}})
    ->ArgNames({"N", "M"})
    ->Unit(benchmark::kMillisecond);

// Monte-Carlo estimate, 10^5 samples.
void BM_HypervolumeEstimate(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0)), m = static_cast<size_t>(state.range(1));
  const auto values = sphere_points(n, m);
  const std::vector<double> reference(m, 1.1);
  for (auto _ : state) {
    gos::Rng rng(1);
    benchmark::DoNotOptimize(gos::moo::estimate_hypervolume(gos::moo::Points{values, m}, reference, 100000, rng));
  }
}
BENCHMARK(BM_HypervolumeEstimate)
    ->ArgsProduct({{100, 1000}, {5, 8}})
    ->ArgNames({"N", "M"})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
