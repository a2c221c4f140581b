#pragma once
// The model zoo: ResNet18, MobileNetV3 (small, large) and InceptionV3 written
// with the LibTorch C++ frontend, each optionally with a CIFAR-size stem.
//
// Every operator of a zoo model sits in a *slot*: a named place in the model
// with a stable path (the same as its parameter prefix, e.g. "layer2.0.conv1"),
// the input and output shapes it sees, and the ability to be replaced by any
// module producing the same output shape from the same input shape. Residual
// additions, concatenations and flattening join slots and are not slots.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "torchlib/torch_model.h"

namespace gos {

using Shape = std::vector<int64_t>;
std::string shape_string(const Shape& shape);  // "1x3x32x32"

// A built-in operator: knows its kind and its arithmetic cost.
class Operator : public TorchModel {
 public:
  virtual std::string kind() const = 0;
  // Floating-point operations of one forward pass (a multiply-add counts 2).
  virtual double flops(const Shape& input, const Shape& output) const = 0;
};

// An operator that applies one weight tensor linearly (convolution, fully
// connected): what can be quantized (torchlib/quantization.h) and what
// BitOPs count.
class WeightedOperator : public Operator {
 public:
  virtual torch::Tensor weight() const = 0;
  virtual torch::Tensor bias() const = 0;  // undefined when the operator has none
  // The operator's map with `weight` (e.g. a quantized copy) in place of its own.
  virtual torch::Tensor apply(const torch::Tensor& input, const torch::Tensor& weight) const = 0;
  // Multiply-accumulates of one forward pass.
  virtual double macs(const Shape& input, const Shape& output) const = 0;
};

class SlottedModel;

// The handle a model's blocks call an operator through.
class Slot {
 public:
  Slot(SlottedModel& model, torch::nn::Module& parent, std::string path, std::string name,
       std::shared_ptr<TorchModel> op);
  torch::Tensor operator()(const torch::Tensor& input);

  const std::string& path() const { return path_; }
  TorchModel& module() const { return *op_; }

 private:
  friend class SlottedModel;
  SlottedModel& model_;
  torch::nn::Module& parent_;
  std::string path_;
  std::string name_;  // the submodule name under parent_
  std::shared_ptr<TorchModel> op_;
  Shape input_shape_;   // at the model's example input; what a replacement must accept
  Shape output_shape_;  // ... and produce
};

struct SlotInfo {
  std::string path;
  std::string kind;  // "conv3x3", "batchnorm", "relu", ... or "custom" for a replacement
  Shape input;
  Shape output;
  int64_t parameters = 0;
  double flops = 0;  // NaN when a replacement module does not report its cost
};

// A model made of slots. Subclasses create their operators through slot().
class SlottedModel : public TorchModel {
 public:
  // Sees every slot call during a forward pass: (slot, its input, its output).
  using Observer = std::function<void(const Slot&, const torch::Tensor&, const torch::Tensor&)>;

  explicit SlottedModel(Shape example_input) : example_input_(std::move(example_input)) {}

  // The input shape the model was built for (batch 1), e.g. {1, 3, 32, 32}.
  const Shape& example_input() const { return example_input_; }
  // Paths of all slots in execution order.
  std::vector<std::string> slot_paths() const;
  // Shapes, parameters and FLOPs of every slot in execution order, recorded
  // by one forward pass of zeros of `input` shape in eval mode without
  // gradients (the model's training flag is restored afterwards).
  std::vector<SlotInfo> slots(const Shape& input);
  std::vector<SlotInfo> slots() { return slots(example_input_); }
  Slot& slot(const std::string& path);
  // Puts `replacement` in the slot. It must map the slot's input shape (at
  // the example input) to the same output shape; otherwise gos::Error names
  // the slot and both shapes. An unknown path lists the closest paths.
  void replace(const std::string& path, std::shared_ptr<TorchModel> replacement);

  void set_observer(Observer observer) { observer_ = std::move(observer); }
  void notify(const Slot& slot, const torch::Tensor& input, const torch::Tensor& output) {
    if (observer_) observer_(slot, input, output);
  }

  // For model builders: registers `op` as submodule `name` of `parent` (whose path is `prefix`)
  // and returns the handle to call it through.
  Slot& add_slot(torch::nn::Module& parent, const std::string& prefix, const std::string& name,
                 std::shared_ptr<TorchModel> op);

 private:
  void record_shapes();
  Shape example_input_;
  std::vector<std::unique_ptr<Slot>> slots_;
  Observer observer_;
  bool shapes_recorded_ = false;
};

// A group of slots with a path prefix (a residual block, an Inception module).
class SlotGroup : public torch::nn::Module {
 public:
  SlotGroup(SlottedModel& model, std::string prefix) : model_(model), prefix_(std::move(prefix)) {}

 protected:
  Slot& add(const std::string& name, std::shared_ptr<TorchModel> op);
  SlottedModel& model_;
  std::string prefix_;
};

// Built-in operators, usable as replacements too.
std::shared_ptr<Operator> make_conv(int64_t in, int64_t out, int64_t kernel_h, int64_t kernel_w, int64_t stride,
                                    int64_t pad_h, int64_t pad_w, int64_t groups = 1, bool bias = false);
inline std::shared_ptr<Operator> make_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad,
                                           int64_t groups = 1, bool bias = false) {
  return make_conv(in, out, kernel, kernel, stride, pad, pad, groups, bias);
}
std::shared_ptr<Operator> make_batchnorm(int64_t channels, double eps = 1e-5);
// "relu", "hardswish", "hardsigmoid" or "identity".
std::shared_ptr<Operator> make_activation(const std::string& kind);
// "max" or "avg" pooling.
std::shared_ptr<Operator> make_pool(const std::string& kind, int64_t kernel, int64_t stride, int64_t pad);
// Global average pooling to N x C.
std::shared_ptr<Operator> make_global_pool();
std::shared_ptr<Operator> make_linear(int64_t in, int64_t out);

struct ZooOptions {
  int64_t classes = 10;
  int64_t in_channels = 3;
  // CIFAR-size stem (3x3 stride-1 first convolution, no early pooling) for
  // 32x32 inputs; otherwise the ImageNet stem for 224x224 (299 for InceptionV3).
  bool cifar_stem = true;
  // Channel multiplier (ResNet18: any > 0, 1.0 = the standard 64..512 widths;
  // InceptionV3: k/16, every channel count of its layout being a multiple of 16).
  double width = 1.0;
};

// "resnet18", "mobilenetv3_small", "mobilenetv3_large" or "inception_v3";
// gos::Error lists these for any other name.
std::shared_ptr<SlottedModel> make_zoo_model(const std::string& name, const ZooOptions& options = {});
std::vector<std::string> zoo_model_names();

// Checkpoints: the parameters and buffers plus a signature (every tensor's
// name and shape). Loading into a model with another signature throws
// gos::Error naming the file and the first differing tensor.
void save_checkpoint(torch::nn::Module& model, const std::string& path);
void load_checkpoint(torch::nn::Module& model, const std::string& path);

}  // namespace gos
