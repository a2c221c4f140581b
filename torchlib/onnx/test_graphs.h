#pragma once
// Test helper: small ONNX graphs built in code, and scratch files.
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "torchlib/onnx/proto.h"

namespace gos::onnx_io::testing {

inline std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("gos_onnx_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

class GraphBuilder {
 public:
  explicit GraphBuilder(int64_t opset = 13) {
    model_.set_ir_version(onnx::IR_VERSION);
    auto* import = model_.add_opset_import();
    import->set_domain("");
    import->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }
  // `dims` of -1 are symbolic ("batch" for the first, "d<i>" otherwise).
  GraphBuilder& input(const std::string& name, const std::vector<int64_t>& dims,
                      int32_t type = onnx::TensorProto::FLOAT) {
    fill(*model_.mutable_graph()->add_input(), name, dims, type);
    return *this;
  }
  GraphBuilder& output(const std::string& name) {
    model_.mutable_graph()->add_output()->set_name(name);
    auto* tensor = model_.mutable_graph()->mutable_output()->rbegin()->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    tensor->mutable_shape();  // unknown rank: the checker wants the field
    return *this;
  }
  GraphBuilder& initializer(const std::string& name, const torch::Tensor& value) {
    *model_.mutable_graph()->add_initializer() = to_proto(value, name);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name) {
    onnx::NodeProto& node = *model_.mutable_graph()->add_node();
    node.set_op_type(op);
    node.set_name(name);
    for (const auto& in : inputs) node.add_input(in);
    for (const auto& out : outputs) node.add_output(out);
    return node;
  }
  onnx::ModelProto& model() { return model_; }

 private:
  static void fill(onnx::ValueInfoProto& value, const std::string& name, const std::vector<int64_t>& dims,
                   int32_t type) {
    value.set_name(name);
    auto* tensor = value.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(type);
    auto* shape = tensor->mutable_shape();
    for (size_t i = 0; i < dims.size(); ++i) {
      auto* dim = shape->add_dim();
      if (dims[i] >= 0) dim->set_dim_value(dims[i]);
      else dim->set_dim_param(i == 0 ? "batch" : "d" + std::to_string(i));
    }
  }
  onnx::ModelProto model_;
};

inline void set_ints(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  auto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) attribute->add_ints(v);
}
inline void set_int(onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(value);
}
inline void set_float(onnx::NodeProto& node, const std::string& name, float value) {
  auto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::FLOAT);
  attribute->set_f(value);
}

// Conv 3x3 (bias) -> BatchNormalization -> Relu -> GlobalAveragePool ->
// Flatten -> Gemm, with torchvision-style scope names; input [N, 3, 8, 8].
struct TinyCnn {
  torch::Tensor conv_w = torch::randn({4, 3, 3, 3}), conv_b = torch::randn({4});
  torch::Tensor bn_scale = torch::rand({4}) + 0.5, bn_bias = torch::randn({4}), bn_mean = torch::randn({4}) * 0.1,
                bn_var = torch::rand({4}) + 0.5;
  torch::Tensor fc_w = torch::randn({2, 4}), fc_b = torch::randn({2});

  onnx::ModelProto model(int64_t batch = -1, int64_t opset = 13) const {
    GraphBuilder g(opset);
    g.input("x", {batch, 3, 8, 8}).output("y");
    g.initializer("conv1.weight", conv_w).initializer("conv1.bias", conv_b);
    g.initializer("bn1.weight", bn_scale).initializer("bn1.bias", bn_bias);
    g.initializer("bn1.running_mean", bn_mean).initializer("bn1.running_var", bn_var);
    g.initializer("fc.weight", fc_w).initializer("fc.bias", fc_b);
    auto& conv = g.node("Conv", {"x", "conv1.weight", "conv1.bias"}, {"c"}, "/conv1/Conv");
    set_ints(conv, "pads", {1, 1, 1, 1});
    set_ints(conv, "kernel_shape", {3, 3});
    auto& bn = g.node("BatchNormalization", {"c", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"},
                      {"b"}, "/bn1/BatchNormalization");
    set_float(bn, "epsilon", 1e-5f);
    set_float(bn, "momentum", 0.9f);
    g.node("Relu", {"b"}, {"r"}, "/relu/Relu");
    g.node("GlobalAveragePool", {"r"}, {"p"}, "/avgpool/GlobalAveragePool");
    g.node("Flatten", {"p"}, {"f"}, "/Flatten");
    auto& gemm = g.node("Gemm", {"f", "fc.weight", "fc.bias"}, {"y"}, "/fc/Gemm");
    set_int(gemm, "transB", 1);
    return g.model();
  }
  torch::Tensor reference(const torch::Tensor& x) const {
    torch::Tensor y = torch::conv2d(x, conv_w, conv_b, 1, 1);
    y = torch::batch_norm(y, bn_scale, bn_bias, bn_mean, bn_var, false, 0.1, 1e-5, false);
    return torch::linear(torch::relu(y).mean({2, 3}), fc_w, fc_b);
  }
};

}  // namespace gos::onnx_io::testing
