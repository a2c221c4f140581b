#include <gtest/gtest.h>

#include <filesystem>

#include "framework/error.h"
#include "plugins/latency/core/accuracy.h"
#include "plugins/latency/core/h5_io.h"
#include "plugins/latency/predictor/kernel_predictor.h"
#include "searchspaces/cnn/cnn_chain.h"

namespace gos {
namespace {

cnn::CnnChainSpace small_space() {
  cnn::CnnChainConfig config;
  config.resolution = 16;
  config.channels = {4, 8, 16, 32};
  config.max_layers = 4;
  return cnn::CnnChainSpace(config);
}

// A synthetic device: per-kernel cost linear in flops with a per-type factor
// and a fixed launch cost, plus a model overhead. The predictor never sees
// this formula, only (kernels, latency) pairs.
double synthetic_latency_ms(const std::vector<Kernel>& kernels) {
  double total = 0.03;
  for (const Kernel& kernel : kernels) {
    const double factor = kernel.type == "conv2d+hswish" ? 1.4 : kernel.type == "head" ? 0.5 : 1.0;
    total += 0.01 + factor * kernel.flops * 2e-8;
  }
  return total;
}

struct Data {
  FeatureLayout layout;
  std::vector<std::vector<std::vector<double>>> rows;
  std::vector<double> latency;
};

Data make_data(const cnn::CnnChainSpace& space, uint64_t seed, size_t count, const FeatureLayout* layout = nullptr) {
  Rng rng(seed);
  std::vector<std::vector<Kernel>> models;
  for (size_t i = 0; i < count; ++i) models.push_back(space.kernels(*space.sample(rng)));
  Data data;
  data.layout = layout ? *layout : layout_for(models, {});
  for (const auto& kernels : models) {
    data.rows.push_back(feature_rows(data.layout, kernels, {}, "test"));
    data.latency.push_back(synthetic_latency_ms(kernels));
  }
  return data;
}

KernelPredictorWeights trained(const Data& data) {
  PredictorTraining config;
  config.hidden = {32, 32};
  config.epochs = 400;
  config.learning_rate = 1e-2;
  return train_kernel_predictor(data.layout, data.rows, data.latency, config);
}

TEST(KernelPredictor, LearnsAnAdditiveDeviceOnHeldOutModels) {
  const auto space = small_space();
  const Data train = make_data(space, 1, 200);
  const Data held_out = make_data(space, 2, 100, &train.layout);
  const KernelPredictor predictor(trained(train));
  std::vector<double> predicted;
  for (const auto& rows : held_out.rows) predicted.push_back(predictor.predict_rows_ms(rows));
  const AccuracyReport report = compare_latencies(predicted, held_out.latency);
  EXPECT_GE(report.within_10, 0.9) << "MAPE " << report.mape;
  EXPECT_GE(report.kendall_tau, 0.85);
}

TEST(KernelPredictor, PlainForwardMatchesLibTorchOnRandomInputs) {
  const auto space = small_space();
  const Data data = make_data(space, 3, 40);
  PredictorTraining config;
  config.hidden = {8, 5};
  config.epochs = 3;
  const KernelPredictorWeights weights = train_kernel_predictor(data.layout, data.rows, data.latency, config);
  const KernelPredictor predictor(weights);
  Rng rng(5);
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<std::vector<double>> rows(static_cast<size_t>(rng.uniform_int(0, 6)),
                                          std::vector<double>(data.layout.width()));
    for (auto& row : rows)
      for (double& x : row) x = rng.uniform(-3, 10);
    ASSERT_NEAR(predictor.predict_rows_ms(rows), torch_reference_predict_ms(weights, rows), 1e-9);
  }
}

TEST(KernelPredictor, FileRoundTripsAndMismatchedFilesAreRejected) {
  const auto space = small_space();
  const Data data = make_data(space, 6, 30);
  PredictorTraining config;
  config.hidden = {4};
  config.epochs = 2;
  KernelPredictorWeights weights = train_kernel_predictor(data.layout, data.rows, data.latency, config);
  const auto path = std::filesystem::path(GOS_BINARY_DIR) / "kernel_predictor_test.h5";
  write_predictor(path, weights);
  const KernelPredictorWeights back = read_predictor(path);
  EXPECT_EQ(back.layout, weights.layout);
  EXPECT_DOUBLE_EQ(KernelPredictor(back).predict_rows_ms(data.rows[0]),
                   KernelPredictor(weights).predict_rows_ms(data.rows[0]));

  // A layout with one more kernel feature than the stored weights were trained for.
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    h5::write_int(root, "kernel_features", static_cast<int64_t>(weights.layout.kernel_features + 1));
  }
  try {
    read_predictor(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not match the feature layout"), std::string::npos) << e.what();
  }
}

TEST(KernelPredictor, UnknownKernelTypesAndHardwareAreNamed) {
  FeatureLayout layout;
  layout.kernel_types = {"conv2d+relu"};
  layout.kernel_features = 2;
  layout.hardware_features = {"cores"};
  Kernel kernel{"deconv", "deconv-key", 1, 1, {1, 2}};
  try {
    feature_rows(layout, {kernel}, {2}, "p.h5");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("kernel type 'deconv'"), std::string::npos) << e.what();
  }
  kernel.type = "conv2d+relu";
  kernel.features = {1, 2, 3};
  EXPECT_THROW(feature_rows(layout, {kernel}, {2}, "p.h5"), Error);
  EXPECT_THROW(hardware_values(layout, DeviceInfo{"cpu", {{"threads", "1"}}}), Error);
  EXPECT_THROW(hardware_values(layout, DeviceInfo{"cpu", {{"cores", "two"}}}), Error);
  EXPECT_EQ(hardware_values(layout, DeviceInfo{"cpu", {{"cores", "2"}}}), std::vector<double>{2});
}

}  // namespace
}  // namespace gos
