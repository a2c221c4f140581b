#pragma once
// The learned latency predictor: an MLP maps each kernel's features to that
// kernel's latency; a model's latency is the sum over its kernels plus a
// learned overhead (nn-Meter's kernel decomposition, with one network shared
// by all kernel types so that rare types borrow strength from common ones).
// Optional hardware features (cores, threads, frequency of the device) are
// appended to every kernel row, so one predictor can cover several devices
// (as in HELP / "generalized latency performance estimation").
//
// Inference is plain C++ on weights read from HDF5; LibTorch is only needed
// to train (kernel_predictor_training.cc).
#include <filesystem>
#include <string>
#include <vector>

#include "framework/device.h"
#include "framework/search_space.h"

namespace gos {

inline constexpr int64_t kPredictorSchemaVersion = 1;

// What one kernel row is made of, in order: one-hot kernel type, log1p of each
// kernel feature (zero-padded to kernel_features: kernel types may have
// different attribute counts), log1p(flops), log1p(params), log1p of each
// hardware feature.
struct FeatureLayout {
  std::vector<std::string> kernel_types;
  size_t kernel_features = 0;
  std::vector<std::string> hardware_features;  // device property names
  size_t width() const { return kernel_types.size() + kernel_features + 2 + hardware_features.size(); }
  std::string describe() const;
  bool operator==(const FeatureLayout&) const = default;
};

// The layout covering every kernel given: all their types, and room for the
// longest feature list.
FeatureLayout layout_for(const std::vector<std::vector<Kernel>>& models, std::vector<std::string> hardware_features);
// Device properties as numbers, in the layout's order. Throws gos::Error
// naming a property the device does not report or that is not a number.
std::vector<double> hardware_values(const FeatureLayout& layout, const DeviceInfo& device);
// The rows of one model. Throws gos::Error naming a kernel type or feature
// count the layout does not know.
std::vector<std::vector<double>> feature_rows(const FeatureLayout& layout, const std::vector<Kernel>& kernels,
                                              const std::vector<double>& hardware, const std::string& source);

struct DenseLayer {
  size_t inputs = 0;
  size_t outputs = 0;
  std::vector<double> weight;  // outputs x inputs, row-major
  std::vector<double> bias;
};

struct KernelPredictorWeights {
  FeatureLayout layout;
  std::vector<double> feature_mean;  // standardisation of rows
  std::vector<double> feature_std;
  std::vector<DenseLayer> layers;    // ReLU between layers; softplus after the last
  double output_scale = 1;           // ms per unit of network output
  double overhead_ms = 0;
  std::string trained_on;            // device description of the training data
  // Which dataset file, and how many of its models, the weights were fitted
  // on. Optional attribute: predictors written before it existed read as "".
  std::string training_data;
};

class KernelPredictor {
 public:
  // Throws gos::Error when layer shapes do not chain or do not fit the layout.
  explicit KernelPredictor(KernelPredictorWeights weights);
  double predict_rows_ms(const std::vector<std::vector<double>>& rows) const;
  double predict_ms(const std::vector<Kernel>& kernels, const std::vector<double>& hardware,
                    const std::string& source) const;
  const KernelPredictorWeights& weights() const { return weights_; }

 private:
  KernelPredictorWeights weights_;
};

void write_predictor(const std::filesystem::path& path, const KernelPredictorWeights& weights);
// Throws gos::Error naming the file for a missing file, another schema
// version, or weights that do not match the stored feature layout.
KernelPredictorWeights read_predictor(const std::filesystem::path& path);

struct PredictorTraining {
  std::vector<int64_t> hidden{64, 64};
  int64_t epochs = 1500;
  double learning_rate = 3e-3;
  uint64_t seed = 1;
};

// Fits on models given as feature rows (kernel_predictor_training.cc, LibTorch).
KernelPredictorWeights train_kernel_predictor(const FeatureLayout& layout,
                                              const std::vector<std::vector<std::vector<double>>>& models,
                                              const std::vector<double>& latency_ms, const PredictorTraining& config);
// The same forward pass in LibTorch: the reference predict_rows_ms is tested against.
double torch_reference_predict_ms(const KernelPredictorWeights& weights, const std::vector<std::vector<double>>& rows);

}  // namespace gos
