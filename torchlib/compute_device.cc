// Implemented with LibTorch (the CUDA query); the header stays torch-free.
#include "torchlib/compute_device.h"

#include <fmt/format.h>
#include <torch/cuda.h>

#include "framework/error.h"

namespace gos {

int cuda_device_count() { return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0; }

std::string device_unavailable(ComputeDevice device) {
  if (device != ComputeDevice::kCuda || cuda_device_count() > 0) return "";
  return fmt::format(
      "LibTorch sees no CUDA device here ({}); valid here: \"cpu\", or \"auto\" (CUDA when present, "
      "else the CPU)",
      torch::cuda::is_available() ? "no device" : "a CPU-only LibTorch build, or no GPU and driver");
}

void require_available(ComputeDevice device, std::string_view key) {
  const std::string reason = device_unavailable(device);
  if (!reason.empty()) throw Error(fmt::format("{} = \"{}\": {}", key, to_string(device), reason));
}

}  // namespace gos
