#pragma once
// The one timing core of GOS: clocks, timed repeats after warm-up, the
// statistic reported, and alternating rounds for comparisons. The cpu device,
// `gos profile` and `gos adapt` all time through it, so a latency means the
// same thing wherever it is printed. Plain C++ (no LibTorch).
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/devices/cpu/measurement_stats.h"

namespace gos {

// What a timed run's duration is read from. Wall time is the latency a user
// sees. Process CPU time (all threads) and the measuring thread's CPU time
// leave out time the process was descheduled, which on a machine shared with
// other work is most of the noise; thread CPU time counts only work done on
// the measuring thread, so it equals latency only with one intra-op thread.
enum class TimingClock { kWall, kProcessCpu, kThreadCpu };
const char* to_string(TimingClock clock);  // "wall", "process_cpu", "thread_cpu"
// Throws gos::Error listing the valid names.
TimingClock parse_timing_clock(std::string_view name);

// Milliseconds on `clock` since an arbitrary origin.
double now_ms(TimingClock clock);

struct TimingConfig {
  TimingClock clock = TimingClock::kWall;
  int warmup = 5;  // untimed calls before the timed ones
  int runs = 30;   // timed calls
  // Quantile of the timed runs reported (type 7): 0.5 the median, 0 the
  // minimum (the run least disturbed by other jobs).
  double quantile = 0.5;
};
// Throws gos::Error naming `what` unless runs >= 1, warmup >= 0, 0 <= quantile <= 1.
void check(const TimingConfig& config, const std::string& what);

// The durations (ms) of config.runs calls of `run` after config.warmup untimed calls.
std::vector<double> timed_runs(const std::function<void()>& run, const TimingConfig& config);
// config.quantile of timed_runs(run, config).
double time_ms(const std::function<void()>& run, const TimingConfig& config);

// Alternating rounds: each round calls every measurement once, in order, so
// that a change of machine speed during a comparison affects every side
// alike. Returns, per measurement, the summary over rounds (median, quartiles:
// the median is what is reported, the IQR how repeatable it was). Throws
// gos::Error for rounds < 1.
std::vector<TimingSummary> alternate_rounds(const std::vector<std::function<double()>>& measurements, int rounds);

// Two sides of an A/B comparison measured in alternating rounds.
struct AbLatency {
  double a_ms = 0;
  double b_ms = 0;
};
AbLatency alternate_ab(const std::function<double()>& measure_a, const std::function<double()>& measure_b,
                       int rounds);

}  // namespace gos
