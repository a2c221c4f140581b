#include "searchspaces/ofa/ofa_space.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <set>

#include "framework/error.h"
#include "searchspaces/ofa/ofa_additive.h"
#include "torchlib/torch_model.h"

namespace gos::ofa {
namespace {

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// The first row of NAS_PerformanceEstimation's data sets.
const std::vector<double> kFirstRow{208, 2, 4, 2, 3, 3, 7, 7, 3, 3, 5, 7, 3, 7, 3, 7, 3, 7, 5, 7, 7, 5, 5,
                                    5,   7, 5, 6, 3, 4, 4, 3, 6, 4, 6, 6, 3, 4, 6, 6, 3, 3, 4, 6, 4, 6, 6};

TEST(OfaSpace, CsvRowBecomesTheCanonicalGenomeWithSkippedSlotsCleared) {
  const OfaSpace space{OfaConfig{}};
  const GenomePtr genome = space.from_columns(kFirstRow);
  EXPECT_EQ(space.serialize(*genome), "r208-d24233-k77005737370057705570-e63003646630063306460");
  EXPECT_EQ(space.serialize(*space.deserialize(space.serialize(*genome))), space.serialize(*genome));
  EXPECT_EQ(space.genome_columns().size(), 46u);
  EXPECT_EQ(space.genome_columns()[6], "ks1");
  EXPECT_EQ(space.genome_columns()[26], "e1");
}

TEST(OfaSpace, SamplesAreValidRoundTripAndCoverEveryChoice) {
  const OfaSpace space{OfaConfig{}};
  Rng rng(3);
  std::set<int> resolutions, depths, kernels, expands;
  for (int i = 0; i < 2000; ++i) {
    const GenomePtr genome = space.sample(rng);
    const OfaGenome& g = space.cast(*genome);
    const std::string text = space.serialize(g);
    ASSERT_EQ(space.serialize(*space.deserialize(text)), text);
    resolutions.insert(g.resolution);
    for (int b = 0; b < kBlocks; ++b) {
      EXPECT_EQ(g.active(b), g.kernel[size_t(b)] != 0) << text;
      if (g.active(b)) kernels.insert(g.kernel[size_t(b)]), expands.insert(g.expand[size_t(b)]);
    }
    for (int d : g.depth) depths.insert(d);
  }
  EXPECT_EQ(resolutions.size(), 17u);
  EXPECT_EQ(depths, (std::set<int>{2, 3, 4}));
  EXPECT_EQ(kernels, (std::set<int>{3, 5, 7}));
  EXPECT_EQ(expands, (std::set<int>{3, 4, 6}));
}

TEST(OfaSpace, SamplingIsUniformOverEachGene) {
  // 6000 draws of a 3-way gene: each count ~ 2000 +- 37 (sd); 5 sd bounds.
  const OfaSpace space{OfaConfig{}};
  Rng rng(11);
  std::map<int, int> depth_counts, kernel_counts;
  for (int i = 0; i < 6000; ++i) {
    const OfaGenome& g = space.cast(*space.sample(rng));
    ++depth_counts[g.depth[2]];
    ++kernel_counts[g.kernel[0]];  // slot 1 is always active
  }
  for (const auto& counts : {depth_counts, kernel_counts})
    for (const auto& [value, count] : counts) EXPECT_NEAR(count, 2000, 185) << value;
}

TEST(OfaSpace, MutationChangesExactlyOneGeneAndKeepsSlotsConsistent) {
  const OfaSpace space{OfaConfig{}};
  Rng rng(5);
  for (int i = 0; i < 500; ++i) {
    const GenomePtr parent = space.sample(rng);
    const GenomePtr child = space.default_mutator()->mutate(space, *parent, rng);
    const OfaGenome& p = space.cast(*parent);
    const OfaGenome& c = space.cast(*child);
    ASSERT_FALSE(p == c);
    int changed = (p.resolution != c.resolution);
    for (size_t s = 0; s < kStages; ++s) changed += p.depth[s] != c.depth[s];
    if (changed == 0) {  // one active slot's kernel or expand ratio changed
      int slots = 0;
      for (size_t b = 0; b < kBlocks; ++b) slots += (p.kernel[b] != c.kernel[b]) + (p.expand[b] != c.expand[b]);
      EXPECT_EQ(slots, 1);
    } else {
      EXPECT_EQ(changed, 1);
    }
    for (int b = 0; b < kBlocks; ++b) EXPECT_EQ(c.active(b), c.kernel[size_t(b)] != 0);
    EXPECT_NO_THROW(space.deserialize(space.serialize(c)));
  }
}

TEST(OfaSpace, CrossoverTakesEveryGeneFromAParentWhereItIsActive) {
  const OfaSpace space{OfaConfig{}};
  Rng rng(7);
  for (int i = 0; i < 300; ++i) {
    const GenomePtr a = space.sample(rng), b = space.sample(rng);
    const auto [x, y] = space.crossover(*a, *b, rng);
    const OfaGenome &pa = space.cast(*a), &pb = space.cast(*b);
    for (const GenomePtr& child : {x, y}) {
      const OfaGenome& c = space.cast(*child);
      EXPECT_TRUE(c.resolution == pa.resolution || c.resolution == pb.resolution);
      for (size_t s = 0; s < kStages; ++s) EXPECT_TRUE(c.depth[s] == pa.depth[s] || c.depth[s] == pb.depth[s]);
      for (size_t k = 0; k < kBlocks; ++k) {
        if (!c.active(int(k))) continue;
        const bool from_a = pa.active(int(k)) && c.kernel[k] == pa.kernel[k];
        const bool from_b = pb.active(int(k)) && c.kernel[k] == pb.kernel[k];
        EXPECT_TRUE(from_a || from_b);
      }
      EXPECT_NO_THROW(space.deserialize(space.serialize(c)));
    }
  }
  EXPECT_EQ(space.neighbours(*space.sample(rng), rng, 10).size(), 10u);
}

TEST(OfaSpace, OneHotEncodingMatchesNasPerformanceEstimation) {
  OfaConfig config;
  config.encoding = Encoding::kOfaOneHot;
  const OfaSpace space{config};
  const OfaGenome& g = space.cast(*space.from_columns(kFirstRow));
  const std::vector<double> code = space.encode(g);
  ASSERT_EQ(code.size(), 128u);
  // Kernels then expand ratios: two active slots of stage 1, 4 of stage 2, ...
  EXPECT_EQ(std::accumulate(code.begin(), code.begin() + 60, 0.0), 14);
  EXPECT_EQ(std::accumulate(code.begin() + 60, code.begin() + 120, 0.0), 14);
  EXPECT_EQ(code[0 * 3 + 2], 1);       // ks1 = 7
  EXPECT_EQ(code[2 * 3 + 0], 0);       // slot 3 skipped: all zero
  EXPECT_EQ(code[60 + 0 * 3 + 2], 1);  // e1 = 6
  EXPECT_EQ(code[60 + 1 * 3 + 0], 1);  // e2 = 3
  EXPECT_EQ(code[120 + (208 - 112) / 16], 1);
  // 16-pixel bins: 160 and 172 share the code, 176 does not.
  auto at = [&](int r) {
    OfaGenome copy = g;
    copy.resolution = r;
    return ofa_one_hot(copy);
  };
  EXPECT_EQ(at(160), at(172));
  EXPECT_NE(at(172), at(176));
  const OfaSpace genes_space{OfaConfig{}};
  EXPECT_EQ(genes_space.encode(g).size(), 46u);
}

TEST(OfaSpace, LayersMatchOfaTableKeys) {
  const OfaSpace space{OfaConfig{}};
  const GenomePtr genome = space.from_columns(kFirstRow);
  const std::vector<Kernel> kernels = space.kernels(*genome);
  // stem, first block, 14 blocks, final expand, pool, mix, classifier
  ASSERT_EQ(kernels.size(), 20u);
  EXPECT_EQ(kernels[0].key, "Conv-input:208x208x3-output:104x104x24@r208");
  EXPECT_EQ(kernels[1].key,
            "expanded_conv-input:104x104x24-output:104x104x24-expand:24-kernel:3-stride:1-idskip:1-se:0-hs:0@r208");
  EXPECT_EQ(kernels[2].key,
            "expanded_conv-input:104x104x24-output:52x52x32-expand:144-kernel:7-stride:2-idskip:0-se:0-hs:0@r208");
  EXPECT_EQ(kernels[4].key,
            "expanded_conv-input:52x52x32-output:26x26x48-expand:96-kernel:5-stride:2-idskip:0-se:1-hs:0@r208");
  EXPECT_EQ(kernels[16].key, "Conv_1-input:7x7x192-output:7x7x1152@r208");
  EXPECT_EQ(kernels[17].key, "AvgPool2D-input:7x7x1152-output:1x1x1152@r208");
  EXPECT_EQ(kernels[18].key, "Conv_2-input:1x1x1152-output:1x1x1536@r208");
  EXPECT_EQ(kernels[19].key, "Logits-input:1x1x1536-output:1000@r208");
  OfaConfig batched;
  batched.batch = 8;
  EXPECT_EQ(OfaSpace{batched}.kernels(*genome)[0].key, "Conv-input:208x208x3-output:104x104x24-batch:8@r208");
}

TEST(OfaSpace, LiveSubNetworkHasTheCountedParametersAndRuns) {
  OfaConfig config;
  config.min_resolution = config.max_resolution = 160;
  config.batch = 2;
  const OfaSpace space{config};
  Rng rng(2);
  const GenomePtr genome = space.sample(rng);
  GenomeModel model = space.model(*genome);
  int64_t parameters = 0;
  for (const auto& p : model.module->parameters()) parameters += p.numel();
  EXPECT_EQ(double(parameters), space.query(*genome, MetricKey{Metric::kParameters, ""}));
  torch::NoGradGuard no_grad;
  const torch::Tensor out = model.module->forward(torch::randn(model.input));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 1000}));
  EXPECT_NO_THROW(space.workload(*genome)->run());
  for (const Kernel& kernel : space.kernels(*genome)) EXPECT_NO_THROW(space.kernel_workload(kernel)->run());
}

TEST(OfaSpace, CompiledAdditiveLatencyEqualsTheSumOverKernels) {
  const OfaSpace space{OfaConfig{}};
  // A distinct latency for every distinct key.
  auto kernel_ms = [](const Kernel& kernel) { return double(stable_hash(kernel.key) % 100000) * 1e-5; };
  const OfaAdditiveLatency compiled(space, kernel_ms, 0.25);
  Rng rng(9);
  for (int i = 0; i < 1000; ++i) {
    const GenomePtr genome = space.sample(rng);
    double sum = 0.25;
    for (const Kernel& kernel : space.kernels(*genome)) sum += kernel_ms(kernel);
    ASSERT_NEAR(compiled.predict_ms(space.cast(*genome)), sum, 1e-12) << space.serialize(*genome);
  }
  OfaGenome outside = space.cast(*space.sample(rng));
  outside.resolution = 228;
  EXPECT_THROW(compiled.predict_ms(outside), Error);
}

TEST(OfaSpace, GenesOutsideTheSpaceNameTheirColumn) {
  const OfaSpace space{OfaConfig{}};
  std::vector<double> row = kFirstRow;
  row[3] = 5;  // d3
  EXPECT_NE(message_of([&] { space.from_columns(row); }).find("column d3 (4): 5 is outside the space; valid: 2, 3, 4"),
            std::string::npos);
  row = kFirstRow;
  row[6 + 4] = 4;  // ks5
  EXPECT_NE(message_of([&] { space.from_columns(row); }).find("column ks5 (11): 4 is outside"), std::string::npos);
  row = kFirstRow;
  row[0] = 162;
  EXPECT_NE(message_of([&] { space.from_columns(row); }).find("160..224 in steps of 4"), std::string::npos);
  row = kFirstRow;
  row[30] = 3.5;
  EXPECT_NE(message_of([&] { space.from_columns(row); }).find("column e5 (31): 3.5 is not an integer"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              space.deserialize("r208-d25233-k77005737370057705570-e63003646630063306460");
            }).find("depth of stage 2 is 5"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              space.deserialize("r208-d24233-k77305737370057705570-e63003646630063306460");
            }).find("kernel of block 3 is 3; valid: 0"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              space.deserialize("r208-d24233-k7700573737005770557-e63003646630063306460");
            }).find("expected 20 digits after 'k'"),
            std::string::npos);
  EXPECT_NE(message_of([&] { space.deserialize("rx-d24233"); }).find("resolution 'x' is not a number"),
            std::string::npos);
}

}  // namespace
}  // namespace gos::ofa
