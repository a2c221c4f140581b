// The search stage with a scorer made of graph arithmetic: no LibTorch
// compile of candidates, real strategy plugins, the framework's runner.
#include "adapt/search.h"

#include <gtest/gtest.h>

#include <set>

#include "framework/error.h"
#include "framework/plugin_registry.h"
#include "framework/results.h"

namespace gos::adapt {
namespace {

const graph::GraphSpec kSpec{{8, 8, 8}, {8, 8, 8}, 4};

class ArithmeticScorer : public CandidateScorer {
 public:
  CandidateValues score(const graph::Graph& candidate) override {
    ++calls;
    const double flops = static_cast<double>(graph::count_flops(candidate));
    // Dropping accuracy unless the graph keeps some parameters.
    return {1 + flops / 1e5, static_cast<double>(graph::count_params(candidate)),
            graph::count_params(candidate) > 0 ? 0.5 : 3.0};
  }
  std::string latency_provenance() const override { return "flops arithmetic"; }
  int calls = 0;
};

ComponentConfig strategy(PluginRegistry& registry, const std::string& plugin,
                         const std::map<std::string, int64_t>& keys) {
  const PluginRecord& record = registry.find(plugin, PluginKind::kStrategy, "test");
  auto params = std::make_shared<Params>("adapt.strategy", SourceLocation{"test", 0, 0});
  for (const ParamSpec& spec : record.schema.specs())
    if (spec.default_value) params->set(spec.name, *spec.default_value, {"test", 0, 0});
  for (const auto& [key, value] : keys) params->set(key, value, {"test", 0, 0});
  return {plugin, "adapt.strategy", {"test", 0, 0}, params};
}

SearchRequest request(const ComponentConfig& strategy_config, const std::string& file) {
  SearchRequest r;
  r.slot = "layer1.0.conv1";
  r.spec = kSpec;
  r.seeds = {graph::parse("in:8x8x8;n1=conv[k=3,co=8,g=1,d=1,s=1](n0);out:n1", kSpec)};
  r.strategy = strategy_config;
  r.epsilon = 1.0;
  r.seed = 7;
  r.name = "test";
  r.source = "test";
  r.resolved_toml = "[search]\nslot = \"layer1.0.conv1\"\n";
  r.output = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "adapt_search" / file;
  std::filesystem::create_directories(r.output.parent_path());
  return r;
}

class AdaptSearch : public ::testing::Test {
 protected:
  void SetUp() override { registry.load_directory(GOS_PLUGIN_DIR); }
  PluginRegistry registry;
};

TEST_F(AdaptSearch, AnyStrategyPluginRunsTheSearchAndValuesAreReadByName) {
  for (const auto& [plugin, keys] : std::vector<std::pair<std::string, std::map<std::string, int64_t>>>{
           {"nsga2", {{"population", 4}, {"generations", 2}}},
           {"regularized_evolution", {{"population", 4}, {"sample_size", 2}, {"evaluations", 8}, {"batch", 2}}},
           {"random_search", {{"evaluations", 8}, {"batch", 4}}}}) {
    ArithmeticScorer scorer;
    const SearchRequest r = request(strategy(registry, plugin, keys), plugin + ".h5");
    const SearchResult result = run_search(r, scorer, registry);
    EXPECT_EQ(result.evaluations.size(), 8u) << plugin;
    ASSERT_FALSE(result.front.empty()) << plugin;
    ArithmeticScorer reference;
    for (const CandidateRow& row : result.evaluations) {
      if (row.failed) continue;
      const CandidateValues expected = reference.score(graph::parse(row.genome, kSpec));
      EXPECT_DOUBLE_EQ(row.latency_ms, expected.latency_ms) << plugin << " " << row.genome;
      EXPECT_DOUBLE_EQ(row.params, expected.params) << row.genome;
      EXPECT_DOUBLE_EQ(row.accuracy_drop, expected.accuracy_drop) << row.genome;
      EXPECT_EQ(row.feasible, expected.accuracy_drop <= r.epsilon) << row.genome;
    }
    // Each distinct genome is scored once for all three objectives.
    std::set<std::string> distinct;
    for (const CandidateRow& row : result.evaluations) distinct.insert(row.genome);
    EXPECT_EQ(static_cast<size_t>(scorer.calls), distinct.size()) << plugin;
    const RunResults file = read_results(r.output);
    EXPECT_EQ(file.metadata.extra.at("objective.latency_ms.measure"), "flops arithmetic");
  }
}

TEST_F(AdaptSearch, TheSeedsLatencyInTheSearchIsReported) {
  ArithmeticScorer scorer;
  // Random search from the seed: seed_walk = 0 samples the seeds themselves.
  SearchRequest r = request(strategy(registry, "random_search", {{"evaluations", 4}, {"batch", 4}}), "seed.h5");
  r.seed_walk = 0;
  const SearchResult result = run_search(r, scorer, registry);
  ASSERT_TRUE(result.seed_latency_ms);
  EXPECT_DOUBLE_EQ(*result.seed_latency_ms, ArithmeticScorer().score(r.seeds.front()).latency_ms);
}

TEST_F(AdaptSearch, SearchedWidthsAddTheCandidatesBitOpsAsAFourthObjective) {
  ArithmeticScorer scorer;
  SearchRequest r = request(strategy(registry, "nsga2", {{"population", 8}, {"generations", 3}}), "bits.h5");
  r.bits = {32, 8, 4};
  run_search(r, scorer, registry);
  const RunResults file = read_results(r.output);
  std::vector<std::string> names;
  for (const ObjectiveInfo& objective : file.objectives) names.push_back(objective.name);
  const size_t bitops = objective_index(names, kBitOpsObjective, r.output);
  std::set<int> widths;
  for (const EvaluationRecord& record : file.evaluations) {
    if (record.failed) continue;
    const graph::Graph graph = graph::parse(record.genome, kSpec);
    EXPECT_DOUBLE_EQ(record.values.at(bitops), graph::count_bitops(graph)) << record.genome;
    for (size_t i = 1; i < graph.nodes.size(); ++i)
      if (graph::bits_attr(graph.nodes[i].op) >= 0)
        widths.insert(graph::node_bits(graph.nodes[i].op, graph.nodes[i].attrs));
  }
  EXPECT_TRUE(widths.count(8) || widths.count(4)) << "no candidate was quantized";

  // Without widths: three objectives, every candidate full precision.
  const SearchRequest full =
      request(strategy(registry, "nsga2", {{"population", 4}, {"generations", 2}}), "no_bits.h5");
  run_search(full, scorer, registry);
  const RunResults plain = read_results(full.output);
  EXPECT_EQ(plain.objectives.size(), 3u);
  for (const EvaluationRecord& record : plain.evaluations) EXPECT_EQ(record.genome.find(",b="), std::string::npos);
}

TEST(AdaptSearchObjectives, AMissingObjectiveIsAnErrorNamingTheFileAndTheNames) {
  EXPECT_EQ(objective_index({"params", "latency_ms"}, "latency_ms", "s.h5"), 1u);
  try {
    objective_index({"params", "latency"}, "latency_ms", "search_000.h5");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("search_000.h5: the search results have no objective 'latency_ms' "
                                         "(objectives: params, latency)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace gos::adapt
