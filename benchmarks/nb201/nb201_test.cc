#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "benchmarks/nb201/nb201_space.h"
#include "benchmarks/nb201/nb201_table.h"

namespace gos::nb201 {
namespace {

namespace fs = std::filesystem;

// A tiny stand-in for ../shared/data/nb201: the same three files and columns
// (two latency devices instead of 25), one row per architecture in `codes`.
// Values are distinct per row and column so that a wrong row or column shows.
class Fixture {
 public:
  explicit Fixture(const std::string& name, std::vector<uint64_t> codes = {0, 1, 777, 15624, 4242})
      : dir_(fs::path(GOS_BINARY_DIR) / "nb201_test_fixtures" / name), codes_(std::move(codes)) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const cell::CellSpace space{cell::CellSpaceConfig{}};
    for (uint64_t code : codes_) archs_.push_back(space.serialize(*space.from_code(code)));
    std::ofstream final_accuracy(dir_ / "nb201_accuracy_200ep.csv");
    final_accuracy << "CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs,ImageNetTestAccuracy200Epochs,"
                      "ArchitectureString,UniqueString\n";
    std::ofstream short_accuracy(dir_ / "nb201_accuracy_12ep.csv");
    short_accuracy << "arch,cellstr,cifar10-test,cifar10-val,cifar100-test,cifar100-val,imagenet-test,imagenet-val\n";
    std::ofstream latency(dir_ / "nb201_latency.csv");
    latency << "arch_idx,arch_str,raspi4,pixel3\n";
    for (size_t row = 0; row < archs_.size(); ++row) {
      final_accuracy << fmt::format("{},{},{},{},unused\n", 90.0 + row, 70.0 + row, 40.0 + row, archs_[row]);
      short_accuracy << fmt::format("{},{},{},{},{},{},{},{}\n", row, archs_[row], 80.0 + row, 81.0 + row, 60.0 + row,
                                    61.0 + row, 30.0 + row, 31.0 + row);
      latency << fmt::format("{},{},{},{}\n", row, archs_[row], 10.5 + row, 3.25 + row);
    }
  }
  const fs::path& dir() const { return dir_; }
  const std::vector<std::string>& archs() const { return archs_; }
  // Replaces `from` by `to` in one of the files.
  void edit(const std::string& file, const std::string& from, const std::string& to) const {
    std::ifstream in(dir_ / file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir_ / file) << text;
  }

 private:
  fs::path dir_;
  std::vector<uint64_t> codes_;
  std::vector<std::string> archs_;
};

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The naive reference for Nb201Space::query: find the row by arch string.
double reference_query(const Table& table, const std::string& arch, const MetricKey& key) {
  for (size_t row = 0; row < table.archs.size(); ++row)
    if (table.archs[row] == arch) return find_column(table, key)->values[row];
  return std::nan("");
}

TEST(Nb201Table, ConvertsTheCsvFilesIntoColumnsByMetric) {
  const Fixture fixture("convert");
  const Table table = read_csv_directory(fixture.dir());
  EXPECT_EQ(table.archs, fixture.archs());
  ASSERT_EQ(table.columns.size(), 3u + 6u + 2u);
  EXPECT_EQ(find_column(table, {Metric::kTestAccuracy, "cifar100"})->values[2], 72.0);
  EXPECT_EQ(find_column(table, {Metric::kValidAccuracy, "imagenet16@12ep"})->values[1], 32.0);
  EXPECT_EQ(find_column(table, {Metric::kTestAccuracy, "cifar10@12ep"})->values[0], 80.0);
  EXPECT_EQ(find_column(table, {Metric::kLatency, "pixel3"})->values[4], 7.25);
  EXPECT_EQ(find_column(table, {Metric::kLatency, "arch_str"}), nullptr);
}

TEST(Nb201Table, RoundTripsThroughHdf5) {
  const Fixture fixture("hdf5");
  const Table table = read_csv_directory(fixture.dir());
  write_table(table, fixture.dir() / "table.h5");
  const Table back = read_table(fixture.dir() / "table.h5");
  EXPECT_EQ(back.archs, table.archs);
  EXPECT_EQ(back.source, table.source);
  ASSERT_EQ(back.columns.size(), table.columns.size());
  for (const Column& column : table.columns) {
    const Column* read = find_column(back, column.key);
    ASSERT_NE(read, nullptr) << column.key.to_string();
    EXPECT_EQ(read->values, column.values);
  }
}

TEST(Nb201Space, QueriesAgreeWithTheNaiveLookupOnRandomGenomes) {
  const Fixture fixture("query");
  const Table table = read_csv_directory(fixture.dir());
  const Nb201Space space(table);
  Rng rng(17);
  const auto keys = space.metrics();
  for (int i = 0; i < 500; ++i) {
    const std::string& arch = fixture.archs()[rng.index(fixture.archs().size())];
    const MetricKey& key = keys[rng.index(keys.size())];
    const GenomePtr genome = space.deserialize(arch);
    if (!find_column(table, key)) continue;  // parameters and FLOPs come from the architecture
    EXPECT_EQ(space.query(*genome, key), reference_query(table, arch, key)) << arch << " " << key.to_string();
  }
  EXPECT_EQ(space.index(*space.deserialize(fixture.archs()[3])), 3);
  EXPECT_EQ(space.index(*space.from_code(2)), -1);
}

TEST(Nb201Space, OffersAccuracyLatencyAndParameters) {
  const Fixture fixture("metrics");
  const Nb201Space space(read_csv_directory(fixture.dir()));
  const auto keys = space.metrics();
  for (const MetricKey& key : {MetricKey{Metric::kTestAccuracy, "cifar10"}, MetricKey{Metric::kValidAccuracy, "cifar100@12ep"},
                               MetricKey{Metric::kLatency, "raspi4"}, MetricKey{Metric::kParameters, ""},
                               MetricKey{Metric::kFlops, ""}})
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key.to_string();
  EXPECT_EQ(space.query(*space.from_code(0), {Metric::kParameters, ""}), 73306.0);
}

TEST(Nb201Space, UnknownDevicesAndMissingArchitecturesAreNamed) {
  const Fixture fixture("errors");
  const Nb201Space space(read_csv_directory(fixture.dir()));
  const GenomePtr present = space.from_code(0);
  EXPECT_EQ(error_of([&] { space.query(*present, {Metric::kLatency, "raspi5"}); }),
            "the NAS-Bench-201 table has no latency on 'raspi5'; did you mean 'raspi4'?; it has latency on: raspi4, "
            "pixel3");
  EXPECT_NE(error_of([&] { space.query(*present, {Metric::kTrainTime, "cifar10"}); })
                .find("does not answer train_time(cifar10); it answers:"),
            std::string::npos);
  const std::string missing = error_of([&] { space.query(*space.from_code(2), {Metric::kTestAccuracy, "cifar10"}); });
  EXPECT_NE(missing.find("is not in the NAS-Bench-201 table (5 of 15625"), std::string::npos) << missing;
}

TEST(Nb201Table, MalformedFilesGiveFileLineAndColumn) {
  const Fixture fixture("malformed");
  fixture.edit("nb201_latency.csv", "11.5", "fast");
  EXPECT_NE(error_of([&] { read_csv_directory(fixture.dir()); })
                .find("nb201_latency.csv:3: column 'raspi4' holds 'fast', which is not a number"),
            std::string::npos);
  const Fixture renamed("renamed");
  renamed.edit("nb201_accuracy_12ep.csv", "cifar10-val", "cifar10-valid");
  EXPECT_NE(error_of([&] { read_csv_directory(renamed.dir()); }).find(":1: missing column 'cifar10-val'"),
            std::string::npos);
  const Fixture swapped("swapped");
  swapped.edit("nb201_latency.csv", "1," + swapped.archs()[1], "1," + swapped.archs()[2]);
  EXPECT_NE(error_of([&] { read_csv_directory(swapped.dir()); }).find("nb201_latency.csv:3: arch string"),
            std::string::npos);
}

TEST(Nb201Table, MissingFilesAndTablesSayHowToMakeThem) {
  const Fixture fixture("missing");
  fs::remove(fixture.dir() / "nb201_accuracy_12ep.csv");
  EXPECT_NE(error_of([&] { read_csv_directory(fixture.dir()); }).find("nb201_accuracy_12ep.csv"), std::string::npos);
  const std::string no_table = error_of([&] { read_table(fixture.dir() / "absent.h5"); });
  EXPECT_NE(no_table.find("gos nb201 convert --data ../shared/data/nb201"), std::string::npos) << no_table;
  std::ofstream(fixture.dir() / "text.h5") << "not hdf5";
  EXPECT_NE(error_of([&] { read_table(fixture.dir() / "text.h5"); }).find("is not an HDF5 file"), std::string::npos);
  H5::H5File(fs::path(fixture.dir() / "empty.h5").string(), H5F_ACC_TRUNC);
  EXPECT_NE(error_of([&] { read_table(fixture.dir() / "empty.h5"); }).find("missing attribute 'format'"),
            std::string::npos);
}

TEST(Nb201Space, RejectsTablesWithBadOrRepeatedArchStrings) {
  const Fixture fixture("bad_arch", {5, 5});
  EXPECT_NE(error_of([&] { Nb201Space{read_csv_directory(fixture.dir())}; }).find("rows 0 and 1 both hold"),
            std::string::npos);
  const Fixture unknown("unknown_op");
  Table table = read_csv_directory(unknown.dir());
  table.archs[1] = "|conv_7x7~0|+|none~0|none~1|+|none~0|none~1|none~2|";
  EXPECT_NE(error_of([&] { Nb201Space{table}; }).find("row 1: arch string '|conv_7x7~0|"), std::string::npos);
}

// The shared data, when present: complete, and with the published optimum.
TEST(Nb201SharedData, HasEveryArchitectureAndThePublishedBestAccuracy) {
  const fs::path data = fs::path(GOS_SOURCE_DIR "/../shared/data") / "nb201";
  if (!fs::exists(data / "nb201_latency.csv")) GTEST_SKIP() << "shared NAS-Bench-201 data not found in " << data;
  const Table table = read_csv_directory(data);
  const Nb201Space space(table);
  EXPECT_EQ(space.rows(), 15625u);
  double best = 0;
  for (uint64_t code = 0; code < space.size(); ++code) {
    ASSERT_GE(space.index(*space.from_code(code)), 0);
    best = std::max(best, space.query(*space.from_code(code), {Metric::kTestAccuracy, "cifar10"}));
  }
  EXPECT_NEAR(best, 94.37, 0.01);
  Rng rng(3);
  for (int i = 0; i < 200; ++i) {
    const GenomePtr genome = space.sample(rng);
    const MetricKey key{Metric::kLatency, "raspi4"};
    EXPECT_EQ(space.query(*genome, key), reference_query(table, space.serialize(*genome), key));
  }
}

}  // namespace
}  // namespace gos::nb201
