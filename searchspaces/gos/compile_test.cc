#include "searchspaces/gos/compile.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/script.h>
#include <unistd.h>

#include <filesystem>
#include <tuple>

#include "searchspaces/gos/runtime.h"
#include "searchspaces/gos/seeds.h"
#include "searchspaces/gos/variation.h"
#include "torchlib/export.h"
#include "torchlib/quantization.h"

namespace gos::graph {
namespace {

void randomize(torch::nn::BatchNorm2d bn) {
  torch::NoGradGuard no_grad;
  bn->weight.uniform_(0.5, 1.5);
  bn->bias.uniform_(-0.5, 0.5);
}

void copy_bn(torch::nn::BatchNorm2d from, torch::nn::BatchNorm2d to) {
  torch::NoGradGuard no_grad;
  to->weight.copy_(from->weight);
  to->bias.copy_(from->bias);
}

TEST(Compile, ConvSeedComputesWhatTheLibTorchModulesCompute) {
  const GraphSpec spec{{8, 10, 10}, {16, 5, 5}, 24};  // stride 2
  GraphModule module(make_seed("conv3x3_bn_relu", spec));
  torch::manual_seed(1);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(8, 16, 3).stride(2).padding(1).bias(false));
  torch::nn::BatchNorm2d bn(16);
  randomize(bn);
  {
    torch::NoGradGuard no_grad;
    module.conv(1)->weight.copy_(conv->weight);
  }
  copy_bn(bn, module.batch_norm(2));
  const torch::Tensor x = torch::randn({4, 8, 10, 10});
  // Training mode (batch statistics, running averages updated), then inference.
  EXPECT_TRUE(torch::allclose(module.forward(x), torch::relu(bn(conv(x))), 1e-5, 1e-5));
  module.eval();
  bn->eval();
  EXPECT_TRUE(torch::allclose(module.forward(x), torch::relu(bn(conv(x))), 1e-5, 1e-5));
}

TEST(Compile, ANonSquareConvolutionComputesWhatTheLibTorchModuleComputes) {
  const GraphSpec spec{{8, 9, 9}, {16, 9, 9}, 4};
  for (const auto& [text, height, width] :
       {std::tuple{"in:8x9x9;n1=conv[k=1,co=16,g=1,d=1,s=1,kw=7](n0);out:n1", 1, 7},
        std::tuple{"in:8x9x9;n1=conv[k=7,co=16,g=2,d=1,s=1,kw=3](n0);out:n1", 7, 3}}) {
    GraphModule module(parse(text, spec));
    const int groups = std::string_view(text).find("g=2") != std::string_view::npos ? 2 : 1;
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(8, 16, {height, width})
                               .padding({(height - 1) / 2, (width - 1) / 2})
                               .groups(groups)
                               .bias(false));
    ASSERT_TRUE(module.conv(1)->weight.sizes().equals(conv->weight.sizes())) << text;
    {
      torch::NoGradGuard no_grad;
      module.conv(1)->weight.copy_(conv->weight);
    }
    const torch::Tensor x = torch::randn({2, 8, 9, 9});
    EXPECT_TRUE(torch::allclose(module.forward(x), conv(x), 1e-5, 1e-5)) << text;
    int64_t parameters = 0;
    for (const auto& parameter : module.parameters()) parameters += parameter.numel();
    EXPECT_EQ(parameters, count_params(module.graph())) << text;
  }
}

TEST(Compile, BiasNodeAfterAConvolutionComputesAConvolutionWithBias) {
  const Graph graph = parse("in:8x6x6;n1=conv[k=3,co=4,g=1,d=1,s=2](n0);n2=bias(n1);out:n2", {{8, 6, 6}, {4, 3, 3}, 4});
  GraphModule module(graph);
  torch::manual_seed(3);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(8, 4, 3).stride(2).padding(1).bias(true));
  ASSERT_EQ(module.bias(2).sizes(), (std::vector<int64_t>{4, 1, 1}));
  EXPECT_FALSE(module.bias(1).defined());
  {
    torch::NoGradGuard no_grad;
    module.conv(1)->weight.copy_(conv->weight);
    module.bias(2).copy_(conv->bias.view({4, 1, 1}));
  }
  const torch::Tensor x = torch::randn({2, 8, 6, 6});
  EXPECT_TRUE(torch::allclose(module.forward(x), conv(x), 1e-5, 1e-5));
  int64_t parameters = 0;
  for (const auto& parameter : module.parameters()) parameters += parameter.numel();
  EXPECT_EQ(parameters, count_params(graph));
}

TEST(Compile, DepthwiseSeparableSeedComputesWhatTheLibTorchModulesCompute) {
  const GraphSpec spec{{8, 6, 6}, {16, 6, 6}, 24};
  GraphModule module(make_seed("depthwise_separable", spec));
  torch::manual_seed(2);
  torch::nn::Conv2d dw(torch::nn::Conv2dOptions(8, 8, 3).padding(1).groups(8).bias(false));
  torch::nn::Conv2d pw(torch::nn::Conv2dOptions(8, 16, 1).bias(false));
  torch::nn::BatchNorm2d bn1(8), bn2(16);
  randomize(bn1);
  randomize(bn2);
  {
    torch::NoGradGuard no_grad;
    module.conv(1)->weight.copy_(dw->weight);
    module.conv(4)->weight.copy_(pw->weight);
  }
  copy_bn(bn1, module.batch_norm(2));
  copy_bn(bn2, module.batch_norm(5));
  const torch::Tensor x = torch::randn({2, 8, 6, 6});
  EXPECT_TRUE(torch::allclose(module.forward(x), torch::relu(bn2(pw(torch::relu(bn1(dw(x)))))), 1e-5, 1e-5));
}

// Naive references for the data-movement instructions, element by element.
TEST(Compile, ShiftAndShuffleMatchNaiveReferences) {
  const GraphSpec spec{{8, 5, 4}, {8, 5, 4}, 4};
  const torch::Tensor x = torch::randn({2, 8, 5, 4});
  const auto a = x.accessor<float, 4>();
  const int dy[4] = {1, -1, 0, 0};  // output (y, x) reads input (y + dy, x + dx)
  const int dx[4] = {0, 0, 1, -1};
  for (int dir = 0; dir < 4; ++dir) {
    GraphModule module(parse(fmt::format("in:8x5x4;n1=shift[dir={}](n0);out:n1", dir), spec));
    const torch::Tensor y = module.forward(x);
    const auto b = y.accessor<float, 4>();
    for (int n = 0; n < 2; ++n)
      for (int c = 0; c < 8; ++c)
        for (int i = 0; i < 5; ++i)
          for (int j = 0; j < 4; ++j) {
            const int si = i + dy[dir], sj = j + dx[dir];
            const float expected = si >= 0 && si < 5 && sj >= 0 && sj < 4 ? a[n][c][si][sj] : 0.0f;
            ASSERT_EQ(b[n][c][i][j], expected) << "dir " << dir;
          }
  }
  GraphModule shuffle(parse("in:8x5x4;n1=shuffle[g=2](n0);out:n1", spec));
  const torch::Tensor y = shuffle.forward(x);
  // Channel c = g * (C / groups) + k moves to k * groups + g.
  for (int g = 0; g < 2; ++g)
    for (int k = 0; k < 4; ++k) EXPECT_TRUE(torch::equal(y.select(1, k * 2 + g), x.select(1, g * 4 + k)));
}

TEST(Compile, RandomGraphsRunForwardAndBackwardWithExactParameterCounts) {
  VariationConfig config;
  config.spec = {{8, 6, 6}, {8, 6, 6}, 12};
  config.allowed = all_instructions();
  config.channel_choices = default_channel_choices(config.spec);
  Rng rng(9);
  for (int draw = 0; draw < 60; ++draw) {
    const Graph graph = sample_graph(config, rng);
    GraphModule module(graph);
    int64_t parameters = 0;
    for (const auto& parameter : module.parameters()) parameters += parameter.numel();
    ASSERT_EQ(parameters, count_params(graph)) << serialize(graph);
    const torch::Tensor out = module.forward(torch::randn({2, 8, 6, 6}, torch::requires_grad()));
    ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 8, 6, 6})) << serialize(graph);
    out.square().mean().backward();
    for (const auto& parameter : module.parameters()) ASSERT_TRUE(parameter.grad().defined()) << serialize(graph);
  }
}

TEST(Compile, AQuantizedConvolutionComputesTheLsqQuantizedConvolution) {
  const GraphSpec spec{{8, 6, 6}, {16, 6, 6}, 8};
  const Graph graph = parse("in:8x6x6;n1=conv[k=3,co=16,g=1,d=1,s=1,b=4](n0);out:n1", spec);
  GraphModule module(graph);
  ASSERT_TRUE(module.quantizer(1));
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({2, 8, 6, 6});
  const torch::Tensor w = module.conv(1)->weight.detach().clone();
  const torch::Tensor y = module.forward(x);

  // The reference: LSQ's initial steps (2 mean|v| / sqrt(Qp)), signed 4-bit grids [-8, 7].
  const auto quantize = [](const torch::Tensor& v) {
    const double step = 2 * v.abs().mean().item<double>() / std::sqrt(7.0);
    return torch::clamp(torch::round(v / step), -8, 7) * step;
  };
  const torch::Tensor expected = torch::conv2d(quantize(x), quantize(w), {}, 1, 1);
  EXPECT_TRUE(torch::allclose(y, expected, 1e-4, 1e-5));
  EXPECT_LE(std::get<0>(at::_unique(module.quantizer(1)->quantized_weight(w))).numel(), 16);
  EXPECT_FALSE(torch::allclose(y, torch::conv2d(x, w, {}, 1, 1), 1e-2, 1e-2));

  // Trainable: the weight and both steps get gradients; the steps are the two parameters count_params leaves out.
  y.square().mean().backward();
  int64_t parameters = 0;
  for (const auto& parameter : module.parameters()) {
    parameters += parameter.numel();
    EXPECT_TRUE(parameter.grad().defined());
  }
  EXPECT_EQ(parameters, count_params(graph) + 2);
  const Graph full = parse("in:8x6x6;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1", spec);
  EXPECT_FALSE(GraphModule(full).quantizer(1));
  EXPECT_NE(functional_fingerprint(graph), functional_fingerprint(full));
}

TEST(Compile, ATraceAtBatchOneRunsAtAnyBatch) {
  // TorchScript records sizes read in C++ as constants: every reshape of a
  // graph must leave the batch free (shuffle, the quantized convolution).
  const GraphSpec spec{{8, 4, 4}, {8, 4, 4}, 8};
  GraphModule module(parse("in:8x4x4;n1=shuffle[g=2](n0);n2=conv[k=3,co=8,g=2,d=1,s=1,b=8](n1);out:n2", spec));
  module.eval();
  const auto path = std::filesystem::temp_directory_path() / fmt::format("gos_graph_trace_{}.pt", ::getpid());
  export_torchscript(module, {1, 8, 4, 4}, path.string());
  torch::jit::Module traced = torch::jit::load(path.string());
  std::filesystem::remove(path);
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({3, 8, 4, 4});
  EXPECT_TRUE(torch::allclose(traced.forward({x}).toTensor(), module.forward(x), 1e-5, 1e-6));
}

TEST(Fingerprint, EquivalentGraphsShareItAndDifferentOnesDoNot) {
  const GraphSpec spec{{16, 8, 8}, {16, 8, 8}, 16};
  const auto fingerprint = [&](std::string_view text) { return functional_fingerprint(parse(text, spec)); };
  EXPECT_EQ(fingerprint("in:16x8x8;n1=relu(n0);out:n1"), fingerprint("in:16x8x8;n1=relu(n0);n2=relu(n1);out:n2"));
  EXPECT_EQ(fingerprint("in:16x8x8;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);n2=bn(n1);out:n2"),
            fingerprint("in:16x8x8;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);n2=identity(n1);n3=bn(n2);out:n3"));
  EXPECT_EQ(fingerprint("in:16x8x8;n1=pconv[co=16](n0);n2=dwconv[k=3,d=1,s=1](n0);n3=add(n1,n2);out:n3"),
            fingerprint("in:16x8x8;n1=dwconv[k=3,d=1,s=1](n0);n2=pconv[co=16](n0);n3=add(n1,n2);out:n3"));
  EXPECT_NE(fingerprint("in:16x8x8;n1=relu(n0);out:n1"), fingerprint("in:16x8x8;n1=sigmoid(n0);out:n1"));
  EXPECT_NE(fingerprint("in:16x8x8;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1"),
            fingerprint("in:16x8x8;n1=conv[k=5,co=16,g=1,d=1,s=1](n0);out:n1"));
  EXPECT_NE(fingerprint("in:16x8x8;n1=shift[dir=0](n0);out:n1"), fingerprint("in:16x8x8;n1=shift[dir=1](n0);out:n1"));
}

TEST(Workload, RunsTheCompiledGraphAndCarriesItsKey) {
  const GraphSpec spec{{8, 6, 6}, {8, 6, 6}, 16};
  const Graph graph = make_seed("mbconv", spec);
  auto workload = make_graph_workload(graph, 3, serialize(graph));
  EXPECT_EQ(workload->key(), serialize(graph));
  workload->run();
  workload->run();
}

}  // namespace
}  // namespace gos::graph
