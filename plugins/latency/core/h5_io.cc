#include "plugins/latency/core/h5_io.h"

#include <fmt/format.h>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::h5 {
namespace {

const H5::StrType& string_type() {
  static const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  return type;
}

H5::Attribute open_attribute(const H5::H5Object& object, const std::string& name, const std::string& file) {
  if (!object.attrExists(name)) throw Error(fmt::format("{}: attribute '{}' is missing", file, name));
  return object.openAttribute(name);
}

H5::DataSet open_dataset(const H5::Group& group, const std::string& name, const std::string& file) {
  if (!group.nameExists(name)) throw Error(fmt::format("{}: dataset '{}' is missing", file, name));
  return group.openDataSet(name);
}

hsize_t length(const H5::DataSet& dataset) {
  H5::DataSpace space = dataset.getSpace();
  if (space.getSimpleExtentNdims() != 1) return 0;
  hsize_t size = 0;
  space.getSimpleExtentDims(&size);
  return size;
}

}  // namespace

H5::H5File open_for_reading(const std::filesystem::path& path, const std::string& what) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw Error(fmt::format("{} '{}' does not exist", what, path.string()));
  try {
    return H5::H5File(path.string(), H5F_ACC_RDONLY);
  } catch (const H5::Exception&) {
    throw Error(fmt::format("{} '{}' is not an HDF5 file", what, path.string()));
  }
}

void require_schema_version(const H5::H5Object& object, int64_t expected, const std::string& file,
                            const std::string& what, const std::string& remedy) {
  const int64_t version = read_int(object, "schema_version", file);
  if (version != expected)
    throw Error(fmt::format("{}: {} schema version {}, this build reads version {}{}", file, what, version, expected,
                            remedy.empty() ? "" : "; " + remedy));
}

H5::H5File create(const std::filesystem::path& path, const std::string& what) {
  H5::Exception::dontPrint();
  try {
    return H5::H5File(path.string(), H5F_ACC_TRUNC);
  } catch (const H5::Exception&) {
    throw Error(fmt::format("cannot write {} '{}'", what, path.string()));
  }
}

void write_string(H5::H5Object& object, const std::string& name, const std::string& value) {
  if (object.attrExists(name)) object.removeAttr(name);
  const char* data = value.c_str();
  object.createAttribute(name, string_type(), H5::DataSpace(H5S_SCALAR)).write(string_type(), &data);
}

void write_int(H5::H5Object& object, const std::string& name, int64_t value) {
  if (object.attrExists(name)) object.removeAttr(name);
  object.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_INT64, &value);
}

void write_real(H5::H5Object& object, const std::string& name, double value) {
  if (object.attrExists(name)) object.removeAttr(name);
  object.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_DOUBLE, &value);
}

std::string read_string(const H5::H5Object& object, const std::string& name, const std::string& file) {
  H5::Attribute attribute = open_attribute(object, name, file);
  if (attribute.getTypeClass() != H5T_STRING) throw Error(fmt::format("{}: attribute '{}' is not a string", file, name));
  std::string value;
  attribute.read(attribute.getStrType(), value);
  return value;
}

int64_t read_int(const H5::H5Object& object, const std::string& name, const std::string& file) {
  H5::Attribute attribute = open_attribute(object, name, file);
  if (attribute.getTypeClass() != H5T_INTEGER) throw Error(fmt::format("{}: attribute '{}' is not an integer", file, name));
  int64_t value = 0;
  attribute.read(H5::PredType::NATIVE_INT64, &value);
  return value;
}

double read_real(const H5::H5Object& object, const std::string& name, const std::string& file) {
  H5::Attribute attribute = open_attribute(object, name, file);
  if (attribute.getTypeClass() != H5T_FLOAT) throw Error(fmt::format("{}: attribute '{}' is not a number", file, name));
  double value = 0;
  attribute.read(H5::PredType::NATIVE_DOUBLE, &value);
  return value;
}

void write_strings(H5::Group& group, const std::string& name, const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  for (const auto& value : values) pointers.push_back(value.c_str());
  const hsize_t size = values.size();
  H5::DataSet dataset = group.createDataSet(name, string_type(), H5::DataSpace(1, &size));
  if (size > 0) dataset.write(pointers.data(), string_type());
}

void write_reals(H5::Group& group, const std::string& name, const std::vector<double>& values) {
  const hsize_t size = values.size();
  H5::DataSet dataset = group.createDataSet(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &size));
  if (size > 0) dataset.write(values.data(), H5::PredType::NATIVE_DOUBLE);
}

std::vector<std::string> read_strings(const H5::Group& group, const std::string& name, const std::string& file) {
  H5::DataSet dataset = open_dataset(group, name, file);
  if (dataset.getTypeClass() != H5T_STRING) throw Error(fmt::format("{}: dataset '{}' is not text", file, name));
  std::vector<char*> raw(length(dataset), nullptr);
  if (raw.empty()) return {};
  dataset.read(raw.data(), string_type());
  std::vector<std::string> values(raw.begin(), raw.end());
  H5::DataSet::vlenReclaim(raw.data(), string_type(), dataset.getSpace());
  return values;
}

std::vector<double> read_reals(const H5::Group& group, const std::string& name, const std::string& file) {
  H5::DataSet dataset = open_dataset(group, name, file);
  if (dataset.getTypeClass() != H5T_FLOAT) throw Error(fmt::format("{}: dataset '{}' is not numeric", file, name));
  std::vector<double> values(length(dataset));
  if (!values.empty()) dataset.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

void write_device(H5::H5Object& object, const DeviceInfo& device) {
  write_string(object, "device", device.name);
  for (const auto& [key, value] : device.properties) write_string(object, "device." + key, value);
}

DeviceInfo read_device(const H5::H5Object& object, const std::string& file) {
  DeviceInfo device;
  device.name = read_string(object, "device", file);
  const int count = object.getNumAttrs();
  for (int i = 0; i < count; ++i) {
    const std::string name = object.openAttribute(static_cast<unsigned>(i)).getName();
    if (name.rfind("device.", 0) == 0) device.properties[name.substr(7)] = read_string(object, name, file);
  }
  return device;
}

std::string to_string(const DeviceInfo& device) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : device.properties) parts.push_back(key + "=" + value);
  return fmt::format("{} ({})", device.name, join(parts, ", "));
}

std::map<std::string, std::string> provenance(const DeviceInfo& device) {
  std::map<std::string, std::string> result{{"device.name", device.name}};
  for (const auto& [key, value] : device.properties) result["device." + key] = value;
  return result;
}

}  // namespace gos::h5
