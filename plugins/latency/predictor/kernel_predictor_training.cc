// Training of the kernel predictor: the one LibTorch translation unit of the
// predictor. Models are padded to the longest kernel list and masked, so one
// full-batch step covers the whole training set.
#include <algorithm>
#include <cmath>
#include <map>

#include "framework/error.h"
#include "plugins/latency/predictor/kernel_predictor.h"
#include "torchlib/torch_model.h"

namespace gos {
namespace {

torch::Tensor rows_tensor(const std::vector<std::vector<double>>& rows, size_t width) {
  torch::Tensor t = torch::zeros({static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t c = 0; c < width; ++c) a[static_cast<int64_t>(r)][static_cast<int64_t>(c)] = rows[r][c];
  return t;
}

std::vector<double> to_vector(const torch::Tensor& t) {
  torch::Tensor flat = t.detach().to(torch::kFloat64).contiguous().flatten();
  return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

}  // namespace

KernelPredictorWeights train_kernel_predictor(const FeatureLayout& layout,
                                              const std::vector<std::vector<std::vector<double>>>& models,
                                              const std::vector<double>& latency_ms, const PredictorTraining& config) {
  if (models.size() != latency_ms.size() || models.empty())
    throw Error("training a latency predictor needs one latency per model and at least one model");
  const size_t width = layout.width();
  size_t longest = 0;
  std::vector<std::vector<double>> all_rows;
  for (const auto& model : models) {
    longest = std::max(longest, model.size());
    all_rows.insert(all_rows.end(), model.begin(), model.end());
  }
  torch::manual_seed(config.seed);
  // The tensors are tiny: one thread is fastest, and on a machine shared with
  // other work more threads mostly wait for each other. Restored on return.
  struct ThreadCount {
    int previous = at::get_num_threads();
    ThreadCount() { at::set_num_threads(1); }
    ~ThreadCount() { at::set_num_threads(previous); }
  } single_thread;
  torch::Tensor every_row = rows_tensor(all_rows, width);
  torch::Tensor mean = every_row.mean(0);
  // Constant columns (a kernel type always present) keep unit scale.
  torch::Tensor std = every_row.std(0).clamp_min(1e-6);
  std = torch::where(std < 1e-5, torch::ones_like(std), std);

  // Models of one space share most of their kernels (an OFA data set of 7,000
  // models has under 2,000 distinct kernel rows): the network runs once per
  // distinct row and each model gathers its rows' outputs, which gives the
  // same loss as running it on every row of every model at a fraction of the cost.
  std::map<std::vector<double>, int64_t> distinct;
  const int64_t m = static_cast<int64_t>(models.size()), k = static_cast<int64_t>(longest);
  torch::Tensor row_index = torch::zeros({m, k}, torch::kLong);
  torch::Tensor mask = torch::zeros({m, k}, torch::kFloat64);
  auto index = row_index.accessor<int64_t, 2>();
  auto present = mask.accessor<double, 2>();
  std::vector<std::vector<double>> distinct_rows;
  for (int64_t i = 0; i < m; ++i) {
    const auto& model = models[static_cast<size_t>(i)];
    for (size_t j = 0; j < model.size(); ++j) {
      const auto [it, added] = distinct.emplace(model[j], static_cast<int64_t>(distinct_rows.size()));
      if (added) distinct_rows.push_back(model[j]);
      index[i][static_cast<int64_t>(j)] = it->second;
      present[i][static_cast<int64_t>(j)] = 1.0;
    }
  }
  torch::Tensor x = (rows_tensor(distinct_rows, width) - mean) / std;
  torch::Tensor y = torch::tensor(latency_ms, torch::kFloat64);
  // Start each kernel near the average latency per kernel, so training
  // refines shares instead of first finding the scale.
  const double output_scale = (y.sum() / mask.sum()).item<double>() / std::log(2.0);

  std::vector<torch::nn::Linear> linears;
  torch::nn::Sequential network;
  int64_t inputs = static_cast<int64_t>(width);
  for (int64_t hidden : config.hidden) {
    linears.push_back(torch::nn::Linear(inputs, hidden));
    network->push_back(linears.back());
    network->push_back(torch::nn::ReLU());
    inputs = hidden;
  }
  linears.push_back(torch::nn::Linear(inputs, 1));
  network->push_back(linears.back());
  network->to(torch::kFloat64);
  torch::Tensor overhead = torch::zeros({1}, torch::kFloat64).requires_grad_(true);

  std::vector<torch::Tensor> parameters = network->parameters();
  parameters.push_back(overhead);
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(config.learning_rate));
  auto predict = [&] {
    torch::Tensor per_row = output_scale * torch::softplus(network->forward(x).squeeze(-1));
    torch::Tensor per_kernel = per_row.index_select(0, row_index.flatten()).view({m, k});
    return (per_kernel * mask).sum(1) + output_scale * torch::softplus(overhead - 5.0);
  };
  for (int64_t epoch = 0; epoch < config.epochs; ++epoch) {
    // Halve the step size over the last half of training for a settled fit.
    if (epoch == config.epochs / 2)
      for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(config.learning_rate / 4);
    optimizer.zero_grad();
    // Squared log error: relative accuracy matters equally for fast and slow models.
    torch::Tensor loss = (torch::log(predict()) - torch::log(y)).pow(2).mean();
    loss.backward();
    optimizer.step();
  }

  KernelPredictorWeights weights;
  weights.layout = layout;
  weights.feature_mean = to_vector(mean);
  weights.feature_std = to_vector(std);
  weights.output_scale = output_scale;
  weights.overhead_ms = output_scale * torch::softplus(overhead - 5.0).item<double>();
  for (auto& linear : linears) {
    DenseLayer layer;
    layer.inputs = static_cast<size_t>(linear->weight.size(1));
    layer.outputs = static_cast<size_t>(linear->weight.size(0));
    layer.weight = to_vector(linear->weight);
    layer.bias = to_vector(linear->bias);
    weights.layers.push_back(std::move(layer));
  }
  return weights;
}

double torch_reference_predict_ms(const KernelPredictorWeights& weights, const std::vector<std::vector<double>>& rows) {
  torch::NoGradGuard no_grad;
  const size_t width = weights.layout.width();
  torch::Tensor h = (rows_tensor(rows, width) - torch::tensor(weights.feature_mean, torch::kFloat64)) /
                    torch::tensor(weights.feature_std, torch::kFloat64);
  for (size_t l = 0; l < weights.layers.size(); ++l) {
    const DenseLayer& layer = weights.layers[l];
    torch::Tensor w = torch::tensor(layer.weight, torch::kFloat64)
                          .reshape({static_cast<int64_t>(layer.outputs), static_cast<int64_t>(layer.inputs)});
    h = torch::nn::functional::linear(h, w, torch::tensor(layer.bias, torch::kFloat64));
    if (l + 1 < weights.layers.size()) h = torch::relu(h);
  }
  return weights.overhead_ms + weights.output_scale * torch::softplus(h).sum().item<double>();
}

}  // namespace gos
