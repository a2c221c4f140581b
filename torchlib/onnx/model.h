#pragma once
// An ONNX graph as a trainable LibTorch module with slots.
//
// Initializers become parameters (float) or buffers; BatchNormalization is a
// trainable batch norm (its statistics update in training mode). Every node of
// a replaceable kind whose only non-constant input is its data input becomes
// a slot, like the zoo's operators: Conv, Gemm, MatMul with a constant
// weight, BatchNormalization, the activations (Relu, Clip, HardSigmoid,
// HardSwish, Sigmoid) and the pools. Its path comes from the exporter's scope
// name ("/layer1/layer1.0/conv1/Conv" -> "layer1.0.conv1", as torchvision's
// parameter names), and its weights are "<path>.weight", "<path>.bias". The
// other nodes (shape arithmetic, additions, concatenations, ...) run as
// kernels between the slots.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "torchlib/onnx/ops.h"
#include "torchlib/zoo.h"

namespace gos::onnx_io {

struct ImportOptions {
  // A model GOS can adapt: opset 11-17, one float32 input whose shape is
  // static except perhaps the batch dimension, one output. Off for the ONNX
  // node tests, whose graphs take several inputs of any type.
  bool require_model_interface = true;
};

struct GraphInput {
  std::string name;
  Shape shape;  // a symbolic batch dimension reads 1
  bool dynamic_batch = false;
  c10::ScalarType type = torch::kFloat32;
};

class OnnxModel : public SlottedModel {
 public:
  // `source` names the model in errors (its file).
  OnnxModel(const onnx::ModelProto& model, std::string source, const ImportOptions& options = {});

  // The single input to the single output (the model interface).
  torch::Tensor forward(torch::Tensor input) override;
  // All graph inputs (in order) to all graph outputs.
  Tensors run(const Tensors& inputs);

  const std::vector<GraphInput>& graph_inputs() const { return inputs_; }
  const std::vector<std::string>& output_names() const { return output_names_; }
  int64_t opset() const { return opset_; }
  const std::string& source() const { return source_; }
  size_t node_count() const { return steps_.size(); }

 private:
  struct Step {
    std::string where;  // "node 'NAME' (OP)"
    Kernel kernel;      // unset for slot steps
    Slot* slot = nullptr;
    std::vector<int> inputs;    // value ids; -1 for an omitted optional input
    std::vector<int> outputs;
    std::vector<int> released;  // values whose last use is this step
  };
  int value_id(const std::string& name, bool create);
  void add_node(const onnx::NodeProto& node, size_t index);
  bool add_slot_node(const onnx::NodeProto& node, size_t index);
  torch::nn::Module& holder(const std::string& path);
  std::string slot_path(const onnx::NodeProto& node, size_t index);
  void plan_releases();
  void check_input(const torch::Tensor& tensor, const GraphInput& input) const;

  std::string source_;
  int64_t opset_ = 0;
  std::vector<std::string> value_names_;
  std::unordered_map<std::string, int> value_ids_;
  std::unordered_map<int, torch::Tensor> known_;   // values known at import (initializers, Constant nodes)
  std::unordered_map<int, bool> trainable_;        // known values from float initializers
  std::unordered_map<std::string, int> uses_;      // how many node inputs read each value
  std::vector<std::pair<int, torch::Tensor>> constants_;  // value id -> parameter, buffer or folded constant
  std::vector<GraphInput> inputs_;
  std::vector<int> input_ids_;
  std::vector<std::string> output_names_;
  std::vector<int> output_ids_;
  std::vector<Step> steps_;
  std::shared_ptr<torch::nn::Module> constant_holder_;
  std::vector<std::string> slot_paths_taken_;
};

// Reads, checks and imports an ONNX file; gos::Error names the file and, for
// an unsupported model, every offending node with its op and what is supported.
std::shared_ptr<OnnxModel> import_model(const std::string& path, const ImportOptions& options = {});

}  // namespace gos::onnx_io
