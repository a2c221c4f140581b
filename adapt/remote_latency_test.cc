// gos adapt's latency stage against a board: an agent on a loopback port
// serving its own cpu device and rebuilding every workload from data with
// its own plugins (as `gos agent` on a Raspberry Pi does), and AdaptLatency
// measuring through the `remote` device. Slots travel as gos_graph genomes,
// whole models as zoo_model genomes with their spliced graphs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
  const std::vector<SlotInfo> infos = resnet->slots();
  ASSERT_EQ(slots.size(), infos.size());
  // Slots with an instruction-graph form are timed on the board; the others
  // (batch norms) cannot travel and are not priced.
  size_t timed = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slot_graph(*resnet, infos[i], 64)) {
      EXPECT_GT(slots[i].latency_ms, 0) << slots[i].path;
      ++timed;
    } else {
      EXPECT_EQ(slots[i].latency_ms, 0) << slots[i].path;
    }
  }
  EXPECT_GE(timed, 17u);  // the stem and the 16 block convolutions at least
  EXPECT_GT(whole_ms, 0);
  // The agent rebuilt the slots (gos_graph genomes) and the unmodified model
  // (the empty zoo_model genome) from data.
  EXPECT_TRUE(agent->wait_for_log("measure genome 'in:16x32x32;n1=conv[k=3,co=16")) << agent->log();
  EXPECT_TRUE(agent->wait_for_log("measure genome '':")) << agent->log();
}

TEST_F(RemoteLatencyTest, ASplicedGraphTravelsWithTheWholeModel) {
  const AdaptConfig c = config();
  AdaptLatency latency(c, registry);
  latency.describe_models_as(c, ZooOptions{.width = 0.25});
  auto resnet = model();
  const std::vector<SlotInfo> infos = resnet->slots();
  const auto found = std::find_if(infos.begin(), infos.end(), [](const SlotInfo& s) { return s.path == kSlot; });
  ASSERT_NE(found, infos.end());
  const SlotInfo info = *found;
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
