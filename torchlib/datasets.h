#pragma once
// Image classification data sets read from their original file formats:
// IDX (MNIST, Fashion-MNIST; plain or gzip-compressed) and the CIFAR-10
// binary batches. Images stay as bytes (N x C x H x W) until a batch is made,
// so a 50,000-image CIFAR split costs 150 MB rather than 600 MB of floats.
// Deliberately free of LibTorch: the trainer turns batches into tensors.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "framework/rng.h"

namespace gos {

struct ImageDataset {
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  int64_t classes = 0;
  std::vector<uint8_t> pixels;  // size() * channels * height * width bytes, planar per image
  std::vector<uint8_t> labels;  // one class index per image

  size_t size() const { return labels.size(); }
  size_t image_bytes() const { return static_cast<size_t>(channels * height * width); }
  const uint8_t* image(size_t index) const { return pixels.data() + index * image_bytes(); }
};

// Reads an IDX image file (magic 0x00000803, N x H x W bytes) and its label
// file (magic 0x00000801). Both may be gzip-compressed (read through zlib,
// which passes uncompressed files through unchanged). Throws gos::Error naming
// the file for a missing file, a wrong magic number, a count mismatch between
// the two files, a truncated file, or a label >= 10.
ImageDataset load_idx(const std::filesystem::path& images, const std::filesystem::path& labels);

// Reads CIFAR-10 binary batches: records of 1 label byte + 3072 pixel bytes
// (32 x 32, R, G, B planes). Throws gos::Error naming the file when it is
// missing, empty, not a whole number of records, or holds a label >= 10.
ImageDataset load_cifar10(const std::vector<std::filesystem::path>& batches);

// The images in a seeded random order, keeping the first `limit` (0: all).
// The same seed gives the same order on every platform (gos::Rng).
ImageDataset shuffled_subset(const ImageDataset& data, uint64_t seed, size_t limit);

// Splits off the last `count` images (the held-out part) from `data`.
ImageDataset split_tail(ImageDataset& data, size_t count);

// Standard CIFAR augmentation of one image: zero-pad by `padding` pixels on
// every side, crop a window of the original size, and mirror it
// horizontally. One draw: the window's offset from the centred one (dy, dx
// in [-padding, padding]) and the mirror (probability 1/2), drawn in this
// order, so that the byte and the tensor paths see the same stream.
struct CropFlip {
  int64_t dy = 0;
  int64_t dx = 0;
  bool flip = false;
};
CropFlip draw_crop_flip(int64_t padding, Rng& rng);
// Applies one draw; `out` receives channels*height*width bytes.
void crop_flip(const uint8_t* image, int64_t channels, int64_t height, int64_t width, const CropFlip& draw,
               uint8_t* out);
// draw_crop_flip then crop_flip.
void random_crop_flip(const uint8_t* image, int64_t channels, int64_t height, int64_t width, int64_t padding,
                      Rng& rng, uint8_t* out);

}  // namespace gos
