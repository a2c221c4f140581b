#include "torchlib/profile.h"

#include <algorithm>
#include <numeric>

#include "framework/error.h"
#include "plugins/devices/cpu/timing.h"
#include "torchlib/workload.h"

namespace gos {

WorkloadTimer single_run_timer(bool cpu_time) {
  const TimingConfig config{cpu_time ? TimingClock::kProcessCpu : TimingClock::kWall, 0, 1, 0.5};
  return [config](Workload& workload) { return time_ms([&] { workload.run(); }, config); };
}

std::vector<double> inefficiency_scores(const std::vector<double>& latency_ms, const std::vector<int64_t>& parameters) {
  if (latency_ms.size() != parameters.size()) throw Error("inefficiency_scores: one parameter count per latency");
  if (latency_ms.empty()) return {};
  const double total = std::accumulate(latency_ms.begin(), latency_ms.end(), 0.0);
  std::vector<double> per_parameter;
  for (size_t i = 0; i < latency_ms.size(); ++i)
    per_parameter.push_back(latency_ms[i] / double(std::max<int64_t>(parameters[i], 1)));
  std::vector<double> sorted = per_parameter;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double median = sorted[sorted.size() / 2];
  std::vector<double> scores;
  for (size_t i = 0; i < latency_ms.size(); ++i) {
    const double share = total > 0 ? latency_ms[i] / total : 0;
    const double denominator = per_parameter[i] + median;
    scores.push_back(100 * share * (1 + (denominator > 0 ? per_parameter[i] / denominator : 0)));
  }
  return scores;
}

std::vector<size_t> rank_by_inefficiency(const ModelProfile& profile) {
  std::vector<size_t> order(profile.slots.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return profile.slots[a].inefficiency > profile.slots[b].inefficiency;
  });
  return order;
}

ModelProfile profile_model(SlottedModel& model, const Shape& input, const ProfileOptions& options,
                           const WorkloadTimer& timer) {
  if (options.rounds < 1) throw Error("profiling needs at least one round");
  if (options.threads > 0) torch::set_num_threads(options.threads);
  ModelProfile profile;
  profile.threads = torch::get_num_threads();
  std::vector<SlotInfo> infos = model.slots(input);
  // Workloads put their module in eval mode and restore it when destroyed.
  std::vector<std::unique_ptr<ModuleWorkload>> workloads;
  for (size_t i = 0; i < infos.size(); ++i)
    workloads.push_back(std::make_unique<ModuleWorkload>(model.slot(infos[i].path).module(),
                                                         workload_input(infos[i].input, i), infos[i].path));
  workloads.push_back(std::make_unique<ModuleWorkload>(model, workload_input(input), "whole model"));
  std::vector<std::function<double()>> measurements;
  for (auto& workload : workloads) {
    for (int i = 0; i < options.warmup; ++i) workload->run();
    measurements.push_back([&timer, &workload] { return timer(*workload); });
  }
  // Rounds interleave every slot with the whole model, so that a change of
  // machine load during profiling affects both sides of the comparison alike.
  const std::vector<TimingSummary> rounds = alternate_rounds(measurements, options.rounds);
  const auto spread = [](const TimingSummary& s) { return s.median > 0 ? s.iqr / s.median : 0.0; };
  for (size_t i = 0; i < infos.size(); ++i) {
    SlotProfile slot;
    slot.latency_ms = rounds[i].median;
    slot.spread = spread(rounds[i]);
    slot.info = std::move(infos[i]);
    profile.slots_sum_ms += slot.latency_ms;
    profile.slots.push_back(std::move(slot));
  }
  profile.whole_ms = rounds.back().median;
  profile.whole_spread = spread(rounds.back());
  std::vector<double> latencies;
  std::vector<int64_t> parameters;
  for (const SlotProfile& slot : profile.slots) {
    latencies.push_back(slot.latency_ms);
    parameters.push_back(slot.info.parameters);
  }
  const std::vector<double> scores = inefficiency_scores(latencies, parameters);
  for (size_t i = 0; i < profile.slots.size(); ++i) {
    profile.slots[i].share = profile.slots_sum_ms > 0 ? profile.slots[i].latency_ms / profile.slots_sum_ms : 0;
    profile.slots[i].inefficiency = scores[i];
  }
  return profile;
}

}  // namespace gos
