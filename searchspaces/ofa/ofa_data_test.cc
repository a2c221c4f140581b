// ofa_mbv3 against the shared OFA data: the Note10 lookup table reproduces
// the published estimates, and malformed CSVs fail with file, line and column.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "framework/error.h"
#include "plugins/latency/core/csv_table.h"
#include "plugins/latency/lut/lut_csv.h"
#include "plugins/latency/lut/lut_model.h"
#include "searchspaces/ofa/ofa_additive.h"
#include "searchspaces/ofa/ofa_space.h"

namespace gos::ofa {
namespace {

namespace fs = std::filesystem;
const fs::path kData = GOS_SOURCE_DIR "/../shared/data/latency/ofa";

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(OfaData, Note10TableReproducesEveryPublishedEstimate) {
  if (!fs::exists(kData / "note10_lut.csv") || !fs::exists(kData / "ofa_note10_lut_estimate.csv"))
    GTEST_SKIP() << "OFA data not found under " << kData << " (see ../shared/data/README.md)";
  const OfaSpace space{OfaConfig{}};
  const LatencyTable table = read_lut_csv(kData / "note10_lut.csv");
  EXPECT_EQ(table.keys.size(), 17u * 96u);
  const LatencyDataset estimates = read_latency_csv(kData / "ofa_note10_lut_estimate.csv", space);
  ASSERT_EQ(estimates.genomes.size(), 10000u);
  LutLatencyModel lut(table, "note10_lut.csv", OnMissingKernel::kError, nullptr);
  double worst = 0;
  for (size_t i = 0; i < estimates.genomes.size(); ++i) {
    const double predicted = lut.predict_ms(*space.deserialize(estimates.genomes[i]), space);
    worst = std::max(worst, std::abs(predicted - estimates.latency_ms[i]));
    ASSERT_NEAR(predicted, estimates.latency_ms[i], 1e-9) << "row " << i + 2 << ": " << estimates.genomes[i];
  }
  RecordProperty("worst_abs_error_ms", std::to_string(worst));
}

TEST(OfaData, CompiledAdditiveTableAgreesWithTheKeyedLookup) {
  if (!fs::exists(kData / "note10_lut.csv") || !fs::exists(kData / "ofa_note10_lut_estimate.csv"))
    GTEST_SKIP() << "OFA data not found under " << kData << " (see ../shared/data/README.md)";
  const OfaSpace space{OfaConfig{}};
  const LatencyTable table = read_lut_csv(kData / "note10_lut.csv");
  const LatencyIndex index(table);
  const OfaAdditiveLatency compiled(space, [&](const Kernel& kernel) {
    std::vector<std::string> missing;
    const double ms = index.sum_ms({kernel}, missing);
    if (!missing.empty()) throw Error("missing " + kernel.key);
    return ms;
  });
  const LatencyDataset estimates = read_latency_csv(kData / "ofa_note10_lut_estimate.csv", space);
  for (size_t i = 0; i < estimates.genomes.size(); ++i)
    ASSERT_NEAR(compiled.predict_ms(space.cast(*space.deserialize(estimates.genomes[i]))), estimates.latency_ms[i],
                1e-9)
        << estimates.genomes[i];
}

class MalformedCsv : public ::testing::Test {
 protected:
  const OfaSpace space{OfaConfig{}};
  // A folder per test: ctest runs the tests of this fixture as parallel
  // processes, which must not write one file.
  const fs::path file = fs::path(GOS_BINARY_DIR) / "test-output" / "ofa_malformed" /
                        ::testing::UnitTest::GetInstance()->current_test_info()->name() / "ofa_malformed.csv";
  const std::string header =
      "r,d1,d2,d3,d4,d5,ks1,ks2,ks3,ks4,ks5,ks6,ks7,ks8,ks9,ks10,ks11,ks12,ks13,ks14,ks15,ks16,ks17,ks18,ks19,ks20,"
      "e1,e2,e3,e4,e5,e6,e7,e8,e9,e10,e11,e12,e13,e14,e15,e16,e17,e18,e19,e20,latency_ms";
  const std::string genes =
      "208,2,4,2,3,3,7,7,3,3,5,7,3,7,3,7,3,7,5,7,7,5,5,5,7,5,6,3,4,4,3,6,4,6,6,3,4,6,6,3,3,4,6,4,6,6";

  std::string read_error(const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return message_of([&] { read_latency_csv(file, space); });
  }
};

TEST_F(MalformedCsv, WellFormedFileReads) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << header << "\r\n" << genes << ",39.5\r\n" << genes << ",40\n";
  const LatencyDataset dataset = read_latency_csv(file, space);
  ASSERT_EQ(dataset.genomes.size(), 2u);
  EXPECT_EQ(dataset.latency_ms[1], 40);
  EXPECT_EQ(dataset.device.name, "ofa_malformed");
}

TEST_F(MalformedCsv, MissingExtraAndMisplacedColumnsAreNamed) {
  const std::string without_d3 = std::string(header).replace(header.find(",d3"), 3, "");
  EXPECT_NE(read_error(without_d3 + "\n").find("ofa_malformed.csv:1: missing column 'd3' (column 4 of 47"),
            std::string::npos);
  EXPECT_NE(read_error(header + ",board\n" + genes + ",1,2\n").find(":1: unexpected column 48 'board'"),
            std::string::npos);
}

TEST_F(MalformedCsv, BadCellsNameFileLineAndColumn) {
  std::string bad = genes;
  bad.replace(bad.find(",2,"), 3, ",x,");  // d1
  EXPECT_NE(
      read_error(header + "\n" + genes + ",1\n" + bad + ",1\n").find("ofa_malformed.csv:3: column 'd1' holds 'x'"),
      std::string::npos);
  std::string depth5 = genes;
  depth5.replace(4, 1, "5");  // d1 = 5
  EXPECT_NE(read_error(header + "\n" + depth5 + ",1\n").find(":2: column d1 (2): 5 is outside the space"),
            std::string::npos);
  std::string kernel4 = genes;
  kernel4.replace(genes.find(",7,7,") + 1, 1, "4");  // ks1 = 4
  EXPECT_NE(
      read_error(header + "\n" + kernel4 + ",1\n").find(":2: column ks1 (7): 4 is outside the space; valid: 3, 5, 7"),
      std::string::npos);
  EXPECT_NE(read_error(header + "\n" + genes + ",-1\n").find(":2: column 'latency_ms' holds -1"), std::string::npos);
  EXPECT_NE(read_error(header + "\n" + genes + "\n").find(":2: 46 cells, but the header has 47"), std::string::npos);
  EXPECT_NE(message_of([&] { read_latency_csv(file.string() + ".absent", space); }).find("cannot open CSV file"),
            std::string::npos);
}

TEST_F(MalformedCsv, LookupTableCsvErrorsNameTheLine) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "key,mean,resolution\nConv-a,0.5,160\nConv-a,0.6,160\n";
  EXPECT_NE(message_of([&] { read_lut_csv(file); }).find(":3: key 'Conv-a@r160' appears twice"), std::string::npos);
  std::ofstream(file) << "key,average\nConv-a,0.5\n";
  EXPECT_NE(message_of([&] { read_lut_csv(file); }).find(":1: missing column 'mean'"), std::string::npos);
  std::ofstream(file) << "key,mean\nConv-a,fast\n";
  EXPECT_NE(message_of([&] { read_lut_csv(file); }).find(":2: column 'mean' holds 'fast'"), std::string::npos);
}

}  // namespace
}  // namespace gos::ofa
