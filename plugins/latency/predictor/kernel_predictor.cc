#include "plugins/latency/predictor/kernel_predictor.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "framework/error.h"
#include "framework/text.h"
#include "plugins/latency/core/h5_io.h"

namespace gos {
namespace {

double softplus(double x) { return x > 30 ? x : std::log1p(std::exp(x)); }

}  // namespace

std::string FeatureLayout::describe() const {
  return fmt::format("kernel types [{}], {} kernel features, hardware features [{}]", join(kernel_types, ", "),
                     kernel_features, join(hardware_features, ", "));
}

FeatureLayout layout_for(const std::vector<std::vector<Kernel>>& models, std::vector<std::string> hardware_features) {
  FeatureLayout layout;
  layout.hardware_features = std::move(hardware_features);
  std::set<std::string> types;
  for (const auto& kernels : models) {
    for (const Kernel& kernel : kernels) {
      layout.kernel_features = std::max(layout.kernel_features, kernel.features.size());
      types.insert(kernel.type);
    }
  }
  layout.kernel_types.assign(types.begin(), types.end());
  return layout;
}

std::vector<double> hardware_values(const FeatureLayout& layout, const DeviceInfo& device) {
  std::vector<double> values;
  for (const std::string& name : layout.hardware_features) {
    const auto it = device.properties.find(name);
    if (it == device.properties.end())
      throw Error(fmt::format("the predictor needs hardware feature '{}', which device '{}' does not report", name,
                              device.name));
    double value = 0;
    const std::string& text = it->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      throw Error(fmt::format("hardware feature '{}' of device '{}' is '{}', not a number", name, device.name, text));
    values.push_back(value);
  }
  return values;
}

std::vector<std::vector<double>> feature_rows(const FeatureLayout& layout, const std::vector<Kernel>& kernels,
                                              const std::vector<double>& hardware, const std::string& source) {
  if (hardware.size() != layout.hardware_features.size())
    throw Error(fmt::format("{}: {} hardware values for {} hardware features", source, hardware.size(),
                            layout.hardware_features.size()));
  std::vector<std::vector<double>> rows;
  rows.reserve(kernels.size());
  for (const Kernel& kernel : kernels) {
    const auto type = std::find(layout.kernel_types.begin(), layout.kernel_types.end(), kernel.type);
    if (type == layout.kernel_types.end())
      throw Error(fmt::format("{}: kernel type '{}' (of '{}') is not in the predictor's layout; it was trained on "
                              "types [{}]",
                              source, kernel.type, kernel.key, join(layout.kernel_types, ", ")));
    if (kernel.features.size() > layout.kernel_features)
      throw Error(fmt::format("{}: kernel '{}' has {} features; the predictor's layout has {}", source, kernel.key,
                              kernel.features.size(), layout.kernel_features));
    std::vector<double> row(layout.width(), 0.0);
    size_t at = static_cast<size_t>(type - layout.kernel_types.begin());
    row[at] = 1;
    at = layout.kernel_types.size();
    for (double f : kernel.features) row[at++] = std::log1p(std::max(f, 0.0));
    at = layout.kernel_types.size() + layout.kernel_features;
    row[at++] = std::log1p(kernel.flops);
    row[at++] = std::log1p(kernel.params);
    for (double h : hardware) row[at++] = std::log1p(std::max(h, 0.0));
    rows.push_back(std::move(row));
  }
  return rows;
}

KernelPredictor::KernelPredictor(KernelPredictorWeights weights) : weights_(std::move(weights)) {
  const size_t width = weights_.layout.width();
  if (weights_.feature_mean.size() != width || weights_.feature_std.size() != width)
    throw Error(fmt::format("predictor: {} feature means / {} deviations for a layout of width {} ({})",
                            weights_.feature_mean.size(), weights_.feature_std.size(), width,
                            weights_.layout.describe()));
  size_t inputs = width;
  for (size_t i = 0; i < weights_.layers.size(); ++i) {
    const DenseLayer& layer = weights_.layers[i];
    if (layer.inputs != inputs || layer.weight.size() != layer.inputs * layer.outputs ||
        layer.bias.size() != layer.outputs)
      throw Error(fmt::format("predictor: layer {} is {}x{} with {} weights and {} biases, but its input has width {}",
                              i, layer.outputs, layer.inputs, layer.weight.size(), layer.bias.size(), inputs));
    inputs = layer.outputs;
  }
  if (weights_.layers.empty() || inputs != 1) throw Error("predictor: the last layer must have exactly one output");
}

double KernelPredictor::predict_rows_ms(const std::vector<std::vector<double>>& rows) const {
  double total = weights_.overhead_ms;
  std::vector<double> activation, next;
  for (const auto& row : rows) {
    activation.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i)
      activation[i] = (row[i] - weights_.feature_mean[i]) / weights_.feature_std[i];
    for (size_t l = 0; l < weights_.layers.size(); ++l) {
      const DenseLayer& layer = weights_.layers[l];
      next.assign(layer.bias.begin(), layer.bias.end());
      for (size_t o = 0; o < layer.outputs; ++o) {
        const double* w = &layer.weight[o * layer.inputs];
        double sum = next[o];
        for (size_t i = 0; i < layer.inputs; ++i) sum += w[i] * activation[i];
        next[o] = l + 1 < weights_.layers.size() ? std::max(sum, 0.0) : sum;
      }
      activation.swap(next);
    }
    total += weights_.output_scale * softplus(activation[0]);
  }
  return total;
}

double KernelPredictor::predict_ms(const std::vector<Kernel>& kernels, const std::vector<double>& hardware,
                                   const std::string& source) const {
  return predict_rows_ms(feature_rows(weights_.layout, kernels, hardware, source));
}

void write_predictor(const std::filesystem::path& path, const KernelPredictorWeights& weights) {
  H5::H5File file = h5::create(path, "latency predictor");
  H5::Group root = file.openGroup("/");
  h5::write_int(root, "schema_version", kPredictorSchemaVersion);
  h5::write_int(root, "kernel_features", static_cast<int64_t>(weights.layout.kernel_features));
  h5::write_strings(root, "kernel_types", weights.layout.kernel_types);
  h5::write_strings(root, "hardware_features", weights.layout.hardware_features);
  h5::write_reals(root, "feature_mean", weights.feature_mean);
  h5::write_reals(root, "feature_std", weights.feature_std);
  h5::write_real(root, "output_scale", weights.output_scale);
  h5::write_real(root, "overhead_ms", weights.overhead_ms);
  h5::write_string(root, "trained_on", weights.trained_on);
  h5::write_string(root, "training_data", weights.training_data);
  h5::write_int(root, "layers", static_cast<int64_t>(weights.layers.size()));
  for (size_t i = 0; i < weights.layers.size(); ++i) {
    H5::Group group = file.createGroup(fmt::format("layer{}", i));
    h5::write_int(group, "inputs", static_cast<int64_t>(weights.layers[i].inputs));
    h5::write_int(group, "outputs", static_cast<int64_t>(weights.layers[i].outputs));
    h5::write_reals(group, "weight", weights.layers[i].weight);
    h5::write_reals(group, "bias", weights.layers[i].bias);
  }
}

KernelPredictorWeights read_predictor(const std::filesystem::path& path) {
  const std::string name = path.string();
  H5::H5File file = h5::open_for_reading(path, "latency predictor");
  H5::Group root = file.openGroup("/");
  h5::require_schema_version(root, kPredictorSchemaVersion, name, "predictor", "retrain with 'gos latency train'");
  KernelPredictorWeights weights;
  weights.layout.kernel_features = static_cast<size_t>(h5::read_int(root, "kernel_features", name));
  weights.layout.kernel_types = h5::read_strings(root, "kernel_types", name);
  weights.layout.hardware_features = h5::read_strings(root, "hardware_features", name);
  weights.feature_mean = h5::read_reals(root, "feature_mean", name);
  weights.feature_std = h5::read_reals(root, "feature_std", name);
  weights.output_scale = h5::read_real(root, "output_scale", name);
  weights.overhead_ms = h5::read_real(root, "overhead_ms", name);
  weights.trained_on = h5::read_string(root, "trained_on", name);
  if (root.attrExists("training_data")) weights.training_data = h5::read_string(root, "training_data", name);
  const int64_t layers = h5::read_int(root, "layers", name);
  for (int64_t i = 0; i < layers; ++i) {
    const std::string group_name = fmt::format("layer{}", i);
    if (!root.nameExists(group_name)) throw Error(fmt::format("{}: group '{}' is missing", name, group_name));
    H5::Group group = file.openGroup(group_name);
    DenseLayer layer;
    layer.inputs = static_cast<size_t>(h5::read_int(group, "inputs", name));
    layer.outputs = static_cast<size_t>(h5::read_int(group, "outputs", name));
    layer.weight = h5::read_reals(group, "weight", name);
    layer.bias = h5::read_reals(group, "bias", name);
    weights.layers.push_back(std::move(layer));
  }
  try {
    KernelPredictor check(weights);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: weights do not match the feature layout: {}", name, e.what()));
  }
  return weights;
}

}  // namespace gos
