#include "torchlib/profile.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <numeric>

#include "framework/error.h"

namespace gos {

namespace {

double now_ms(bool cpu_time) {
  if (!cpu_time)
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

}  // namespace

double median_latency_ms(const std::function<void()>& run, int warmup, int repeats, bool cpu_time) {
  if (repeats < 1) throw Error("profiling needs at least one timed repeat");
  for (int i = 0; i < warmup; ++i) run();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const double start = now_ms(cpu_time);
    run();
    times.push_back(now_ms(cpu_time) - start);
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
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

ModelProfile profile_model(SlottedModel& model, const Shape& input, const ProfileOptions& options) {
  if (options.repeats < 1) throw Error("profiling needs at least one timed repeat");
  if (options.threads > 0) torch::set_num_threads(options.threads);
  ModelProfile profile;
  profile.threads = torch::get_num_threads();
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  std::vector<SlotInfo> infos = model.slots(input);
  std::vector<TorchModel*> modules;
  std::vector<torch::Tensor> inputs;
  for (const SlotInfo& info : infos) {
    modules.push_back(&model.slot(info.path).module());
    inputs.push_back(torch::randn(info.input));
  }
  const torch::Tensor x = torch::randn(input);
  // Rounds interleave every slot with the whole model, so that a change of
  // machine load during profiling affects both sides of the comparison alike.
  std::vector<std::vector<double>> slot_times(infos.size());
  std::vector<double> whole_times;
  for (int round = 0; round < options.repeats; ++round) {
    for (size_t i = 0; i < infos.size(); ++i)
      slot_times[i].push_back(
          median_latency_ms([&] { modules[i]->forward(inputs[i]); }, round == 0 ? options.warmup : 0, 1, options.cpu_time));
    whole_times.push_back(median_latency_ms([&] { model.forward(x); }, round == 0 ? options.warmup : 0, 1, options.cpu_time));
  }
  const auto median = [](std::vector<double> times) {
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
  };
  for (size_t i = 0; i < infos.size(); ++i) {
    SlotProfile slot;
    slot.latency_ms = median(slot_times[i]);
    slot.info = std::move(infos[i]);
    profile.slots_sum_ms += slot.latency_ms;
    profile.slots.push_back(std::move(slot));
  }
  profile.whole_ms = median(whole_times);
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
  model.train(was_training);
  return profile;
}

}  // namespace gos
