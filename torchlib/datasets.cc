#include "torchlib/datasets.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <numeric>

#include "framework/error.h"

namespace gos {
namespace {

constexpr int kClasses = 10;

// The whole (possibly gzip-compressed) file. gzread passes files that are not
// gzip through unchanged, so plain and compressed IDX files both work.
std::vector<uint8_t> read_all(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw Error(fmt::format("{}: file not found", path.string()));
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw Error(fmt::format("{}: cannot open", path.string()));
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(1 << 20);
  int read = 0;
  while ((read = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0)
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + read);
  int code = 0;
  const std::string message = read < 0 ? gzerror(file, &code) : "";
  gzclose(file);
  if (read < 0) throw Error(fmt::format("{}: read error ({})", path.string(), message));
  return bytes;
}

uint32_t big_endian_u32(const std::vector<uint8_t>& bytes, size_t offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) | (uint32_t{bytes[offset + 2]} << 8) |
         uint32_t{bytes[offset + 3]};
}

void check_labels(const std::vector<uint8_t>& labels, const std::filesystem::path& path) {
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= kClasses)
      throw Error(fmt::format("{}: label {} of record {} is not a class index in [0, {})", path.string(),
                              labels[i], i, kClasses));
}

}  // namespace

ImageDataset load_idx(const std::filesystem::path& images, const std::filesystem::path& labels) {
  const std::vector<uint8_t> image_bytes = read_all(images);
  const std::vector<uint8_t> label_bytes = read_all(labels);
  if (image_bytes.size() < 16 || big_endian_u32(image_bytes, 0) != 0x803)
    throw Error(fmt::format("{}: not an IDX image file (expected magic 0x00000803 and a 16-byte header)",
                            images.string()));
  if (label_bytes.size() < 8 || big_endian_u32(label_bytes, 0) != 0x801)
    throw Error(fmt::format("{}: not an IDX label file (expected magic 0x00000801 and an 8-byte header)",
                            labels.string()));
  const size_t count = big_endian_u32(image_bytes, 4);
  ImageDataset data;
  data.channels = 1;
  data.height = big_endian_u32(image_bytes, 8);
  data.width = big_endian_u32(image_bytes, 12);
  data.classes = kClasses;
  const size_t label_count = big_endian_u32(label_bytes, 4);
  if (label_count != count)
    throw Error(fmt::format("{} holds {} labels but {} holds {} images", labels.string(), label_count,
                            images.string(), count));
  const size_t expected = 16 + count * data.image_bytes();
  if (image_bytes.size() != expected)
    throw Error(fmt::format("{}: {} bytes, expected {} for {} images of {}x{} (truncated or corrupt)",
                            images.string(), image_bytes.size(), expected, count, data.height, data.width));
  if (label_bytes.size() != 8 + count)
    throw Error(fmt::format("{}: {} bytes, expected {} for {} labels (truncated or corrupt)", labels.string(),
                            label_bytes.size(), 8 + count, count));
  data.pixels.assign(image_bytes.begin() + 16, image_bytes.end());
  data.labels.assign(label_bytes.begin() + 8, label_bytes.end());
  check_labels(data.labels, labels);
  return data;
}

ImageDataset load_cifar10(const std::vector<std::filesystem::path>& batches) {
  constexpr size_t kImageBytes = 3 * 32 * 32;
  constexpr size_t kRecordBytes = 1 + kImageBytes;
  ImageDataset data;
  data.channels = 3;
  data.height = 32;
  data.width = 32;
  data.classes = kClasses;
  if (batches.empty()) throw Error("no CIFAR-10 batch files given");
  for (const auto& path : batches) {
    if (!std::filesystem::exists(path)) throw Error(fmt::format("{}: file not found", path.string()));
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty() || bytes.size() % kRecordBytes != 0)
      throw Error(fmt::format("{}: {} bytes is not a whole number of {}-byte CIFAR-10 records (truncated or not a "
                              "CIFAR-10 binary batch)",
                              path.string(), bytes.size(), kRecordBytes));
    const size_t records = bytes.size() / kRecordBytes;
    std::vector<uint8_t> labels(records);
    data.pixels.reserve(data.pixels.size() + records * kImageBytes);
    for (size_t r = 0; r < records; ++r) {
      const uint8_t* record = bytes.data() + r * kRecordBytes;
      labels[r] = record[0];
      data.pixels.insert(data.pixels.end(), record + 1, record + kRecordBytes);
    }
    check_labels(labels, path);
    data.labels.insert(data.labels.end(), labels.begin(), labels.end());
  }
  return data;
}

ImageDataset shuffled_subset(const ImageDataset& data, uint64_t seed, size_t limit) {
  std::vector<size_t> order(data.size());
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(seed);
  rng.shuffle(std::span<size_t>(order));
  if (limit > 0 && limit < order.size()) order.resize(limit);
  ImageDataset subset = data;
  subset.pixels.resize(order.size() * data.image_bytes());
  subset.labels.resize(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    std::copy_n(data.image(order[i]), data.image_bytes(), subset.pixels.data() + i * data.image_bytes());
    subset.labels[i] = data.labels[order[i]];
  }
  return subset;
}

ImageDataset split_tail(ImageDataset& data, size_t count) {
  if (count >= data.size())
    throw Error(fmt::format("cannot hold out {} of {} images: nothing would be left to train on", count, data.size()));
  const size_t keep = data.size() - count;
  ImageDataset tail = data;
  tail.pixels.assign(data.pixels.begin() + static_cast<std::ptrdiff_t>(keep * data.image_bytes()), data.pixels.end());
  tail.labels.assign(data.labels.begin() + static_cast<std::ptrdiff_t>(keep), data.labels.end());
  data.pixels.resize(keep * data.image_bytes());
  data.labels.resize(keep);
  return tail;
}

CropFlip draw_crop_flip(int64_t padding, Rng& rng) {
  CropFlip draw;
  draw.dy = rng.uniform_int(0, 2 * padding) - padding;
  draw.dx = rng.uniform_int(0, 2 * padding) - padding;
  draw.flip = rng.bernoulli(0.5);
  return draw;
}

void crop_flip(const uint8_t* image, int64_t channels, int64_t height, int64_t width, const CropFlip& draw,
               uint8_t* out) {
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        const int64_t source_y = y + draw.dy;
        const int64_t source_x = (draw.flip ? width - 1 - x : x) + draw.dx;
        const bool inside = source_y >= 0 && source_y < height && source_x >= 0 && source_x < width;
        out[(c * height + y) * width + x] = inside ? image[(c * height + source_y) * width + source_x] : 0;
      }
}

void random_crop_flip(const uint8_t* image, int64_t channels, int64_t height, int64_t width, int64_t padding, Rng& rng,
                      uint8_t* out) {
  crop_flip(image, channels, height, width, draw_crop_flip(padding, rng), out);
}

}  // namespace gos
