// The LibTorch half of ofa_mbv3: OFA MobileNetV3 layers built from their
// LayerSpecs, the one translation unit of the space that includes torch.
#include <fmt/format.h>

#include "searchspaces/ofa/ofa_space.h"
#include "torchlib/torch_model.h"

namespace gos::ofa {
namespace {

torch::Tensor activate(torch::Tensor x, bool hswish) { return hswish ? torch::hardswish(x) : observed_relu(x); }

torch::nn::Conv2d conv(int in, int out, int kernel, int stride = 1, int groups = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).groups(groups));
}

// One MBConv block: 1x1 expansion (absent when mid == in), depthwise kxk,
// optional squeeze-excite, 1x1 projection, optional residual.
class Block : public torch::nn::Module {
 public:
  explicit Block(const LayerSpec& s) : spec_(s) {
    if (s.mid_channels != s.in_channels) expand_ = register_module("expand", conv(s.in_channels, s.mid_channels, 1));
    depthwise_ = register_module("depthwise", conv(s.mid_channels, s.mid_channels, s.kernel, s.stride, s.mid_channels));
    if (s.squeeze_excite) {
      const int squeezed = se_channels(s.mid_channels);
      reduce_ = register_module("se_reduce", conv(s.mid_channels, squeezed, 1));
      restore_ = register_module("se_expand", conv(squeezed, s.mid_channels, 1));
    }
    project_ = register_module("project", conv(s.mid_channels, s.out_channels, 1));
  }

  torch::Tensor forward(const torch::Tensor& input) {
    torch::Tensor x = input;
    if (expand_) x = activate(expand_->forward(x), spec_.hswish);
    x = activate(depthwise_->forward(x), spec_.hswish);
    if (reduce_) {
      torch::Tensor w = torch::adaptive_avg_pool2d(x, {1, 1});
      w = torch::hardsigmoid(restore_->forward(observed_relu(reduce_->forward(w))));
      x = x * w;
    }
    x = project_->forward(x);
    return spec_.residual ? x + input : x;
  }

 private:
  LayerSpec spec_;
  torch::nn::Conv2d expand_{nullptr}, depthwise_{nullptr}, reduce_{nullptr}, restore_{nullptr}, project_{nullptr};
};

class LayersModel : public TorchModel {
 public:
  LayersModel(const std::vector<LayerSpec>& layers, int classes) : layers_(layers) {
    for (size_t i = 0; i < layers.size(); ++i) {
      const LayerSpec& s = layers[i];
      const std::string name = fmt::format("layer{}", i);
      switch (s.type) {
        case LayerType::kStem:
          convs_.push_back(register_module(name, conv(s.in_channels, s.out_channels, 3, 2)));
          break;
        case LayerType::kFinalExpand:
        case LayerType::kFeatureMix:
          convs_.push_back(register_module(name, conv(s.in_channels, s.out_channels, 1)));
          break;
        case LayerType::kBlock:
          blocks_.push_back(register_module(name, std::make_shared<Block>(s)));
          break;
        case LayerType::kClassifier:
          classifier_ = register_module(name, torch::nn::Linear(s.in_channels, classes));
          break;
        case LayerType::kPool:
          break;
      }
    }
  }

  torch::Tensor forward(torch::Tensor x) override {
    size_t conv_index = 0, block_index = 0;
    for (const LayerSpec& s : layers_) {
      switch (s.type) {
        case LayerType::kStem:
        case LayerType::kFinalExpand:
        case LayerType::kFeatureMix:
          x = torch::hardswish(convs_[conv_index++]->forward(x));
          break;
        case LayerType::kBlock:
          x = blocks_[block_index++]->forward(x);
          break;
        case LayerType::kPool:
          x = torch::adaptive_avg_pool2d(x, {1, 1});
          break;
        case LayerType::kClassifier:
          x = classifier_->forward(x.flatten(1));
          break;
      }
    }
    return x;
  }

 private:
  std::vector<LayerSpec> layers_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<std::shared_ptr<Block>> blocks_;
  torch::nn::Linear classifier_{nullptr};
};

class LayersWorkload : public Workload {
 public:
  LayersWorkload(std::shared_ptr<LayersModel> model, torch::Tensor input, std::string key)
      : model_(std::move(model)), input_(std::move(input)), key_(std::move(key)) {
    model_->eval();
  }
  std::string key() const override { return key_; }
  void run() override {
    torch::InferenceMode inference;
    model_->forward(input_);
  }

 private:
  std::shared_ptr<LayersModel> model_;
  torch::Tensor input_;
  std::string key_;
};

std::vector<int64_t> input_shape(const LayerSpec& first, int batch) {
  if (first.type == LayerType::kClassifier) return {batch, first.in_channels, 1, 1};
  return {batch, first.in_channels, first.in_size, first.in_size};
}

}  // namespace

std::unique_ptr<Workload> make_layers_workload(const std::vector<LayerSpec>& layers, int batch, int classes,
                                               std::string key) {
  torch::manual_seed(0);
  auto model = std::make_shared<LayersModel>(layers, classes);
  return std::make_unique<LayersWorkload>(std::move(model), torch::randn(input_shape(layers.at(0), batch)),
                                          std::move(key));
}

GenomeModel make_layers_model(const std::vector<LayerSpec>& layers, int classes, uint64_t seed) {
  torch::manual_seed(seed);
  GenomeModel model;
  model.module = std::make_shared<LayersModel>(layers, classes);
  model.input = input_shape(layers.at(0), 1);
  model.classes = classes;
  return model;
}

}  // namespace gos::ofa
