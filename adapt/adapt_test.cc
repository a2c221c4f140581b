#include "adapt/adapt.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/script.h>

#include <cmath>
#include <optional>
#include <set>

#include "adapt/baseline.h"
#include "adapt/results.h"
#include "adapt/seed.h"
#include "framework/plugin_registry.h"
#include "framework/results.h"
#include "torchlib/torch_model.h"

namespace gos::adapt {
namespace {

const std::filesystem::path kCifar = std::filesystem::path(GOS_SOURCE_DIR) / ".." / "shared" / "data" / "cifar10";

// Every convolution slot of `model` whose seed exists, checked against the
// operator on a fresh random input. Returns the seed genomes by slot.
std::map<std::string, std::string> check_seeds(SlottedModel& model) {
  std::map<std::string, std::string> genomes;
  for (const SlotInfo& info : model.slots()) {
    TorchModel& op = model.slot(info.path).module();
    const OperatorSeed seed = seed_from_operator(op, info, 6);
    if (!seed.graph) continue;
    auto module = compile_seed(op, info, *seed.graph);
    torch::NoGradGuard no_grad;
    op.eval();
    const torch::Tensor input = torch::randn(info.input);
    const torch::Tensor expected = op.forward(input);
    const torch::Tensor got = module->forward(input);
    EXPECT_EQ(got.sizes(), expected.sizes()) << info.path;
    EXPECT_TRUE(torch::allclose(got, expected, 1e-4, 1e-5))
        << info.path << ": max difference " << (got - expected).abs().max().item<double>();
    genomes[info.path] = graph::serialize(*seed.graph);
  }
  return genomes;
}

TEST(AdaptSeed, ResNetConvolutionsBecomeExactGraphs) {
  torch::manual_seed(1);
  ZooOptions options;
  options.width = 0.25;
  auto model = make_zoo_model("resnet18", options);
  const auto genomes = check_seeds(*model);
  // Every convolution of ResNet18 is square, bias-free and same-padded: all 20 are seeded.
  EXPECT_EQ(genomes.size(), 20u);
  EXPECT_EQ(genomes.at("conv1"), "in:3x32x32;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1");
  EXPECT_EQ(genomes.at("layer2.0.conv1"), "in:16x32x32;n1=conv[k=3,co=32,g=1,d=1,s=2](n0);out:n1");
  EXPECT_EQ(genomes.at("layer2.0.downsample.0"), "in:16x32x32;n1=conv[k=1,co=32,g=1,d=1,s=2](n0);out:n1");
}

TEST(AdaptSeed, AConvolutionOnAOneByOneMapIsSeededWithStrideOne) {
  torch::manual_seed(3);
  ZooOptions options;
  options.width = 0.125;
  auto model = make_zoo_model("resnet18", options);
  SlotInfo info;
  for (const SlotInfo& slot : model->slots())
    if (slot.path == "layer4.1.conv2") info = slot;
  ASSERT_EQ(info.path, "layer4.1.conv2");
  // Strides 1 and 2 both map 1x1 to 1x1 with same padding.
  info.input = {1, info.input[1], 1, 1};
  info.output = {1, info.output[1], 1, 1};
  TorchModel& op = model->slot(info.path).module();
  const OperatorSeed seed = seed_from_operator(op, info, 6);
  ASSERT_TRUE(seed.graph) << seed.reason;
  EXPECT_EQ(graph::serialize(*seed.graph), "in:64x1x1;n1=conv[k=3,co=64,g=1,d=1,s=1](n0);out:n1");
  auto module = compile_seed(op, info, *seed.graph);
  torch::NoGradGuard no_grad;
  op.eval();
  const torch::Tensor x = torch::randn(info.input);
  EXPECT_TRUE(torch::allclose(module->forward(x), op.forward(x), 1e-4, 1e-5));
}

TEST(AdaptSeed, MobileNetDepthwiseAndPointwiseConvolutionsBecomeExactGraphs) {
  torch::manual_seed(2);
  auto model = make_zoo_model("mobilenetv3_small");
  const auto genomes = check_seeds(*model);
  size_t depthwise = 0, pointwise = 0;
  for (const auto& [path, genome] : genomes) {
    depthwise += genome.find("=dwconv[") != std::string::npos;
    pointwise += genome.find("=pconv[") != std::string::npos;
  }
  EXPECT_GT(depthwise, 5u);
  EXPECT_GT(pointwise, 5u);
}

TEST(AdaptSeed, RewritesAreCheaperValidVariantsOfTheSeed) {
  const graph::GraphSpec spec{{16, 32, 32}, {32, 16, 16}, 6};
  const graph::Graph seed = graph::parse("in:16x32x32;n1=conv[k=3,co=32,g=1,d=1,s=2](n0);out:n1", spec);
  std::set<std::string> rewrites;
  for (const graph::Graph& rewrite : seed_rewrites(seed, spec)) {
    EXPECT_LT(graph::count_flops(rewrite), graph::count_flops(seed)) << graph::serialize(rewrite);
    rewrites.insert(graph::serialize(rewrite));
  }
  EXPECT_EQ(rewrites, (std::set<std::string>{
                          "in:16x32x32;n1=dwconv[k=3,d=1,s=2](n0);n2=pconv[co=32](n1);out:n2",
                          "in:16x32x32;n1=conv[k=3,co=32,g=2,d=1,s=2](n0);out:n1",
                          "in:16x32x32;n1=conv[k=3,co=32,g=4,d=1,s=2](n0);out:n1",
                      }));
  // A one-node limit leaves no room for the two-node depthwise-separable form.
  EXPECT_EQ(seed_rewrites(seed, {spec.input, spec.output, 1}).size(), 2u);
}

TEST(AdaptSeed, OperatorsWithoutAnExactGraphGetAReason) {
  ZooOptions options;
  options.width = 0.25;
  auto resnet = make_zoo_model("resnet18", options);
  std::map<std::string, SlotInfo> infos;
  for (const SlotInfo& info : resnet->slots()) infos[info.path] = info;
  OperatorSeed seed = seed_from_operator(resnet->slot("bn1").module(), infos.at("bn1"), 6);
  EXPECT_FALSE(seed.graph);
  EXPECT_NE(seed.reason.find("batchnorm"), std::string::npos) << seed.reason;
  seed = seed_from_operator(resnet->slot("fc").module(), infos.at("fc"), 6);
  EXPECT_FALSE(seed.graph);
  EXPECT_NE(seed.reason.find("linear"), std::string::npos) << seed.reason;

  // InceptionV3's unpadded stride-2 convolutions have no same-padded graph.
  auto inception = make_zoo_model("inception_v3");
  std::map<std::string, SlotInfo> inception_infos;
  for (const SlotInfo& info : inception->slots()) inception_infos[info.path] = info;
  seed = seed_from_operator(inception->slot("Mixed_6a.branch3x3.conv").module(),
                            inception_infos.at("Mixed_6a.branch3x3.conv"), 6);
  EXPECT_FALSE(seed.graph);
  EXPECT_NE(seed.reason.find("neither stride 1 nor 2 with same padding"), std::string::npos) << seed.reason;
}

// InceptionV3's factorised 1x7 / 7x1 (and 1x3 / 3x1) convolutions are conv
// nodes with a kernel width `kw`: seeded exactly (the graph with the
// operator's weights computes its output), and their grouped rewrites keep
// the kernel's shape.
TEST(AdaptSeed, NonSquareConvolutionsAreSeededExactly) {
  auto inception = make_zoo_model("inception_v3");
  std::map<std::string, size_t> seeded;
  for (const SlotInfo& info : inception->slots()) {
    if (info.kind != "conv1x7" && info.kind != "conv7x1" && info.kind != "conv1x3" && info.kind != "conv3x1") continue;
    if (seeded[info.kind] == 2) continue;  // two of each kind keep the test short
    TorchModel& op = inception->slot(info.path).module();
    const OperatorSeed seed = seed_from_operator(op, info, 6);
    ASSERT_TRUE(seed.graph) << info.path << ": " << seed.reason;
    const std::string text = graph::serialize(*seed.graph);
    const std::string shape = info.kind.substr(4);  // "1x7"
    const std::string kernel = "k=" + shape.substr(0, 1), width = "kw=" + shape.substr(2);
    EXPECT_NE(text.find(kernel), std::string::npos) << text;
    EXPECT_NE(text.find(width), std::string::npos) << text;
    EXPECT_NO_THROW(compile_seed(op, info, *seed.graph)) << text;
    const graph::GraphSpec spec{seed.graph->shapes.front(), seed.graph->output_shape(), 6};
    const std::vector<graph::Graph> rewrites = seed_rewrites(*seed.graph, spec);
    EXPECT_FALSE(rewrites.empty()) << text;
    for (const graph::Graph& rewrite : rewrites) EXPECT_NE(graph::serialize(rewrite).find(width), std::string::npos);
    ++seeded[info.kind];
  }
  EXPECT_EQ(seeded.size(), 4u);
}

// A tiny adaptation: a narrow ResNet18 on a few hundred CIFAR-10 images.
AdaptConfig tiny_config(PluginRegistry& registry, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> overrides = {"data_dir=\"" + kCifar.string() + "\"",
                                        "width=0.125",
                                        "train_subset=256",
                                        "holdout=64",
                                        "eval_subset=32",
                                        "test_images=64",
                                        "batch_size=32",
                                        "baseline_steps=4",
                                        "strategy.population=4",
                                        "strategy.generations=2",
                                        "max_modified=1",
                                        "patience=1",
                                        "max_nodes=4",
                                        "distill_images=32",
                                        "distill_steps=4",
                                        "finetune_steps=2",
                                        "latency.device.warmup=1",
                                        "latency.device.runs=2",
                                        "seed=3"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return parse_adapt_config("[adapt]\nmodel = \"resnet18\"\n", "tiny.toml", overrides, registry);
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "adapt_test" / name;
  std::filesystem::remove_all(dir);
  return dir;
}

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted by the test") {}
};

// Whole adapt runs on real CIFAR-10 images, with the plugins of the build tree;
// skipped with a message when the shared data is missing.
class AdaptRunOnCifar : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kCifar / "data_batch_1.bin"))
      GTEST_SKIP() << "CIFAR-10 not found at " << kCifar << " (see ../shared/data/README.md)";
    registry.load_directory(GOS_PLUGIN_DIR);
  }
  PluginRegistry registry;
};

TEST_F(AdaptRunOnCifar, InterruptedRunResumesAndExportsTheAdaptedModel) {
  const AdaptConfig config = tiny_config(registry);
  AdaptOptions options;
  options.output = fresh_dir("resume");
  options.progress = false;
  // The "device" fails after the first generation of the first search.
  options.after_generation = [](size_t iteration, int64_t generation) {
    if (iteration == 0 && generation == 0) throw Interrupted();
  };
  EXPECT_THROW(run_adapt(config, options, registry), Interrupted);
  AdaptRecord record = read_adapt_file(options.output / "adapt.h5");
  EXPECT_EQ(record.info.status, RunStatus::kFailed);
  ASSERT_TRUE(record.baseline);
  EXPECT_TRUE(record.iterations.empty());
  const RunResults partial = read_results(options.output / "search_000.h5");
  ASSERT_EQ(partial.generations.size(), 1u);

  options.after_generation = nullptr;
  options.resume = true;
  const AdaptSummary summary = run_adapt(config, options, registry);
  EXPECT_FALSE(summary.already_complete);
  record = read_adapt_file(options.output / "adapt.h5");
  EXPECT_EQ(record.info.status, RunStatus::kCompleted);
  ASSERT_EQ(record.iterations.size(), 1u);  // max_modified = patience = 1: one searched slot
  const IterationRecord& it = record.iterations[0];
  // The most inefficient convolution of the baseline profile was searched, from its exact seed.
  const auto ranked = std::max_element(
      record.baseline->slots.begin(), record.baseline->slots.end(), [](const SlotRecord& a, const SlotRecord& b) {
        return (a.kind.starts_with("conv") ? a.inefficiency : -1) < (b.kind.starts_with("conv") ? b.inefficiency : -1);
      });
  EXPECT_EQ(it.slot, ranked->path);
  EXPECT_TRUE(it.seed_genome.starts_with("in:" + it.input + ";n1=conv[k=3")) << it.seed_genome;
  EXPECT_NE(it.status, IterationStatus::kUnsupported);
  EXPECT_FALSE(it.front.empty());
  EXPECT_GT(it.latency_before_ms, 0);

  // The resumed search replayed the recorded generation, then went on.
  const RunResults search = read_results(options.output / it.search_file);
  EXPECT_EQ(search.metadata.status, "completed");
  ASSERT_EQ(search.generations.size(), 2u);
  EXPECT_EQ(it.evaluations, static_cast<int64_t>(search.evaluations.size()));
  // Candidates were timed by kernel decomposition (the default), as the file says.
  EXPECT_NE(search.metadata.extra.at("objective.latency_ms.measure").find("kernel decomposition"), std::string::npos)
      << search.metadata.extra.at("objective.latency_ms.measure");
  for (size_t i = 0; i < partial.evaluations.size(); ++i)
    EXPECT_EQ(search.evaluations[i], partial.evaluations[i]) << "evaluation " << i;

  ASSERT_TRUE(record.final);
  EXPECT_EQ(record.final->modified, it.status == IterationStatus::kAccepted ? 1 : 0);
  EXPECT_GT(record.final->speedup, 0);

  // The TorchScript file computes what the adapted model computes: rebuilt
  // from the records (accepted graphs spliced in) plus the last checkpoint.
  ZooOptions zoo;
  zoo.width = config.width;
  auto model = make_zoo_model("resnet18", zoo);
  std::map<std::string, SlotInfo> infos;
  for (const SlotInfo& info : model->slots()) infos[info.path] = info;
  if (it.status == IterationStatus::kAccepted) {
    const SlotInfo& info = infos.at(it.slot);
    const graph::GraphSpec spec{{int(info.input[1]), int(info.input[2]), int(info.input[3])},
                                {int(info.output[1]), int(info.output[2]), int(info.output[3])},
                                static_cast<size_t>(config.max_nodes)};
    model->replace(it.slot, std::make_shared<graph::GraphModule>(graph::parse(it.chosen_genome, spec)));
  }
  load_checkpoint(*model, (options.output / "model_000.ckpt").string());
  model->eval();
  torch::jit::Module loaded = torch::jit::load((options.output / record.final->torchscript).string());
  torch::NoGradGuard no_grad;
  const torch::Tensor input = torch::randn({1, 3, 32, 32});
  const torch::Tensor expected = model->forward(input);
  const torch::Tensor got = loaded.forward({input}).toTensor();
  EXPECT_TRUE(torch::allclose(got, expected, 1e-4, 1e-5));

  // A second resume finds the run complete.
  EXPECT_TRUE(run_adapt(config, options, registry).already_complete);
}

TEST_F(AdaptRunOnCifar, UnreachableEpsilonRecordsTheBestInfeasibleCandidates) {
  // No candidate can gain 100 points of accuracy; two slots are searched, then patience stops the run.
  // Candidates are timed inside the whole model here (the default times the slot alone).
  const AdaptConfig config =
      tiny_config(registry, {"epsilon=-100", "patience=2", "strategy.generations=1", "candidate_latency=\"model\""});
  AdaptOptions options;
  options.output = fresh_dir("infeasible");
  options.progress = false;
  const AdaptSummary summary = run_adapt(config, options, registry);
  EXPECT_EQ(summary.modified, 0);
  EXPECT_NE(summary.stop_reason.find("patience"), std::string::npos) << summary.stop_reason;
  const AdaptRecord record = read_adapt_file(options.output / "adapt.h5");
  EXPECT_EQ(record.info.status, RunStatus::kCompleted);
  ASSERT_EQ(record.iterations.size(), 2u);
  for (const IterationRecord& it : record.iterations) {
    EXPECT_EQ(it.status, IterationStatus::kInfeasible) << it.slot;
    EXPECT_TRUE(it.chosen_genome.empty());
    ASSERT_FALSE(it.front.empty()) << it.slot;
    for (const FrontEntry& entry : it.front) {
      EXPECT_FALSE(entry.feasible);
      EXPECT_GT(entry.accuracy_drop, -100);
    }
  }
  EXPECT_NE(record.iterations[0].slot, record.iterations[1].slot);
  const RunResults search = read_results(options.output / record.iterations[0].search_file);
  EXPECT_NE(search.metadata.extra.at("objective.latency_ms.measure").find("whole adapted model"), std::string::npos)
      << search.metadata.extra.at("objective.latency_ms.measure");
  ASSERT_TRUE(record.final);
  EXPECT_EQ(record.final->modified, 0);
  EXPECT_EQ(record.final->params, record.baseline->params);
}

// accept = "batch" with a gain no batch reaches: every kept splice waits as
// pending and is reverted with its batch (at max_pending, or when the run
// ends), so the adapted model is the baseline, weight for weight. A run
// killed while a batch is open resumes with that batch.
TEST_F(AdaptRunOnCifar, AnUnconfirmedBatchIsRevertedAlsoAfterAResume) {
  const AdaptConfig config = tiny_config(
      registry, {"accept=\"batch\"", "min_gain=0.9", "max_pending=2", "epsilon=100", "max_modified=10", "patience=4"});
  AdaptOptions options;
  options.output = fresh_dir("batch");
  options.progress = false;
  std::optional<size_t> pending_at_kill;
  options.after_generation = [&](size_t, int64_t) {
    if (pending_at_kill) return;
    const AdaptRecord record = read_adapt_file(options.output / "adapt.h5");
    for (size_t i = 0; i < record.iterations.size(); ++i)
      if (record.iterations[i].status == IterationStatus::kPending) {
        pending_at_kill = i;
        throw Interrupted();
      }
  };
  try {
    run_adapt(config, options, registry);
  } catch (const Interrupted&) {
  }
  ASSERT_TRUE(pending_at_kill) << "no splice was kept (every candidate slower than its seed?)";
  options.resume = true;
  const AdaptSummary summary = run_adapt(config, options, registry);
  EXPECT_EQ(summary.modified, 0);
  const AdaptRecord record = read_adapt_file(options.output / "adapt.h5");
  EXPECT_EQ(record.info.status, RunStatus::kCompleted);
  ASSERT_GT(record.iterations.size(), *pending_at_kill);
  const IterationRecord& resumed = record.iterations[*pending_at_kill];
  EXPECT_EQ(resumed.status, IterationStatus::kReverted);
  EXPECT_NE(resumed.reason.find("batch reverted"), std::string::npos) << resumed.reason;
  EXPECT_EQ(resumed.params_after, resumed.params_before);
  for (const IterationRecord& it : record.iterations) {
    EXPECT_NE(it.status, IterationStatus::kPending) << it.slot;
    EXPECT_NE(it.status, IterationStatus::kAccepted) << it.slot;
  }
  ASSERT_TRUE(record.final);
  EXPECT_EQ(record.final->modified, 0);
  EXPECT_EQ(record.final->params, record.baseline->params);
  EXPECT_EQ(std::filesystem::file_size(options.output / "graphs.txt"), 0u);

  ZooOptions zoo;
  zoo.width = config.width;
  auto baseline = make_zoo_model("resnet18", zoo);
  load_checkpoint(*baseline, (options.output / "baseline.ckpt").string());
  baseline->eval();
  auto last = make_zoo_model("resnet18", zoo);
  load_checkpoint(*last, (options.output / fmt::format("model_{:03d}.ckpt", record.iterations.size() - 1)).string());
  const auto restored = last->named_parameters();
  for (const auto& item : baseline->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), restored[item.key()])) << item.key();
  torch::jit::Module adapted = torch::jit::load((options.output / record.final->torchscript).string());
  torch::NoGradGuard no_grad;
  const torch::Tensor input = torch::randn({2, 3, 32, 32});
  EXPECT_TRUE(torch::allclose(adapted.forward({input}).toTensor(), baseline->forward(input), 1e-5, 1e-6));
}

TEST_F(AdaptRunOnCifar, TheSameSeedTrainsTheSameBaseline) {
  const AdaptConfig config = tiny_config(registry);
  std::vector<std::shared_ptr<SlottedModel>> baselines;
  for (const char* name : {"seed_a", "seed_b"}) {
    torch::manual_seed(baselines.size());  // whatever ran before must not matter
    AdaptOptions options;
    options.output = fresh_dir(name);
    options.progress = false;
    options.after_generation = [](size_t, int64_t) { throw Interrupted(); };  // the baseline is all we need
    EXPECT_THROW(run_adapt(config, options, registry), Interrupted);
    ZooOptions zoo;
    zoo.width = config.width;
    baselines.push_back(make_zoo_model("resnet18", zoo));
    load_checkpoint(*baselines.back(), (options.output / "baseline.ckpt").string());
  }
  const auto a = baselines[0]->named_parameters(), b = baselines[1]->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();
}

// Rerunning into a directory that holds a run needs --resume or --overwrite.
// device = "cuda" where LibTorch sees no GPU (CI) fails before any data is
// read, naming the file, the key and what is valid.
TEST(AdaptRun, CudaWithoutAGpuIsAnErrorNamingTheFileTheKeyAndWhatIsValid) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "this machine has a CUDA device";
  PluginRegistry registry;
  registry.load_directory(GOS_PLUGIN_DIR);
  const AdaptConfig config = parse_adapt_config("[adapt]\ndevice = \"cuda\"\n", "gpu.toml", {}, registry);
  EXPECT_EQ(config.device, ComputeDevice::kCuda);
  try {
    load_data(config);
    FAIL() << "device = \"cuda\" was accepted without a CUDA device";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("gpu.toml: [adapt] device = \"cuda\": LibTorch sees no CUDA device"), std::string::npos)
        << message;
    EXPECT_NE(message.find("valid here: \"cpu\", or \"auto\""), std::string::npos) << message;
  }
}

TEST(AdaptRun, ExistingRunDirectoryNeedsResumeOrOverwrite) {
  const auto dir = fresh_dir("exists");
  std::filesystem::create_directories(dir);
  RunInfo info;
  info.status = RunStatus::kCompleted;
  create_adapt_file(dir / "adapt.h5", info);
  PluginRegistry registry;
  registry.load_directory(GOS_PLUGIN_DIR);
  AdaptOptions options;
  options.output = dir;
  options.progress = false;
  try {
    run_adapt(tiny_config(registry), options, registry);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos) << e.what();
  }
  options.resume = true;
  try {
    run_adapt(tiny_config(registry), options, registry);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another adapt configuration"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gos::adapt
