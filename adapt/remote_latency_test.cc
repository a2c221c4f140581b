// gos adapt's latency stage against a board: an agent on a loopback port
// serving its own cpu device and rebuilding every workload from data with
// its own plugins (as `gos agent` on a Raspberry Pi does), and AdaptLatency
// measuring through the `remote` device. Slots travel as gos_graph genomes,
// whole models as zoo_model genomes with their spliced graphs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adapt/latency.h"
#include "adapt/model_state.h"
#include "framework/error.h"
#include "framework/plugin_registry.h"
#include "plugins/devices/remote/agent_backend.h"
#include "plugins/devices/remote/test_agent.h"
#include "searchspaces/gos/compile.h"

namespace gos::adapt {
namespace {

const std::string kSlot = "layer1.0.conv1";  // 16x32x32 -> 16x32x32 in ResNet18 at width 0.25
const std::string kSeparable = "in:16x32x32;n1=dwconv[k=3,d=1,s=1](n0);n2=pconv[co=16](n1);out:n2";

class RemoteLatencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry.load_directory(GOS_PLUGIN_DIR);
    remote::PluginBackendOptions options;
    options.device_settings = {"warmup=1", "runs=3", "max_spread=inf", "max_attempts=1"};
    backend = std::make_unique<remote::PluginBackend>(registry, options);
    agent = std::make_unique<remote::TestAgent>(*backend);
    token = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "adapt_remote_latency.token";
    std::filesystem::create_directories(token.parent_path());
    std::ofstream(token) << remote::kTestToken << "\n";
  }
  AdaptConfig config() {
    const std::string text = fmt::format(
        "[adapt]\nmodel = \"resnet18\"\nwidth = 0.25\nlatency_rounds = 1\n[adapt.latency]\nplugin = \"measure\"\n"
        "device = {{ plugin = \"remote\", address = \"{}\", token_file = \"{}\" }}\n",
        agent->endpoint().to_string(), token.string());
    return parse_adapt_config(text, "remote_latency_test.toml", {}, registry);
  }
  std::shared_ptr<SlottedModel> model() {
    ZooOptions zoo;
    zoo.width = 0.25;
    return make_zoo_model("resnet18", zoo);
  }
  PluginRegistry registry;
  std::unique_ptr<remote::PluginBackend> backend;
  std::unique_ptr<remote::TestAgent> agent;
  std::filesystem::path token;
};

TEST_F(RemoteLatencyTest, ProfilesEverySlotAndTheWholeModelOnTheBoard) {
  const AdaptConfig c = config();
  AdaptLatency latency(c, registry);
  latency.describe_models_as(c, ZooOptions{.width = 0.25});
  auto resnet = model();
  double whole_ms = 0;
  const std::vector<SlotRecord> slots = latency.profile(*resnet, whole_ms);
  ASSERT_EQ(slots.size(), resnet->slots().size());
  for (const SlotRecord& slot : slots) EXPECT_GT(slot.latency_ms, 0) << slot.path;
  EXPECT_GT(whole_ms, 0);
  // The agent rebuilt the slots and the model from data.
  EXPECT_TRUE(agent->wait_for_log("of gos_graph")) << agent->log();
  EXPECT_TRUE(agent->wait_for_log("of zoo_model")) << agent->log();
}

TEST_F(RemoteLatencyTest, ASplicedGraphTravelsWithTheWholeModel) {
  const AdaptConfig c = config();
  AdaptLatency latency(c, registry);
  latency.describe_models_as(c, ZooOptions{.width = 0.25});
  auto resnet = model();
  const SlotInfo info = resnet->slots().at(1);
  ASSERT_EQ(info.path, kSlot);
  const graph::Graph separable = graph::parse(kSeparable, slot_spec(info, 8));
  resnet->replace(kSlot, std::make_shared<graph::GraphModule>(separable));
  EXPECT_GT(latency.model_ms(*resnet), 0);
  EXPECT_TRUE(agent->wait_for_log(kSlot + "@" + kSeparable)) << agent->log();
  // A candidate's kernel decomposition: both graphs alone on the slot's input, on the board.
  const graph::Graph conv = *slot_graph(*model(), info, 8);
  EXPECT_TRUE(std::isfinite(latency.slot_delta_ms(conv, separable)));
}

TEST_F(RemoteLatencyTest, AModelThatCannotBeDescribedIsRefusedWithTheReason) {
  AdaptLatency latency(config(), registry);  // no describe_models_as: as for an ONNX model
  auto resnet = model();
  try {
    latency.model_ms(*resnet);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not describe itself as data"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gos::adapt
