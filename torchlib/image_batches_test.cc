// Batches made on the training device against the per-image byte path of
// torchlib/datasets.h (the reference), on the CPU and, where there is one,
// on the GPU.
#include "torchlib/image_batches.h"

#include <gtest/gtest.h>

#include "torchlib/placement.h"

namespace gos {
namespace {

ImageDataset random_images(size_t count, int64_t channels, int64_t height, int64_t width, uint64_t seed) {
  Rng rng(seed);
  ImageDataset data;
  data.channels = channels;
  data.height = height;
  data.width = width;
  data.classes = 10;
  for (size_t i = 0; i < count * data.image_bytes(); ++i)
    data.pixels.push_back(static_cast<uint8_t>(rng.uniform_int(1, 255)));
  for (size_t i = 0; i < count; ++i) data.labels.push_back(static_cast<uint8_t>(rng.uniform_int(0, 9)));
  return data;
}

std::vector<torch::Device> devices() {
  std::vector<torch::Device> all = {torch::kCPU};
  if (cuda_device_count() > 0) all.emplace_back(torch::kCUDA, 0);
  return all;
}

TEST(ImageBatches, CropFlipOfABatchIsTheByteCropFlipOfEveryImage) {
  // Not square, so that a swapped height and width would show.
  const ImageDataset data = random_images(64, 3, 6, 5, 1);
  Rng rng(2);
  std::vector<CropFlip> draws;
  for (size_t i = 0; i < data.size(); ++i) draws.push_back(draw_crop_flip(2, rng));
  std::vector<uint8_t> expected(data.pixels.size());
  for (size_t i = 0; i < data.size(); ++i)
    crop_flip(data.image(i), data.channels, data.height, data.width, draws[i],
              expected.data() + i * data.image_bytes());
  for (const torch::Device device : devices()) {
    const ImageTensors tensors = to_tensors(data, device);
    const torch::Tensor got = crop_flip_batch(tensors.pixels, draws_tensor(draws, device), 2).cpu().contiguous();
    ASSERT_EQ(got.sizes(), tensors.pixels.sizes()) << device;
    const std::vector<uint8_t> bytes(got.data_ptr<uint8_t>(), got.data_ptr<uint8_t>() + got.numel());
    EXPECT_EQ(bytes, expected) << device;
  }
}

TEST(ImageBatches, TensorsHoldThePixelsAndLabelsAndNormaliseUsesTheChannelStatistics) {
  const ImageDataset data = random_images(4, 2, 3, 3, 3);
  for (const torch::Device device : devices()) {
    const ImageTensors tensors = to_tensors(data, device);
    EXPECT_EQ(tensors.size(), 4);
    EXPECT_EQ(tensors.pixels.device(), device);
    EXPECT_EQ(tensors.labels[2].item<int64_t>(), data.labels[2]);
    const torch::Tensor pixels = tensors.pixels.cpu();
    EXPECT_EQ(pixels[1][1][2][0].item<int64_t>(), data.image(1)[(1 * 3 + 2) * 3 + 0]);
    const torch::Tensor mean = torch::tensor({0.25f, 0.5f}).to(device), stddev = torch::tensor({0.5f, 2.0f}).to(device);
    const torch::Tensor x = normalise(tensors.pixels, mean, stddev).cpu();
    const double value = data.image(3)[1 * 9 + 4] / 255.0;
    EXPECT_NEAR(x[3][1][1][1].item<double>(), (value - 0.5) / 2.0, 1e-6);
  }
}

}  // namespace
}  // namespace gos
