#pragma once
// Reading and writing ONNX protobuf messages (Debian's libonnx-dev) and
// converting their tensors to and from LibTorch tensors. Include only from
// torch translation units.
//
// Debian's ONNX headers want ONNX_NAMESPACE and ONNX_ML, which its CMake
// targets define for their direct users only; defining them here keeps the
// macros out of every other translation unit of a target that links gos_onnx
// (a changed command line would make them all miss the compiler cache).
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "torchlib/torch_model.h"

namespace gos::onnx_io {

// Parses `path` as an ONNX model and runs onnx::checker on it. A missing,
// truncated or non-ONNX file throws gos::Error naming the file and why.
onnx::ModelProto read_model(const std::string& path);
// Serialises `model` to `path` through a temporary file renamed into place,
// so that a failed write leaves no partial file.
void write_model(const onnx::ModelProto& model, const std::string& path);
// Runs onnx::checker (full check, with shape inference) on `model`; throws
// gos::Error with the checker's message prefixed by `what`.
void check_model(const onnx::ModelProto& model, const std::string& what);

// One serialised TensorProto file (the ONNX node tests' input_0.pb, ...).
onnx::TensorProto read_tensor_file(const std::string& path);

// The tensor's contents as a LibTorch tensor (a copy). Float, double, half,
// int8..int64, uint8 and bool tensors, raw or typed data; `where` names the
// tensor in errors (e.g. "initializer 'conv1.weight'").
torch::Tensor to_torch(const onnx::TensorProto& tensor, const std::string& where);
// The LibTorch tensor as a TensorProto named `name` (raw data).
onnx::TensorProto to_proto(const torch::Tensor& tensor, const std::string& name);

// ONNX element type <-> LibTorch scalar type; unsupported types throw
// gos::Error naming `where` and the type.
c10::ScalarType scalar_type(int32_t onnx_type, const std::string& where);
int32_t onnx_type(c10::ScalarType type);
// "FLOAT", "INT64", ...
std::string type_name(int32_t onnx_type);

// Typed access to a node's attributes with defaults; a present attribute of
// the wrong type throws gos::Error naming the node.
class Attributes {
 public:
  explicit Attributes(const onnx::NodeProto& node);
  bool has(const std::string& name) const { return find(name) != nullptr; }
  int64_t get_int(const std::string& name, int64_t fallback) const;
  float get_float(const std::string& name, float fallback) const;
  std::string get_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> get_ints(const std::string& name, const std::vector<int64_t>& fallback = {}) const;
  std::vector<float> get_floats(const std::string& name) const;
  const onnx::TensorProto* get_tensor(const std::string& name) const;
  // "node 'NAME' (OP)" for messages.
  std::string where() const;

 private:
  const onnx::AttributeProto* find(const std::string& name) const;
  const onnx::AttributeProto& typed(const std::string& name, onnx::AttributeProto_AttributeType type) const;
  const onnx::NodeProto& node_;
};

// The opset of the default ("" or "ai.onnx") domain; gos::Error when absent.
int64_t default_opset(const onnx::ModelProto& model);

}  // namespace gos::onnx_io
