// NAS_PerformanceEstimation's own latency predictor, retrained here: an MLP
// 128-400-400-400-1 on OFA's 128-d one-hot encoding of a sub-network
// (`ofa_mbv3` with encoding = one_hot), trained with Adam on minibatches of
// the training part, judged on the validation and test parts. A comparison
// point for GOS's kernel MLP and fitted table (docs/performance/ofa.md); not a
// GOS predictor (it knows nothing of layers, so it cannot transfer or be
// compiled into a table). From the repository root:
//   build/ofa_encoding_mlp ../shared/data/latency/ofa/ofa_rtx2080ti_b64.csv 70/15/15 200
//   build/ofa_encoding_mlp ../shared/data/latency/ofa/ofa_rtx2080ti_b64.csv 70/15/15,shuffle=1 200
// Arguments: CSV, split, epochs [, hidden widths ... (default 400 400 400)].
// Trains on a CUDA device when LibTorch sees one (the GPU machine of
// docs/performance/adapt-gpu.md), else on one CPU thread; same seed either way.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "framework/error.h"
#include "plugins/latency/core/accuracy.h"
#include "plugins/latency/core/csv_table.h"
#include "plugins/latency/core/data_split.h"
#include "searchspaces/ofa/ofa_space.h"
#include "torchlib/torch_model.h"

namespace gos {
namespace {

struct Part {
  torch::Tensor x, y;
  std::vector<double> measured;
};

torch::Tensor rows(const std::vector<std::vector<double>>& encoded) {
  torch::Tensor t = torch::zeros({static_cast<int64_t>(encoded.size()), static_cast<int64_t>(encoded.at(0).size())});
  auto a = t.accessor<float, 2>();
  for (size_t r = 0; r < encoded.size(); ++r)
    for (size_t c = 0; c < encoded[r].size(); ++c)
      a[static_cast<int64_t>(r)][static_cast<int64_t>(c)] = static_cast<float>(encoded[r][c]);
  return t;
}

int run(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: ofa_encoding_mlp DATA.csv SPLIT EPOCHS [HIDDEN...]\n  e.g. ofa_encoding_mlp "
                 "../shared/data/latency/ofa/ofa_rtx2080ti_b64.csv 70/15/15 200 400 400 400\n";
    return 2;
  }
  const std::string file = argv[1];
  const DataSplit split = DataSplit::parse_percentages(argv[2]);
  const int64_t epochs = std::atoll(argv[3]);
  std::vector<int64_t> hidden;
  for (int i = 4; i < argc; ++i) hidden.push_back(std::atoll(argv[i]));
  if (hidden.empty()) hidden = {400, 400, 400};
  ofa::OfaConfig config;
  config.encoding = ofa::Encoding::kOfaOneHot;
  const ofa::OfaSpace space(config);
  const LatencyDataset data = read_latency_csv(file, space);
  std::vector<std::vector<double>> encoded[3];
  Part parts[3];
  for (size_t i = 0; i < data.genomes.size(); ++i) {
    const int p = static_cast<int>(split.part(i, data.genomes.size()));
    encoded[p].push_back(space.encode(*space.deserialize(data.genomes[i])));
    parts[p].measured.push_back(data.latency_ms[i]);
  }
  for (int p = 0; p < 3; ++p) {
    if (encoded[p].empty()) throw Error(fmt::format("{}: split {} leaves part {} empty", file, argv[2], p));
    parts[p].x = rows(encoded[p]);
    parts[p].y = torch::tensor(parts[p].measured, torch::kFloat32);
  }
  // Targets standardised on the training part (the network learns the spread, not the ~50 ms offset).
  const float mean = parts[0].y.mean().item<float>(), std = parts[0].y.std().item<float>();
  torch::manual_seed(1);
  at::set_num_threads(1);
  const torch::Device device = torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
  for (Part& part : parts) {
    part.x = part.x.to(device);
    part.y = part.y.to(device);
  }
  torch::nn::Sequential network;
  int64_t inputs = parts[0].x.size(1);
  for (int64_t width : hidden) {
    network->push_back(torch::nn::Linear(inputs, width));
    network->push_back(torch::nn::ReLU());
    inputs = width;
  }
  network->push_back(torch::nn::Linear(inputs, 1));
  network->to(device);
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-3));
  const int64_t n = parts[0].x.size(0), batch = 128;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    // Step size down 10x for the last quarter, for a settled fit.
    if (epoch == epochs * 3 / 4)
      for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(1e-4);
    const torch::Tensor order = torch::randperm(n).to(device);
    for (int64_t first = 0; first < n; first += batch) {
      const torch::Tensor index = order.slice(0, first, std::min(first + batch, n));
      optimizer.zero_grad();
      const torch::Tensor predicted = network->forward(parts[0].x.index_select(0, index)).squeeze(-1);
      const torch::Tensor loss = (predicted - (parts[0].y.index_select(0, index) - mean) / std).pow(2).mean();
      loss.backward();
      optimizer.step();
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  torch::NoGradGuard no_grad;
  std::cout << fmt::format(
      "{}: MLP 128-{}-1 on the one-hot encoding, {} epochs, split {}, trained on {} models in "
      "{:.0f} s on {}\n",
      file, fmt::join(hidden, "-"), epochs, split.describe(), n, seconds, device.is_cuda() ? "CUDA" : "one CPU thread");
  const char* names[3] = {"train", "validation", "test"};
  for (int p = 0; p < 3; ++p) {
    const torch::Tensor out = (network->forward(parts[p].x).squeeze(-1) * std + mean).to(torch::kCPU);
    std::vector<double> predicted(static_cast<size_t>(out.size(0)));
    for (int64_t i = 0; i < out.size(0); ++i) predicted[static_cast<size_t>(i)] = out[i].item<double>();
    const AccuracyReport r = compare_latencies(predicted, parts[p].measured);
    std::cout << fmt::format(
        "  {:<10} {:>5} models: RMSE {:.3f} ms, MAE {:.3f} ms, MAPE {:.2f}%, within 10% "
        "{:.1f}%, Kendall tau {:.3f}\n",
        names[p], r.count, r.rmse_ms, r.mae_ms, 100 * r.mape, 100 * r.within_10, r.kendall_tau);
  }
  return 0;
}

}  // namespace
}  // namespace gos

int main(int argc, char** argv) {
  try {
    return gos::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
