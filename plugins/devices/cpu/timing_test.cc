#include "plugins/devices/cpu/timing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "framework/error.h"

namespace gos {
namespace {

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

TEST(Timing, CountsWarmupAndTimedRuns) {
  int calls = 0;
  const std::vector<double> times = timed_runs([&] { ++calls; }, {TimingClock::kWall, 3, 7, 0.5});
  EXPECT_EQ(calls, 10);
  EXPECT_EQ(times.size(), 7u);
}

TEST(Timing, WallClockMeasuresSleepAndCpuClocksDoNot) {
  const double wall = time_ms([] { sleep_ms(3); }, {TimingClock::kWall, 1, 3, 0.5});
  EXPECT_GE(wall, 3.0);
  EXPECT_LT(wall, 100.0);
  // Sleeping is no work: CPU time stays far below the 3 ms of wall time.
  for (TimingClock clock : {TimingClock::kProcessCpu, TimingClock::kThreadCpu})
    EXPECT_LT(time_ms([] { sleep_ms(3); }, {clock, 0, 3, 0.5}), 1.0) << to_string(clock);
}

TEST(Timing, TheStatisticIsTheConfiguredQuantile) {
  // Calls take 1, 2, ..., 5 ms of sleep: the minimum is the first, the median the third.
  int call = 0;
  const auto growing = [&] { sleep_ms(++call); };
  const double minimum = time_ms(growing, {TimingClock::kWall, 0, 5, 0.0});
  call = 0;
  const double median = time_ms(growing, {TimingClock::kWall, 0, 5, 0.5});
  EXPECT_GE(minimum, 1.0);
  EXPECT_LT(minimum, 2.5);
  EXPECT_GE(median, 3.0);
}

TEST(Timing, ClockNamesRoundTripAndUnknownNamesListTheValidOnes) {
  for (TimingClock clock : {TimingClock::kWall, TimingClock::kProcessCpu, TimingClock::kThreadCpu})
    EXPECT_EQ(parse_timing_clock(to_string(clock)), clock);
  try {
    parse_timing_clock("cpu");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("wall, process_cpu, thread_cpu"), std::string::npos) << e.what();
  }
  EXPECT_THROW(timed_runs([] {}, {TimingClock::kWall, 0, 0, 0.5}), Error);
  EXPECT_THROW(timed_runs([] {}, {TimingClock::kWall, 0, 1, 1.5}), Error);
}

TEST(AlternatingRounds, InterleavesTheSidesAndReportsMediansOverRounds) {
  std::string order;
  std::vector<double> a = {5, 1, 3}, b = {20, 40, 30};
  size_t ia = 0, ib = 0;
  const AbLatency ab = alternate_ab(
      [&] {
        order += 'a';
        return a[ia++];
      },
      [&] {
        order += 'b';
        return b[ib++];
      },
      3);
  EXPECT_EQ(order, "ababab");
  EXPECT_DOUBLE_EQ(ab.a_ms, 3);
  EXPECT_DOUBLE_EQ(ab.b_ms, 30);
  EXPECT_THROW(alternate_rounds({[] { return 1.0; }}, 0), Error);
}

TEST(AlternatingRounds, ReportTheQuartilesOverRoundsOfEachSide) {
  // Rounds of side 0: 4 1 3 2 (type-7 quartiles 1.75 / 2.5 / 3.25); side 1 constant.
  const std::vector<double> a = {4, 1, 3, 2};
  size_t ia = 0;
  const std::vector<TimingSummary> sides = alternate_rounds({[&] { return a[ia++]; }, [] { return 7.0; }}, 4);
  ASSERT_EQ(sides.size(), 2u);
  EXPECT_DOUBLE_EQ(sides[0].median, 2.5);
  EXPECT_DOUBLE_EQ(sides[0].q1, 1.75);
  EXPECT_DOUBLE_EQ(sides[0].q3, 3.25);
  EXPECT_DOUBLE_EQ(sides[0].iqr, 1.5);
  EXPECT_DOUBLE_EQ(sides[1].median, 7);
  EXPECT_DOUBLE_EQ(sides[1].iqr, 0);
}

// A slowdown of the machine halfway through hits both sides of an
// alternating comparison alike; timing A fully before B would not.
TEST(AlternatingRounds, AMachineSlowdownDoesNotBiasTheComparison) {
  int call = 0;
  const auto machine = [&](double work) { return work * (call++ < 6 ? 1.0 : 3.0); };
  const AbLatency ab = alternate_ab([&] { return machine(1.0); }, [&] { return machine(1.0); }, 6);
  EXPECT_DOUBLE_EQ(ab.a_ms / ab.b_ms, 1.0);
}

}  // namespace
}  // namespace gos
