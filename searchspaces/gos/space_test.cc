#include "searchspaces/gos/space.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "framework/results.h"
#include "framework/runner.h"
#include "searchspaces/gos/runtime.h"

namespace gos::graph {
namespace {

GraphSpace make_space(std::string seed = "none") {
  GraphSpaceConfig config;
  config.input = {8, 8, 8};
  config.output = {16, 4, 4};
  config.max_nodes = 16;
  config.seed = std::move(seed);
  return GraphSpace(config);
}

TEST(GraphSpace, GenomesRoundTripAndAnswerMetricsAndKernels) {
  const GraphSpace space = make_space();
  Rng rng(1);
  const size_t encoding = space.encode(*space.sample(rng)).size();
  for (int draw = 0; draw < 200; ++draw) {
    const GenomePtr genome = space.sample(rng);
    const Graph& graph = GraphSpace::cast(*genome);
    const std::string text = space.serialize(*genome);
    EXPECT_EQ(space.serialize(*space.deserialize(text)), text);
    EXPECT_EQ(space.encode(*genome).size(), encoding);
    EXPECT_EQ(space.query(*genome, {Metric::kParameters, ""}), static_cast<double>(count_params(graph)));
    const auto kernels = space.kernels(*genome);
    ASSERT_EQ(kernels.size(), graph.instruction_count());
    double flops = 0;
    for (const Kernel& kernel : kernels) flops += kernel.flops;
    EXPECT_EQ(flops, space.query(*genome, {Metric::kFlops, ""}));
    EXPECT_EQ(kernels.back().key.substr(kernels.back().key.size() - 8), "->16x4x4");
  }
  EXPECT_THROW(space.query(*space.sample(rng), {Metric::kLatency, "cpu"}), Error);
  EXPECT_THROW(space.deserialize("in:8x8x8;n1=relu(n0);out:n1"), Error);
}

// Each kernel feature keeps its place: conv's absent b before a present kw
// is written as 32, and trailing absent attributes add nothing.
TEST(GraphSpace, KernelFeaturesOfOptionalAttributesKeepTheirPlace) {
  GraphSpaceConfig config;
  config.input = {8, 8, 8};
  config.output = {16, 8, 8};
  config.max_nodes = 2;
  const GraphSpace space(config);
  const auto features_of = [&](const std::string& text) {
    return space.kernels(*space.deserialize(text)).front().features;
  };
  const std::vector<double> square = features_of("in:8x8x8;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1");
  const std::vector<double> wide = features_of("in:8x8x8;n1=conv[k=1,co=16,g=1,d=1,s=1,kw=7](n0);out:n1");
  const std::vector<double> narrow = features_of("in:8x8x8;n1=conv[k=1,co=16,g=1,d=1,s=1,b=4,kw=7](n0);out:n1");
  ASSERT_EQ(wide.size(), square.size() + 2);
  EXPECT_EQ(wide[wide.size() - 2], kFullPrecisionBits);
  EXPECT_EQ(wide.back(), 7);
  EXPECT_EQ(narrow[narrow.size() - 2], 4);
  EXPECT_EQ(square.back(), 1);  // the stride, the last required attribute
}

TEST(GraphSpace, SeededSamplingStartsAtTheSeed) {
  const GraphSpace space = make_space("conv3x3_bn_relu");
  Rng rng(2);
  int exact_seed = 0;
  for (int draw = 0; draw < 100; ++draw)
    if (space.serialize(*space.sample(rng)) ==
        "in:8x8x8;n1=conv[k=3,co=16,g=1,d=1,s=2](n0);n2=bn(n1);n3=relu(n2);out:n3")
      ++exact_seed;
  // Walk lengths 0..4 are uniform, so about a fifth of the draws are the seed itself.
  EXPECT_GT(exact_seed, 8);
  EXPECT_LT(exact_seed, 40);
}

TEST(GraphSpace, NeighboursAreStructurallyAndFunctionallyDistinct) {
  const GraphSpace space = make_space("depthwise_separable");
  Rng rng(3);
  const GenomePtr genome = space.sample(rng);
  const auto neighbours = space.neighbours(*genome, rng, 12);
  EXPECT_EQ(neighbours.size(), 12u);
  std::set<uint64_t> functions{functional_fingerprint(GraphSpace::cast(*genome))};
  for (const GenomePtr& neighbour : neighbours)
    EXPECT_TRUE(functions.insert(functional_fingerprint(GraphSpace::cast(*neighbour))).second);
}

TEST(GraphSpace, EquivalenceKeysMatchGraphsWithTheSameOperatorsComputingTheSameFunction) {
  GraphSpaceConfig config;
  config.input = {8, 8, 8};
  config.output = {8, 8, 8};
  const GraphSpace space(config);
  const auto key = [&](std::string_view text) {
    const auto k = space.equivalence_key(*space.deserialize(text));
    EXPECT_TRUE(k.has_value());
    return std::pair(k->bucket, k->exact());
  };
  // Commuted inputs: other canonical strings, same operators and function.
  const std::string add_a = "in:8x8x8;n1=relu(n0);n2=sigmoid(n0);n3=add(n1,n2);out:n3";
  const std::string add_b = "in:8x8x8;n1=relu(n0);n2=sigmoid(n0);n3=add(n2,n1);out:n3";
  EXPECT_NE(space.serialize(*space.deserialize(add_a)), space.serialize(*space.deserialize(add_b)));
  EXPECT_EQ(key(add_a), key(add_b));
  // An identity runs nothing, so it leaves the key alone.
  EXPECT_EQ(key("in:8x8x8;n1=relu(n0);out:n1"), key("in:8x8x8;n1=identity(n0);n2=relu(n1);out:n2"));
  // Same operators, another function: one bucket, different exact keys.
  const auto relu_sigmoid = key("in:8x8x8;n1=relu(n0);n2=sigmoid(n1);out:n2");
  const auto sigmoid_relu = key("in:8x8x8;n1=sigmoid(n0);n2=relu(n1);out:n2");
  EXPECT_EQ(relu_sigmoid.first, sigmoid_relu.first);
  EXPECT_NE(relu_sigmoid.second, sigmoid_relu.second);
  // Same function, more operators (relu of relu): another bucket, since latency differs.
  EXPECT_NE(key("in:8x8x8;n1=relu(n0);out:n1").first, key("in:8x8x8;n1=relu(n0);n2=relu(n1);out:n2").first);
  config.equivalence_cache = false;
  EXPECT_FALSE(GraphSpace(config).equivalence_key(*space.deserialize(add_a)).has_value());
}

TEST(GraphSpace, TheRunnerReusesEvaluationsOfEquivalentGraphs) {
  PluginRegistry registry;
  registry.load_directory(GOS_PLUGIN_DIR);
  const std::filesystem::path output = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "gos_equivalence.h5";
  const std::string experiment = R"(
[experiment]
name = "equivalence"
seed = 3
output = ")" + output.string() + R"("
[search_space]
plugin = "gos_graph"
input = [8, 8, 8]
output = [16, 8, 8]
seed = "depthwise_separable"
seed_walk = 2
[strategy]
plugin = "random_search"
evaluations = 300
[[objectives]]
plugin = "metric"
metric = "parameters"
[[objectives]]
plugin = "metric"
metric = "flops"
)";
  const auto run = [&](std::vector<std::string> overrides) {
    Experiment built = build_experiment(parse_experiment(experiment, "<text>", ".", overrides, registry), registry);
    RunOptions options;
    options.progress = false;
    options.overwrite = true;
    const RunSummary summary = run_experiment(built, options);
    return std::pair(summary, read_results(output));
  };
  const auto [summary, results] = run({});
  const auto [plain_summary, plain] = run({"search_space.equivalence_cache=false"});
  EXPECT_EQ(plain_summary.equivalent_hits, 0u);
  ASSERT_GT(summary.equivalent_hits, 0u);
  // The same genomes either way (random search ignores values); the reused
  // records are the ones cached now and evaluated before, and carry the
  // values their fresh evaluation had.
  ASSERT_EQ(results.evaluations.size(), plain.evaluations.size());
  size_t reused = 0;
  for (size_t i = 0; i < results.evaluations.size(); ++i) {
    const auto& now = results.evaluations[i];
    ASSERT_EQ(now.genome, plain.evaluations[i].genome);
    if (now.cached && !plain.evaluations[i].cached) {
      ++reused;
      EXPECT_EQ(now.values, plain.evaluations[i].values) << now.genome;
    }
  }
  EXPECT_EQ(reused, summary.equivalent_hits);
}

TEST(GraphSpace, WorkloadKeyIsTheCanonicalGenome) {
  const GraphSpace space = make_space("mbconv");
  Rng rng(4);
  const GenomePtr genome = space.sample(rng);
  auto workload = space.workload(*genome);
  EXPECT_EQ(workload->key(), space.serialize(*genome));
  workload->run();
}

TEST(GraphSpace, KernelWorkloadsRunTheInstructionAtTheShapesOfTheirKeys) {
  const GraphSpace space = make_space();
  Rng rng(5);
  std::set<std::string> types;
  for (int draw = 0; draw < 25; ++draw) {
    for (const Kernel& kernel : space.kernels(*space.sample(rng))) {
      auto alone = space.kernel_workload(kernel);
      EXPECT_EQ(alone->key(), kernel.key);
      EXPECT_NO_THROW(alone->run()) << kernel.key;
      types.insert(kernel.type);
    }
  }
  EXPECT_GT(types.size(), 10u);  // most instructions were exercised
  // Two inputs of different shapes, as concat allows.
  Kernel concat;
  concat.key = "concat:16x8x8,8x8x8->24x8x8";
  auto alone = space.kernel_workload(concat);
  EXPECT_EQ(alone->key(), concat.key);
  EXPECT_NO_THROW(alone->run());
}

TEST(GraphSpace, BadKernelKeysAreErrorsNamingTheKey) {
  const GraphSpace space = make_space();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"relu", "is not of the form"},
      {"relu:16x8->16x8x8", "'16x8' is not a shape"},
      {"relu:16x8x8->16x8x0", "'16x8x0' is not a shape"},
      {"swirl:16x8x8->16x8x8", "swirl"},
      {"conv[k=4,co=16,g=1,d=1,s=1]:16x8x8->16x8x8", "k"},
      {"relu:16x8x8->16x4x4", "relu gives 16x8x8, not the output shape 16x4x4"},
      {"add:16x8x8,8x8x8->16x8x8", "the input shapes do not fit add"},
      {"relu:16x8x8,16x8x8->16x8x8", "relu"},
  };
  for (const auto& [key, reason] : cases) {
    Kernel kernel;
    kernel.key = key;
    try {
      space.kernel_workload(kernel);
      ADD_FAILURE() << "kernel '" << key << "' was accepted";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("'" + key + "'"), std::string::npos) << message;
      EXPECT_NE(message.find(reason), std::string::npos) << message;
    }
  }
}

TEST(GraphSpace, PluginBuildsFromAnExperimentAndReportsBadKeys) {
  PluginRegistry registry;
  registry.load_directory(GOS_PLUGIN_DIR);
  const std::string experiment = R"(
[experiment]
name = "t"
output = "unused.h5"
[search_space]
plugin = "gos_graph"
input = [8, 8, 8]
output = [16, 8, 8]
seed = "bottleneck"
[strategy]
plugin = "random_search"
evaluations = 10
[[objectives]]
plugin = "metric"
metric = "parameters"
)";
  Experiment built = build_experiment(parse_experiment(experiment, "<text>", ".", {}, registry), registry);
  EXPECT_NE(built.space->describe().find("seed 'bottleneck'"), std::string::npos);
  const auto error_with = [&](std::vector<std::string> overrides) {
    try {
      build_experiment(parse_experiment(experiment, "<text>", ".", overrides, registry), registry);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_with({"search_space.input=[8, 8]"}).find("needs exactly 3 values"), std::string::npos);
  // Channels go to kMaxChannels (InceptionV3's slots take 1280 and 2048),
  // height and width to kMaxSpatial; each is checked against its own limit.
  Experiment wide = build_experiment(
      parse_experiment(experiment, "<text>", ".",
                       {"search_space.input=[2048, 8, 8]", "search_space.output=[320, 8, 8]"}, registry),
      registry);
  EXPECT_NE(wide.space->describe().find("2048x8x8"), std::string::npos) << wide.space->describe();
  const std::string too_many_channels = error_with({"search_space.input=[5000, 8, 8]"});
  EXPECT_NE(too_many_channels.find("'input' = 5000 is out of range"), std::string::npos) << too_many_channels;
  const std::string too_high = error_with({"search_space.input=[16, 2048, 8]"});
  EXPECT_NE(too_high.find("input: [16, 2048, 8] is too large"), std::string::npos) << too_high;
  EXPECT_NE(too_high.find("valid: C in [1, 4096], H and W in [1, 1024]"), std::string::npos) << too_high;
  EXPECT_NE(error_with({"search_space.output=[16, 3, 3]"}).find("neither the input's resolution nor half of it"),
            std::string::npos);
  const std::string no_adapter = error_with({"search_space.seed=\"none\"", "search_space.allowed=[\"relu\"]"});
  EXPECT_NE(no_adapter.find("allowed"), std::string::npos) << no_adapter;
  EXPECT_NE(no_adapter.find("could not sample a valid operator graph"), std::string::npos) << no_adapter;

  // Widths: searched with structure, reported as BitOPs; a bad one names the key.
  Experiment widths =
      build_experiment(parse_experiment(experiment, "<text>", ".",
                                        {"search_space.bits=[8, 4]", "objectives.0.metric=\"bitops\""}, registry),
                       registry);
  EXPECT_NE(widths.space->describe().find("weighted instructions at widths {8, 4}"), std::string::npos)
      << widths.space->describe();
  const std::string bad_width = error_with({"search_space.bits=[8, 9]"});
  EXPECT_NE(bad_width.find("bits"), std::string::npos) << bad_width;
  EXPECT_NE(bad_width.find("9 is not a valid width; valid: 1..8, 16 or 32"), std::string::npos) << bad_width;
}

TEST(GraphSpace, SearchedWidthsReachTheGenomesKernelsAndBitOps) {
  GraphSpaceConfig config;
  config.input = {16, 8, 8};
  config.output = {16, 8, 8};
  config.seed = "conv3x3_bn_relu";
  config.bits = {8, 4};
  GraphSpace space(config);
  Rng rng(2);
  std::set<std::string> keys;
  bool quantized = false;
  for (int draw = 0; draw < 100; ++draw) {
    const GenomePtr genome = space.sample(rng);
    const Graph& graph = GraphSpace::cast(*genome);
    EXPECT_DOUBLE_EQ(space.query(*genome, {Metric::kBitOps, ""}), count_bitops(graph));
    for (size_t i = 1; i < graph.nodes.size(); ++i)
      quantized |= node_bits(graph.nodes[i].op, graph.nodes[i].attrs) != kFullPrecisionBits;
    for (const Kernel& kernel : space.kernels(*genome)) keys.insert(kernel.key);
  }
  EXPECT_TRUE(quantized);
  EXPECT_TRUE(std::any_of(keys.begin(), keys.end(),
                          [](const std::string& key) { return key.find(",b=4]") != std::string::npos; }));
  // A quantized kernel key runs as a workload, like any other.
  Kernel quantized_kernel;
  quantized_kernel.type = "conv";
  quantized_kernel.key = "conv[k=3,co=16,g=1,d=1,s=1,b=4]:16x8x8->16x8x8";
  space.kernel_workload(quantized_kernel)->run();
  EXPECT_THROW(GraphSpace([&] {
                 GraphSpaceConfig bad = config;
                 bad.bits = {12};
                 return bad;
               }()),
               Error);
}

}  // namespace
}  // namespace gos::graph
