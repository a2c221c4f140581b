// adapt's latency stage with real latency-model plugins: a lookup table
// without a device (everything estimated), and measure on the cpu device.
#include "adapt/latency.h"

#include <gtest/gtest.h>

#include "adapt/model_state.h"
#include "framework/error.h"
#include "framework/plugin_registry.h"
#include "framework/toml_component.h"
#include "plugins/latency/lut/latency_table.h"
#include "searchspaces/gos/space.h"
#include "torchlib/placement.h"

namespace gos::adapt {
namespace {

const graph::GraphSpec kSpec{{16, 16, 16}, {16, 16, 16}, 4};
const std::string kConv = "in:16x16x16;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1";
const std::string kSeparable = "in:16x16x16;n1=dwconv[k=3,d=1,s=1](n0);n2=pconv[co=16](n1);out:n2";

std::vector<std::string> kernel_keys(const graph::Graph& graph) {
  graph::GraphSpaceConfig config;
  config.input = graph.shapes.front();
  config.output = graph.output_shape();
  config.max_nodes = graph.nodes.size();
  config.seed_graphs = {graph};
  std::vector<std::string> keys;
  for (const Kernel& kernel : graph::GraphSpace(config).kernels(graph)) keys.push_back(kernel.key);
  return keys;
}

class AdaptLatencyTest : public ::testing::Test {
 protected:
  void SetUp() override { registry.load_directory(GOS_PLUGIN_DIR); }
  AdaptConfig config(const std::string& latency_table, const std::vector<std::string>& overrides = {}) {
    return parse_adapt_config("[adapt]\nlatency_rounds = 3\n" + latency_table, "latency_test.toml", overrides,
                              registry);
  }
  // A table with every kernel of `graphs` at 1 ms each (plus `extra`), scale 2, overhead 0.5 ms.
  std::filesystem::path table(const std::string& name, const std::vector<graph::Graph>& graphs) {
    LatencyTable t;
    t.space = "test";
    t.device = {"board", {{"model", "a board we cannot run on"}}};
    t.overhead_ms = 0.5;
    t.kernel_scale = 2;
    for (const graph::Graph& g : graphs)
      for (const std::string& key : kernel_keys(g))
        if (std::find(t.keys.begin(), t.keys.end(), key) == t.keys.end()) {
          t.keys.push_back(key);
          t.latency_ms.push_back(1.0);
        }
    const auto path = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "adapt_latency" / name;
    std::filesystem::create_directories(path.parent_path());
    write_latency_table(path, t);
    return path;
  }
  PluginRegistry registry;
};

TEST_F(AdaptLatencyTest, ALookupTableWithoutDevicePricesCandidatesByKernelDecomposition) {
  const graph::Graph conv = graph::parse(kConv, kSpec), separable = graph::parse(kSeparable, kSpec);
  const auto file = table("pair.h5", {conv, separable});
  AdaptLatency latency(config("[adapt.latency]\nplugin = \"lut\"\nfile = \"" + file.string() + "\"\n"), registry);
  EXPECT_FALSE(latency.has_device());
  EXPECT_DOUBLE_EQ(latency.graph_ms(conv), 0.5 + 2 * 1.0);
  // Two kernels against one, at scale 2: the overhead cancels.
  EXPECT_DOUBLE_EQ(latency.slot_delta_ms(conv, separable), 2.0);
  EXPECT_EQ(latency.device_info().properties.at("latency_model"), "lut");
  // A kernel the table lacks: its on_missing rule (error) names it.
  try {
    latency.graph_ms(graph::parse("in:16x16x16;n1=conv[k=5,co=16,g=1,d=1,s=1](n0);out:n1", kSpec));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has no entry for 1 kernel"), std::string::npos) << e.what();
  }
}

TEST_F(AdaptLatencyTest, WithoutADeviceAWholeModelIsTheSumOverItsGraphExpressibleSlots) {
  ZooOptions zoo;
  zoo.width = 0.125;
  auto model = make_zoo_model("resnet18", zoo);
  std::vector<graph::Graph> graphs;
  size_t kernels = 0, priced = 0;
  for (const SlotInfo& info : model->slots())
    if (auto g = slot_graph(*model, info, 6)) {
      kernels += kernel_keys(*g).size();
      ++priced;
      graphs.push_back(*g);
    }
  ASSERT_EQ(priced, 20u);  // ResNet18's convolutions; batch norms, ReLUs, pooling and the head have no graph form
  const auto file = table("resnet18.h5", graphs);
  AdaptLatency latency(config("[adapt.latency]\nplugin = \"lut\"\nfile = \"" + file.string() + "\"\n"), registry);
  EXPECT_DOUBLE_EQ(latency.model_ms(*model), 0.5 * double(priced) + 2.0 * double(kernels));
  double whole = 0;
  const std::vector<SlotRecord> slots = latency.profile(*model, whole);
  EXPECT_DOUBLE_EQ(whole, latency.model_ms(*model));
  ASSERT_EQ(slots.size(), model->slot_paths().size());
  for (const SlotRecord& slot : slots) EXPECT_EQ(slot.latency_ms > 0, slot.kind.starts_with("conv")) << slot.path;
}

TEST_F(AdaptLatencyTest, MeasuredOnTheCpuACheaperCandidateHasANegativeDelta) {
  AdaptLatency latency(config("", {"latency.device.runs=5", "latency.device.warmup=1"}), registry);
  ASSERT_TRUE(latency.has_device());
  EXPECT_EQ(latency.device_info().name, "cpu");
  // 64 -> 64 channels at 16x16: the separable pair does ~9x less work than the 3x3 convolution.
  const graph::GraphSpec spec{{64, 16, 16}, {64, 16, 16}, 4};
  const graph::Graph conv = graph::parse("in:64x16x16;n1=conv[k=3,co=64,g=1,d=1,s=1](n0);out:n1", spec);
  const graph::Graph separable =
      graph::parse("in:64x16x16;n1=dwconv[k=3,d=1,s=1](n0);n2=pconv[co=64](n1);out:n2", spec);
  EXPECT_LT(latency.slot_delta_ms(conv, separable), 0);
  ZooOptions zoo;
  zoo.width = 0.125;
  auto model = make_zoo_model("resnet18", zoo);
  model->train();
  EXPECT_GT(latency.model_ms(*model), 0);
  EXPECT_TRUE(model->is_training());  // timing leaves the mode as it was
}

// A model that lives on the training device (the GPU where there is one, the
// CPU on CI) is timed on the CPU and left where it was: the latency path
// does not assume where the module lives.
TEST_F(AdaptLatencyTest, AModelOnTheTrainingDeviceIsTimedOnTheCpuAndLeftWhereItWas) {
  AdaptLatency latency(config("", {"latency.device.runs=3", "latency.device.warmup=1"}), registry);
  ZooOptions zoo;
  zoo.width = 0.125;
  auto model = make_zoo_model("resnet18", zoo);
  const torch::Device training = resolve_device(ComputeDevice::kAuto, "device");
  model->to(training);
  EXPECT_GT(latency.model_ms(*model), 0);
  EXPECT_EQ(module_device(*model), training);
  double whole = 0;
  const std::vector<SlotRecord> slots = latency.profile(*model, whole);
  EXPECT_GT(whole, 0);
  EXPECT_EQ(slots.size(), model->slot_paths().size());
  EXPECT_EQ(module_device(*model), training);
}

// InceptionV3's widest slots (1280 and 2048 input channels) are priced like
// any other slot: each gets a search space of its shapes (the 2026-12-02 GPU
// run stopped here, at a limit of 1024 channels).
TEST_F(AdaptLatencyTest, WideSlotsArePricedLikeAnyOther) {
  const graph::Graph narrow = graph::parse("in:1280x8x8;n1=pconv[co=320](n0);out:n1", {{1280, 8, 8}, {320, 8, 8}, 1});
  const graph::Graph wide = graph::parse("in:2048x8x8;n1=pconv[co=192](n0);out:n1", {{2048, 8, 8}, {192, 8, 8}, 1});
  const auto file = table("wide.h5", {narrow, wide});
  AdaptLatency latency(config("[adapt.latency]\nplugin = \"lut\"\nfile = \"" + file.string() + "\"\n"), registry);
  EXPECT_DOUBLE_EQ(latency.graph_ms(narrow), 0.5 + 2 * 1.0);
  EXPECT_DOUBLE_EQ(latency.graph_ms(wide), 0.5 + 2 * 1.0);
}

// A table that gos adapt builds itself is not blamed on the command line.
TEST_F(AdaptLatencyTest, ErrorsInAGeneratedTableNameItsOrigin) {
  const toml::table bad{{"plugin", "gos_graph"}, {"input", toml::array{16, 8, 8}}, {"max_nodes", 0}};
  const auto message = [&](const std::string& unsourced) {
    try {
      parse_component_table(bad, PluginKind::kSearchSpace, "adapt (a slot's space)", "a.toml", registry, unsourced);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("gos adapt (generated)").find("gos adapt (generated): [adapt (a slot's space)] key 'max_nodes'"),
            std::string::npos)
      << message("gos adapt (generated)");
  // Without a label, such nodes came from --set.
  std::string by_default;
  try {
    parse_component_table(bad, PluginKind::kSearchSpace, "adapt (a slot's space)", "a.toml", registry);
  } catch (const Error& e) {
    by_default = e.what();
  }
  EXPECT_NE(by_default.find("command line --set: [adapt (a slot's space)] key 'max_nodes'"), std::string::npos)
      << by_default;
}

TEST_F(AdaptLatencyTest, AnUnusableLatencyModelIsAnErrorNamingTheTable) {
  try {
    AdaptLatency latency(config("[adapt.latency]\nplugin = \"lut\"\nfile = \"missing_table.h5\"\n"), registry);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("adapt.latency"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing_table.h5"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gos::adapt
