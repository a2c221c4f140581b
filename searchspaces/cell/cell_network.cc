#include "searchspaces/cell/cell_network.h"

#include <fmt/format.h>

#include "framework/device.h"
#include "framework/rng.h"
#include "framework/text.h"
#include "torchlib/torch_model.h"
#include "torchlib/workload.h"

namespace gos::cell {
namespace {

namespace nn = torch::nn;

// ReLU, convolution without bias, batch norm: NAS-Bench-201's ReLUConvBN. A
// module of its own (not an nn::Sequential) so that nn::AnyModule can hold it.
struct ReluConvBnImpl : nn::Module {
  ReluConvBnImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding)
      : conv(register_module("conv", nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false)))),
        bn(register_module("bn", nn::BatchNorm2d(out))) {}
  torch::Tensor forward(torch::Tensor x) { return bn->forward(conv->forward(observed_relu(x))); }
  nn::Conv2d conv;
  nn::BatchNorm2d bn;
};
TORCH_MODULE(ReluConvBn);

// A module that multiplies its input by zero: the `none` operation, kept as a
// module (rather than skipped) so the graph matches the benchmark's.
struct ZeroImpl : nn::Module {
  torch::Tensor forward(torch::Tensor x) { return x.mul(0.0); }
};
TORCH_MODULE(Zero);

nn::AnyModule make_operation(const std::string& name, int64_t channels, const std::vector<std::string>& operations) {
  if (name == "none") return nn::AnyModule(Zero());
  if (name == "skip_connect") return nn::AnyModule(nn::Identity());
  if (name == "nor_conv_1x1") return nn::AnyModule(ReluConvBn(channels, channels, 1, 1, 0));
  if (name == "nor_conv_3x3") return nn::AnyModule(ReluConvBn(channels, channels, 3, 1, 1));
  if (name == "avg_pool_3x3")
    return nn::AnyModule(nn::AvgPool2d(nn::AvgPool2dOptions(3).stride(1).padding(1).count_include_pad(false)));
  throw Error(fmt::format("the LibTorch cell builder does not know operation '{}' (of [{}]); it builds {}", name,
                          join(operations, ", "), join(nb201_operations(), ", ")));
}

class Cell : public nn::Module {
 public:
  Cell(const CellGenome& genome, const std::vector<std::string>& operations, int nodes, int64_t channels)
      : nodes_(nodes) {
    for (size_t e = 0; e < genome.ops.size(); ++e)
      edges_.push_back(register_module(fmt::format("edge{}", e), nn::Sequential()));
    for (size_t e = 0; e < genome.ops.size(); ++e)
      edges_[e]->push_back(make_operation(operations[genome.ops[e]], channels, operations));
  }
  torch::Tensor forward(torch::Tensor input) {
    std::vector<torch::Tensor> values{input};
    size_t edge = 0;
    for (int to = 1; to < nodes_; ++to) {
      torch::Tensor sum = edges_[edge++]->forward(values[0]);
      for (int from = 1; from < to; ++from) sum = sum + edges_[edge++]->forward(values[from]);
      values.push_back(sum);
    }
    return values.back();
  }

 private:
  int nodes_;
  std::vector<nn::Sequential> edges_;
};

class ResidualReduction : public nn::Module {
 public:
  ResidualReduction(int64_t in, int64_t out)
      : conv_a_(register_module("conv_a", ReluConvBn(in, out, 3, 2, 1))),
        conv_b_(register_module("conv_b", ReluConvBn(out, out, 3, 1, 1))),
        shortcut_(register_module("shortcut",
                                  nn::Sequential(nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(2)),
                                                 nn::Conv2d(nn::Conv2dOptions(in, out, 1).bias(false))))) {}
  torch::Tensor forward(torch::Tensor x) { return shortcut_->forward(x) + conv_b_->forward(conv_a_->forward(x)); }

 private:
  ReluConvBn conv_a_, conv_b_;
  nn::Sequential shortcut_;
};

class CellNetwork : public TorchModel {
 public:
  CellNetwork(const CellGenome& genome, const std::vector<std::string>& operations, int nodes,
              const SkeletonConfig& skeleton) {
    int64_t channels = skeleton.channels;
    stem_ = register_module("stem", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(3, channels, 3).padding(1).bias(false)),
                                                   nn::BatchNorm2d(channels)));
    for (int stage = 0; stage < 3; ++stage) {
      if (stage > 0) {
        body_.emplace_back(register_module(fmt::format("reduction{}", stage),
                                           std::make_shared<ResidualReduction>(channels, 2 * channels)));
        channels *= 2;
      }
      for (int64_t i = 0; i < skeleton.cells_per_stage; ++i)
        body_.emplace_back(register_module(fmt::format("stage{}_cell{}", stage, i),
                                           std::make_shared<Cell>(genome, operations, nodes, channels)));
    }
    // The benchmark's last activation (BN + ReLU) before pooling; its ReLU is
    // applied in forward() so that NASWOT observes it as the reference code's hooks do.
    last_bn_ = register_module("last_bn", nn::BatchNorm2d(channels));
    classifier_ = register_module("classifier", nn::Linear(channels, skeleton.classes));
  }
  torch::Tensor forward(torch::Tensor input) override {
    torch::Tensor x = stem_->forward(input);
    for (nn::AnyModule& block : body_) x = block.forward(x);
    x = observed_relu(last_bn_->forward(x));
    return classifier_->forward(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
  }

 private:
  nn::Sequential stem_{nullptr};
  nn::BatchNorm2d last_bn_{nullptr};
  nn::Linear classifier_{nullptr};
  std::vector<nn::AnyModule> body_;
};

}  // namespace

std::shared_ptr<TorchModel> build_cell_network(const CellGenome& genome, const std::vector<std::string>& operations,
                                               int nodes, const SkeletonConfig& skeleton) {
  return std::make_shared<CellNetwork>(genome, operations, nodes, skeleton);
}

GenomeModel make_cell_model(const CellGenome& genome, const std::vector<std::string>& operations, int nodes,
                            const SkeletonConfig& skeleton) {
  torch::manual_seed(stable_hash(workload_key(genome, operations, nodes, skeleton)));
  GenomeModel model;
  model.module = build_cell_network(genome, operations, nodes, skeleton);
  model.input = {1, 3, skeleton.image_size, skeleton.image_size};
  model.classes = skeleton.classes;
  return model;
}

std::unique_ptr<Workload> make_cell_workload(const CellGenome& genome, const std::vector<std::string>& operations,
                                             int nodes, const SkeletonConfig& skeleton) {
  // Inference cost does not depend on pixel values, so a constant input
  // keeps the global torch generator untouched.
  return std::make_unique<ModuleWorkload>(build_cell_network(genome, operations, nodes, skeleton),
                                          torch::ones({skeleton.batch, 3, skeleton.image_size, skeleton.image_size}),
                                          workload_key(genome, operations, nodes, skeleton));
}

}  // namespace gos::cell
