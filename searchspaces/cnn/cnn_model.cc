// The LibTorch half of cnn_chain: the one translation unit of the space that
// includes torch. Models run without gradients (ModuleWorkload) with fixed-seed weights (the
// values do not change latency; the seed keeps runs reproducible).
#include <fmt/format.h>

#include "searchspaces/cnn/cnn_chain.h"
#include "torchlib/torch_model.h"
#include "torchlib/workload.h"

namespace gos::cnn {
namespace {

torch::Tensor activate(torch::Tensor x, Activation activation) {
  switch (activation) {
    case Activation::kRelu: return observed_relu(x);  // visible to NASWOT
    case Activation::kHswish: return torch::hardswish(x);
    case Activation::kNone: return x;
  }
  return x;
}

class ChainModel : public TorchModel {
 public:
  ChainModel(const std::vector<ConvShape>& shapes, bool with_head, int head_channels, int classes) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      const ConvShape& s = shapes[i];
      auto options = torch::nn::Conv2dOptions(s.in_channels, s.out_channels, s.kernel)
                         .stride(s.stride)
                         .padding(s.kernel / 2);
      convs_.push_back(register_module(fmt::format("conv{}", i), torch::nn::Conv2d(options)));
      activations_.push_back(s.activation);
    }
    if (with_head) head_ = register_module("head", torch::nn::Linear(head_channels, classes));
  }

  torch::Tensor forward(torch::Tensor x) override {
    for (size_t i = 0; i < convs_.size(); ++i) x = activate(convs_[i]->forward(x), activations_[i]);
    if (head_) x = head_->forward(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
    return x;
  }

 private:
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<Activation> activations_;
  torch::nn::Linear head_{nullptr};
};

// The chain followed by its classifier head (pooling + linear).
std::shared_ptr<ChainModel> classifier_chain(const CnnChainConfig& config, const std::vector<ConvShape>& shapes) {
  const int head_channels = shapes.empty() ? config.input_channels : shapes.back().out_channels;
  return std::make_shared<ChainModel>(shapes, true, head_channels, config.classes);
}

std::unique_ptr<Workload> make(std::shared_ptr<ChainModel> model, std::vector<int64_t> input_shape, std::string key) {
  return std::make_unique<ModuleWorkload>(std::move(model), torch::randn(input_shape), std::move(key));
}

}  // namespace

std::unique_ptr<Workload> make_chain_workload(const CnnChainConfig& config, const std::vector<ConvShape>& shapes,
                                              std::string key) {
  torch::manual_seed(0);
  return make(classifier_chain(config, shapes),
              {config.batch, config.input_channels, config.resolution, config.resolution},
              std::move(key));
}

GenomeModel make_chain_model(const CnnChainConfig& config, const std::vector<ConvShape>& shapes, uint64_t seed) {
  torch::manual_seed(seed);
  GenomeModel model;
  model.module = classifier_chain(config, shapes);
  model.input = {1, config.input_channels, config.resolution, config.resolution};
  model.classes = config.classes;
  return model;
}

std::unique_ptr<Workload> make_conv_workload(const ConvShape& shape, int batch, std::string key) {
  torch::manual_seed(0);
  auto model = std::make_shared<ChainModel>(std::vector<ConvShape>{shape}, false, 0, 0);
  return make(std::move(model), {batch, shape.in_channels, shape.in_size, shape.in_size}, std::move(key));
}

std::unique_ptr<Workload> make_head_workload(int channels, int size, int classes, int batch, std::string key) {
  torch::manual_seed(0);
  auto model = std::make_shared<ChainModel>(std::vector<ConvShape>{}, true, channels, classes);
  return make(std::move(model), {batch, channels, size, size}, std::move(key));
}

}  // namespace gos::cnn
