#include "torchlib/proxies.h"

#include <gtest/gtest.h>

#include <cmath>

#include "framework/error.h"

namespace gos {
namespace {

// fc1 (2 -> 2) -> ReLU -> fc2 (2 -> 2) with hand-set weights:
//   W1 = [[1, -1], [2, 1]], b1 = [0, -1], W2 = [[1, -2], [0, 1]], b2 = [0.5, 0].
class TinyNet : public SlottedModel {
 public:
  TinyNet() : SlottedModel({1, 2}) {
    fc1_ = &add_slot(*this, "", "fc1", make_linear(2, 2));
    relu_ = &add_slot(*this, "", "relu", make_activation("relu"));
    fc2_ = &add_slot(*this, "", "fc2", make_linear(2, 2));
    torch::NoGradGuard no_grad;
    auto p = named_parameters();
    p["fc1.weight"].copy_(torch::tensor({{1.0f, -1.0f}, {2.0f, 1.0f}}));
    p["fc1.bias"].copy_(torch::tensor({0.0f, -1.0f}));
    p["fc2.weight"].copy_(torch::tensor({{1.0f, -2.0f}, {0.0f, 1.0f}}));
    p["fc2.bias"].copy_(torch::tensor({0.5f, 0.0f}));
  }
  torch::Tensor forward(torch::Tensor x) override { return (*fc2_)((*relu_)((*fc1_)(x))); }

 private:
  Slot *fc1_, *relu_, *fc2_;
};

TEST(Proxies, ParameterAndFlopCounts) {
  TinyNet net;
  EXPECT_EQ(parameter_count(net), 12);
  // fc1: 2 outputs x (2 multiply-adds + bias) = 10; ReLU: 2; fc2: 10.
  EXPECT_DOUBLE_EQ(flop_count(net, {1, 2}), 22);
  EXPECT_DOUBLE_EQ(flop_count(net, {3, 2}), 66);
}

TEST(Proxies, NaswotMatchesTheHandComputedKernel) {
  TinyNet net;
  // Pre-activations: (1,0) -> [1, 1]; (0,1) -> [-1, 0]; (1,1) -> [0, 2].
  // Codes 11, 00, 01; K = [[2,0,1],[0,2,1],[1,1,2]], det K = 4.
  const torch::Tensor batch = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 1.0f}});
  EXPECT_NEAR(naswot_score(net, batch), std::log(4.0), 1e-9);
}

TEST(Proxies, SynflowMatchesTheHandComputedSum) {
  TinyNet net;
  // |W|, ones input: h = [2, 4], outputs [10.5, 4]. dR/dW2 = [[2,4],[2,4]],
  // dR/db2 = 1, dR/dh = [1, 3]: 14 + 0.5 + 11 + 3 = 28.5.
  EXPECT_NEAR(synflow_score(net, {1, 2}), 28.5, 1e-9);
  // The parameters are restored, signs included.
  EXPECT_FLOAT_EQ(net.named_parameters()["fc1.weight"][0][1].item<float>(), -1.0f);
  EXPECT_EQ(net.parameters().front().scalar_type(), torch::kFloat32);
}

TEST(Proxies, GradNormMatchesTheClosedForm) {
  TinyNet net;
  // x = (1, 0), label 0: h = [1, 1], logits [-0.5, 1], dL/dz = [-a, a] with
  // a = softmax(z)_1 = 1 / (1 + e^-1.5). Norms: dW2 2a, db2 sqrt2 a, dW1 and
  // db1 a sqrt(1 + 9) each (dL/dh = [-a, 3a]).
  const double a = 1 / (1 + std::exp(-1.5));
  const double expected = a * (2 + std::sqrt(2.0) + 2 * std::sqrt(10.0));
  EXPECT_NEAR(grad_norm_score(net, torch::tensor({{1.0f, 0.0f}}), torch::tensor({0}, torch::kLong)), expected, 1e-5);
}

TEST(Proxies, NaswotNeedsReluSlotsAndFlopsNeedOperators) {
  TinyNet net;
  net.replace("relu", make_activation("hardswish"));
  EXPECT_THROW(naswot_score(net, torch::ones({2, 2})), Error);
  struct Doubler : TorchModel {
    torch::Tensor forward(torch::Tensor x) override { return 2 * x; }
  };
  net.replace("relu", std::make_shared<Doubler>());
  try {
    flop_count(net, {1, 2});
    FAIL() << "a custom module's FLOPs were counted";
  } catch (const Unsupported& e) {
    EXPECT_NE(std::string(e.what()).find("'relu'"), std::string::npos) << e.what();
  }
}

TEST(Proxies, RunOnAZooModel) {
  ZooOptions narrow;
  narrow.width = 0.25;
  auto model = make_zoo_model("resnet18", narrow);
  torch::manual_seed(1);
  const torch::Tensor batch = torch::randn({8, 3, 32, 32});
  EXPECT_TRUE(std::isfinite(naswot_score(*model, batch)));
  EXPECT_GT(synflow_score(*model, {1, 3, 32, 32}), 0);
  EXPECT_GT(grad_norm_score(*model, batch, torch::randint(0, 10, {8}, torch::kLong)), 0);
}

}  // namespace
}  // namespace gos
