#include "torchlib/datasets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <algorithm>
#include <unistd.h>

#include "framework/error.h"

namespace gos {
namespace {

namespace fs = std::filesystem;

class DatasetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gos_datasets_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void write(const fs::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  static void put_u32(std::vector<uint8_t>& bytes, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(value >> shift));
  }
  // `count` (<= 25) 2x3 images whose pixels are 10 * image + position, labels i % 10.
  void write_idx(size_t count, const fs::path& images, const fs::path& labels) {
    std::vector<uint8_t> image_bytes, label_bytes;
    put_u32(image_bytes, 0x803);
    put_u32(image_bytes, static_cast<uint32_t>(count));
    put_u32(image_bytes, 2);
    put_u32(image_bytes, 3);
    put_u32(label_bytes, 0x801);
    put_u32(label_bytes, static_cast<uint32_t>(count));
    for (size_t i = 0; i < count; ++i) {
      for (uint8_t p = 0; p < 6; ++p) image_bytes.push_back(static_cast<uint8_t>(10 * i + p));
      label_bytes.push_back(static_cast<uint8_t>(i % 10));
    }
    write(images, image_bytes);
    write(labels, label_bytes);
  }
  std::vector<uint8_t> cifar_records(size_t count) {
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i < count; ++i) {
      bytes.push_back(static_cast<uint8_t>(i % 10));
      for (size_t p = 0; p < 3072; ++p) bytes.push_back(static_cast<uint8_t>((i * 7 + p) % 251));
    }
    return bytes;
  }
  fs::path dir_;
};

TEST_F(DatasetsTest, ReadsIdxImagesAndLabels) {
  write_idx(4, dir_ / "images", dir_ / "labels");
  const ImageDataset data = load_idx(dir_ / "images", dir_ / "labels");
  ASSERT_EQ(data.size(), 4u);
  EXPECT_EQ(data.channels, 1);
  EXPECT_EQ(data.height, 2);
  EXPECT_EQ(data.width, 3);
  EXPECT_EQ(data.labels[3], 3);
  EXPECT_EQ(data.image(2)[5], 25);
}

TEST_F(DatasetsTest, ReadsGzipCompressedIdx) {
  write_idx(3, dir_ / "images", dir_ / "labels");
  ASSERT_EQ(std::system(("gzip -k " + (dir_ / "images").string() + " " + (dir_ / "labels").string()).c_str()), 0);
  const ImageDataset plain = load_idx(dir_ / "images", dir_ / "labels");
  const ImageDataset packed = load_idx(dir_ / "images.gz", dir_ / "labels.gz");
  EXPECT_EQ(plain.pixels, packed.pixels);
  EXPECT_EQ(plain.labels, packed.labels);
}

TEST_F(DatasetsTest, TruncatedOrMissingIdxNamesTheFile) {
  write_idx(4, dir_ / "images", dir_ / "labels");
  fs::resize_file(dir_ / "images", 16 + 6 * 3 + 2);
  try {
    load_idx(dir_ / "images", dir_ / "labels");
    FAIL() << "a truncated file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "images").string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_idx(dir_ / "missing", dir_ / "labels"), Error);
  write_idx(4, dir_ / "images", dir_ / "labels");
  write_idx(5, dir_ / "images5", dir_ / "labels5");
  EXPECT_THROW(load_idx(dir_ / "images", dir_ / "labels5"), Error);  // count mismatch
  EXPECT_THROW(load_idx(dir_ / "labels", dir_ / "images"), Error);   // magic numbers swapped
}

TEST_F(DatasetsTest, ReadsCifarBatchesInOrder) {
  write(dir_ / "a.bin", cifar_records(3));
  write(dir_ / "b.bin", cifar_records(2));
  const ImageDataset data = load_cifar10({dir_ / "a.bin", dir_ / "b.bin"});
  ASSERT_EQ(data.size(), 5u);
  EXPECT_EQ(data.image_bytes(), 3072u);
  EXPECT_EQ(data.labels[4], 1);
  EXPECT_EQ(data.image(4)[0], 7);  // record 1 of b.bin: (1 * 7 + 0) % 251
  EXPECT_EQ(data.image(2)[3071], (2 * 7 + 3071) % 251);
}

TEST_F(DatasetsTest, TruncatedCifarBatchOrBadLabelIsAnError) {
  std::vector<uint8_t> bytes = cifar_records(2);
  bytes.pop_back();
  write(dir_ / "short.bin", bytes);
  try {
    load_cifar10({dir_ / "short.bin"});
    FAIL() << "a truncated batch was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("short.bin"), std::string::npos) << e.what();
  }
  bytes = cifar_records(2);
  bytes[0] = 12;
  write(dir_ / "label.bin", bytes);
  EXPECT_THROW(load_cifar10({dir_ / "label.bin"}), Error);
  EXPECT_THROW(load_cifar10({dir_ / "absent.bin"}), Error);
}

TEST_F(DatasetsTest, ShuffleIsASeededPermutationAndSubsetIsItsPrefix) {
  write_idx(25, dir_ / "images", dir_ / "labels");
  const ImageDataset data = load_idx(dir_ / "images", dir_ / "labels");
  const ImageDataset a = shuffled_subset(data, 7, 0);
  const ImageDataset b = shuffled_subset(data, 7, 0);
  const ImageDataset c = shuffled_subset(data, 8, 0);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_NE(a.pixels, c.pixels);
  // Every image survives, still paired with its label (pixel 0 is 10 * original index).
  std::vector<int> seen(25, 0);
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t original = a.image(i)[0] / 10;
    ++seen[original];
    EXPECT_EQ(a.labels[i], original % 10);
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 25);
  const ImageDataset subset = shuffled_subset(data, 7, 5);
  ASSERT_EQ(subset.size(), 5u);
  EXPECT_TRUE(std::equal(subset.pixels.begin(), subset.pixels.end(), a.pixels.begin()));
}

TEST_F(DatasetsTest, SplitTailHoldsOutTheLastImages) {
  write_idx(10, dir_ / "images", dir_ / "labels");
  ImageDataset data = load_idx(dir_ / "images", dir_ / "labels");
  const ImageDataset tail = split_tail(data, 3);
  EXPECT_EQ(data.size(), 7u);
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_EQ(tail.image(0)[0], 70);
  EXPECT_THROW(split_tail(data, 7), Error);
}

// Reference: pad the image with zeros, take the window at (dy, dx), mirror.
std::vector<uint8_t> naive_crop_flip(const std::vector<uint8_t>& image, int64_t c, int64_t h, int64_t w, int64_t pad,
                                     int64_t dy, int64_t dx, bool flip) {
  const int64_t ph = h + 2 * pad, pw = w + 2 * pad;
  std::vector<uint8_t> padded(c * ph * pw, 0);
  for (int64_t k = 0; k < c; ++k)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) padded[(k * ph + y + pad) * pw + x + pad] = image[(k * h + y) * w + x];
  std::vector<uint8_t> crop(c * h * w);
  for (int64_t k = 0; k < c; ++k)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) crop[(k * h + y) * w + x] = padded[(k * ph + y + dy) * pw + x + dx];
  if (flip)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t y = 0; y < h; ++y) std::reverse(crop.begin() + (k * h + y) * w, crop.begin() + (k * h + y + 1) * w);
  return crop;
}

TEST(Augmentation, MatchesNaivePadCropFlipOnRandomImages) {
  Rng pixels(3);
  for (int trial = 0; trial < 50; ++trial) {
    const int64_t c = 3, h = 5, w = 7, pad = 2;
    std::vector<uint8_t> image(c * h * w);
    for (auto& p : image) p = static_cast<uint8_t>(pixels.uniform_int(1, 255));
    Rng rng(100 + trial);
    Rng replay = rng;  // the same three draws, in the documented order
    const int64_t dy = replay.uniform_int(0, 2 * pad);
    const int64_t dx = replay.uniform_int(0, 2 * pad);
    const bool flip = replay.bernoulli(0.5);
    std::vector<uint8_t> out(image.size());
    random_crop_flip(image.data(), c, h, w, pad, rng, out.data());
    EXPECT_EQ(out, naive_crop_flip(image, c, h, w, pad, dy, dx, flip)) << "trial " << trial;
  }
}

TEST(Augmentation, FlipsHalfTheTimeAndCropsUniformly) {
  // 1x1x3 image [1, 2, 3], no padding: the only change is the flip.
  const uint8_t image[3] = {1, 2, 3};
  Rng rng(11);
  int flips = 0;
  const int trials = 4000;
  for (int i = 0; i < trials; ++i) {
    uint8_t out[3];
    random_crop_flip(image, 1, 1, 3, 0, rng, out);
    flips += out[0] == 3;
  }
  // Binomial(4000, 0.5): standard deviation 31.6; 5 sigma bounds.
  EXPECT_NEAR(flips, trials / 2, 160);
  // With padding 1 a 1x1 image shows its pixel only for the centre offset
  // (dy = dx = 0): probability 1/9.
  const uint8_t dot[1] = {9};
  int visible = 0;
  for (int i = 0; i < 9000; ++i) {
    uint8_t out[1];
    random_crop_flip(dot, 1, 1, 1, 1, rng, out);
    visible += out[0] == 9;
  }
  EXPECT_NEAR(visible, 1000, 5 * 29.8);
}

TEST(SharedData, LoadsCifar10AndMnistWhenPresent) {
  const fs::path data = GOS_SOURCE_DIR "/../shared/data";
  if (!fs::exists(data / "cifar10/test_batch.bin") || !fs::exists(data / "mnist/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "shared data not found under " << data << " (see ../shared/data/README.md)";
  const ImageDataset cifar = load_cifar10({data / "cifar10/test_batch.bin"});
  EXPECT_EQ(cifar.size(), 10000u);
  std::map<int, int> per_class;
  for (uint8_t label : cifar.labels) ++per_class[label];
  EXPECT_EQ(per_class.size(), 10u);
  const ImageDataset mnist =
      load_idx(data / "mnist/t10k-images-idx3-ubyte.gz", data / "mnist/t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(mnist.size(), 10000u);
  EXPECT_EQ(mnist.height, 28);
  EXPECT_EQ(mnist.width, 28);
}

}  // namespace
}  // namespace gos
