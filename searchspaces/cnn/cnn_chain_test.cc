#include "searchspaces/cnn/cnn_chain.h"

#include <gtest/gtest.h>

#include <set>

#include "framework/error.h"

namespace gos::cnn {
namespace {

CnnChainSpace tiny_space() {
  CnnChainConfig config;
  config.resolution = 8;
  config.channels = {4, 8};
  return CnnChainSpace(config);
}

TEST(CnnChain, SerializationRoundTripsAndIsCanonical) {
  const CnnChainSpace space = tiny_space();
  Rng rng(1);
  for (int i = 0; i < 300; ++i) {
    const GenomePtr genome = space.sample(rng);
    const std::string text = space.serialize(*genome);
    EXPECT_EQ(space.serialize(*space.deserialize(text)), text);
    EXPECT_EQ(space.encode(*space.deserialize(text)), space.encode(*genome));
  }
  EXPECT_EQ(space.serialize(*space.deserialize("k3c4s2relu-k1c8s1none")), "k3c4s2relu-k1c8s1none");
}

TEST(CnnChain, MalformedGenomesNameTheProblem) {
  const CnnChainSpace space = tiny_space();
  auto message = [&](std::string_view text) {
    try {
      space.deserialize(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("k3c4s1relu").find("has 1 layers; valid: 2 to 6"), std::string::npos);
  EXPECT_NE(message("k3c5s1relu-k3c4s1relu").find("channels 5 is not one of {4, 8}"), std::string::npos);
  EXPECT_NE(message("k3c4s1gelu-k3c4s1relu").find("unknown activation 'gelu'"), std::string::npos);
  EXPECT_NE(message("k3c4s1relu-x").find("expected 'k'"), std::string::npos);
  EXPECT_NE(message("").find("expected 'k'"), std::string::npos);
  // 8 -> 4 -> 2 -> 1: a fourth stride-2 layer would shrink a 1x1 map.
  EXPECT_NE(message("k3c4s2relu-k3c4s2relu-k3c4s2relu-k3c4s2relu").find("stride 2 is not valid at input size 1"),
            std::string::npos);
}

TEST(CnnChain, KernelsAndMetricsMatchHandComputedShapes) {
  const CnnChainSpace space = tiny_space();
  const GenomePtr genome = space.deserialize("k3c4s2relu-k1c8s1none");
  const auto kernels = space.kernels(*genome);
  ASSERT_EQ(kernels.size(), 3u);
  EXPECT_EQ(kernels[0].key, "conv2d+relu-in:8x8x3-out:4x4x4-k:3-s:2-b:1");
  EXPECT_DOUBLE_EQ(kernels[0].flops, 2.0 * 9 * 3 * 4 * 16);
  EXPECT_DOUBLE_EQ(kernels[0].params, 9 * 3 * 4 + 4);
  EXPECT_EQ(kernels[1].key, "conv2d+none-in:4x4x4-out:4x4x8-k:1-s:1-b:1");
  EXPECT_EQ(kernels[2].type, "head");
  EXPECT_DOUBLE_EQ(space.query(*genome, {Metric::kParameters, ""}), (9 * 3 * 4 + 4) + (4 * 8 + 8) + (8 * 10 + 10));
  EXPECT_THROW(space.query(*genome, {Metric::kLatency, "cpu"}), Unsupported);
}

TEST(CnnChain, MutationsStayValidAndExploreEveryAttribute) {
  const CnnChainSpace space = tiny_space();
  Rng rng(9);
  GenomePtr genome = space.sample(rng);
  std::set<size_t> lengths;
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    genome = space.default_mutator()->mutate(space, *genome, rng);
    const std::string text = space.serialize(*genome);
    ASSERT_NO_THROW(space.deserialize(text)) << text;
    lengths.insert(space.cast(*genome).layers.size());
    seen.insert(text);
  }
  EXPECT_EQ(lengths.size(), 5u);  // 2..6 layers all reached
  EXPECT_GT(seen.size(), 500u);
}

TEST(CnnChain, CompiledKernelKeysMatchTheReferenceOnRandomGenomesAndShapes) {
  const CnnChainSpace space{CnnChainConfig{}};
  Rng rng(21);
  for (int i = 0; i < 300; ++i) {
    const GenomePtr genome = space.sample(rng);
    const auto shapes = space.shapes(space.cast(*genome));
    const auto kernels = space.kernels(*genome);
    ASSERT_EQ(kernels.size(), shapes.size() + 1);
    for (size_t k = 0; k < shapes.size(); ++k)
      ASSERT_EQ(kernels[k].key, conv_kernel_key_reference(shapes[k], 1));
    ASSERT_EQ(kernels.back().key, head_kernel_key_reference(shapes.back().out_size, shapes.back().out_channels, 10, 1));
  }
  // Shapes no default space produces: many-digit numbers, every activation.
  for (int i = 0; i < 300; ++i) {
    auto draw = [&] { return static_cast<int>(rng.uniform_int(0, 1'000'000)); };
    const ConvShape shape{draw(), draw(), draw(), draw(), draw(), draw(),
                          static_cast<Activation>(rng.uniform_int(0, 2))};
    const int batch = draw(), classes = draw();
    ASSERT_EQ(conv_kernel_key(shape, batch), conv_kernel_key_reference(shape, batch));
    ASSERT_EQ(head_kernel_key(shape.in_size, shape.in_channels, classes, batch),
              head_kernel_key_reference(shape.in_size, shape.in_channels, classes, batch));
  }
}

TEST(CnnChain, WorkloadsRunAtTheShapesOfTheirKeys) {
  const CnnChainSpace space = tiny_space();
  const GenomePtr genome = space.deserialize("k3c4s2hswish-k5c8s1relu");
  const auto model = space.workload(*genome);
  EXPECT_EQ(model->key(), "k3c4s2hswish-k5c8s1relu");
  EXPECT_NO_THROW(model->run());
  for (const Kernel& kernel : space.kernels(*genome)) {
    const auto alone = space.kernel_workload(kernel);
    EXPECT_EQ(alone->key(), kernel.key);
    EXPECT_NO_THROW(alone->run());
  }
  Kernel unknown = space.kernels(*genome)[0];
  unknown.type = "deconv";
  EXPECT_THROW(space.kernel_workload(unknown), Error);
}

TEST(CnnChain, SeededSamplingIsGolden) {
  // Datasets and lookup tables name their seed; the same seed must give the
  // same models on every build (gos::Rng defines its draws itself).
  const CnnChainSpace space{CnnChainConfig{}};
  Rng rng(1);
  std::vector<std::string> drawn;
  for (int i = 0; i < 3; ++i) drawn.push_back(space.serialize(*space.sample(rng)));
  EXPECT_EQ(drawn, (std::vector<std::string>{
                       "k1c8s1none-k1c24s2hswish-k3c24s2hswish-k5c24s2relu-k1c64s1hswish",
                       "k5c32s2none-k1c16s1hswish-k1c16s2hswish-k5c8s1none",
                       "k3c24s1hswish-k3c16s1none-k1c24s1none-k1c8s2hswish-k3c32s2relu-k3c32s2none"}));
}

}  // namespace
}  // namespace gos::cnn
