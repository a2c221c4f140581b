#include "torchlib/onnx/proto.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/checker.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "framework/error.h"

namespace gos::onnx_io {
namespace {

std::string read_bytes(const std::string& path, const char* what) {
  std::error_code code;
  if (!std::filesystem::is_regular_file(path, code)) throw Error(fmt::format("{}: {} not found", path, what));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) throw Error(fmt::format("{}: cannot read the {}", path, what));
  return bytes.str();
}

}  // namespace

void check_model(const onnx::ModelProto& model, const std::string& what) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: not a valid ONNX model: {}", what, e.what()));
  }
}

onnx::ModelProto read_model(const std::string& path) {
  const std::string bytes = read_bytes(path, "ONNX model file");
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes))
    throw Error(fmt::format("{}: not an ONNX model (the file does not parse as an ONNX ModelProto; truncated or "
                            "another format?)",
                            path));
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw Error(fmt::format("{}: not an ONNX model (no graph nodes; truncated or another format?)", path));
  check_model(model, path);
  return model;
}

void write_model(const onnx::ModelProto& model, const std::string& path) {
  const std::string temporary = path + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out || !model.SerializeToOstream(&out) || !out.flush()) {
      std::filesystem::remove(temporary);
      throw Error(fmt::format("{}: cannot write the ONNX file", path));
    }
  }
  std::error_code code;
  std::filesystem::rename(temporary, path, code);
  if (code) {
    std::filesystem::remove(temporary);
    throw Error(fmt::format("{}: cannot write the ONNX file: {}", path, code.message()));
  }
}

onnx::TensorProto read_tensor_file(const std::string& path) {
  const std::string bytes = read_bytes(path, "tensor file");
  onnx::TensorProto tensor;
  if (!tensor.ParseFromString(bytes)) throw Error(fmt::format("{}: not a serialised ONNX TensorProto", path));
  return tensor;
}

std::string type_name(int32_t type) {
  if (!onnx::TensorProto_DataType_IsValid(type)) return fmt::format("type {}", type);
  return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(type));
}

c10::ScalarType scalar_type(int32_t type, const std::string& where) {
  using T = onnx::TensorProto;
  switch (type) {
    case T::FLOAT: return torch::kFloat32;
    case T::DOUBLE: return torch::kFloat64;
    case T::FLOAT16: return torch::kFloat16;
    case T::INT8: return torch::kInt8;
    case T::INT16: return torch::kInt16;
    case T::INT32: return torch::kInt32;
    case T::INT64: return torch::kInt64;
    case T::UINT8: return torch::kUInt8;
    case T::BOOL: return torch::kBool;
    default:
      throw Error(fmt::format("{} has element type {}; supported: FLOAT, DOUBLE, FLOAT16, INT8, INT16, INT32, INT64, "
                              "UINT8, BOOL",
                              where, type_name(type)));
  }
}

int32_t onnx_type(c10::ScalarType type) {
  using T = onnx::TensorProto;
  switch (type) {
    case torch::kFloat32: return T::FLOAT;
    case torch::kFloat64: return T::DOUBLE;
    case torch::kFloat16: return T::FLOAT16;
    case torch::kInt8: return T::INT8;
    case torch::kInt16: return T::INT16;
    case torch::kInt32: return T::INT32;
    case torch::kInt64: return T::INT64;
    case torch::kUInt8: return T::UINT8;
    case torch::kBool: return T::BOOL;
    default: throw Error(fmt::format("LibTorch type {} has no ONNX equivalent here", c10::toString(type)));
  }
}

torch::Tensor to_torch(const onnx::TensorProto& proto, const std::string& where) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    throw Error(fmt::format("{} keeps its data in an external file; GOS reads self-contained ONNX files only "
                            "(save with onnx.save(model, path, save_as_external_data=False))",
                            where));
  const c10::ScalarType type = scalar_type(proto.data_type(), where);
  std::vector<int64_t> shape(proto.dims().begin(), proto.dims().end());
  int64_t count = 1;
  for (int64_t size : shape) {
    if (size < 0) throw Error(fmt::format("{} has a negative dimension", where));
    count *= size;
  }
  torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(type));
  const size_t bytes = size_t(count) * tensor.element_size();
  const auto wrong_size = [&](size_t found) {
    return Error(fmt::format("{} holds {} values for shape [{}] ({} expected); the file is damaged", where, found,
                             fmt::join(shape, ","), count));
  };
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytes) throw wrong_size(proto.raw_data().size() / std::max<size_t>(1, tensor.element_size()));
    if (bytes) std::memcpy(tensor.data_ptr(), proto.raw_data().data(), bytes);
    return tensor;
  }
  using T = onnx::TensorProto;
  const auto copy = [&](const auto& values, auto cast) {
    if (int64_t(values.size()) != count) throw wrong_size(values.size());
    for (int64_t i = 0; i < count; ++i) cast(i, values[int(i)]);
  };
  switch (proto.data_type()) {
    case T::FLOAT: copy(proto.float_data(), [&](int64_t i, float v) { tensor.data_ptr<float>()[i] = v; }); break;
    case T::DOUBLE: copy(proto.double_data(), [&](int64_t i, double v) { tensor.data_ptr<double>()[i] = v; }); break;
    case T::INT64: copy(proto.int64_data(), [&](int64_t i, int64_t v) { tensor.data_ptr<int64_t>()[i] = v; }); break;
    case T::INT32: copy(proto.int32_data(), [&](int64_t i, int32_t v) { tensor.data_ptr<int32_t>()[i] = v; }); break;
    case T::INT16: copy(proto.int32_data(), [&](int64_t i, int32_t v) { tensor.data_ptr<int16_t>()[i] = int16_t(v); }); break;
    case T::INT8: copy(proto.int32_data(), [&](int64_t i, int32_t v) { tensor.data_ptr<int8_t>()[i] = int8_t(v); }); break;
    case T::UINT8: copy(proto.int32_data(), [&](int64_t i, int32_t v) { tensor.data_ptr<uint8_t>()[i] = uint8_t(v); }); break;
    case T::BOOL: copy(proto.int32_data(), [&](int64_t i, int32_t v) { tensor.data_ptr<bool>()[i] = v != 0; }); break;
    case T::FLOAT16:
      // Typed half data is stored as the bit patterns in int32_data.
      copy(proto.int32_data(), [&](int64_t i, int32_t v) {
        tensor.data_ptr<at::Half>()[i] = c10::Half(uint16_t(v), c10::Half::from_bits());
      });
      break;
    default: break;
  }
  return tensor;
}

onnx::TensorProto to_proto(const torch::Tensor& tensor, const std::string& name) {
  const torch::Tensor contiguous = tensor.detach().to(torch::kCPU).contiguous();
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(onnx_type(contiguous.scalar_type()));
  for (int64_t size : contiguous.sizes()) proto.add_dims(size);
  proto.set_raw_data(std::string(static_cast<const char*>(contiguous.data_ptr()),
                                 size_t(contiguous.numel()) * contiguous.element_size()));
  return proto;
}

Attributes::Attributes(const onnx::NodeProto& node) : node_(node) {}

std::string Attributes::where() const { return fmt::format("node '{}' ({})", node_.name(), node_.op_type()); }

const onnx::AttributeProto* Attributes::find(const std::string& name) const {
  for (const auto& attribute : node_.attribute())
    if (attribute.name() == name) return &attribute;
  return nullptr;
}

const onnx::AttributeProto& Attributes::typed(const std::string& name,
                                              onnx::AttributeProto_AttributeType type) const {
  const onnx::AttributeProto* attribute = find(name);
  if (attribute->type() != type)
    throw Error(fmt::format("{}: attribute '{}' is {}, expected {}", where(), name,
                            onnx::AttributeProto_AttributeType_Name(attribute->type()),
                            onnx::AttributeProto_AttributeType_Name(type)));
  return *attribute;
}

int64_t Attributes::get_int(const std::string& name, int64_t fallback) const {
  return has(name) ? typed(name, onnx::AttributeProto::INT).i() : fallback;
}
float Attributes::get_float(const std::string& name, float fallback) const {
  return has(name) ? typed(name, onnx::AttributeProto::FLOAT).f() : fallback;
}
std::string Attributes::get_string(const std::string& name, const std::string& fallback) const {
  return has(name) ? typed(name, onnx::AttributeProto::STRING).s() : fallback;
}
std::vector<int64_t> Attributes::get_ints(const std::string& name, const std::vector<int64_t>& fallback) const {
  if (!has(name)) return fallback;
  const auto& values = typed(name, onnx::AttributeProto::INTS).ints();
  return {values.begin(), values.end()};
}
std::vector<float> Attributes::get_floats(const std::string& name) const {
  if (!has(name)) return {};
  const auto& values = typed(name, onnx::AttributeProto::FLOATS).floats();
  return {values.begin(), values.end()};
}
const onnx::TensorProto* Attributes::get_tensor(const std::string& name) const {
  return has(name) ? &typed(name, onnx::AttributeProto::TENSOR).t() : nullptr;
}

int64_t default_opset(const onnx::ModelProto& model) {
  for (const auto& opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx") return opset.version();
  throw Error("the model imports no opset of the default ONNX domain");
}

}  // namespace gos::onnx_io
