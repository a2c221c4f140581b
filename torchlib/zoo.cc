#include "torchlib/zoo.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>

#include "framework/error.h"
#include "framework/text.h"

namespace gos {

std::string shape_string(const Shape& shape) {
  std::vector<std::string> parts;
  for (int64_t size : shape) parts.push_back(std::to_string(size));
  return join(parts, "x");
}

namespace {

double elements(const Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), 1.0, [](double a, int64_t b) { return a * double(b); });
}

Shape to_shape(torch::IntArrayRef sizes) { return Shape(sizes.begin(), sizes.end()); }

// Parameters are registered on the operator itself (not on a nested
// torch::nn module) so that their names are "<slot path>.weight", as in
// torchvision.
class Conv : public WeightedOperator {
 public:
  Conv(int64_t in, int64_t out, int64_t kh, int64_t kw, int64_t stride, int64_t ph, int64_t pw, int64_t groups,
       bool bias)
      : kernel_{kh, kw}, stride_(stride), padding_{ph, pw}, groups_(groups) {
    if (in % groups != 0 || out % groups != 0)
      throw Error(fmt::format("convolution {} -> {} channels cannot be split into {} groups", in, out, groups));
    weight_ = register_parameter("weight", torch::empty({out, in / groups, kh, kw}));
    // He initialisation for the ReLU-family nonlinearities that follow (fan-out, as torchvision).
    torch::nn::init::kaiming_normal_(weight_, 0.0, torch::kFanOut, torch::kReLU);
    if (bias) bias_ = register_parameter("bias", torch::zeros({out}));
  }
  torch::Tensor forward(torch::Tensor x) override { return apply(x, weight_); }
  torch::Tensor weight() const override { return weight_; }
  torch::Tensor bias() const override { return bias_; }
  torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& weight) const override {
    return torch::conv2d(x, weight, bias_, {stride_, stride_}, {padding_[0], padding_[1]}, {1, 1}, groups_);
  }
  double macs(const Shape&, const Shape& output) const override {
    return double(weight_.size(1) * kernel_[0] * kernel_[1]) * elements(output);
  }
  std::string kind() const override {
    const std::string size = kernel_[0] == kernel_[1] ? fmt::format("{}x{}", kernel_[0], kernel_[0])
                                                      : fmt::format("{}x{}", kernel_[0], kernel_[1]);
    return (groups_ > 1 && groups_ == weight_.size(0) ? "dwconv" : "conv") + size;
  }
  double flops(const Shape&, const Shape& output) const override {
    const double per_output = 2.0 * double(weight_.size(1) * kernel_[0] * kernel_[1]) + (bias_.defined() ? 1 : 0);
    return per_output * elements(output);
  }

 private:
  std::array<int64_t, 2> kernel_;
  int64_t stride_;
  std::array<int64_t, 2> padding_;
  int64_t groups_;
  torch::Tensor weight_, bias_;
};

class BatchNorm : public Operator {
 public:
  BatchNorm(int64_t channels, double eps) : eps_(eps) {
    weight_ = register_parameter("weight", torch::ones({channels}));
    bias_ = register_parameter("bias", torch::zeros({channels}));
    running_mean_ = register_buffer("running_mean", torch::zeros({channels}));
    running_var_ = register_buffer("running_var", torch::ones({channels}));
  }
  torch::Tensor forward(torch::Tensor x) override {
    return torch::batch_norm(x, weight_, bias_, running_mean_, running_var_, is_training(), 0.1, eps_, true);
  }
  std::string kind() const override { return "batchnorm"; }
  // A scale and a shift per element once folded.
  double flops(const Shape&, const Shape& output) const override { return 2 * elements(output); }

 private:
  double eps_;
  torch::Tensor weight_, bias_, running_mean_, running_var_;
};

class Activation : public Operator {
 public:
  explicit Activation(std::string kind) : kind_(std::move(kind)) {
    if (kind_ != "relu" && kind_ != "hardswish" && kind_ != "hardsigmoid" && kind_ != "identity")
      throw Error(fmt::format("unknown activation '{}'; valid: relu, hardswish, hardsigmoid, identity", kind_));
  }
  torch::Tensor forward(torch::Tensor x) override {
    if (kind_ == "relu") return observed_relu(x);  // visible to NASWOT
    if (kind_ == "hardswish") return torch::hardswish(x);
    if (kind_ == "hardsigmoid") return torch::hardsigmoid(x);
    return x;
  }
  std::string kind() const override { return kind_; }
  double flops(const Shape&, const Shape& output) const override {
    return kind_ == "identity" ? 0 : elements(output);
  }

 private:
  std::string kind_;
};

class Pool : public Operator {
 public:
  Pool(std::string kind, int64_t kernel, int64_t stride, int64_t pad)
      : kind_(std::move(kind)), kernel_(kernel), stride_(stride), pad_(pad) {
    if (kind_ != "max" && kind_ != "avg") throw Error(fmt::format("unknown pooling '{}'; valid: max, avg", kind_));
  }
  torch::Tensor forward(torch::Tensor x) override {
    if (kind_ == "max") return torch::max_pool2d(x, {kernel_, kernel_}, {stride_, stride_}, {pad_, pad_});
    return torch::avg_pool2d(x, {kernel_, kernel_}, {stride_, stride_}, {pad_, pad_});
  }
  std::string kind() const override { return fmt::format("{}pool{}x{}", kind_, kernel_, kernel_); }
  double flops(const Shape&, const Shape& output) const override {
    return double(kernel_ * kernel_) * elements(output);
  }

 private:
  std::string kind_;
  int64_t kernel_, stride_, pad_;
};

class GlobalPool : public Operator {
 public:
  torch::Tensor forward(torch::Tensor x) override { return x.mean({2, 3}); }
  std::string kind() const override { return "globalpool"; }
  double flops(const Shape& input, const Shape&) const override { return elements(input); }
};

class Linear : public WeightedOperator {
 public:
  Linear(int64_t in, int64_t out) {
    weight_ = register_parameter("weight", torch::empty({out, in}));
    bias_ = register_parameter("bias", torch::empty({out}));
    // torch.nn.Linear's default initialisation.
    const double bound = 1.0 / std::sqrt(double(in));
    torch::nn::init::uniform_(weight_, -bound, bound);
    torch::nn::init::uniform_(bias_, -bound, bound);
  }
  torch::Tensor forward(torch::Tensor x) override { return apply(x, weight_); }
  torch::Tensor weight() const override { return weight_; }
  torch::Tensor bias() const override { return bias_; }
  torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& weight) const override {
    return torch::linear(x, weight, bias_);
  }
  double macs(const Shape&, const Shape& output) const override { return double(weight_.size(1)) * elements(output); }
  std::string kind() const override { return "linear"; }
  double flops(const Shape&, const Shape& output) const override {
    return (2.0 * double(weight_.size(1)) + 1) * elements(output);
  }

 private:
  torch::Tensor weight_, bias_;
};

}  // namespace

std::shared_ptr<Operator> make_conv(int64_t in, int64_t out, int64_t kernel_h, int64_t kernel_w, int64_t stride,
                                    int64_t pad_h, int64_t pad_w, int64_t groups, bool bias) {
  return std::make_shared<Conv>(in, out, kernel_h, kernel_w, stride, pad_h, pad_w, groups, bias);
}
std::shared_ptr<Operator> make_batchnorm(int64_t channels, double eps) {
  return std::make_shared<BatchNorm>(channels, eps);
}
std::shared_ptr<Operator> make_activation(const std::string& kind) { return std::make_shared<Activation>(kind); }
std::shared_ptr<Operator> make_pool(const std::string& kind, int64_t kernel, int64_t stride, int64_t pad) {
  return std::make_shared<Pool>(kind, kernel, stride, pad);
}
std::shared_ptr<Operator> make_global_pool() { return std::make_shared<GlobalPool>(); }
std::shared_ptr<Operator> make_linear(int64_t in, int64_t out) { return std::make_shared<Linear>(in, out); }

// ---------------------------------------------------------------------------
// Slots

Slot::Slot(SlottedModel& model, torch::nn::Module& parent, std::string path, std::string name,
           std::shared_ptr<TorchModel> op)
    : model_(model), parent_(parent), path_(std::move(path)), name_(std::move(name)), op_(std::move(op)) {}

torch::Tensor Slot::operator()(const torch::Tensor& input) {
  torch::Tensor output = op_->forward(input);
  model_.notify(*this, input, output);
  return output;
}

Slot& SlottedModel::add_slot(torch::nn::Module& parent, const std::string& prefix, const std::string& name,
                             std::shared_ptr<TorchModel> op) {
  parent.register_module(name, op);
  const std::string path = prefix.empty() ? name : prefix + "." + name;
  slots_.push_back(std::make_unique<Slot>(*this, parent, path, name, std::move(op)));
  return *slots_.back();
}

Slot& SlotGroup::add(const std::string& name, std::shared_ptr<TorchModel> op) {
  return model_.add_slot(*this, prefix_, name, std::move(op));
}

std::vector<std::string> SlottedModel::slot_paths() const {
  std::vector<std::string> paths;
  for (const auto& slot : slots_) paths.push_back(slot->path());
  return paths;
}

Slot& SlottedModel::slot(const std::string& path) {
  for (auto& slot : slots_)
    if (slot->path() == path) return *slot;
  throw Error(fmt::format("unknown slot '{}'{}; the model has {} slots, from '{}' to '{}'", path,
                          did_you_mean(path, slot_paths()), slots_.size(),
                          slots_.empty() ? "" : slots_.front()->path(), slots_.empty() ? "" : slots_.back()->path()));
}

std::vector<SlotInfo> SlottedModel::slots(const Shape& input) {
  const bool was_training = is_training();
  eval();
  torch::NoGradGuard no_grad;
  std::vector<SlotInfo> infos;
  Observer previous = std::move(observer_);
  observer_ = [&](const Slot& slot, const torch::Tensor& in, const torch::Tensor& out) {
    SlotInfo info;
    info.path = slot.path();
    info.input = to_shape(in.sizes());
    info.output = to_shape(out.sizes());
    for (const auto& parameter : slot.module().parameters()) info.parameters += parameter.numel();
    if (const auto* op = dynamic_cast<const Operator*>(&slot.module())) {
      info.kind = op->kind();
      info.flops = op->flops(info.input, info.output);
    } else {
      info.kind = "custom";
      info.flops = std::numeric_limits<double>::quiet_NaN();
    }
    infos.push_back(std::move(info));
  };
  try {
    forward(torch::zeros(input));
  } catch (...) {
    observer_ = std::move(previous);
    train(was_training);
    throw;
  }
  observer_ = std::move(previous);
  train(was_training);
  return infos;
}

void SlottedModel::record_shapes() {
  if (shapes_recorded_) return;
  for (const SlotInfo& info : slots(example_input_)) {
    Slot& target = slot(info.path);
    target.input_shape_ = info.input;
    target.output_shape_ = info.output;
  }
  shapes_recorded_ = true;
}

void SlottedModel::replace(const std::string& path, std::shared_ptr<TorchModel> replacement) {
  Slot& target = slot(path);
  record_shapes();
  Shape produced;
  {
    const bool was_training = replacement->is_training();
    replacement->eval();
    torch::NoGradGuard no_grad;
    try {
      produced = to_shape(replacement->forward(torch::zeros(target.input_shape_)).sizes());
    } catch (const c10::Error& e) {
      replacement->train(was_training);
      throw Error(fmt::format("the replacement for slot '{}' fails on the slot's input shape {}: {}", path,
                              shape_string(target.input_shape_), e.what_without_backtrace()));
    }
    replacement->train(was_training);
  }
  if (produced != target.output_shape_)
    throw Error(fmt::format("the replacement for slot '{}' maps input {} to {}, but the slot must produce {}", path,
                            shape_string(target.input_shape_), shape_string(produced),
                            shape_string(target.output_shape_)));
  replacement->train(is_training());
  target.parent_.replace_module(target.name_, replacement);
  target.op_ = std::move(replacement);
}

// ---------------------------------------------------------------------------
// ResNet18 (He et al. 2016), torchvision layout and names.

namespace {

std::string child(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

class BasicBlock : public SlotGroup {
 public:
  BasicBlock(SlottedModel& model, const std::string& prefix, int64_t in, int64_t out, int64_t stride)
      : SlotGroup(model, prefix),
        conv1_(add("conv1", make_conv(in, out, 3, stride, 1))),
        bn1_(add("bn1", make_batchnorm(out))),
        relu1_(add("relu1", make_activation("relu"))),
        conv2_(add("conv2", make_conv(out, out, 3, 1, 1))),
        bn2_(add("bn2", make_batchnorm(out))) {
    if (stride != 1 || in != out) {
      auto downsample = std::make_shared<SlotGroup>(model, child(prefix, "downsample"));
      register_module("downsample", downsample);
      shortcut_conv_ = &model.add_slot(*downsample, child(prefix, "downsample"), "0", make_conv(in, out, 1, stride, 0));
      shortcut_bn_ = &model.add_slot(*downsample, child(prefix, "downsample"), "1", make_batchnorm(out));
    }
    relu2_ = &add("relu2", make_activation("relu"));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = bn2_(conv2_(relu1_(bn1_(conv1_(x)))));
    const torch::Tensor shortcut = shortcut_conv_ ? (*shortcut_bn_)((*shortcut_conv_)(x)) : x;
    return (*relu2_)(y + shortcut);
  }

 private:
  Slot &conv1_, &bn1_, &relu1_, &conv2_, &bn2_;
  Slot* shortcut_conv_ = nullptr;
  Slot* shortcut_bn_ = nullptr;
  Slot* relu2_ = nullptr;
};

// A channel count scaled by a width multiplier, at least 1.
int64_t scaled_channels(int64_t channels, double width) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::lround(double(channels) * width)));
}

class ResNet18 : public SlottedModel {
 public:
  explicit ResNet18(const ZooOptions& options)
      : SlottedModel({1, options.in_channels, options.cifar_stem ? 32 : 224, options.cifar_stem ? 32 : 224}) {
    const auto width = [&](int64_t channels) { return scaled_channels(channels, options.width); };
    const int64_t stem = width(64);
    if (options.cifar_stem) {
      stem_.push_back(&add_slot(*this, "", "conv1", make_conv(options.in_channels, stem, 3, 1, 1)));
      stem_.push_back(&add_slot(*this, "", "bn1", make_batchnorm(stem)));
      stem_.push_back(&add_slot(*this, "", "relu", make_activation("relu")));
    } else {
      stem_.push_back(&add_slot(*this, "", "conv1", make_conv(options.in_channels, stem, 7, 2, 3)));
      stem_.push_back(&add_slot(*this, "", "bn1", make_batchnorm(stem)));
      stem_.push_back(&add_slot(*this, "", "relu", make_activation("relu")));
      stem_.push_back(&add_slot(*this, "", "maxpool", make_pool("max", 3, 2, 1)));
    }
    int64_t in = stem;
    for (int layer = 1; layer <= 4; ++layer) {
      const int64_t out = width(64 << (layer - 1));
      auto group = std::make_shared<torch::nn::Module>();
      register_module(fmt::format("layer{}", layer), group);
      for (int index = 0; index < 2; ++index) {
        const int64_t stride = layer > 1 && index == 0 ? 2 : 1;
        auto block = std::make_shared<BasicBlock>(*this, fmt::format("layer{}.{}", layer, index), in, out, stride);
        group->register_module(std::to_string(index), block);
        blocks_.push_back(block);
        in = out;
      }
    }
    avgpool_ = &add_slot(*this, "", "avgpool", make_global_pool());
    fc_ = &add_slot(*this, "", "fc", make_linear(in, options.classes));
  }
  torch::Tensor forward(torch::Tensor x) override {
    for (Slot* slot : stem_) x = (*slot)(x);
    for (const auto& block : blocks_) x = block->forward(x);
    return (*fc_)((*avgpool_)(x));
  }

 private:
  std::vector<Slot*> stem_;
  std::vector<std::shared_ptr<BasicBlock>> blocks_;
  Slot* avgpool_ = nullptr;
  Slot* fc_ = nullptr;
};

// ---------------------------------------------------------------------------
// MobileNetV3 (Howard et al. 2019), configurations as in torchvision.

int64_t make_divisible(double value, int64_t divisor = 8) {
  int64_t rounded = std::max(divisor, (static_cast<int64_t>(value + divisor / 2.0) / divisor) * divisor);
  if (double(rounded) < 0.9 * value) rounded += divisor;
  return rounded;
}

// Squeeze-and-excitation as one operator: its shape is the identity's, and
// it is the natural unit to replace.
class SqueezeExcite : public Operator {
 public:
  explicit SqueezeExcite(int64_t channels) {
    const int64_t squeezed = make_divisible(double(channels) / 4);
    fc1_ = std::dynamic_pointer_cast<Operator>(register_module("fc1", make_conv(channels, squeezed, 1, 1, 0, 1, true)));
    fc2_ = std::dynamic_pointer_cast<Operator>(register_module("fc2", make_conv(squeezed, channels, 1, 1, 0, 1, true)));
  }
  torch::Tensor forward(torch::Tensor x) override {
    const torch::Tensor scale = torch::hardsigmoid(fc2_->forward(torch::relu(fc1_->forward(x.mean({2, 3}, true)))));
    return x * scale;
  }
  std::string kind() const override { return "squeeze_excite"; }
  double flops(const Shape& input, const Shape& output) const override {
    const Shape pooled{input[0], input[1], 1, 1};
    const Shape squeezed{input[0], fc1_->parameters()[1].size(0), 1, 1};
    return elements(input) + fc1_->flops(pooled, squeezed) + fc2_->flops(squeezed, pooled) + elements(output);
  }

 private:
  std::shared_ptr<Operator> fc1_, fc2_;
};

struct InvertedResidualConfig {
  int64_t in, kernel, expanded, out;
  bool squeeze_excite;
  const char* activation;
  int64_t stride;
};

class InvertedResidual : public SlotGroup {
 public:
  InvertedResidual(SlottedModel& model, const std::string& prefix, const InvertedResidualConfig& c)
      : SlotGroup(model, prefix), residual_(c.stride == 1 && c.in == c.out) {
    if (c.expanded != c.in) {
      ops_.push_back(&add("expand_conv", make_conv(c.in, c.expanded, 1, 1, 0)));
      ops_.push_back(&add("expand_bn", make_batchnorm(c.expanded, 0.001)));
      ops_.push_back(&add("expand_act", make_activation(c.activation)));
    }
    ops_.push_back(&add("dw_conv", make_conv(c.expanded, c.expanded, c.kernel, c.stride, (c.kernel - 1) / 2, c.expanded)));
    ops_.push_back(&add("dw_bn", make_batchnorm(c.expanded, 0.001)));
    ops_.push_back(&add("dw_act", make_activation(c.activation)));
    if (c.squeeze_excite) ops_.push_back(&add("se", std::make_shared<SqueezeExcite>(c.expanded)));
    ops_.push_back(&add("project_conv", make_conv(c.expanded, c.out, 1, 1, 0)));
    ops_.push_back(&add("project_bn", make_batchnorm(c.out, 0.001)));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = x;
    for (Slot* op : ops_) y = (*op)(y);
    return residual_ ? y + x : y;
  }

 private:
  bool residual_;
  std::vector<Slot*> ops_;
};

class MobileNetV3 : public SlottedModel {
 public:
  MobileNetV3(bool large, const ZooOptions& options)
      : SlottedModel({1, options.in_channels, options.cifar_stem ? 32 : 224, options.cifar_stem ? 32 : 224}) {
    static const std::vector<InvertedResidualConfig> kLarge = {
        {16, 3, 16, 16, false, "relu", 1},       {16, 3, 64, 24, false, "relu", 2},
        {24, 3, 72, 24, false, "relu", 1},       {24, 5, 72, 40, true, "relu", 2},
        {40, 5, 120, 40, true, "relu", 1},       {40, 5, 120, 40, true, "relu", 1},
        {40, 3, 240, 80, false, "hardswish", 2}, {80, 3, 200, 80, false, "hardswish", 1},
        {80, 3, 184, 80, false, "hardswish", 1}, {80, 3, 184, 80, false, "hardswish", 1},
        {80, 3, 480, 112, true, "hardswish", 1}, {112, 3, 672, 112, true, "hardswish", 1},
        {112, 5, 672, 160, true, "hardswish", 2}, {160, 5, 960, 160, true, "hardswish", 1},
        {160, 5, 960, 160, true, "hardswish", 1}};
    static const std::vector<InvertedResidualConfig> kSmall = {
        {16, 3, 16, 16, true, "relu", 2},       {16, 3, 72, 24, false, "relu", 2},
        {24, 3, 88, 24, false, "relu", 1},      {24, 5, 96, 40, true, "hardswish", 2},
        {40, 5, 240, 40, true, "hardswish", 1}, {40, 5, 240, 40, true, "hardswish", 1},
        {40, 5, 120, 48, true, "hardswish", 1}, {48, 5, 144, 48, true, "hardswish", 1},
        {48, 5, 288, 96, true, "hardswish", 2}, {96, 5, 576, 96, true, "hardswish", 1},
        {96, 5, 576, 96, true, "hardswish", 1}};
    const auto& configs = large ? kLarge : kSmall;
    const int64_t last_channel = large ? 1280 : 1024;
    // The CIFAR stem keeps full resolution in the first convolution; the
    // blocks' own strides still reduce 32x32 to 1x1 (large) or 1x1 (small).
    auto stem = std::make_shared<torch::nn::Module>();
    register_module("stem", stem);
    ops_.push_back(&add_slot(*stem, "stem", "conv", make_conv(options.in_channels, 16, 3, options.cifar_stem ? 1 : 2, 1)));
    ops_.push_back(&add_slot(*stem, "stem", "bn", make_batchnorm(16, 0.001)));
    ops_.push_back(&add_slot(*stem, "stem", "act", make_activation("hardswish")));
    auto blocks = std::make_shared<torch::nn::Module>();
    register_module("blocks", blocks);
    for (size_t i = 0; i < configs.size(); ++i) {
      auto block = std::make_shared<InvertedResidual>(*this, fmt::format("blocks.{}", i), configs[i]);
      blocks->register_module(std::to_string(i), block);
      blocks_.push_back(block);
    }
    const int64_t head_channels = 6 * configs.back().out;
    auto head = std::make_shared<torch::nn::Module>();
    register_module("head", head);
    head_.push_back(&add_slot(*head, "head", "conv", make_conv(configs.back().out, head_channels, 1, 1, 0)));
    head_.push_back(&add_slot(*head, "head", "bn", make_batchnorm(head_channels, 0.001)));
    head_.push_back(&add_slot(*head, "head", "act", make_activation("hardswish")));
    head_.push_back(&add_slot(*head, "head", "pool", make_global_pool()));
    auto classifier = std::make_shared<torch::nn::Module>();
    register_module("classifier", classifier);
    head_.push_back(&add_slot(*classifier, "classifier", "fc1", make_linear(head_channels, last_channel)));
    head_.push_back(&add_slot(*classifier, "classifier", "act", make_activation("hardswish")));
    head_.push_back(&add_slot(*classifier, "classifier", "fc2", make_linear(last_channel, options.classes)));
  }
  torch::Tensor forward(torch::Tensor x) override {
    for (Slot* op : ops_) x = (*op)(x);
    for (const auto& block : blocks_) x = block->forward(x);
    for (Slot* op : head_) x = (*op)(x);
    return x;
  }

 private:
  std::vector<Slot*> ops_;
  std::vector<std::shared_ptr<InvertedResidual>> blocks_;
  std::vector<Slot*> head_;
};

// ---------------------------------------------------------------------------
// InceptionV3 (Szegedy et al. 2016), torchvision layout and names, without
// the auxiliary classifier (it only matters for training from scratch).

// Convolution + batch norm + ReLU, three slots "<prefix>.conv|bn|relu".
class BasicConv : public SlotGroup {
 public:
  BasicConv(SlottedModel& model, const std::string& prefix, int64_t in, int64_t out, int64_t kh, int64_t kw,
            int64_t stride, int64_t ph, int64_t pw)
      : SlotGroup(model, prefix),
        conv_(add("conv", make_conv(in, out, kh, kw, stride, ph, pw))),
        bn_(add("bn", make_batchnorm(out, 0.001))),
        relu_(add("relu", make_activation("relu"))) {}
  torch::Tensor forward(const torch::Tensor& x) { return relu_(bn_(conv_(x))); }

 private:
  Slot &conv_, &bn_, &relu_;
};

// An Inception module: parallel branches (each a chain of convolutions,
// optionally starting with a pooling slot) whose outputs are concatenated.
// InceptionE's split branches end in two parallel convolutions.
class InceptionModule : public SlotGroup {
 public:
  // `width` scales every channel count of the branches' convolutions.
  InceptionModule(SlottedModel& model, const std::string& prefix, double width)
      : SlotGroup(model, prefix), width_(width) {}
  struct Conv {
    std::string name;
    int64_t in, out, kh, kw, stride, ph, pw;
  };
  // A branch: optional pool, then convolutions; `split` convolutions run in
  // parallel on the chain's output and are concatenated.
  void branch(std::shared_ptr<Operator> pool, const std::string& pool_name, std::vector<Conv> chain,
              std::vector<Conv> split = {}) {
    Branch b;
    if (pool) b.pool = &add(pool_name, std::move(pool));
    for (const Conv& c : chain) b.chain.push_back(make(c));
    for (const Conv& c : split) b.split.push_back(make(c));
    branches_.push_back(std::move(b));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    std::vector<torch::Tensor> outputs;
    for (Branch& b : branches_) {
      torch::Tensor y = b.pool ? (*b.pool)(x) : x;
      for (const auto& conv : b.chain) y = conv->forward(y);
      if (b.split.empty()) {
        outputs.push_back(y);
      } else {
        for (const auto& conv : b.split) outputs.push_back(conv->forward(y));
      }
    }
    return torch::cat(outputs, 1);
  }

 private:
  struct Branch {
    Slot* pool = nullptr;
    std::vector<std::shared_ptr<BasicConv>> chain, split;
  };
  std::shared_ptr<BasicConv> make(const Conv& c) {
    auto conv = std::make_shared<BasicConv>(model_, child(prefix_, c.name), scaled_channels(c.in, width_),
                                            scaled_channels(c.out, width_), c.kh, c.kw, c.stride, c.ph, c.pw);
    register_module(c.name, conv);
    return conv;
  }
  double width_;
  std::vector<Branch> branches_;
};

class InceptionV3 : public SlottedModel {
 public:
  // Every channel count of torchvision's layout is a multiple of 16, so a
  // width of k/16 scales each branch exactly and the concatenations still add
  // up (make_zoo_model checks the width).
  explicit InceptionV3(const ZooOptions& options)
      : SlottedModel({1, options.in_channels, options.cifar_stem ? 32 : 299, options.cifar_stem ? 32 : 299}),
        width_(options.width) {
    const bool cifar = options.cifar_stem;
    stem("Conv2d_1a_3x3", options.in_channels, 32, 3, cifar ? 1 : 2, cifar ? 1 : 0);
    stem("Conv2d_2a_3x3", c(32), 32, 3, 1, cifar ? 1 : 0);
    stem("Conv2d_2b_3x3", c(32), 64, 3, 1, 1);
    if (!cifar) stem_.push_back(Step{&add_slot(*this, "", "maxpool1", make_pool("max", 3, 2, 0)), nullptr});
    stem("Conv2d_3b_1x1", c(64), 80, 1, 1, 0);
    stem("Conv2d_4a_3x3", c(80), 192, 3, 1, cifar ? 1 : 0);
    if (!cifar) stem_.push_back(Step{&add_slot(*this, "", "maxpool2", make_pool("max", 3, 2, 0)), nullptr});
    inception_a("Mixed_5b", 192, 32);
    inception_a("Mixed_5c", 256, 64);
    inception_a("Mixed_5d", 288, 64);
    {
      auto m = module("Mixed_6a");
      m->branch(nullptr, "", {{"branch3x3", 288, 384, 3, 3, 2, 0, 0}});
      m->branch(nullptr, "", {{"branch3x3dbl_1", 288, 64, 1, 1, 1, 0, 0},
                              {"branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1},
                              {"branch3x3dbl_3", 96, 96, 3, 3, 2, 0, 0}});
      m->branch(make_pool("max", 3, 2, 0), "pool", {});
    }
    inception_c("Mixed_6b", 128);
    inception_c("Mixed_6c", 160);
    inception_c("Mixed_6d", 160);
    inception_c("Mixed_6e", 192);
    {
      auto m = module("Mixed_7a");
      m->branch(nullptr, "", {{"branch3x3_1", 768, 192, 1, 1, 1, 0, 0}, {"branch3x3_2", 192, 320, 3, 3, 2, 0, 0}});
      m->branch(nullptr, "", {{"branch7x7x3_1", 768, 192, 1, 1, 1, 0, 0},
                              {"branch7x7x3_2", 192, 192, 1, 7, 1, 0, 3},
                              {"branch7x7x3_3", 192, 192, 7, 1, 1, 3, 0},
                              {"branch7x7x3_4", 192, 192, 3, 3, 2, 0, 0}});
      m->branch(make_pool("max", 3, 2, 0), "pool", {});
    }
    inception_e("Mixed_7b", 1280);
    inception_e("Mixed_7c", 2048);
    avgpool_ = &add_slot(*this, "", "avgpool", make_global_pool());
    fc_ = &add_slot(*this, "", "fc", make_linear(c(2048), options.classes));
  }
  torch::Tensor forward(torch::Tensor x) override {
    for (Step& step : stem_) x = step.slot ? (*step.slot)(x) : step.conv->forward(x);
    for (const auto& m : modules_) x = m->forward(x);
    return (*fc_)((*avgpool_)(x));
  }

 private:
  struct Step {
    Slot* slot;
    std::shared_ptr<BasicConv> conv;
  };
  // `in` is already scaled (the image channels, or c(...) of the previous stem
  // convolution); `out` is torchvision's count, scaled here.
  void stem(const std::string& name, int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad) {
    auto conv = std::make_shared<BasicConv>(*this, name, in, c(out), kernel, kernel, stride, pad, pad);
    register_module(name, conv);
    stem_.push_back(Step{nullptr, conv});
  }
  int64_t c(int64_t channels) const { return scaled_channels(channels, width_); }
  std::shared_ptr<InceptionModule> module(const std::string& name) {
    auto m = std::make_shared<InceptionModule>(*this, name, width_);
    register_module(name, m);
    modules_.push_back(m);
    return m;
  }
  void inception_a(const std::string& name, int64_t in, int64_t pool_features) {
    auto m = module(name);
    m->branch(nullptr, "", {{"branch1x1", in, 64, 1, 1, 1, 0, 0}});
    m->branch(nullptr, "", {{"branch5x5_1", in, 48, 1, 1, 1, 0, 0}, {"branch5x5_2", 48, 64, 5, 5, 1, 2, 2}});
    m->branch(nullptr, "", {{"branch3x3dbl_1", in, 64, 1, 1, 1, 0, 0},
                            {"branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1},
                            {"branch3x3dbl_3", 96, 96, 3, 3, 1, 1, 1}});
    m->branch(make_pool("avg", 3, 1, 1), "pool", {{"branch_pool", in, pool_features, 1, 1, 1, 0, 0}});
  }
  void inception_c(const std::string& name, int64_t c7) {
    auto m = module(name);
    m->branch(nullptr, "", {{"branch1x1", 768, 192, 1, 1, 1, 0, 0}});
    m->branch(nullptr, "", {{"branch7x7_1", 768, c7, 1, 1, 1, 0, 0},
                            {"branch7x7_2", c7, c7, 1, 7, 1, 0, 3},
                            {"branch7x7_3", c7, 192, 7, 1, 1, 3, 0}});
    m->branch(nullptr, "", {{"branch7x7dbl_1", 768, c7, 1, 1, 1, 0, 0},
                            {"branch7x7dbl_2", c7, c7, 7, 1, 1, 3, 0},
                            {"branch7x7dbl_3", c7, c7, 1, 7, 1, 0, 3},
                            {"branch7x7dbl_4", c7, c7, 7, 1, 1, 3, 0},
                            {"branch7x7dbl_5", c7, 192, 1, 7, 1, 0, 3}});
    m->branch(make_pool("avg", 3, 1, 1), "pool", {{"branch_pool", 768, 192, 1, 1, 1, 0, 0}});
  }
  void inception_e(const std::string& name, int64_t in) {
    auto m = module(name);
    m->branch(nullptr, "", {{"branch1x1", in, 320, 1, 1, 1, 0, 0}});
    m->branch(nullptr, "", {{"branch3x3_1", in, 384, 1, 1, 1, 0, 0}},
              {{"branch3x3_2a", 384, 384, 1, 3, 1, 0, 1}, {"branch3x3_2b", 384, 384, 3, 1, 1, 1, 0}});
    m->branch(nullptr, "", {{"branch3x3dbl_1", in, 448, 1, 1, 1, 0, 0}, {"branch3x3dbl_2", 448, 384, 3, 3, 1, 1, 1}},
              {{"branch3x3dbl_3a", 384, 384, 1, 3, 1, 0, 1}, {"branch3x3dbl_3b", 384, 384, 3, 1, 1, 1, 0}});
    m->branch(make_pool("avg", 3, 1, 1), "pool", {{"branch_pool", in, 192, 1, 1, 1, 0, 0}});
  }
  double width_;
  std::vector<Step> stem_;
  std::vector<std::shared_ptr<InceptionModule>> modules_;
  Slot* avgpool_ = nullptr;
  Slot* fc_ = nullptr;
};

}  // namespace

std::vector<std::string> zoo_model_names() {
  return {"resnet18", "mobilenetv3_small", "mobilenetv3_large", "inception_v3"};
}

std::shared_ptr<SlottedModel> make_zoo_model(const std::string& name, const ZooOptions& options) {
  if (options.width != 1.0 && name != "resnet18" && name != "inception_v3")
    throw Error(fmt::format("a width multiplier is supported for resnet18 and inception_v3, not '{}'", name));
  if (name == "inception_v3" && (options.width <= 0 || std::abs(options.width * 16 - std::round(options.width * 16)) > 1e-9))
    throw Error(fmt::format("inception_v3 takes a width of k/16 (0.0625, 0.125, 0.25, 0.5, ...), not {}: its "
                            "branch widths must add up exactly",
                            options.width));
  if (name == "resnet18") return std::make_shared<ResNet18>(options);
  if (name == "mobilenetv3_small") return std::make_shared<MobileNetV3>(false, options);
  if (name == "mobilenetv3_large") return std::make_shared<MobileNetV3>(true, options);
  if (name == "inception_v3") return std::make_shared<InceptionV3>(options);
  throw Error(fmt::format("unknown model '{}'{}; the zoo has: {}", name, did_you_mean(name, zoo_model_names()),
                          join(zoo_model_names(), ", ")));
}

// ---------------------------------------------------------------------------
// Checkpoints

namespace {

std::string signature(torch::nn::Module& model) {
  std::string text;
  for (const auto& item : model.named_parameters()) text += item.key() + ":" + shape_string(to_shape(item.value().sizes())) + ";";
  for (const auto& item : model.named_buffers()) text += item.key() + ":" + shape_string(to_shape(item.value().sizes())) + ";";
  return text;
}

std::vector<std::string> split_signature(const std::string& text) {
  std::vector<std::string> entries;
  size_t start = 0;
  for (size_t end; (end = text.find(';', start)) != std::string::npos; start = end + 1)
    entries.push_back(text.substr(start, end - start));
  return entries;
}

}  // namespace

void save_checkpoint(torch::nn::Module& model, const std::string& path) {
  torch::serialize::OutputArchive archive;
  archive.write("gos_signature", c10::IValue(signature(model)));
  for (const auto& item : model.named_parameters()) archive.write(item.key(), item.value(), false);
  for (const auto& item : model.named_buffers()) archive.write(item.key(), item.value(), true);
  try {
    archive.save_to(path);
  } catch (const c10::Error& e) {
    throw Error(fmt::format("{}: cannot write checkpoint: {}", path, e.what_without_backtrace()));
  }
}

void load_checkpoint(torch::nn::Module& model, const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(fmt::format("{}: checkpoint not found", path));
  torch::serialize::InputArchive archive;
  c10::IValue stored;
  try {
    archive.load_from(path);
    if (!archive.try_read("gos_signature", stored) || !stored.isString())
      throw Error(fmt::format("{}: not a GOS checkpoint (no model signature)", path));
  } catch (const c10::Error& e) {
    throw Error(fmt::format("{}: not a readable checkpoint: {}", path, e.what_without_backtrace()));
  }
  const auto expected = split_signature(signature(model));
  const auto found = split_signature(stored.toStringRef());
  for (size_t i = 0; i < std::max(expected.size(), found.size()); ++i) {
    if (i < expected.size() && i < found.size() && expected[i] == found[i]) continue;
    throw Error(fmt::format("{}: checkpoint of another model: tensor {} is '{}' in the file but '{}' in the model",
                            path, i, i < found.size() ? found[i] : "(none)",
                            i < expected.size() ? expected[i] : "(none)"));
  }
  torch::NoGradGuard no_grad;
  for (auto& item : model.named_parameters()) {
    torch::Tensor value;
    archive.read(item.key(), value);
    item.value().copy_(value);
  }
  for (auto& item : model.named_buffers()) {
    torch::Tensor value;
    archive.read(item.key(), value, true);
    item.value().copy_(value);
  }
}

}  // namespace gos
