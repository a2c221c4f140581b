#include "plugins/latency/core/accuracy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "framework/error.h"
#include "framework/rng.h"
#include "plugins/latency/core/latency_dataset.h"

namespace gos {
namespace {

TEST(Accuracy, HandComputedFigures) {
  // Relative errors: 0, 4%, 10%, 50%.
  const AccuracyReport r = compare_latencies({1.0, 2.08, 2.7, 6.0}, {1.0, 2.0, 3.0, 4.0});
  EXPECT_EQ(r.count, 4u);
  EXPECT_NEAR(r.mape, (0 + 0.04 + 0.1 + 0.5) / 4, 1e-12);
  EXPECT_DOUBLE_EQ(r.within_5, 0.5);
  EXPECT_DOUBLE_EQ(r.within_10, 0.75);
  EXPECT_NEAR(r.rmse_ms, std::sqrt((0 + 0.0064 + 0.09 + 4.0) / 4), 1e-12);
  EXPECT_NEAR(r.mae_ms, (0 + 0.08 + 0.3 + 2.0) / 4, 1e-12);
  EXPECT_DOUBLE_EQ(r.kendall_tau, 1.0);
}

TEST(Accuracy, KendallTauMatchesReferenceValues) {
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4, 5}, {3, 1, 2, 5, 4}), 0.4);
  EXPECT_DOUBLE_EQ(kendall_tau({1, 1, 2, 3}, {1, 2, 2, 3}), 0.8);  // tau-b, as scipy.stats.kendalltau
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3}, {3, 2, 1}), -1.0);
}

TEST(Accuracy, KendallTauOfIndependentListsIsNearZero) {
  // Under independence tau has variance 2(2n+5) / (9n(n-1)); 4 sigma bound.
  Rng rng(3);
  const size_t n = 400;
  std::vector<double> a(n), b(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = rng.uniform01();
    b[i] = rng.uniform01();
  }
  const double sigma = std::sqrt(2.0 * (2.0 * n + 5) / (9.0 * n * (n - 1)));
  EXPECT_LT(std::abs(kendall_tau(a, b)), 4 * sigma);
}

TEST(Accuracy, BadInputIsAnError) {
  EXPECT_THROW(compare_latencies({1, 2}, {1}), Error);
  EXPECT_THROW(compare_latencies({}, {}), Error);
  EXPECT_THROW(compare_latencies({1}, {0}), Error);
}

TEST(Accuracy, ScatterPlotHasOnePointPerModel) {
  const auto path = std::filesystem::path(GOS_BINARY_DIR) / "accuracy_test_scatter.svg";
  write_scatter_svg(path, {1, 2, 3}, {1.1, 2.2, 2.9}, "test");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  size_t circles = 0;
  for (size_t at = text.str().find("<circle"); at != std::string::npos; at = text.str().find("<circle", at + 1))
    ++circles;
  EXPECT_EQ(circles, 3u);
  EXPECT_NE(text.str().find("</svg>"), std::string::npos);
}

TEST(LatencyDataset, RoundTripsAndRejectsOtherVersions) {
  const auto path = std::filesystem::path(GOS_BINARY_DIR) / "latency_dataset_test.h5";
  LatencyDataset dataset;
  dataset.space = "space text";
  dataset.device = DeviceInfo{"cpu", {{"threads", "1"}, {"model", "x"}}};
  dataset.genomes = {"a", "b"};
  dataset.latency_ms = {1.5, 2.5};
  dataset.iqr_ms = {0.1, 0.2};
  dataset.cv = {0.01, 0.02};
  write_latency_dataset(path, dataset);
  const LatencyDataset back = read_latency_dataset(path);
  EXPECT_EQ(back.genomes, dataset.genomes);
  EXPECT_EQ(back.latency_ms, dataset.latency_ms);
  EXPECT_EQ(back.device.properties, dataset.device.properties);
  EXPECT_EQ(back.space, dataset.space);
  EXPECT_THROW(read_latency_dataset(std::filesystem::path(GOS_BINARY_DIR) / "no_such_dataset.h5"), Error);
}

}  // namespace
}  // namespace gos
