#include "adapt/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "framework/error.h"
#include "framework/plugin_registry.h"

namespace gos::adapt {
namespace {

PluginRegistry& registry() {
  static PluginRegistry* shared = [] {
    auto* r = new PluginRegistry;
    r->load_directory(GOS_PLUGIN_DIR);
    return r;
  }();
  return *shared;
}

AdaptConfig parse(const std::string& text, const std::string& source, const std::vector<std::string>& overrides) {
  return parse_adapt_config(text, source, overrides, registry());
}

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse(text, "quick.toml", overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(AdaptConfig, FillsDefaultsAndReadsKeys) {
  const AdaptConfig config = parse("[adapt]\nmodel = \"mobilenetv3_small\"\nepsilon = 0.5\n", "dir/quick.toml", {});
  EXPECT_EQ(config.name, "quick");
  EXPECT_EQ(config.model, "mobilenetv3_small");
  EXPECT_DOUBLE_EQ(config.epsilon, 0.5);
  EXPECT_EQ(config.max_modified, 10);
  EXPECT_EQ(config.accuracy_estimate, AccuracyEstimate::kDistill);
  EXPECT_EQ(config.data_dir, "../shared/data/cifar10");
  EXPECT_EQ(config.device, ComputeDevice::kCpu);
  EXPECT_EQ(parse("[adapt]\ndevice = \"auto\"\n", "dir/quick.toml", {}).device, ComputeDevice::kAuto);
  EXPECT_EQ(config.slot_order, SlotOrder::kRanked);
  EXPECT_EQ(config.accept, AcceptRule::kBatch);
  EXPECT_EQ(config.max_pending, 3);
  const AdaptConfig each = parse("[adapt]\naccept = \"each\"\nmax_pending = 5\n", "q.toml", {});
  EXPECT_EQ(each.accept, AcceptRule::kEachSplice);
  EXPECT_EQ(each.max_pending, 5);
  EXPECT_EQ(parse("[adapt]\nslot_order = \"defer_failed_kinds\"\n", "q.toml", {}).slot_order,
            SlotOrder::kDeferFailedKinds);
  // The resolved table lists every key, defaults included, and parses back to
  // the same configuration as a file in the working directory (its paths are
  // relative to the working directory).
  EXPECT_NE(config.resolved_toml.find("max_modified = 10"), std::string::npos) << config.resolved_toml;
  const AdaptConfig again = parse(config.resolved_toml, "resolved.toml", {});
  EXPECT_EQ(again.resolved_toml, config.resolved_toml);
}

TEST(AdaptConfig, PathsInTheFileAreRelativeToItsFolderAndSetValuesToTheWorkingDirectory) {
  const AdaptConfig in_file =
      parse("[adapt]\ndata_dir = \"../../../shared/data/cifar10\"\nbaseline_checkpoint = \"base.ckpt\"\n",
            "experiments/adapt/quick.toml", {});
  EXPECT_EQ(in_file.data_dir, "../shared/data/cifar10");
  EXPECT_EQ(in_file.baseline_checkpoint, "experiments/adapt/base.ckpt");
  const AdaptConfig absolute = parse("[adapt]\ndata_dir = \"/data/cifar10\"\n", "experiments/adapt/quick.toml", {});
  EXPECT_EQ(absolute.data_dir, "/data/cifar10");
  const AdaptConfig set = parse("[adapt]\n", "experiments/adapt/quick.toml",
                                {"data_dir=\"data/cifar10\"", "baseline_checkpoint=base.ckpt"});
  EXPECT_EQ(set.data_dir, "data/cifar10");
  EXPECT_EQ(set.baseline_checkpoint, "base.ckpt");
}

TEST(AdaptConfig, AnOnnxModelIsAFileRelativeToTheAdaptFile) {
  const AdaptConfig config = parse("[adapt]\nmodel = \"models/net.onnx\"\n", "experiments/adapt/mine.toml", {});
  EXPECT_TRUE(is_onnx_model(config));
  EXPECT_EQ(config.model, "experiments/adapt/models/net.onnx");
  const AdaptConfig set = parse("[adapt]\n", "experiments/adapt/mine.toml", {"model=net.onnx"});
  EXPECT_EQ(set.model, "net.onnx");
  EXPECT_FALSE(is_onnx_model(parse("[adapt]\n", "mine.toml", {})));
  try {
    check_input_files(set);
    FAIL() << "a missing ONNX file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[adapt] model: 'net.onnx' does not exist"), std::string::npos) << e.what();
  }
}

TEST(AdaptConfig, MissingInputFilesAreNamedWithTheKeyAndTheResolvedPath) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "gos_adapt_inputs";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "data");
  const std::string file = (dir / "a.toml").string();
  const std::string text = "[adapt]\ndata_dir = \"data\"\ntrain_files = [\"train.bin\"]\ntest_files = [\"test.bin\"]\n";
  const auto message = [&](const std::vector<std::string>& overrides) -> std::string {
    try {
      check_input_files(parse(text, file, overrides));
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  std::string m = message({});
  EXPECT_NE(m.find("a.toml: [adapt] train_files"), std::string::npos) << m;
  EXPECT_NE(m.find((dir / "data" / "train.bin").string()), std::string::npos) << m;
  std::ofstream(dir / "data" / "train.bin") << "x";
  m = message({});
  EXPECT_NE(m.find("test_files"), std::string::npos) << m;
  EXPECT_EQ(message({"test_images=0"}), "(no error)");
  m = message({"test_images=0", "baseline_checkpoint=missing.ckpt"});
  EXPECT_NE(m.find("baseline_checkpoint: 'missing.ckpt' does not exist"), std::string::npos) << m;
  std::filesystem::remove_all(dir);
}

TEST(AdaptConfig, UnknownKeyNamesFileLineAndClosestKey) {
  const std::string message = error_of("[adapt]\nmodel = \"resnet18\"\nepsilom = 1.0\n");
  EXPECT_NE(message.find("quick.toml:3:1"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key 'epsilom'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'epsilon'"), std::string::npos) << message;
}

TEST(AdaptConfig, WrongTypeRangeAndChoiceNameTheKeyAndWhatIsValid) {
  std::string message = error_of("[adapt]\nmax_nodes = \"eight\"\n");
  EXPECT_NE(message.find("quick.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("key 'max_nodes' must be integer"), std::string::npos) << message;

  message = error_of("[adapt]\nmax_nodes = 0\n");
  EXPECT_NE(message.find("key 'max_nodes' = 0 is out of range"), std::string::npos) << message;

  message = error_of("[adapt]\nmodel = \"resnet19\"\n");
  EXPECT_NE(message.find("did you mean 'resnet18'"), std::string::npos) << message;
  EXPECT_NE(message.find("inception_v3, or a path ending in .onnx"), std::string::npos) << message;

  message = error_of("[adapt]\naccuracy_estimate = \"guess\"\n");
  EXPECT_NE(message.find("distill, finetune"), std::string::npos) << message;

  message = error_of("[adapt]\ndevice = \"gpu\"\n");
  EXPECT_NE(message.find("quick.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("cpu, cuda, auto"), std::string::npos) << message;

  message = error_of("[adapt]\nslot_order = \"defer\"\n");
  EXPECT_NE(message.find("quick.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("ranked, defer_failed_kinds"), std::string::npos) << message;

  message = error_of("[adapt]\naccept = \"batched\"\n");
  EXPECT_NE(message.find("quick.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("each, batch"), std::string::npos) << message;
  message = error_of("[adapt]\nmax_pending = 0\n");
  EXPECT_NE(message.find("max_pending"), std::string::npos) << message;

  message = error_of("[adapt]\nbits = [8, 12]\n");
  EXPECT_NE(message.find("quick.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("[adapt] bits:"), std::string::npos) << message;
  EXPECT_NE(message.find("12 is not a valid width; valid: 1..8, 16 or 32"), std::string::npos) << message;
  EXPECT_EQ(parse("[adapt]\nbits = [32, 8, 4]\n", "q.toml", {}).bits, (std::vector<int64_t>{32, 8, 4}));
  EXPECT_TRUE(parse("[adapt]\n", "q.toml", {}).bits.empty());
}

TEST(AdaptConfig, RejectsOtherTablesAndMissingAdapt) {
  EXPECT_NE(error_of("[experiment]\nname = \"x\"\n").find("unknown table or key 'experiment'"), std::string::npos);
  EXPECT_NE(error_of("").find("missing the [adapt] table"), std::string::npos);
  EXPECT_NE(error_of("[adapt\n").find("quick.toml:1"), std::string::npos);
}

TEST(AdaptConfig, OverridesApplyAndAreBlamedOnTheCommandLine) {
  const AdaptConfig config =
      parse("[adapt]\n[adapt.strategy]\nplugin = \"nsga2\"\npopulation = 8\n", "quick.toml",
            {"strategy.population=4", "adapt.model=inception_v3", "slot_kinds=[\"conv\"]", "epsilon=2"});
  EXPECT_EQ(config.strategy.params->get_int("population"), 4);
  EXPECT_EQ(config.model, "inception_v3");
  EXPECT_EQ(config.slot_kinds, std::vector<std::string>{"conv"});
  EXPECT_DOUBLE_EQ(config.epsilon, 2.0);

  const std::string message = error_of("[adapt]\n", {"strategy.generations=0"});
  EXPECT_NE(message.find("command line --set"), std::string::npos) << message;
  EXPECT_NE(message.find("[adapt.strategy] key 'generations' = 0 is out of range"), std::string::npos) << message;
  EXPECT_NE(error_of("[adapt]\n", {"generations"}).find("not key=value"), std::string::npos);
}

TEST(AdaptConfig, CrossKeyRulesNameTheKey) {
  const std::string message = error_of("[adapt]\nholdout = 100\neval_subset = 200\n");
  EXPECT_NE(message.find("quick.toml:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("eval_subset"), std::string::npos) << message;
  EXPECT_NE(message.find("holdout = 100"), std::string::npos) << message;
}

TEST(AdaptConfig, DefaultPluginsAreNsga2AtTodaysSizesAndMeasureOnTheCpu) {
  const AdaptConfig config = parse("[adapt]\n", "quick.toml", {});
  EXPECT_EQ(config.strategy.plugin, "nsga2");
  EXPECT_EQ(config.strategy.params->get_int("population"), kDefaultPopulation);
  EXPECT_EQ(config.strategy.params->get_int("generations"), kDefaultGenerations);
  EXPECT_EQ(config.latency.plugin, "measure");
  const ComponentConfig& device = config.latency.params->get_component("device");
  EXPECT_EQ(device.plugin, "cpu");
  EXPECT_EQ(device.params->get_int("runs"), 15);
  EXPECT_EQ(config.candidate_latency, CandidateLatency::kSlot);
  // The resolved text holds the plugin tables with every default, and parses back the same.
  EXPECT_NE(config.resolved_toml.find("[adapt.strategy]"), std::string::npos) << config.resolved_toml;
  EXPECT_NE(config.resolved_toml.find("crossover_probability"), std::string::npos) << config.resolved_toml;
  EXPECT_EQ(parse(config.resolved_toml, "quick.toml", {}).resolved_toml, config.resolved_toml);
}

TEST(AdaptConfig, AnyStrategyAndLatencyPluginIsConfigurable) {
  const AdaptConfig config = parse(
      "[adapt]\n[adapt.strategy]\nplugin = \"regularized_evolution\"\npopulation = 6\nsample_size = 3\n"
      "evaluations = 18\n[adapt.latency]\nplugin = \"measure\"\ndevice = { plugin = \"cpu\", clock = \"process_cpu\", "
      "quantile = 0.0 }\n",
      "re.toml", {"latency.device.runs=5"});
  EXPECT_EQ(config.strategy.plugin, "regularized_evolution");
  EXPECT_EQ(config.strategy.params->get_int("evaluations"), 18);
  const ComponentConfig& device = config.latency.params->get_component("device");
  EXPECT_EQ(device.params->get_string("clock"), "process_cpu");
  EXPECT_EQ(device.params->get_int("runs"), 5);
}

TEST(AdaptConfig, SetRefinesTheDefaultPluginsOrReplacesThem) {
  AdaptConfig config = parse("[adapt]\n", "q.toml", {"strategy.population=4", "latency.device.runs=3"});
  EXPECT_EQ(config.strategy.plugin, "nsga2");
  EXPECT_EQ(config.strategy.params->get_int("population"), 4);
  EXPECT_EQ(config.strategy.params->get_int("generations"), kDefaultGenerations);
  EXPECT_EQ(config.latency.params->get_component("device").params->get_int("runs"), 3);
  EXPECT_EQ(config.latency.params->get_component("device").params->get_int("warmup"), 3);
  // Naming another plugin drops the default's keys (random_search has no 'generations').
  config = parse("[adapt]\n", "q.toml", {"strategy.plugin=random_search", "strategy.evaluations=12"});
  EXPECT_EQ(config.strategy.plugin, "random_search");
  EXPECT_EQ(config.strategy.params->get_int("evaluations"), 12);
}

TEST(AdaptConfig, UnknownPluginsAndKeysInThePluginTablesNameTheTableAndWhatIsValid) {
  std::string message = error_of("[adapt]\n[adapt.strategy]\nplugin = \"regularised_evolution\"\n");
  EXPECT_NE(message.find("quick.toml:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("[adapt.strategy] plugin"), std::string::npos) << message;
  EXPECT_NE(message.find("regularized_evolution"), std::string::npos) << message;

  message = error_of("[adapt]\n[adapt.latency]\nplugin = \"lookup\"\n");
  EXPECT_NE(message.find("[adapt.latency] plugin"), std::string::npos) << message;
  EXPECT_NE(message.find("lut"), std::string::npos) << message;

  message = error_of("[adapt]\n[adapt.latency]\nplugin = \"measure\"\ndevice = { plugin = \"cpu\", repeats = 3 }\n");
  EXPECT_NE(message.find("quick.toml:4:"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key 'repeats'"), std::string::npos) << message;
  EXPECT_NE(message.find("runs"), std::string::npos) << message;

  message = error_of("[adapt]\nstrategy = \"nsga2\"\n");
  EXPECT_NE(message.find("'strategy' must be a table"), std::string::npos) << message;
}

TEST(AdaptConfig, KeysThatMovedIntoThePluginTablesSayWhere) {
  std::string message = error_of("[adapt]\npopulation = 6\n");
  EXPECT_NE(message.find("unknown key 'population'"), std::string::npos) << message;
  EXPECT_NE(message.find("--set strategy.population"), std::string::npos) << message;
  message = error_of("[adapt]\nlatency_clock = \"cpu\"\n");
  EXPECT_NE(message.find("[adapt.latency.device]"), std::string::npos) << message;
}

TEST(AdaptConfig, TimingCandidatesInTheWholeModelNeedADevice) {
  const std::string message =
      error_of("[adapt]\ncandidate_latency = \"model\"\n[adapt.latency]\nplugin = \"predictor\"\nfile = \"p.h5\"\n");
  EXPECT_NE(message.find("quick.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("candidate_latency: \"model\" times the whole model on a device"), std::string::npos)
      << message;
  EXPECT_NE(message.find("(plugin 'predictor') has none"), std::string::npos) << message;
  EXPECT_EQ(parse("[adapt]\ncandidate_latency = \"model\"\n", "q.toml", {}).candidate_latency,
            CandidateLatency::kModel);
}

}  // namespace
}  // namespace gos::adapt
