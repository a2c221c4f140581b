// The mixed_precision space over ResNet18 at width 0.25: layers, BitOPs and
// size against hand-computed values, genomes, models, and bad input through
// the plugin as an experiment file configures it.
#include "searchspaces/mixed_precision/mixed_precision_space.h"

#include <gtest/gtest.h>

#include <optional>

#include "framework/config.h"
#include "framework/error.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "tests/test_support.h"
#include "torchlib/quantization.h"

namespace gos::mixed_precision {
namespace {

// ResNet18 at width 0.25 on 32x32: channels 16, 32, 64, 128 at 32, 16, 8, 4
// pixels. MACs: stem 3*9*16*1024 = 442,368; layer1 four 16->16 3x3
// convolutions of 2,359,296 each; layers 2..4 each 1,179,648 (the strided
// 3x3) + 3 * 2,359,296 + 131,072 (the 1x1 downsample) = 8,388,608; fc 128*10.
constexpr double kTotalMacs = 442368.0 + 4 * 2359296.0 + 3 * 8388608.0 + 1280.0;
// Weights: 432 + 4*2304 + (4608 + 3*9216 + 512) + (18432 + 3*36864 + 2048)
// + (73728 + 3*147456 + 8192) convolution weights, 1280 fc weights.
constexpr double kWeights = 697776.0 + 1280.0;
// 10 fc biases, and batch norm weight + bias of 16 + 4*16 + 5*32 + 5*64 + 5*128
// = 1200 channels (layers 2..4 have a batch norm in the downsample too).
constexpr double kThirtyTwoBitParameters = 10.0 + 2 * 1200.0;

MixedPrecisionConfig config(std::vector<int64_t> bits, std::vector<std::string> layers = {}, int64_t fixed = 32) {
  MixedPrecisionConfig c;
  c.bits = std::move(bits);
  c.layers = std::move(layers);
  c.fixed_bits = fixed;
  return c;
}

TEST(MixedPrecisionSpace, UniformBitOpsAndSizeMatchHandComputedValues) {
  MixedPrecisionSpace space(config({8, 4, 2}));
  ASSERT_EQ(space.searched_layers().size(), 21u);
  const GenomePtr eight = space.make_genome(std::vector<int64_t>(21, 8));
  EXPECT_EQ(space.query(*eight, {Metric::kBitOps, ""}), kTotalMacs * 64);
  EXPECT_EQ(space.query(*eight, {Metric::kModelBits, ""}), kWeights * 8 + kThirtyTwoBitParameters * 32);
  const GenomePtr two = space.make_genome(std::vector<int64_t>(21, 2));
  EXPECT_EQ(space.query(*two, {Metric::kBitOps, ""}), kTotalMacs * 4);
}

TEST(MixedPrecisionSpace, SearchedLayersTakeTheGenomeAndTheOthersTheFixedWidth) {
  MixedPrecisionSpace space(config({2, 4}, {"fc", "conv1"}, 8));
  ASSERT_EQ(space.searched_layers().size(), 2u);
  EXPECT_EQ(space.searched_layers()[0].path, "conv1");  // execution order, not the order of the list
  const GenomePtr genome = space.deserialize("2-4");
  // conv1 at 2 x 2 bits, fc at 4 x 4, everything else at 8 x 8.
  const double expected = 442368.0 * 4 + 1280.0 * 16 + (kTotalMacs - 442368 - 1280) * 64;
  EXPECT_EQ(space.query(*genome, {Metric::kBitOps, ""}), expected);
  const double size = 432.0 * 2 + 1280 * 4 + (kWeights - 432 - 1280) * 8 + kThirtyTwoBitParameters * 32;
  EXPECT_EQ(space.query(*genome, {Metric::kModelBits, ""}), size);
}

TEST(MixedPrecisionSpace, GenomesRoundTripAndMutateOneLayer) {
  MixedPrecisionSpace space(config({8, 4, 2}, {"conv1", "layer1.0.conv1", "layer1.0.conv2", "fc"}));
  Rng rng(3);
  for (int i = 0; i < 20; ++i) {
    const GenomePtr genome = space.sample(rng);
    const std::string text = space.serialize(*genome);
    EXPECT_EQ(space.serialize(*space.deserialize(text)), text);
    const GenomePtr child = space.default_mutator()->mutate(space, *genome, rng);
    const auto& a = static_cast<const BitGenome&>(*genome).bits;
    const auto& b = static_cast<const BitGenome&>(*child).bits;
    int changed = 0;
    for (size_t j = 0; j < a.size(); ++j) changed += a[j] != b[j];
    EXPECT_EQ(changed, 1) << text << " -> " << space.serialize(*child);
  }
  for (const char* bad : {"8-4-2", "8-4-2-3", "8-4--2", "8-4-2-x", ""})
    EXPECT_THROW(space.deserialize(bad), Error) << bad;
}

TEST(MixedPrecisionSpace, ModelsAreQuantizedAtTheGenomesWidths) {
  MixedPrecisionSpace space(config({32, 4}, {"conv1", "fc"}, 8));
  const GenomeModel built = space.model(*space.deserialize("4-32"));
  auto& model = dynamic_cast<SlottedModel&>(*built.module);
  const auto widths = bit_widths(model);
  EXPECT_EQ(widths.at("conv1"), (BitWidths{4, 4}));
  EXPECT_EQ(widths.at("fc"), (BitWidths{32, 32}));
  EXPECT_EQ(widths.at("layer2.0.downsample.0"), (BitWidths{8, 8}));
  EXPECT_EQ(built.module->forward(torch::randn({2, 3, 32, 32})).sizes(), (std::vector<int64_t>{2, 10}));
}

// The error a space table gives when the experiment is built.
std::string space_error(const std::string& table) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  const std::string text =
      "[experiment]\nname = \"t\"\nseed = 1\noutput = \"unused.h5\"\n"
      "[search_space]\nplugin = \"mixed_precision\"\n" +
      table +
      "\n[strategy]\nplugin = \"random_search\"\nevaluations = 2\n"
      "[[objectives]]\nplugin = \"metric\"\nmetric = \"bitops\"\n";
  try {
    build_experiment(parse_experiment(text, "exp.toml", ".", {}, registry), registry);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(MixedPrecisionSpace, BadInputIsAnErrorNamingTheKeyAndWhatIsValid) {
  EXPECT_EQ(space_error("bits = [8, 4]"), "");
  const std::string nine = space_error("bits = [8, 9]");
  EXPECT_NE(nine.find("bits"), std::string::npos) << nine;
  EXPECT_NE(nine.find("9 is not a valid width; valid: 1..8, 16 or 32"), std::string::npos) << nine;
  const std::string empty = space_error("bits = []");
  EXPECT_NE(empty.find("bits: the list of widths is empty"), std::string::npos) << empty;
  const std::string layer = space_error("layers = [\"conv1\", \"layer1.0.conv3\"]");
  EXPECT_NE(layer.find("layers"), std::string::npos) << layer;
  EXPECT_NE(layer.find("'layer1.0.conv3' is not a convolution or linear slot"), std::string::npos) << layer;
  EXPECT_NE(layer.find("did you mean"), std::string::npos) << layer;
  const std::string fixed = space_error("fixed_bits = 0");
  EXPECT_NE(fixed.find("fixed_bits"), std::string::npos) << fixed;
  const std::string checkpoint = space_error("baseline_checkpoint = \"/nonexistent/baseline.ckpt\"");
  EXPECT_NE(checkpoint.find("baseline_checkpoint"), std::string::npos) << checkpoint;
  EXPECT_NE(checkpoint.find("does not exist"), std::string::npos) << checkpoint;
}

}  // namespace
}  // namespace gos::mixed_precision
