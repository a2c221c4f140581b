#include "cli/adapt_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "framework/error.h"

namespace gos::report {
namespace {

namespace fs = std::filesystem;

const std::string kSeed = "in:16x8x8;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1";
const std::string kChosen =
    "in:16x8x8;n1=dwconv[k=3,d=1,s=1](n0);n2=pconv[co=16](n1);out:n2";

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(GOS_BINARY_DIR) / "test-output" / "adapt_report" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

adapt::RunInfo run_info() {
  adapt::RunInfo info;
  info.model = "resnet18";
  info.config_toml = "[adapt]\nmodel = \"resnet18\"\n";
  info.accuracy_estimate = "distill";
  info.epsilon = 1.0;
  info.device = "cpu";
  info.device_cpu_model = "Test CPU <2 cores>";
  info.status = adapt::RunStatus::kRunning;
  return info;
}

// A run as the adapt engine writes it (adapt/results.h): a baseline, one
// accepted and one infeasible iteration, and (when finished) the final model.
fs::path write_two_iterations(const fs::path& dir, bool finished) {
  const fs::path file = dir / "adapt.h5";
  adapt::create_adapt_file(file, run_info());
  adapt::BaselineRecord baseline;
  baseline.latency_ms = 10.0;
  baseline.params = 1000;
  baseline.accuracy = 80.0;
  baseline.slots = {{"conv1", "conv3x3", 1.0, 0.13, 14.0, 432},
                    {"layer1.0.conv1", "conv3x3", 6.0, 0.8, 90.0, 500},
                    {"fc", "linear", 0.5, 0.07, 7.5, 68}};
  adapt::write_baseline(file, baseline);
  adapt::IterationRecord accepted;
  accepted.slot = "layer1.0.conv1";
  accepted.status = adapt::IterationStatus::kAccepted;
  accepted.seed_genome = kSeed;
  accepted.chosen_genome = kChosen;
  accepted.latency_before_ms = 10.0;
  accepted.latency_after_ms = 4.0;
  accepted.params_before = 1000;
  accepted.params_after = 700;
  accepted.front = {{kSeed, 10.0, 1000, 0.0, true},
                    {kChosen, 4.0, 700, 0.5, true},
                    {"in:16x8x8;n1=relu(n0);out:n1", 3.0, 500, 30.0, false}};
  adapt::write_iteration(file, 0, accepted);
  adapt::IterationRecord infeasible;
  infeasible.slot = "conv1";
  infeasible.status = adapt::IterationStatus::kInfeasible;
  infeasible.reason = "no candidate within epsilon";
  infeasible.seed_genome = "in:3x8x8;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1";
  infeasible.front = {{"in:3x8x8;n1=pconv[co=16](n0);out:n1", 3.5, 648, 7.25, false}};
  adapt::write_iteration(file, 1, infeasible);
  if (finished) {
    adapt::FinalRecord final_record;
    final_record.latency_ms = 4.0;
    final_record.baseline_latency_ms = 10.0;
    final_record.speedup = 2.5;
    final_record.modified = 1;
    final_record.torchscript = "adapted.pt";
    adapt::write_final(file, final_record);
    adapt::set_status(file, adapt::RunStatus::kCompleted, "2026-11-22T00:00:00Z", "no eligible slot left");
  }
  return file;
}

std::string report_of(const fs::path& dir, const ReportOptions& options = {}) {
  const fs::path file = adapt_file(dir);
  return render_report(adapt::read_adapt_file(file), file, options);
}

TEST(AdaptReport, FindsTheRecordOfARunDirectory) {
  const fs::path dir = scratch("directory");
  EXPECT_EQ(adapt_file(dir), dir / "adapt.h5");
  EXPECT_EQ(adapt_file(dir / "other.h5"), dir / "other.h5");
}

TEST(AdaptReport, ShowsFiguresFrontsGraphsAndClosestInfeasibleCandidates) {
  const fs::path dir = scratch("renders");
  write_two_iterations(dir, true);
  ReportOptions options;
  const std::string html = report_of(dir / "adapt.h5", options);
  EXPECT_NE(html.find("2.50x"), std::string::npos);         // speedup
  EXPECT_NE(html.find("10.000 ms"), std::string::npos);     // latency before
  EXPECT_NE(html.find("4.000 ms"), std::string::npos);      // latency after
  EXPECT_NE(html.find("adapted.pt"), std::string::npos);
  EXPECT_NE(html.find("Test CPU &lt;2 cores&gt;"), std::string::npos);  // escaped device text
  // Trend chart + one front per iteration.
  EXPECT_GE(count(html, "Final front, slot"), 2u);
  // The chosen candidate is starred on its front (plus the legend entry); the
  // infeasible iteration has no star but lists its closest candidate.
  EXPECT_NE(html.find("Closest candidates"), std::string::npos);
  EXPECT_NE(html.find("drop 7.25 points"), std::string::npos);
  EXPECT_NE(html.find("no candidate within epsilon"), std::string::npos);
  EXPECT_NE(html.find("no eligible slot left"), std::string::npos);
  // Baseline profile ranked by inefficiency: the 90.0 slot first.
  EXPECT_LT(html.find("<td>1</td><td><code>layer1.0.conv1</code>"), html.find("<td>2</td><td><code>conv1</code>"));
  // Three genomes drawn (seed + chosen of 000, seed of 001): SVG via dot, or
  // DOT text when Graphviz is missing.
  if (fs::exists(options.dot_program))
    EXPECT_GE(count(html, "<svg"), 3u + 3u);  // 3 charts + 3 graphs
  else
    EXPECT_GE(count(html, "digraph"), 3u);
}

TEST(AdaptReport, AnUnfinishedRunShowsWhatWasWritten) {
  const fs::path dir = scratch("unfinished");
  write_two_iterations(dir, false);
  const std::string html = report_of(dir);
  EXPECT_NE(html.find("No final figures yet"), std::string::npos);
  EXPECT_NE(html.find("layer1.0.conv1"), std::string::npos);
}

TEST(AdaptReport, WithoutDotGraphsFallBackToDotText) {
  const fs::path dir = scratch("nodot");
  write_two_iterations(dir, true);
  ReportOptions options;
  options.dot_program = dir / "no-such-dot";
  const std::string html = report_of(dir, options);
  EXPECT_GE(count(html, "digraph"), 3u);
}

TEST(AdaptReport, AMalformedGenomeIsReportedNotFatal) {
  const fs::path dir = scratch("malformed");
  adapt::create_adapt_file(dir / "adapt.h5", run_info());
  adapt::IterationRecord it;
  it.slot = "conv1";
  it.status = adapt::IterationStatus::kAccepted;
  it.chosen_genome = "in:16x8x8;n1=warp(n0);out:n1";
  adapt::write_iteration(dir / "adapt.h5", 0, it);
  const std::string html = report_of(dir);
  EXPECT_NE(html.find("cannot draw this genome"), std::string::npos);
}

}  // namespace
}  // namespace gos::report
