#include "cli/adapt_report.h"

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "framework/error.h"

namespace gos::report {
namespace {

namespace fs = std::filesystem;

// Writes an adapt.h5 the way docs/ADAPT.md describes it, with the numeric
// types a writer may choose (int64 counts, double figures).
class AdaptFile {
 public:
  explicit AdaptFile(const fs::path& path) : file_(path.string(), H5F_ACC_TRUNC) {
    H5::Group root = file_.openGroup("/");
    text(root, "schema", "gos-adapt");
    integer(root, "schema_version", 1);
    text(root, "model", "resnet18");
    text(root, "status", "completed");
    text(root, "accuracy_estimate", "distill");
    text(root, "device_cpu_model", "Test CPU <2 cores>");
    text(root, "stop_reason", "no eligible slot left");
    real(root, "epsilon", 1.0);
    text(root, "config_toml", "[adapt]\nmodel = \"resnet18\"\n");
    H5::Group baseline = file_.createGroup("baseline");
    real(baseline, "latency_ms", 10.0);
    integer(baseline, "params", 1000);
    real(baseline, "accuracy", 80.0);
    texts(baseline, "path", {"conv1", "layer1.0.conv1", "fc"});
    texts(baseline, "kind", {"conv3x3", "conv3x3", "linear"});
    reals(baseline, "latency_ms", {1.0, 6.0, 0.5});
    reals(baseline, "share", {0.13, 0.8, 0.07});
    reals(baseline, "inefficiency", {14.0, 90.0, 7.5});
    reals(baseline, "params", {432, 500, 68});
    file_.createGroup("iterations");
  }

  H5::Group iteration(const std::string& name, const std::string& slot, const std::string& status) {
    H5::Group group = file_.openGroup("iterations").createGroup(name);
    text(group, "slot", slot);
    text(group, "status", status);
    return group;
  }

  void finish(double latency_ms) {
    H5::Group final_group = file_.createGroup("final");
    real(final_group, "latency_ms", latency_ms);
    real(final_group, "speedup", 10.0 / latency_ms);
    integer(final_group, "modified", 1);
    text(final_group, "torchscript", "adapted.pt");
  }

  static void text(H5::H5Object& object, const std::string& name, const std::string& value) {
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
  }
  static void real(H5::H5Object& object, const std::string& name, double value) {
    object.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_DOUBLE, &value);
  }
  static void integer(H5::H5Object& object, const std::string& name, int64_t value) {
    object.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT64, &value);
  }
  static void texts(H5::Group& group, const std::string& name, const std::vector<std::string>& values) {
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    std::vector<const char*> raw;
    for (const auto& v : values) raw.push_back(v.c_str());
    const hsize_t n = values.size();
    group.createDataSet(name, type, H5::DataSpace(1, &n)).write(raw.data(), type);
  }
  static void reals(H5::Group& group, const std::string& name, const std::vector<double>& values) {
    const hsize_t n = values.size();
    group.createDataSet(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &n))
        .write(values.data(), H5::PredType::NATIVE_DOUBLE);
  }
  static void flags(H5::Group& group, const std::string& name, const std::vector<int8_t>& values) {
    const hsize_t n = values.size();
    group.createDataSet(name, H5::PredType::NATIVE_INT8, H5::DataSpace(1, &n))
        .write(values.data(), H5::PredType::NATIVE_INT8);
  }

 private:
  H5::H5File file_;
};

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

void write_two_iterations(const fs::path& dir, bool finished) {
  AdaptFile file(dir / "adapt.h5");
  H5::Group accepted = file.iteration("000", "layer1.0.conv1", "accepted");
  AdaptFile::text(accepted, "seed_genome", kSeed);
  AdaptFile::text(accepted, "chosen_genome", kChosen);
  AdaptFile::real(accepted, "latency_before_ms", 10.0);
  AdaptFile::real(accepted, "latency_after_ms", 4.0);
  AdaptFile::integer(accepted, "params_before", 1000);
  AdaptFile::integer(accepted, "params_after", 700);
  AdaptFile::texts(accepted, "front_genome", {kSeed, kChosen, "in:16x8x8;n1=relu(n0);out:n1"});
  AdaptFile::reals(accepted, "front_latency_ms", {10.0, 4.0, 3.0});
  AdaptFile::reals(accepted, "front_params", {1000, 700, 500});
  AdaptFile::reals(accepted, "front_accuracy_drop", {0.0, 0.5, 30.0});
  AdaptFile::flags(accepted, "front_feasible", {1, 1, 0});
  H5::Group infeasible = file.iteration("001", "conv1", "infeasible");
  AdaptFile::text(infeasible, "reason", "no candidate within epsilon");
  AdaptFile::text(infeasible, "seed_genome", "in:3x8x8;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1");
  AdaptFile::texts(infeasible, "front_genome", {"in:3x8x8;n1=pconv[co=16](n0);out:n1"});
  AdaptFile::reals(infeasible, "front_latency_ms", {3.5});
  AdaptFile::reals(infeasible, "front_params", {648});
  AdaptFile::reals(infeasible, "front_accuracy_drop", {7.25});
  AdaptFile::flags(infeasible, "front_feasible", {0});
  if (finished) file.finish(4.0);
}

TEST(AdaptReport, ReadsEveryDocumentedGroup) {
  const fs::path dir = scratch("reads");
  write_two_iterations(dir, true);
  const AdaptRun run = read_adapt_run(dir);  // a directory finds its adapt.h5
  EXPECT_EQ(run.text.at("model"), "resnet18");
  EXPECT_DOUBLE_EQ(run.baseline.at("params"), 1000);  // an int64 attribute reads as a number
  ASSERT_EQ(run.profile.size(), 3u);
  EXPECT_EQ(run.profile[1].path, "layer1.0.conv1");
  EXPECT_DOUBLE_EQ(run.profile[1].inefficiency, 90.0);
  ASSERT_EQ(run.iterations.size(), 2u);
  EXPECT_EQ(run.iterations[0].text_or("status"), "accepted");
  ASSERT_EQ(run.iterations[0].front.size(), 3u);
  EXPECT_TRUE(run.iterations[0].front[1].feasible);
  EXPECT_FALSE(run.iterations[0].front[2].feasible);
  EXPECT_DOUBLE_EQ(run.iterations[1].front[0].accuracy_drop, 7.25);
  ASSERT_TRUE(run.final_figures.has_value());
  EXPECT_DOUBLE_EQ(run.final_figures->at("speedup"), 2.5);
}

TEST(AdaptReport, ShowsFiguresFrontsGraphsAndClosestInfeasibleCandidates) {
  const fs::path dir = scratch("renders");
  write_two_iterations(dir, true);
  ReportOptions options;
  const std::string html = render_report(read_adapt_run(dir / "adapt.h5"), options);
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
  const AdaptRun run = read_adapt_run(dir);
  EXPECT_FALSE(run.final_figures.has_value());
  const std::string html = render_report(run, {});
  EXPECT_NE(html.find("No final figures yet"), std::string::npos);
  EXPECT_NE(html.find("layer1.0.conv1"), std::string::npos);
}

TEST(AdaptReport, WithoutDotGraphsFallBackToDotText) {
  const fs::path dir = scratch("nodot");
  write_two_iterations(dir, true);
  ReportOptions options;
  options.dot_program = dir / "no-such-dot";
  const std::string html = render_report(read_adapt_run(dir), options);
  EXPECT_GE(count(html, "digraph"), 3u);
}

TEST(AdaptReport, AMalformedGenomeIsReportedNotFatal) {
  const fs::path dir = scratch("malformed");
  {
    AdaptFile file(dir / "adapt.h5");
    H5::Group it = file.iteration("000", "conv1", "accepted");
    AdaptFile::text(it, "chosen_genome", "in:16x8x8;n1=warp(n0);out:n1");
  }
  const std::string html = render_report(read_adapt_run(dir), {});
  EXPECT_NE(html.find("cannot draw this genome"), std::string::npos);
}

TEST(AdaptReport, RejectsMissingAndForeignFiles) {
  const fs::path dir = scratch("foreign");
  try {
    read_adapt_run(dir / "missing.h5");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.h5' do not exist"), std::string::npos) << e.what();
  }
  {
    H5::H5File other((dir / "search.h5").string(), H5F_ACC_TRUNC);
    H5::Group root = other.openGroup("/");
    AdaptFile::integer(root, "schema_version", 1);
  }
  try {
    read_adapt_run(dir / "search.h5");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not a gos adapt results file"), std::string::npos) << e.what();
  }
  {
    AdaptFile newer(dir / "adapt.h5");
  }
  {
    H5::H5File file((dir / "adapt.h5").string(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    root.removeAttr("schema_version");
    AdaptFile::integer(root, "schema_version", 2);
  }
  try {
    read_adapt_run(dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 2, this build reads version 1"), std::string::npos)
        << e.what();
  }
  std::ofstream(dir / "text.h5") << "not hdf5";
  EXPECT_THROW(read_adapt_run(dir / "text.h5"), Error);
}

}  // namespace
}  // namespace gos::report
