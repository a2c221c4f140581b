#include "framework/evaluation.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "framework/error.h"

namespace gos {

std::vector<EvaluationRecord> evaluate_in_process(Experiment& experiment, const std::vector<const Genome*>& genomes,
                                                  std::vector<std::string> canonicals, int64_t generation,
                                                  double budget) {
  const size_t n = genomes.size();
  const size_t objectives = experiment.objectives.size();
  std::vector<EvaluationRecord> records(n);
  for (size_t j = 0; j < n; ++j) {
    records[j].genome = std::move(canonicals[j]);
    records[j].generation = generation;
    records[j].values.assign(objectives, std::nan(""));
    records[j].fidelity = budget;
  }
  auto fail = [&](size_t j, std::string error) {
    records[j].failed = true;
    records[j].error = std::move(error);
    records[j].values.assign(objectives, std::nan(""));
    records[j].violation = std::numeric_limits<double>::infinity();
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<size_t> alive(n);
  for (size_t j = 0; j < n; ++j) alive[j] = j;
  for (size_t i = 0; i < objectives && !alive.empty(); ++i) {
    std::vector<const Genome*> subset;
    for (size_t j : alive) subset.push_back(genomes[j]);
    std::vector<BatchValue> values;
    try {
      const std::optional<Fidelity> fidelity = experiment.objectives[i]->fidelity();
      const bool below_full = fidelity && !std::isnan(budget) && budget != fidelity->full;
      values = below_full ? experiment.objectives[i]->evaluate_all_at(subset, *experiment.space, budget)
                          : experiment.objectives[i]->evaluate_all(subset, *experiment.space);
      if (values.size() != subset.size())
        throw Error(fmt::format("objective '{}' returned {} values for {} genomes", experiment.roles[i].name,
                                values.size(), subset.size()));
    } catch (const DeviceLost&) {
      throw;  // not the candidates' failure: stop, to be resumed
    } catch (const std::exception& e) {
      for (size_t j : alive) fail(j, e.what());
      break;
    }
    std::vector<size_t> still_alive;
    for (size_t k = 0; k < alive.size(); ++k) {
      const size_t j = alive[k];
      if (!values[k].value) {
        fail(j, values[k].error);
      } else if (!std::isfinite(*values[k].value)) {
        fail(j, fmt::format("objective '{}' returned {}", experiment.roles[i].name, *values[k].value));
      } else {
        records[j].values[i] = *values[k].value;
        still_alive.push_back(j);
      }
    }
    alive = std::move(still_alive);
  }
  for (size_t j : alive) {
    records[j].violation = 0;
    for (size_t i = 0; i < experiment.roles.size(); ++i)
      records[j].violation += experiment.roles[i].violation(records[j].values[i]);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (EvaluationRecord& record : records) record.seconds = n ? seconds / static_cast<double>(n) : 0;
  return records;
}

}  // namespace gos
