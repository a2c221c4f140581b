#include "plugins/devices/cpu/measurement_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "framework/error.h"
#include "framework/rng.h"

namespace gos {
namespace {

TEST(MeasurementStats, HandComputedQuantilesAndMoments) {
  // Sorted: 1 2 3 4 10. Type-7 quartiles at positions 1 and 3.
  const TimingSummary s = summarize({10, 2, 4, 1, 3});
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.q1, 2);
  EXPECT_DOUBLE_EQ(s.q3, 4);
  EXPECT_DOUBLE_EQ(s.iqr, 2);
  EXPECT_DOUBLE_EQ(s.mean, 4);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt((9 + 4 + 0 + 1 + 36) / 4.0));
  EXPECT_DOUBLE_EQ(s.cv, s.stddev / 4);
  // Even count: the median interpolates halfway, q1 at position 0.75.
  const TimingSummary even = summarize({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(even.median, 2.5);
  EXPECT_DOUBLE_EQ(even.q1, 1.75);
  EXPECT_DOUBLE_EQ(even.q3, 3.25);
}

TEST(MeasurementStats, SelectionMatchesSortingOnRandomSamples) {
  Rng rng(11);
  for (int trial = 0; trial < 500; ++trial) {
    const size_t n = static_cast<size_t>(rng.uniform_int(1, 60));
    std::vector<double> samples(n);
    // Ties are common in real timings (clock granularity), so draw some.
    for (double& x : samples) x = rng.bernoulli(0.3) ? 1.0 : rng.uniform(0.5, 20.0);
    const TimingSummary fast = summarize(samples);
    const TimingSummary naive = summarize_by_sorting(samples);
    ASSERT_DOUBLE_EQ(fast.median, naive.median) << "n=" << n;
    ASSERT_DOUBLE_EQ(fast.q1, naive.q1);
    ASSERT_DOUBLE_EQ(fast.q3, naive.q3);
    ASSERT_NEAR(fast.cv, naive.cv, 1e-12);
  }
}

TEST(MeasurementStats, QuantileSelectionMatchesSortingOnRandomSamples) {
  Rng rng(13);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<double> samples(static_cast<size_t>(rng.uniform_int(1, 60)));
    for (double& x : samples) x = rng.bernoulli(0.3) ? 1.0 : rng.uniform(0.5, 20.0);
    const double p = trial % 10 == 0 ? 0.0 : trial % 10 == 1 ? 1.0 : rng.uniform01();
    ASSERT_DOUBLE_EQ(quantile(samples, p), quantile_by_sorting(samples, p)) << "p=" << p;
  }
  EXPECT_THROW(quantile({}, 0.5), Error);
}

TEST(MeasurementStats, ReportsTheConfiguredQuantile) {
  // Runs 1..20 ms in a scrambled order: type-7 quantiles are 1 + 19 p.
  MeasurementConfig config;
  config.warmup = 0;
  config.runs = 20;
  config.max_spread = 10;
  int call = 0;
  auto runs = [&] { return static_cast<double>((7 * call++) % 20 + 1); };
  config.quantile = 0.1;
  EXPECT_DOUBLE_EQ(measure_until_stable(runs, config, "q").median_ms, 1 + 19 * 0.1);
  config.quantile = 0.0;
  EXPECT_DOUBLE_EQ(measure_until_stable(runs, config, "q").median_ms, 1);
  config.quantile = 0.5;
  EXPECT_DOUBLE_EQ(measure_until_stable(runs, config, "q").median_ms, 10.5);
  config.quantile = 1.5;
  EXPECT_THROW(measure_until_stable(runs, config, "q"), Error);
}

TEST(MeasurementStats, EmptySampleIsAnError) {
  EXPECT_THROW(summarize({}), Error);
  EXPECT_THROW(summarize_by_sorting({}), Error);
}

TEST(MeasurementStats, NoisyAttemptIsRepeatedUntilCalm) {
  // First attempt alternates 1 ms and 3 ms (IQR / median = 100%), later calm.
  int calls = 0;
  MeasurementConfig config;
  config.warmup = 2;
  config.runs = 10;
  config.max_spread = 0.05;
  auto fake_run = [&] {
    const int call = calls++;
    if (call < config.warmup + config.runs) return call % 2 == 0 ? 1.0 : 3.0;
    return 2.0 + 0.001 * (call % 3);
  };
  const Measurement m = measure_until_stable(fake_run, config, "fake");
  EXPECT_EQ(calls, 2 * (config.warmup + config.runs));
  EXPECT_NEAR(m.median_ms, 2.001, 1e-9);
  EXPECT_EQ(m.runs, 10);
  EXPECT_LT(m.iqr_ms, 0.01);
}

TEST(MeasurementStats, PersistentNoiseIsRefusedWithTheSpreadAndTheBound) {
  Rng rng(5);
  MeasurementConfig config;
  config.runs = 20;
  config.max_attempts = 3;
  config.max_spread = 0.02;
  int calls = 0;
  auto noisy = [&] {
    ++calls;
    return rng.uniform(1.0, 2.0);
  };
  try {
    measure_until_stable(noisy, config, "'net' on cpu");
    FAIL() << "a measurement with a 50% spread was reported";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'net' on cpu"), std::string::npos) << message;
    EXPECT_NE(message.find("max_spread = 2.0%"), std::string::npos) << message;
    EXPECT_NE(message.find("after 3 attempts"), std::string::npos) << message;
  }
  EXPECT_EQ(calls, 3 * (config.warmup + config.runs));
}

TEST(MeasurementStats, AnInfiniteBoundAcceptsTheFirstAttemptHoweverNoisy) {
  // The adapt experiments' setting on a shared machine: one run slowed 50x
  // (IQR / median far above any finite bound that would still mean something).
  MeasurementConfig config;
  config.warmup = 0;
  config.runs = 3;
  config.max_attempts = 1;
  config.quantile = 0.0;
  config.max_spread = std::numeric_limits<double>::infinity();
  const std::vector<double> runs = {0.01, 0.5, 0.02};
  size_t call = 0;
  const Measurement m = measure_until_stable([&] { return runs[call++]; }, config, "'relu' on cpu");
  EXPECT_EQ(call, 3u);
  EXPECT_DOUBLE_EQ(m.median_ms, 0.01);
  config.max_spread = 10.0;
  call = 0;
  EXPECT_THROW(measure_until_stable([&] { return runs[call++]; }, config, "'relu' on cpu"), Error);
}

TEST(MeasurementStats, MedianOfNoisyRunsIsUnbiasedForSymmetricNoise) {
  // Statistical check: uniform noise around 5 ms, median over 31 runs; the
  // mean of 200 medians is within 4 standard errors of 5.
  Rng rng(17);
  MeasurementConfig config;
  config.warmup = 0;
  config.runs = 31;
  config.max_spread = 1.0;
  double sum = 0;
  const int repeats = 200;
  for (int i = 0; i < repeats; ++i)
    sum += measure_until_stable([&] { return rng.uniform(4.9, 5.1); }, config, "noise").median_ms;
  // The median of 31 U(-0.1, 0.1) has standard deviation about 0.1/sqrt(33).
  const double standard_error = 0.1 / std::sqrt(33.0) / std::sqrt(repeats);
  EXPECT_NEAR(sum / repeats, 5.0, 4 * standard_error);
}

}  // namespace
}  // namespace gos
