#pragma once
// Where training runs: the `device` key of the trainer plugin and of [adapt],
// and `gos train --device`. Latency is never measured here: the latency
// model's device times models (by default this machine's CPU), wherever
// they were trained. Free of LibTorch headers (torchlib/placement.h has the
// LibTorch side).
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "framework/error.h"

namespace gos {

// kAuto: CUDA when LibTorch sees a CUDA device, else the CPU.
enum class ComputeDevice { kCpu, kCuda, kAuto };

inline constexpr const char* kComputeDeviceValues = "\"cpu\", \"cuda\", \"auto\"";
inline const char* to_string(ComputeDevice device) {
  switch (device) {
    case ComputeDevice::kCpu:
      return "cpu";
    case ComputeDevice::kCuda:
      return "cuda";
    case ComputeDevice::kAuto:
      return "auto";
  }
  return "?";
}
// Parses "cpu" | "cuda" | "auto"; throws gos::Error naming `key` and the
// valid values otherwise. Inline so that torch-free code (the [adapt] file)
// parses it too.
inline ComputeDevice parse_compute_device(std::string_view text, std::string_view key) {
  if (text == "cpu") return ComputeDevice::kCpu;
  if (text == "cuda") return ComputeDevice::kCuda;
  if (text == "auto") return ComputeDevice::kAuto;
  throw Error(fmt::format("{} = \"{}\" is not a training device; valid: {}", key, text, kComputeDeviceValues));
}
// Empty when `device` can train here; else why not and what is valid here.
std::string device_unavailable(ComputeDevice device);
// Throws gos::Error naming `key` when `device` is kCuda and this LibTorch
// build or machine has no CUDA device, saying what is valid here.
void require_available(ComputeDevice device, std::string_view key);
// How many CUDA devices LibTorch sees (0 on a CPU-only build).
int cuda_device_count();

}  // namespace gos
