// The adapt pipeline, stage by stage as in the method's figure: baseline ->
// operator profile and ranking -> for each slot, most inefficient first:
// seed graph -> search (an ordinary experiment) -> choice -> splice +
// fine-tune + accept (alone or by batch) -> stop rules -> final comparison,
// export, record.
// Each stage lives in its own file; this one only sequences them.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "adapt/adapt.h"
#include "adapt/baseline.h"
#include "adapt/batch.h"
#include "adapt/candidate.h"
#include "adapt/decision.h"
#include "adapt/export.h"
#include "adapt/latency.h"
#include "adapt/model_state.h"
#include "adapt/ranking.h"
#include "adapt/run_dir.h"
#include "adapt/search.h"
#include "adapt/slot_search.h"
#include "adapt/stop_rules.h"
#include "framework/plugin_registry.h"
#include "framework/runner.h"
#include "torchlib/profile.h"

namespace gos::adapt {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

class Pipeline {
 public:
  Pipeline(const AdaptConfig& config, const AdaptOptions& options, PluginRegistry& registry)
      : config_(config), options_(options), registry_(registry), run_{options.output}, latency_(config, registry) {}

  AdaptSummary run();

 private:
  void log(const std::string& line) const {
    if (options_.progress) std::cerr << "[adapt " << config_.name << "] " << line << "\n";
  }
  void baseline_stage();
  void rebuild_from(const AdaptRecord& record);
  IterationRecord iterate(size_t index, const SlotRecord& slot);
  void splice_stage(size_t index, IterationRecord& it, const SlotInfo& info, const FrontEntry& chosen,
                    CandidateEvaluator& evaluator);
  size_t settle_batch(size_t index);
  void revert_batch(const std::string& reason);
  void save_and_record(size_t first_changed);
  AdaptSummary finish(const std::string& stop_reason);

  const AdaptConfig& config_;
  const AdaptOptions& options_;
  PluginRegistry& registry_;
  RunDirectory run_;
  AdaptLatency latency_;
  AdaptData data_;
  std::shared_ptr<SlottedModel> model_;
  BaselineRecord baseline_;
  std::vector<IterationRecord> iterations_;
  PendingBatch batch_;  // accept = "batch": the kept splices not yet confirmed
};

// Baseline, then the operator complexity analysis and ranking of its slots.
void Pipeline::baseline_stage() {
  BaselineModel trained = prepare_baseline(config_, data_, run_, options_.progress);
  model_ = trained.model;
  log("baseline: " + trained.origin);
  baseline_.train_seconds = trained.train_seconds;
  baseline_.accuracy = data_.holdout_eval->evaluate(*model_);
  baseline_.search_accuracy = data_.search_eval->evaluate(*model_);
  baseline_.test_accuracy = test_accuracy(data_, *model_);
  baseline_.params = count_parameters(*model_);
  baseline_.slots = latency_.profile(*model_, baseline_.latency_ms);
  score_slots(baseline_.slots, inefficiency_scores);
  write_baseline(run_.record(), baseline_);
  log(fmt::format("baseline: {:.3f} ms, {} params, held-out accuracy {:.2f}% (search subset {:.2f}%), test {:.2f}%",
                  baseline_.latency_ms, baseline_.params, baseline_.accuracy, baseline_.search_accuracy,
                  baseline_.test_accuracy));
}

void Pipeline::rebuild_from(const AdaptRecord& record) {
  model_ = rebuild_model(config_, data_, record, run_);
  baseline_ = *record.baseline;
  iterations_ = record.iterations;
  batch_ = pending_batch_of(iterations_, [&] { return make_model(config_, data_.zoo); });
  log(fmt::format("resuming after {} iterations ({} pending)", iterations_.size(), batch_.size()));
}

IterationRecord Pipeline::iterate(size_t index, const SlotRecord& slot) {
  SlottedModel& model = *model_;
  IterationRecord it;
  it.slot = slot.path;
  it.slot_kind = slot.kind;
  it.latency_after_ms = it.accuracy_estimate = it.accuracy_after = it.estimated_delta_ms = std::nan("");
  const SlotSeed seed = slot_seed(model, it.slot, config_.max_nodes);
  it.input = seed.spec.input.to_string();
  it.output = seed.spec.output.to_string();
  it.params_before = it.params_after = count_parameters(model);
  it.accuracy_before = baseline_.accuracy;
  for (const IterationRecord& done : iterations_)
    if (is_spliced(done.status)) it.accuracy_before = done.accuracy_after;
  if (!seed.graph) {
    it.status = IterationStatus::kUnsupported;
    it.reason = seed.reason;
    it.latency_before_ms = std::nan("");
    log(fmt::format("#{} {} ({}): unsupported: {}", index, it.slot, it.slot_kind, seed.reason));
    return it;
  }
  it.seed_genome = graph::serialize(*seed.graph);
  it.latency_before_ms = latency_.model_ms(model);
  log(fmt::format("#{} {} ({} {} -> {}): searching from {} ; model {:.3f} ms", index, it.slot, it.slot_kind, it.input,
                  it.output, it.seed_genome, it.latency_before_ms));

  // Search: an ordinary GOS experiment into search_<k>.h5. Under mpirun the
  // workers build their evaluators while this process builds its own.
  SearchRequest request = slot_search_request(config_, run_, index, seed);
  std::unique_ptr<EvaluationBackend> workers;
  if (options_.evaluation)
    workers =
        options_.evaluation->begin({index, it.slot, it.latency_before_ms, baseline_.search_accuracy}, request.output);
  const auto evaluator =
      slot_evaluator(config_, data_, model, latency_, seed, baseline_.search_accuracy, it.latency_before_ms);
  it.search_file = request.output.filename().string();
  request.resume = options_.resume;
  request.progress = options_.progress;
  request.evaluation = workers.get();
  if (options_.after_generation)
    request.after_generation = [&](int64_t generation) { options_.after_generation(index, generation); };
  const SearchResult search = run_search(request, *evaluator, registry_);
  workers.reset();  // the workers' part of this search ends
  it.search_seconds = search.seconds;
  it.evaluations = static_cast<int64_t>(search.evaluations.size());
  if (options_.evaluation)
    log(fmt::format("#{} search: {} evaluations in {:.1f} s on the MPI workers", index, it.evaluations,
                    search.seconds));
  else
    log(fmt::format("#{} search: {} evaluations in {:.1f} s, {:.2f}% of it outside candidate scoring", index,
                    it.evaluations, search.seconds,
                    search.seconds > 0 ? 100 * (search.seconds - search.scoring_seconds) / search.seconds : 0.0));

  // Choice: the seed measured in the same search is the fair reference.
  const double reference_ms = search.seed_latency_ms.value_or(it.latency_before_ms);
  Choice choice = choose_candidate(search.front, search.evaluations, it.seed_genome, reference_ms,
                                   splice_min_gain(config_.accept, config_.min_gain), config_.epsilon);
  it.front = std::move(choice.front);
  if (!choice.chosen) {
    it.status = choice.status;
    it.reason = choice.reason;
    log(fmt::format("#{} {}: {}: {}", index, it.slot, to_string(it.status), it.reason));
    return it;
  }
  it.estimated_delta_ms = choice.chosen->latency_ms - reference_ms;
  splice_stage(index, it, seed.info, *choice.chosen, *evaluator);
  log(fmt::format("#{} {}: {}: {}", index, it.slot, to_string(it.status), it.reason));
  return it;
}

// Splice the distilled choice, fine-tune the whole model, re-measure before
// and after in alternating rounds, and keep it only if decide_splice says so:
// as accepted (accept = "each") or pending its batch (accept = "batch").
void Pipeline::splice_stage(size_t index, IterationRecord& it, const SlotInfo& info, const FrontEntry& chosen,
                            CandidateEvaluator& evaluator) {
  SlottedModel& model = *model_;
  it.chosen_genome = chosen.genome;
  it.accuracy_estimate = baseline_.search_accuracy - chosen.accuracy_drop;
  auto module = evaluator.trained(graph::parse(chosen.genome, slot_spec(info, config_.max_nodes)));
  auto original = slot_module(model, it.slot);
  const auto finetune_start = Clock::now();
  const auto before = snapshot(model);
  model.replace(it.slot, module);
  if (config_.finetune_steps > 0) data_.finetune->train(model);
  torch::set_num_threads(static_cast<int>(config_.threads));
  it.finetune_seconds = seconds_since(finetune_start);
  it.accuracy_after = data_.holdout_eval->evaluate(model);
  // Minutes (not an hour) after the decision and under the same machine load.
  const AbLatency ab = latency_.compare(
      [&] {
        Splice with_original(model, it.slot, original);
        return latency_.model_ms(model);
      },
      [&] { return latency_.model_ms(model); });
  it.latency_before_ms = ab.a_ms;
  it.latency_after_ms = ab.b_ms;
  it.params_after = count_parameters(model);
  const Decision decision = decide_splice({baseline_.accuracy, it.accuracy_after, ab.a_ms, ab.b_ms}, config_.epsilon,
                                          splice_min_gain(config_.accept, config_.min_gain));
  it.status = decision.status;
  it.reason = decision.reason;
  if (decision.status != IterationStatus::kAccepted) {
    model.replace(it.slot, original);
    restore(model, before);
    it.params_after = it.params_before;
  } else if (config_.accept == AcceptRule::kBatch) {
    it.status = IterationStatus::kPending;
    batch_.add(index, it.slot, original);
  }
}

// After a pending splice, one alternating comparison of the model with the
// last confirmed one (the first splice's own before/after is that
// comparison) decides whether the batch is confirmed, stays open, or is
// reverted. Returns the first iteration whose record changed.
size_t Pipeline::settle_batch(size_t index) {
  IterationRecord& it = iterations_.at(index);
  if (it.status != IterationStatus::kPending) return index;
  BatchFigures figures{it.latency_before_ms, it.latency_after_ms, batch_.size()};
  if (batch_.size() > 1) {
    const AbLatency ab =
        latency_.compare([&] { return batch_.on_confirmed(*model_, [&] { return latency_.model_ms(*model_); }); },
                         [&] { return latency_.model_ms(*model_); });
    figures.confirmed_ms = ab.a_ms;
    figures.current_ms = ab.b_ms;
  }
  const BatchDecision decision = decide_batch(figures, config_.min_gain, config_.max_pending);
  log(fmt::format("#{} {}", index, decision.reason));
  if (decision.verdict == BatchVerdict::kKeepOpen) {
    it.reason += "; " + decision.reason;
    return index;
  }
  const size_t first = batch_.first_iteration();
  if (decision.verdict == BatchVerdict::kConfirm)
    batch_.close(iterations_, IterationStatus::kAccepted, decision.reason);
  else
    revert_batch(decision.reason);
  return first;
}

void Pipeline::revert_batch(const std::string& reason) {
  batch_.revert(*model_, run_.weights_before(batch_.first_iteration()));
  batch_.close(iterations_, IterationStatus::kReverted, reason);
}

// Weights first, then the record: a run killed in between redoes the last
// iteration, and its checkpoint always matches the record's replacements.
void Pipeline::save_and_record(size_t first_changed) {
  const size_t last = iterations_.size() - 1;
  save_checkpoint(*model_, run_.checkpoint(last).string());
  write_iterations(run_.record(), first_changed, std::span(iterations_).subspan(first_changed));
}

AdaptSummary Pipeline::finish(const std::string& stop_reason) {
  AdaptSummary summary;
  summary.output = options_.output;
  summary.iterations = iterations_.size();
  summary.stop_reason = stop_reason;
  double estimated_ms = baseline_.latency_ms;
  for (const auto& it : iterations_)
    if (it.status == IterationStatus::kAccepted) {
      ++summary.modified;
      if (std::isfinite(it.estimated_delta_ms)) estimated_ms += it.estimated_delta_ms;
    }
  SlottedModel& model = *model_;
  // Baseline and final model compared alternately in the same minutes, so
  // that the speedup is a ratio under one machine load.
  auto original = make_model(config_, data_.zoo);
  load_checkpoint(*original, run_.baseline_checkpoint().string());
  const AbLatency ab =
      latency_.compare([&] { return latency_.model_ms(*original); }, [&] { return latency_.model_ms(model); });
  summary.baseline_ms = ab.a_ms;
  summary.final_ms = ab.b_ms;
  summary.speedup = summary.baseline_ms / summary.final_ms;
  summary.baseline_accuracy = baseline_.accuracy;
  summary.final_accuracy = data_.holdout_eval->evaluate(model);

  const std::string torchscript =
      export_adapted(model, run_, iterations_, [&](const std::string& warning) { log("warning: " + warning); });

  FinalRecord final;
  final.latency_ms = summary.final_ms;
  final.baseline_latency_ms = summary.baseline_ms;
  final.params = count_parameters(model);
  final.accuracy = summary.final_accuracy;
  final.test_accuracy = test_accuracy(data_, model);
  final.speedup = summary.speedup;
  final.estimated_speedup = baseline_.latency_ms / estimated_ms;
  final.modified = summary.modified;
  final.torchscript = torchscript;
  write_final(run_.record(), final);
  set_status(run_.record(), RunStatus::kCompleted, utc_now_iso8601(), stop_reason);
  log(
      fmt::format("done ({}): {} replaced; {:.3f} -> {:.3f} ms ({:.2f}x; the search estimated {:.2f}x), held-out "
                  "accuracy {:.2f}% -> {:.2f}%",
                  stop_reason, summary.modified, summary.baseline_ms, summary.final_ms, summary.speedup,
                  final.estimated_speedup, summary.baseline_accuracy, summary.final_accuracy));
  return summary;
}

AdaptSummary Pipeline::run() {
  const auto start = Clock::now();
  const RunStart opened = open_run_directory(run_, config_, options_.resume, options_.overwrite,
                                             new_run_info(config_, latency_.describe(), latency_.device_info()));
  if (opened.completed) return completed_summary(*opened.completed, options_.output);
  try {
    data_ = load_data(config_);
    if (!is_onnx_model(config_)) latency_.describe_models_as(config_, data_.zoo);
    if (opened.prior)
      rebuild_from(*opened.prior);
    else
      baseline_stage();

    const auto progress_of = [&] {
      LoopProgress progress;
      for (const auto& it : iterations_) progress.count(it.status);
      return progress;
    };
    LoopProgress progress = progress_of();
    const StopRules rules{config_.max_modified, config_.patience, config_.time_budget_minutes};
    const std::vector<SlotRecord> order = search_order(baseline_.slots, config_.slot_kinds);
    std::string reason = "no eligible slot left";
    while (const std::optional<SlotRecord> slot = next_slot(order, iterations_, config_.slot_order)) {
      if (const auto stop = stop_reason(rules, progress, seconds_since(start))) {
        reason = *stop;
        break;
      }
      const size_t index = iterations_.size();
      iterations_.push_back(iterate(index, *slot));
      save_and_record(settle_batch(index));
      progress = progress_of();
    }
    if (!batch_.empty()) {
      const size_t first = batch_.first_iteration();
      revert_batch(
          fmt::format("batch reverted: the run ended ({}) before it reached {:g}%", reason, 100 * config_.min_gain));
      log(iterations_.at(first).reason);
      save_and_record(first);
    }
    return finish(reason);
  } catch (const std::exception& e) {
    try {
      set_status(run_.record(), RunStatus::kFailed, utc_now_iso8601(), e.what());
    } catch (const std::exception&) {
      // The original error matters more than the failure to mark the file.
    }
    throw;
  }
}

}  // namespace

std::filesystem::path default_output(const AdaptConfig& config) {
  return std::filesystem::path("results/adapt") / config.name;
}

AdaptSummary run_adapt(const AdaptConfig& config, const AdaptOptions& options, PluginRegistry& registry) {
  AdaptOptions resolved = options;
  if (resolved.output.empty()) resolved.output = default_output(config);
  Pipeline pipeline(config, resolved, registry);
  return pipeline.run();
}

}  // namespace gos::adapt
