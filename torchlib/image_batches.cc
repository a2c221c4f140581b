#include "torchlib/image_batches.h"

namespace gos {

ImageTensors to_tensors(const ImageDataset& data, torch::Device device) {
  const auto n = static_cast<int64_t>(data.size());
  ImageTensors tensors;
  // from_blob only views the bytes; clone() (CPU) or to() (another device) owns a copy.
  auto* pixels = const_cast<uint8_t*>(data.pixels.data());
  auto* labels = const_cast<uint8_t*>(data.labels.data());
  const torch::Tensor host_pixels =
      torch::from_blob(pixels, {n, data.channels, data.height, data.width}, torch::kUInt8);
  const torch::Tensor host_labels = torch::from_blob(labels, {n}, torch::kUInt8).to(torch::kLong);
  tensors.pixels = device.is_cpu() ? host_pixels.clone() : host_pixels.to(device);
  tensors.labels = host_labels.to(device);
  return tensors;
}

torch::Tensor draws_tensor(const std::vector<CropFlip>& draws, torch::Device device) {
  std::vector<int64_t> values(3 * draws.size());
  const size_t n = draws.size();
  for (size_t i = 0; i < n; ++i) {
    values[i] = draws[i].dy;
    values[n + i] = draws[i].dx;
    values[2 * n + i] = draws[i].flip ? 1 : 0;
  }
  return torch::tensor(values, torch::kLong).view({3, static_cast<int64_t>(n)}).to(device);
}

torch::Tensor crop_flip_batch(const torch::Tensor& images, const torch::Tensor& draws, int64_t padding) {
  const int64_t batch = images.size(0), channels = images.size(1), height = images.size(2), width = images.size(3);
  const auto longs = torch::TensorOptions().dtype(torch::kLong).device(images.device());
  // Zero padding makes every source pixel of a window an index into the padded image.
  const torch::Tensor padded = torch::constant_pad_nd(images, {padding, padding, padding, padding}, 0);
  const torch::Tensor y = torch::arange(height, longs).unsqueeze(0);  // [1, H]
  const torch::Tensor x = torch::arange(width, longs).unsqueeze(0);   // [1, W]
  const torch::Tensor dy = draws[0].unsqueeze(1), dx = draws[1].unsqueeze(1),
                      flip = draws[2].unsqueeze(1).to(torch::kBool);
  const torch::Tensor rows = y + dy + padding;                                        // [B, H]
  const torch::Tensor columns = torch::where(flip, width - 1 - x, x) + dx + padding;  // [B, W]
  const torch::Tensor b = torch::arange(batch, longs).view({batch, 1, 1, 1});
  const torch::Tensor c = torch::arange(channels, longs).view({1, channels, 1, 1});
  return padded.index({b, c, rows.view({batch, 1, height, 1}), columns.view({batch, 1, 1, width})});
}

torch::Tensor normalise(const torch::Tensor& pixels, const torch::Tensor& mean, const torch::Tensor& stddev) {
  return (pixels.to(torch::kFloat32) / 255 - mean.view({1, -1, 1, 1})) / stddev.view({1, -1, 1, 1});
}

}  // namespace gos
