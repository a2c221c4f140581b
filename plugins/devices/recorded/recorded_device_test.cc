#include "plugins/devices/recorded/recorded_device.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "framework/error.h"

namespace gos {
namespace {

class KeyOnly : public Workload {
 public:
  explicit KeyOnly(std::string key) : key_(std::move(key)) {}
  std::string key() const override { return key_; }
  void run() override { throw std::logic_error("a recorded device must not run workloads"); }

 private:
  std::string key_;
};

std::filesystem::path write_table(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::path(GOS_BINARY_DIR) / ("recorded_device_test_" + name + ".csv");
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::filesystem::path& file, const std::string& value_column = "phone") {
  try {
    RecordedDevice device({file, "arch", value_column, ""});
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(RecordedDevice, AnswersFromTheTableAndRejectsUnknownKeys) {
  const auto file = write_table("ok", "idx,arch,phone,fpga\n0,\"a,b\",1.5,2\n1,c|d~0,3.25,4\n");
  RecordedDevice device({file, "arch", "phone", "pixel"});
  KeyOnly first("a,b"), second("c|d~0"), missing("e");
  EXPECT_DOUBLE_EQ(device.measure(first).median_ms, 1.5);
  EXPECT_DOUBLE_EQ(device.measure(second).median_ms, 3.25);
  EXPECT_EQ(device.describe().name, "pixel");
  try {
    device.measure(missing);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no row with arch = 'e'"), std::string::npos) << e.what();
  }
}

TEST(RecordedDevice, ReportsTheFirstRowsAsReferenceLatencies) {
  const auto file = write_table("refs", "idx,arch,phone\n0,a,1.5\n1,b,0.25\n2,c,7\n");
  const DeviceInfo info = RecordedDevice({file, "arch", "phone", "", 2}).describe();
  EXPECT_EQ(info.properties.at("reference_0"), "1.5");
  EXPECT_EQ(info.properties.at("reference_1"), "0.25");
  EXPECT_FALSE(info.properties.count("reference_2"));
  EXPECT_FALSE(RecordedDevice({file, "arch", "phone", ""}).describe().properties.count("reference_0"));
  try {
    RecordedDevice({file, "arch", "phone", "", 4});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("references = 4 but the table has only 3 rows"), std::string::npos);
  }
}

TEST(RecordedDevice, MalformedTablesNameLineAndColumn) {
  EXPECT_NE(error_of(write_table("short", "idx,arch,phone\n0,a,1\n1,b\n")).find(":3: 2 fields, the header has 3"),
            std::string::npos);
  EXPECT_NE(error_of(write_table("empty", "idx,arch,phone\n0,a,1\n1,b,\n")).find(":3: column 'phone' is ''"),
            std::string::npos);
  EXPECT_NE(error_of(write_table("dup", "idx,arch,phone\n0,a,1\n1,a,2\n")).find(":3: key 'a' appears twice"),
            std::string::npos);
  EXPECT_NE(error_of(write_table("col", "idx,arch,phone\n0,a,1\n"), "phon").find("did you mean 'phone'"),
            std::string::npos);
  EXPECT_NE(error_of(write_table("rows", "idx,arch,phone\n")).find("no rows"), std::string::npos);
  EXPECT_NE(error_of("/nonexistent/table.csv").find("cannot open"), std::string::npos);
}

TEST(RecordedDevice, ReadsTheNasBench201LatencyTable) {
  const std::filesystem::path file = GOS_SOURCE_DIR "/../shared/data/nb201/nb201_latency.csv";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "shared data missing: " << file;
  RecordedDevice device({file, "arch_str", "raspi4", ""});
  EXPECT_EQ(device.size(), 15625u);
  KeyOnly arch("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
  EXPECT_GT(device.measure(arch).median_ms, 0);
}

}  // namespace
}  // namespace gos
