#include "plugins/devices/cpu/timing.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "framework/error.h"
#include "plugins/devices/cpu/measurement_stats.h"

namespace gos {

const char* to_string(TimingClock clock) {
  switch (clock) {
    case TimingClock::kWall:
      return "wall";
    case TimingClock::kProcessCpu:
      return "process_cpu";
    case TimingClock::kThreadCpu:
      return "thread_cpu";
  }
  return "?";
}

TimingClock parse_timing_clock(std::string_view name) {
  for (TimingClock clock : {TimingClock::kWall, TimingClock::kProcessCpu, TimingClock::kThreadCpu})
    if (name == to_string(clock)) return clock;
  throw Error(fmt::format("unknown timing clock '{}'; expected one of: wall, process_cpu, thread_cpu", name));
}

double now_ms(TimingClock clock) {
  if (clock == TimingClock::kWall)
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
  timespec now{};
  clock_gettime(clock == TimingClock::kProcessCpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) * 1e-6;
}

void check(const TimingConfig& config, const std::string& what) {
  if (config.runs < 1 || config.warmup < 0 || !(config.quantile >= 0) || config.quantile > 1)
    throw Error(
        fmt::format("timing of {} needs runs >= 1, warmup >= 0 and 0 <= quantile <= 1 (got runs = {}, "
                    "warmup = {}, quantile = {})",
                    what, config.runs, config.warmup, config.quantile));
}

std::vector<double> timed_runs(const std::function<void()>& run, const TimingConfig& config) {
  check(config, "a workload");
  for (int i = 0; i < config.warmup; ++i) run();
  std::vector<double> times(static_cast<size_t>(config.runs));
  for (double& t : times) {
    const double start = now_ms(config.clock);
    run();
    t = now_ms(config.clock) - start;
  }
  return times;
}

double time_ms(const std::function<void()>& run, const TimingConfig& config) {
  return quantile(timed_runs(run, config), config.quantile);
}

std::vector<TimingSummary> alternate_rounds(const std::vector<std::function<double()>>& measurements, int rounds) {
  if (rounds < 1) throw Error(fmt::format("alternating rounds: need at least one round, got {}", rounds));
  std::vector<std::vector<double>> samples(measurements.size());
  for (int round = 0; round < rounds; ++round)
    for (size_t i = 0; i < measurements.size(); ++i) samples[i].push_back(measurements[i]());
  std::vector<TimingSummary> summaries;
  for (std::vector<double>& side : samples) summaries.push_back(summarize(std::move(side)));
  return summaries;
}

AbLatency alternate_ab(const std::function<double()>& measure_a, const std::function<double()>& measure_b, int rounds) {
  const std::vector<TimingSummary> sides = alternate_rounds({measure_a, measure_b}, rounds);
  return {sides[0].median, sides[1].median};
}

}  // namespace gos
