#include "torchlib/onnx/npy.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::onnx_io {
namespace {

const char kMagic[] = "\x93NUMPY";

std::string header_field(const std::string& header, const std::string& key, const std::string& path) {
  const std::regex pattern("'" + key + "'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))");
  std::smatch match;
  if (!std::regex_search(header, match, pattern))
    throw Error(fmt::format("{}: damaged .npy header (no '{}'): {}", path, key, header));
  return match[1];
}

}  // namespace

torch::Tensor read_npy(const std::string& path) {
  std::error_code code;
  if (!std::filesystem::is_regular_file(path, code)) throw Error(fmt::format("{}: .npy file not found", path));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
    throw Error(fmt::format("{}: not a NumPy .npy file (no \\x93NUMPY magic)", path));
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_length = 0, offset = 0;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) | (size_t(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw Error(fmt::format("{}: truncated .npy header", path));
    for (int i = 0; i < 4; ++i) header_length |= size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    throw Error(fmt::format("{}: .npy format version {} is not 1, 2 or 3", path, major));
  }
  if (bytes.size() < offset + header_length) throw Error(fmt::format("{}: truncated .npy header", path));
  const std::string header = bytes.substr(offset, header_length);
  const std::string descr = header_field(header, "descr", path);
  if (descr != "'<f4'")
    throw Error(fmt::format("{}: dtype {} is not float32 ('<f4'); convert with x.astype(numpy.float32)", path, descr));
  if (header_field(header, "fortran_order", path) != "False")
    throw Error(fmt::format("{}: Fortran-ordered array; save a C-ordered one (numpy.ascontiguousarray)", path));
  std::vector<int64_t> shape;
  const std::string dims = header_field(header, "shape", path);
  int64_t count = 1;
  const std::regex number("[0-9]+");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it) {
    shape.push_back(std::stoll(it->str()));
    count *= shape.back();
  }
  const size_t data = offset + header_length;
  if (bytes.size() - data != size_t(count) * sizeof(float))
    throw Error(fmt::format("{}: holds {} bytes of data for shape ({}) of float32, which needs {} (truncated?)", path,
                            bytes.size() - data, dims.substr(1, dims.size() - 2), count * int64_t(sizeof(float))));
  torch::Tensor tensor = torch::empty(shape, torch::kFloat32);
  if (count) std::memcpy(tensor.data_ptr<float>(), bytes.data() + data, size_t(count) * sizeof(float));
  return tensor;
}

void write_npy(const torch::Tensor& tensor, const std::string& path) {
  const torch::Tensor values = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  // A Python tuple: "()", "(3,)", "(2, 3)".
  std::vector<std::string> sizes;
  for (int64_t size : values.sizes()) sizes.push_back(std::to_string(size));
  const std::string shape = sizes.size() == 1 ? sizes[0] + "," : join(sizes, ", ");
  std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}), }}", shape);
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  const std::string temporary = path + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(kMagic, 6);
    out.put(1);
    out.put(0);
    out.put(char(header.size() & 0xff));
    out.put(char(header.size() >> 8));
    out << header;
    out.write(static_cast<const char*>(values.data_ptr()), std::streamsize(values.numel() * sizeof(float)));
    if (!out.flush()) {
      std::filesystem::remove(temporary);
      throw Error(fmt::format("{}: cannot write the .npy file", path));
    }
  }
  std::error_code code;
  std::filesystem::rename(temporary, path, code);
  if (code) {
    std::filesystem::remove(temporary);
    throw Error(fmt::format("{}: cannot write the .npy file: {}", path, code.message()));
  }
}

}  // namespace gos::onnx_io
