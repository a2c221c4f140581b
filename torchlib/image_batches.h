#pragma once
// Image data sets as tensors on the training device, and batches made there:
// index, random crop + flip, normalise. Uploaded once, the images never
// cross the bus again, so a GPU is not left waiting on the host for data.
// Include only from torch translation units.
#include <torch/torch.h>

#include <vector>

#include "torchlib/datasets.h"

namespace gos {

struct ImageTensors {
  torch::Tensor pixels;  // uint8 [N, C, H, W]
  torch::Tensor labels;  // int64 [N]
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

ImageTensors to_tensors(const ImageDataset& data, torch::Device device);

// The crop/flip draws of images, one column each: rows dy, dx, flip (0/1),
// int64 [3, N] on `device`.
torch::Tensor draws_tensor(const std::vector<CropFlip>& draws, torch::Device device);

// crop_flip (torchlib/datasets.h) of every image of a uint8 batch [B, C, H, W]
// with its column of `draws` ([3, B], on the batch's device), on that device.
torch::Tensor crop_flip_batch(const torch::Tensor& images, const torch::Tensor& draws, int64_t padding);

// float32 (pixels / 255 - mean) / stddev, mean and stddev per channel ([C]).
torch::Tensor normalise(const torch::Tensor& pixels, const torch::Tensor& mean, const torch::Tensor& stddev);

}  // namespace gos
