#pragma once
// The NAS-Bench-201 tabular benchmark as a search space: the NAS-Bench-201
// cell space whose metrics are looked up in a Table instead of trained or
// measured. Answers test_accuracy / valid_accuracy on data sets, latency on
// each device column, and parameters and FLOPs (from the architecture).
//
// Budgets: every evaluation of a new genome is one benchmark query, so
// `[experiment] max_evaluations` (or the strategy's evaluation count) is the
// query budget; identical genomes asked again are answered from the run's
// cache and flagged `cached` in the results file. The shared data has no
// training times, so Metric::kTrainTime is offered only by tables that carry
// a train_time column.
#include <memory>
#include <vector>

#include "benchmarks/nb201/nb201_table.h"
#include "searchspaces/cell/cell_space.h"

namespace gos::nb201 {

class Nb201Space : public cell::CellSpace {
 public:
  // Throws gos::Error naming the first arch string of the table that is not a
  // NAS-Bench-201 cell, or that appears twice.
  Nb201Space(const Table& table, std::string encoding = "one_hot",
             cell::WorkloadFactory workload_factory = nullptr, cell::ModelFactory model_factory = nullptr);

  std::vector<MetricKey> metrics() const override;
  // Throws gos::Error listing what exists for a metric the table lacks (e.g.
  // an unknown device) and for a genome the table has no row for.
  double query(const Genome& genome, const MetricKey& key) const override;
  std::string describe() const override;

  // The NAS-Bench-201 index of a genome, or -1 when the table lacks it.
  int64_t index(const Genome& genome) const;
  size_t rows() const { return rows_; }

 private:
  // A column re-ordered by genome code, so a query is one array read.
  struct DenseColumn {
    MetricKey key;
    std::vector<double> by_code;
  };
  [[noreturn]] void unknown_metric(const MetricKey& key) const;
  std::vector<DenseColumn> columns_;
  std::vector<int32_t> index_by_code_;  // NAS-Bench-201 index, -1 when absent
  size_t rows_ = 0;
  std::string source_;
};

}  // namespace gos::nb201
