#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "framework/error.h"
#include "plugins/latency/core/h5_io.h"
#include "plugins/latency/lut/lut_model.h"
#include "searchspaces/cnn/cnn_chain.h"
#include "searchspaces/gos/space.h"

namespace gos {
namespace {

constexpr double kFakeOverheadMs = 0.05;
constexpr double kFakeAloneFactor = 1.25;

// A device whose latencies are a known function of the workload: a kernel
// takes 1 us per character of its key inside a model and 1.25 times that
// alone; a whole model (a key the space parses as a genome) takes the sum of
// its kernels plus a fixed overhead. A correct table reproduces it exactly.
class FakeDevice : public Device {
 public:
  FakeDevice(const SearchSpace& space, std::string threads) : space_(space), threads_(std::move(threads)) {}
  DeviceInfo describe() const override { return {"fake", {{"threads", threads_}, {"frequency_mhz", "1"}}}; }
  Measurement measure(Workload& workload) override {
    ++measurements;
    Measurement m;
    m.median_ms = latency(workload.key());
    if (!model(workload.key())) m.median_ms *= kFakeAloneFactor;
    return m;
  }
  double latency(const std::string& key) const {
    const GenomePtr genome = model(key);
    if (!genome) return 0.001 * static_cast<double>(key.size());
    double total = kFakeOverheadMs;
    for (const Kernel& kernel : space_.kernels(*genome)) total += latency(kernel.key);
    return total;
  }
  size_t measurements = 0;

 private:
  GenomePtr model(const std::string& key) const {
    try {
      return space_.deserialize(key);
    } catch (const Error&) {
      return nullptr;
    }
  }
  const SearchSpace& space_;
  std::string threads_;
};

cnn::CnnChainSpace small_space() {
  cnn::CnnChainConfig config;
  config.resolution = 8;
  config.channels = {4, 8};
  config.kernels = {1, 3};
  config.max_layers = 3;
  return cnn::CnnChainSpace(config);
}

std::filesystem::path temp(const std::string& name) { return std::filesystem::path(GOS_BINARY_DIR) / name; }

TEST(Lut, BuiltTableReproducesAnAdditiveDeviceExactly) {
  const auto space = small_space();
  FakeDevice device(space, "1");
  Rng rng(4);
  const LatencyTable built = build_latency_table(space, device, rng, 20, 5, [](const std::string&) {});
  EXPECT_NEAR(built.overhead_ms, kFakeOverheadMs, 1e-9);
  EXPECT_NEAR(built.kernel_scale, 1 / kFakeAloneFactor, 1e-9);
  write_latency_table(temp("lut_test_table.h5"), built);
  LutLatencyModel model(read_latency_table(temp("lut_test_table.h5")), "t.h5", OnMissingKernel::kMeasure,
                        std::make_unique<FakeDevice>(space, "1"));
  Rng models(99);
  for (int i = 0; i < 50; ++i) {
    const GenomePtr genome = space.sample(models);
    EXPECT_NEAR(model.predict_ms(*genome, space), device.latency(space.serialize(*genome)), 1e-9);
  }
}

TEST(Lut, GraphSpaceTableProfilesSingleInstructionsAndSumsThem) {
  // gos_graph kernels run alone through the space's kernel_workload (real
  // one-instruction modules); the fake device then times them by key.
  graph::GraphSpaceConfig config;
  config.input = {8, 8, 8};
  config.output = {8, 8, 8};
  config.max_nodes = 6;
  const graph::GraphSpace space(config);
  FakeDevice device(space, "1");
  Rng rng(6);
  const LatencyTable built = build_latency_table(space, device, rng, 30, 6, [](const std::string&) {});
  EXPECT_GT(built.keys.size(), 20u);
  EXPECT_NEAR(built.overhead_ms, kFakeOverheadMs, 1e-9);
  EXPECT_NEAR(built.kernel_scale, 1 / kFakeAloneFactor, 1e-9);
  LutLatencyModel model(built, "graph.h5", OnMissingKernel::kMeasure, std::make_unique<FakeDevice>(space, "1"));
  Rng models(7);
  for (int i = 0; i < 30; ++i) {
    const GenomePtr genome = space.sample(models);
    EXPECT_NEAR(model.predict_ms(*genome, space), device.latency(space.serialize(*genome)), 1e-9);
  }
  EXPECT_GT(model.measured_on_demand(), 0u);  // unseen kernels went through kernel_workload too
}

TEST(Lut, CalibrationMinimisesRelativeErrorSoFastModelsStayAccurate) {
  // Exact lines are recovered whatever the weights.
  const Calibration exact = fit_calibration({0.01, 0.5, 2.0}, {0.03 + 0.8 * 0.01, 0.03 + 0.8 * 0.5, 0.03 + 0.8 * 2.0});
  EXPECT_NEAR(exact.overhead_ms, 0.03, 1e-12);
  EXPECT_NEAR(exact.kernel_scale, 0.8, 1e-12);
  // Two fast models and noisy slow ones: plain least squares puts the
  // intercept at 0.04 ms and predicts the fast models 10-20x too slow; the
  // relative fit keeps them within a few percent.
  const std::vector<double> sums{0.002, 0.004, 1.0, 2.0, 3.0};
  const std::vector<double> measured{0.0022, 0.0042, 1.3, 1.9, 3.2};
  const Calibration fit = fit_calibration(sums, measured);
  for (size_t i = 0; i < 2; ++i)
    EXPECT_NEAR((fit.overhead_ms + fit.kernel_scale * sums[i]) / measured[i], 1.0, 0.1) << i;
  // Equal sums: no slope to fit, the median difference is the overhead.
  const Calibration flat = fit_calibration({1.0, 1.0, 1.0}, {1.1, 1.2, 1.6});
  EXPECT_DOUBLE_EQ(flat.kernel_scale, 1.0);
  EXPECT_NEAR(flat.overhead_ms, 0.2, 1e-12);
  // Noise making larger sums faster gives no negative scale.
  const Calibration falling = fit_calibration({1.0, 2.0, 3.0}, {1.5, 1.4, 1.3});
  EXPECT_DOUBLE_EQ(falling.kernel_scale, 1.0);
  EXPECT_NEAR(falling.overhead_ms, -0.6, 1e-12);
  EXPECT_THROW(fit_calibration({1.0}, {0.0}), Error);
  EXPECT_THROW(fit_calibration({}, {}), Error);
}

TEST(Lut, HashedSumMatchesScanningOnRandomTables) {
  Rng rng(8);
  for (int trial = 0; trial < 200; ++trial) {
    LatencyTable table;
    table.overhead_ms = rng.uniform(0, 1);
    table.kernel_scale = rng.uniform(0.5, 1.5);
    const int64_t entries = rng.uniform_int(0, 30);
    for (int64_t i = 0; i < entries; ++i) {
      table.keys.push_back("k" + std::to_string(i));
      table.latency_ms.push_back(rng.uniform(0, 5));
    }
    std::vector<Kernel> kernels(static_cast<size_t>(rng.uniform_int(0, 12)));
    for (Kernel& kernel : kernels) kernel.key = "k" + std::to_string(rng.uniform_int(0, 40));
    std::vector<std::string> missing_fast, missing_naive;
    const double fast = LatencyIndex(table).sum_ms(kernels, missing_fast);
    const double naive = sum_by_scanning(table, kernels, missing_naive);
    ASSERT_NEAR(fast, naive, 1e-12);  // summation order differs
    ASSERT_EQ(missing_fast, missing_naive);
  }
}

TEST(Lut, ModelQueriesMatchScanningTheTableOnRandomGenomes) {
  // The whole query path (space kernels -> hashed lookup -> calibration)
  // against a linear scan of the table, on the default cnn_chain space.
  const cnn::CnnChainSpace space{cnn::CnnChainConfig{}};
  Rng rng(12);
  LatencyTable table;
  table.overhead_ms = 0.07;
  table.kernel_scale = 0.8;
  std::vector<GenomePtr> genomes;
  for (int i = 0; i < 300; ++i) {
    genomes.push_back(space.sample(rng));
    for (const Kernel& kernel : space.kernels(*genomes.back()))
      if (std::find(table.keys.begin(), table.keys.end(), kernel.key) == table.keys.end()) {
        table.keys.push_back(kernel.key);
        table.latency_ms.push_back(rng.uniform(0.01, 3.0));
      }
  }
  LutLatencyModel model(table, "t.h5", OnMissingKernel::kError, nullptr);
  for (const GenomePtr& genome : genomes) {
    std::vector<std::string> missing;
    ASSERT_NEAR(model.predict_ms(*genome, space), sum_by_scanning(table, space.kernels(*genome), missing), 1e-9);
    ASSERT_TRUE(missing.empty());
  }
}

TEST(Lut, MissingKernelsAreReportedOrMeasuredNeverZero) {
  const auto space = small_space();
  LatencyTable table;
  table.device = {"fake", {{"threads", "1"}}};
  const GenomePtr genome = space.deserialize("k3c4s1relu-k1c8s2none");
  const auto kernels = space.kernels(*genome);
  table.keys = {kernels[0].key};
  table.latency_ms = {1.0};
  LutLatencyModel strict(table, "t.h5", OnMissingKernel::kError, nullptr);
  try {
    strict.predict_ms(*genome, space);
    FAIL() << "a model with unknown kernels got a latency";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("no entry for 2 kernel(s)"), std::string::npos) << message;
    EXPECT_NE(message.find(kernels[1].key), std::string::npos) << message;
  }
  auto device = std::make_unique<FakeDevice>(space, "1");
  FakeDevice& fake = *device;
  LutLatencyModel measuring(table, "t.h5", OnMissingKernel::kMeasure, std::move(device));
  const double expected = 1.0 + kFakeAloneFactor * (fake.latency(kernels[1].key) + fake.latency(kernels[2].key));
  EXPECT_DOUBLE_EQ(measuring.predict_ms(*genome, space), expected);
  EXPECT_EQ(measuring.measured_on_demand(), 2u);
  EXPECT_DOUBLE_EQ(measuring.predict_ms(*genome, space), expected);  // now from the table
  EXPECT_EQ(fake.measurements, 2u);
  EXPECT_THROW(LutLatencyModel(table, "t.h5", OnMissingKernel::kMeasure, nullptr), Error);
}

TEST(Lut, TableFromAnotherDeviceIsRejectedNamingTheDifference) {
  const auto space = small_space();
  LatencyTable table;
  table.device = {"fake", {{"threads", "1"}, {"frequency_mhz", "2000"}}};
  // The clock frequency drifts between readings and is not compared.
  EXPECT_NO_THROW(LutLatencyModel(table, "t.h5", OnMissingKernel::kError, std::make_unique<FakeDevice>(space, "1")));
  try {
    LutLatencyModel(table, "t.h5", OnMissingKernel::kError, std::make_unique<FakeDevice>(space, "4"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("threads: '1' vs '4'"), std::string::npos) << e.what();
  }
}

TEST(Lut, OtherSchemaVersionsAndBrokenFilesAreRejected) {
  LatencyTable table;
  table.device = {"fake", {}};
  table.keys = {"a"};
  table.latency_ms = {1};
  const auto path = temp("lut_test_version.h5");
  write_latency_table(path, table);
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    h5::write_int(root, "schema_version", kLutSchemaVersion + 1);
  }
  try {
    read_latency_table(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 3, this build reads version 2"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(read_latency_table(temp("lut_test_missing.h5")), Error);
  std::ofstream(temp("lut_test_text.h5")) << "not hdf5";
  EXPECT_THROW(read_latency_table(temp("lut_test_text.h5")), Error);
}

}  // namespace
}  // namespace gos
