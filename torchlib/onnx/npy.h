#pragma once
// NumPy .npy files (format 1.0-3.0) of little-endian float32 in C order: what
// `gos model run` reads and writes.
#include <string>

#include "torchlib/torch_model.h"

namespace gos::onnx_io {

// Reads a float32 array. A missing or truncated file, another dtype, Fortran
// order or a damaged header throws gos::Error naming the file and what was found.
torch::Tensor read_npy(const std::string& path);
// Writes `tensor` (converted to contiguous float32) through a temporary file
// renamed into place, so a failure leaves nothing behind.
void write_npy(const torch::Tensor& tensor, const std::string& path);

}  // namespace gos::onnx_io
