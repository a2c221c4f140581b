#include "framework/runner.h"

#include "framework/build_info.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "framework/equivalence_cache.h"
#include "framework/error.h"
#include "framework/evaluation.h"
#include "framework/moo/indicators.h"
#include "framework/pareto.h"
#include "framework/progress.h"

#ifndef GOS_GIT_COMMIT
#define GOS_GIT_COMMIT "unknown"
#endif

namespace gos {

std::string gos_version() { return GOS_VERSION; }
std::string gos_git_commit() { return GOS_GIT_COMMIT; }

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

namespace {

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

// The first line where two TOML texts differ, for resume mismatch messages.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  int line = 0;
  while (true) {
    const bool has_a = static_cast<bool>(std::getline(sa, la));
    const bool has_b = static_cast<bool>(std::getline(sb, lb));
    ++line;
    if (!has_a && !has_b) return "(texts differ only in the output path)";
    if (!has_a || !has_b || la != lb)
      return fmt::format("resolved line {}: file has '{}', experiment has '{}'", line, has_a ? la : "",
                         has_b ? lb : "");
  }
}

// The budget the experiment's objectives honour: the one fidelity its
// objectives declare (all that declare one must agree), or none.
std::optional<Fidelity> experiment_fidelity(const Experiment& experiment) {
  std::optional<Fidelity> fidelity;
  std::string first;
  for (size_t i = 0; i < experiment.objectives.size(); ++i) {
    std::optional<Fidelity> declared = experiment.objectives[i]->fidelity();
    if (!declared) continue;
    if (fidelity && !(*declared == *fidelity))
      throw Error(fmt::format("objectives '{}' and '{}' declare different fidelities ({} and {}); a multi-fidelity "
                              "run needs one budget that every such objective honours",
                              first, experiment.roles[i].name, fidelity->describe(), declared->describe()));
    if (!fidelity) first = experiment.roles[i].name;
    fidelity = std::move(declared);
  }
  return fidelity;
}

// The budget of each genome of a batch: the strategy's budgets() checked
// against the experiment's fidelity, NaN where the experiment has none.
std::vector<double> batch_budgets(const Strategy& strategy, const std::optional<Fidelity>& fidelity, size_t asked,
                                  size_t kept) {
  std::vector<double> budgets = strategy.budgets();
  if (budgets.empty()) return std::vector<double>(kept, fidelity ? fidelity->full : std::nan(""));
  if (!fidelity)
    throw Error("the strategy asks for evaluations at budgets below full fidelity, but no objective of the "
                "experiment declares a fidelity it honours (e.g. training epochs)");
  if (budgets.size() != asked)
    throw Error(fmt::format("the strategy gave {} budgets for a batch of {} genomes", budgets.size(), asked));
  for (double budget : budgets)
    if (!fidelity->honours(budget))
      throw Error(fmt::format("the strategy asks for budget {}, which the objectives do not honour ({})", budget,
                              fidelity->describe()));
  budgets.resize(kept);
  return budgets;
}

// What the cache and the replay check tell evaluations apart by: the genome,
// and the budget when below full fidelity.
std::string evaluation_key(const std::string& canonical, double budget, const std::optional<Fidelity>& fidelity) {
  if (!fidelity || budget == fidelity->full) return canonical;
  return fmt::format("{}@{}={}", canonical, fidelity->key, budget);
}

class Evaluator {
 public:
  Evaluator(Experiment& experiment, EvaluationBackend* backend) : experiment_(experiment), backend_(backend) {}

  // Evaluates a generation's new genomes, those of one budget at a time
  // (NaN or the full budget: plain evaluations). Plain ones go through the
  // run's backend when it has one (the MPI ranks); evaluations below full
  // fidelity stay in this process.
  std::vector<EvaluationRecord> evaluate_all(const std::vector<const Genome*>& genomes,
                                             std::vector<std::string> canonicals, int64_t generation,
                                             const std::vector<double>& budgets,
                                             const std::optional<Fidelity>& fidelity) {
    std::vector<EvaluationRecord> records(genomes.size());
    std::vector<bool> done(genomes.size(), false);
    for (size_t first = 0; first < genomes.size(); ++first) {
      if (done[first]) continue;
      const double budget = budgets[first];
      std::vector<size_t> group;
      for (size_t j = first; j < genomes.size(); ++j)
        if (!done[j] && (budgets[j] == budget || (std::isnan(budget) && std::isnan(budgets[j])))) {
          group.push_back(j);
          done[j] = true;
        }
      std::vector<const Genome*> subset;
      std::vector<std::string> subset_canonicals;
      for (size_t j : group) {
        subset.push_back(genomes[j]);
        subset_canonicals.push_back(std::move(canonicals[j]));
      }
      const bool plain = !fidelity || std::isnan(budget) || budget == fidelity->full;
      std::vector<EvaluationRecord> evaluated =
          backend_ && plain ? backend_->evaluate_all(subset, std::move(subset_canonicals), generation)
                            : evaluate_in_process(experiment_, subset, std::move(subset_canonicals), generation, budget);
      for (size_t k = 0; k < group.size(); ++k) {
        records[group[k]] = std::move(evaluated[k]);
        records[group[k]].fidelity = budget;
      }
    }
    return records;
  }

  // The strategy's view: optimised objectives in minimisation form.
  EvaluatedGenome view(GenomePtr genome, const EvaluationRecord& record) const {
    EvaluatedGenome evaluated{std::move(genome), {}, record.violation, record.failed};
    for (size_t i = 0; i < experiment_.roles.size(); ++i) {
      if (!experiment_.roles[i].optimize) continue;
      evaluated.objectives.push_back(record.failed ? std::numeric_limits<double>::infinity()
                                                   : experiment_.roles[i].minimized(record.values[i]));
    }
    return evaluated;
  }

 private:
  Experiment& experiment_;
  EvaluationBackend* backend_;
};

// The [indicators] of the experiment, computed on the feasible members of the
// run's Pareto archive (objectives in minimisation form).
class IndicatorRecorder {
 public:
  IndicatorRecorder(const ExperimentConfig& experiment, const SearchSpace& space, size_t optimized)
      : config_(experiment.indicators), true_front_(known_front_for_igd(experiment, space, optimized)) {}

  std::vector<std::pair<std::string, double>> measure(const std::vector<double>& feasible_front,
                                                      size_t optimized) const {
    std::vector<std::pair<std::string, double>> values;
    const moo::Points front{feasible_front, optimized};
    if (!config_.reference_point.empty())
      values.emplace_back("hypervolume", moo::hypervolume(front, config_.reference_point));
    if (!true_front_.empty()) {
      const moo::Points true_front{true_front_, optimized};
      values.emplace_back("igd", front.size() ? moo::igd(front, true_front) : std::nan(""));
      values.emplace_back("igd_plus", front.size() ? moo::igd_plus(front, true_front) : std::nan(""));
    }
    return values;
  }

 private:
  IndicatorConfig config_;
  std::vector<double> true_front_;
};

}  // namespace

RunSummary run_experiment(Experiment& experiment, const RunOptions& options) {
  const ExperimentConfig& config = experiment.config;
  const std::filesystem::path output = config.output;
  RunSummary summary;
  summary.output = output;

  size_t optimized = 0;
  for (const ObjectiveRole& role : experiment.roles) optimized += role.optimize ? 1 : 0;
  // Before any file is touched, so that an impossible [indicators] leaves no failed run behind.
  const IndicatorRecorder indicators(config, *experiment.space, optimized);
  const std::optional<Fidelity> fidelity = experiment_fidelity(experiment);
  auto same_budget = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };

  std::vector<EvaluationRecord> replay;
  size_t replay_generations = 0;
  double elapsed_before = 0;
  std::optional<ResultsWriter> writer;
  if (options.resume) {
    if (!std::filesystem::exists(output))
      throw Error(fmt::format("--resume: results file '{}' does not exist; start the run without --resume",
                              output.string()));
    RunResults prior = read_results(output);
    if (prior.metadata.fingerprint != config.fingerprint)
      throw Error(fmt::format(
          "--resume: results file '{}' was written by another experiment ('{}', fingerprint {}; this one is '{}', "
          "fingerprint {}); first difference: {}",
          output.string(), prior.metadata.experiment_name, prior.metadata.fingerprint, config.name,
          config.fingerprint, first_difference(prior.metadata.config_toml, config.resolved_toml)));
    if (prior.metadata.status == "completed") {
      summary.already_complete = true;
      summary.evaluations = prior.evaluations.size();
      summary.generations = prior.generations.size();
      summary.front_size = prior.front.size();
      if (!prior.generations.empty()) summary.indicators = prior.generations.back().indicators;
      return summary;
    }
    replay_generations = prior.generations.size();
    const size_t keep = replay_generations ? static_cast<size_t>(prior.generations.back().evaluations) : 0;
    if (keep > prior.evaluations.size())
      throw Error(fmt::format("--resume: results file '{}' lists {} evaluations in its generations but holds {}",
                              output.string(), keep, prior.evaluations.size()));
    replay.assign(prior.evaluations.begin(), prior.evaluations.begin() + static_cast<std::ptrdiff_t>(keep));
    if (replay_generations) elapsed_before = prior.generations.back().elapsed_seconds;
    writer = ResultsWriter::resume(output, keep, replay_generations);
  } else {
    if (std::filesystem::exists(output) && !options.overwrite)
      throw Error(fmt::format("results file '{}' already exists; pass --resume to continue that run or "
                              "--overwrite to replace it",
                              output.string()));
    if (output.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(output.parent_path(), ec);
      if (ec)
        throw Error(fmt::format("cannot create directory '{}' for results: {}", output.parent_path().string(),
                                ec.message()));
    }
    RunMetadata metadata;
    metadata.experiment_name = config.name;
    metadata.fingerprint = config.fingerprint;
    metadata.config_toml = config.resolved_toml;
    metadata.seed = config.seed;
    metadata.gos_version = gos_version();
    metadata.git_commit = gos_git_commit();
    metadata.host = host_name();
    metadata.start_time = utc_now_iso8601();
    metadata.status = "running";
    metadata.extra = options.attributes;
    for (size_t i = 0; i < experiment.objectives.size(); ++i)
      for (const auto& [key, value] : experiment.objectives[i]->provenance())
        metadata.extra["objective." + experiment.roles[i].name + "." + key] = value;
    std::vector<ObjectiveInfo> objectives;
    for (const ObjectiveRole& role : experiment.roles)
      objectives.push_back({role.name, to_string(role.direction), role.optimize, role.max.value_or(std::nan("")),
                            role.min.value_or(std::nan(""))});
    writer = ResultsWriter::create(output, metadata, objectives);
  }

  const auto session_start = std::chrono::steady_clock::now();
  Evaluator evaluator(experiment, options.evaluation);
  ProgressLine progress;
  const Rng master(config.seed);
  try {
    std::vector<std::vector<double>> minimized;  // per evaluation, as told to the strategy
    experiment.strategy->start(StrategyContext{experiment.space.get(), experiment.mutator, optimized, fidelity},
                               master.fork("strategy"));
    ParetoArchive archive;
    std::unordered_map<std::string, size_t> first_index;  // evaluation_key -> evaluation index
    EquivalenceCache equivalents;                          // SearchSpace::equivalence_key -> evaluation index
    // An earlier evaluation the space calls equivalent to `genome`. A key
    // that cannot be computed only means no reuse.
    auto equivalent = [&](const Genome& genome, size_t index) -> std::optional<size_t> {
      try {
        auto key = experiment.space->equivalence_key(genome);
        return key ? equivalents.find_or_add(index, std::move(*key)) : std::nullopt;
      } catch (const std::exception& e) {
        if (options.progress)
          std::cerr << fmt::format("warning: no equivalence key for evaluation {}: {}\n", index, e.what());
        return std::nullopt;
      }
    };
    std::unordered_set<std::string> in_archive_offers;    // canonical genomes offered to the archive
    std::vector<EvaluationRecord> all;
    for (int64_t generation = 0;; ++generation) {
      if (config.max_evaluations && all.size() >= static_cast<size_t>(*config.max_evaluations)) break;
      std::vector<GenomePtr> batch = experiment.strategy->ask();
      if (batch.empty()) break;
      const size_t asked = batch.size();
      if (config.max_evaluations)
        batch.resize(std::min(batch.size(), static_cast<size_t>(*config.max_evaluations) - all.size()));
      const std::vector<double> budgets = batch_budgets(*experiment.strategy, fidelity, asked, batch.size());
      const bool replayed = static_cast<size_t>(generation) < replay_generations;
      std::vector<EvaluatedGenome> told;
      size_t failed_now = 0;
      // First the records that need no evaluation (replayed, cached), then
      // the new genomes all at once, then everything in order.
      std::vector<EvaluationRecord> records(batch.size());
      std::vector<std::optional<size_t>> copy_of(batch.size());  // a repeat of a new genome of this generation
      std::vector<std::string> copy_genome(batch.size());         // ... and its own canonical form
      std::unordered_map<std::string, size_t> new_here;          // evaluation_key -> position in the batch
      std::vector<size_t> fresh;
      std::vector<const Genome*> fresh_genomes;
      std::vector<std::string> fresh_canonicals;
      std::vector<double> fresh_budgets;
      for (size_t j = 0; j < batch.size(); ++j) {
        std::string canonical = experiment.space->serialize(*batch[j]);
        const std::string key = evaluation_key(canonical, budgets[j], fidelity);
        // Equivalence keys promise equal values at full fidelity only.
        const bool full = key == canonical;
        const size_t index = all.size() + j;
        if (index < replay.size()) {
          records[j] = replay[index];
          if (records[j].genome != canonical || !same_budget(records[j].fidelity, budgets[j]))
            throw Error(fmt::format("--resume: evaluation {} differs from the recorded one (recorded '{}' at budget "
                                    "{}, replayed '{}' at budget {}); the strategy or search space plugin must have "
                                    "changed since the file was written",
                                    index, records[j].genome, records[j].fidelity, canonical, budgets[j]));
          // The same equivalence lookups as the recorded run made, so later ones match it.
          if (config.cache && full && !first_index.contains(key) && !new_here.contains(key))
            equivalent(*batch[j], index);
          new_here.emplace(key, j);
        } else if (auto it = first_index.find(key); config.cache && it != first_index.end()) {
          records[j] = all[it->second];
          records[j].generation = generation;
          records[j].cached = true;
          records[j].seconds = 0;
        } else if (auto here = new_here.find(key); config.cache && here != new_here.end()) {
          copy_of[j] = here->second;  // an earlier position: copied (in order) after the evaluation
          copy_genome[j] = std::move(canonical);
        } else if (const auto earlier = config.cache && full ? equivalent(*batch[j], index) : std::nullopt) {
          // Equivalent to an earlier evaluation, or to a new genome of this
          // generation. A later repeat of this very genome is a plain repeat.
          new_here.emplace(key, j);
          if (*earlier < all.size()) {
            records[j] = all[*earlier];
            records[j].genome = std::move(canonical);
            records[j].generation = generation;
            records[j].cached = true;
            records[j].seconds = 0;
          } else {
            copy_of[j] = *earlier - all.size();
            copy_genome[j] = std::move(canonical);
          }
        } else {
          new_here.emplace(key, j);
          fresh.push_back(j);
          fresh_genomes.push_back(batch[j].get());
          fresh_canonicals.push_back(std::move(canonical));
          fresh_budgets.push_back(budgets[j]);
        }
      }
      if (!fresh.empty()) {
        std::vector<EvaluationRecord> evaluated =
            evaluator.evaluate_all(fresh_genomes, std::move(fresh_canonicals), generation, fresh_budgets, fidelity);
        for (size_t k = 0; k < fresh.size(); ++k) records[fresh[k]] = std::move(evaluated[k]);
      }
      for (size_t j = 0; j < batch.size(); ++j) {
        if (!copy_of[j]) continue;
        records[j] = records[*copy_of[j]];
        records[j].genome = std::move(copy_genome[j]);
        records[j].cached = true;
        records[j].seconds = 0;
      }
      for (size_t j = 0; j < batch.size(); ++j) {
        const EvaluationRecord& record = records[j];
        const size_t index = all.size();
        const std::string key = evaluation_key(record.genome, budgets[j], fidelity);
        first_index.emplace(key, index);
        if (record.failed) {
          ++failed_now;
          if (!replayed && options.progress)
            progress.note(fmt::format("warning: evaluation {} failed: {}", index, record.error));
        }
        told.push_back(evaluator.view(batch[j], record));
        minimized.push_back(told.back().objectives);
        // The front lists each canonical genome once, with its first successful
        // evaluation at full fidelity; a repeat (cached, or measured again with
        // cache = false) is recorded as an evaluation but not offered to the
        // archive again, and a low-fidelity value never is.
        if (!record.failed && key == record.genome && in_archive_offers.insert(record.genome).second)
          archive.offer(index, told.back().objectives, record.violation);
        all.push_back(record);
      }
      experiment.strategy->tell(told);
      summary.failed += failed_now;

      GenerationRecord row;
      row.generation = generation;
      row.evaluations = static_cast<int64_t>(all.size());
      row.front_size = static_cast<int64_t>(archive.size());
      std::vector<double> feasible_front;
      for (size_t id : archive.ids())
        if (all[id].violation <= 0)
          feasible_front.insert(feasible_front.end(), minimized[id].begin(), minimized[id].end());
      row.indicators = indicators.measure(feasible_front, optimized);
      summary.indicators = row.indicators;
      row.elapsed_seconds =
          elapsed_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
      if (replayed) {
        ++summary.replayed_generations;
      } else {
        std::vector<int64_t> front;
        std::vector<double> front_values;
        for (size_t id : archive.ids()) {
          front.push_back(static_cast<int64_t>(id));
          front_values.insert(front_values.end(), all[id].values.begin(), all[id].values.end());
        }
        writer->append(records, row, front, front_values);
        if (options.progress)
          progress.step(fmt::format("[{}] generation {:>4}  evaluations {:>7}  front {:>5}  failed {:>3}  {:>8.1f}s",
                                    config.name, generation, all.size(), archive.size(), failed_now,
                                    row.elapsed_seconds));
      }
      if (options.on_generation) options.on_generation(row);
      ++summary.generations;
    }
    summary.evaluations = all.size();
    summary.front_size = archive.size();
    summary.equivalent_hits = equivalents.hits();
    summary.equivalence_seconds = equivalents.exact_seconds();
    if (options.progress && equivalents.exact_keys() > 0)
      std::cerr << fmt::format("[{}] equivalence cache: {} of {} evaluations reused from equivalent genomes; {} exact "
                               "keys took {:.2f}s\n",
                               config.name, equivalents.hits(), all.size(), equivalents.exact_keys(),
                               equivalents.exact_seconds());
    if (summary.replayed_generations < replay_generations)
      throw Error(fmt::format("--resume: the strategy finished after {} generations but the file records {}",
                              summary.replayed_generations, replay_generations));
  } catch (...) {
    try {
      writer->finish("failed", utc_now_iso8601());
    } catch (const std::exception&) {
      // The original error matters more than the failure to mark the file.
    }
    throw;
  }
  writer->finish("completed", utc_now_iso8601());
  return summary;
}

}  // namespace gos
