#include "searchspaces/testproblems/test_problems.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gos::testproblems {
namespace {

TestProblemSpace make(Problem problem, size_t dims, size_t objectives = 2) {
  TestProblemConfig config;
  config.problem = problem;
  config.dimensions = dims;
  config.objectives = objectives;
  return TestProblemSpace(config);
}

TEST(TestProblems, ZdtOptimaLieOnTheKnownFront) {
  // With x2..xn = 0 the distance function g is 1 and (f1, f2) is on the front.
  for (double x1 : {0.0, 0.1, 0.25, 0.5, 0.9, 1.0}) {
    std::vector<double> x(30, 0.0);
    x[0] = x1;
    EXPECT_DOUBLE_EQ(evaluate(Problem::kZdt1, x, 2)[1], 1.0 - std::sqrt(x1));
    EXPECT_DOUBLE_EQ(evaluate(Problem::kZdt2, x, 2)[1], 1.0 - x1 * x1);
    EXPECT_DOUBLE_EQ(evaluate(Problem::kZdt3, x, 2)[1], 1.0 - std::sqrt(x1) - x1 * std::sin(10 * M_PI * x1));
  }
}

TEST(TestProblems, ZdtDistanceFunctionMatchesHandComputation) {
  std::vector<double> x(3, 0.5);  // g = 1 + 9 * (0.5 + 0.5) / 2 = 5.5
  const auto f = evaluate(Problem::kZdt1, x, 2);
  EXPECT_DOUBLE_EQ(f[0], 0.5);
  EXPECT_DOUBLE_EQ(f[1], 5.5 * (1.0 - std::sqrt(0.5 / 5.5)));
}

TEST(TestProblems, Dtlz2OptimaLieOnTheUnitSphere) {
  Rng rng(3);
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<double> x(12, 0.5);
    x[0] = rng.uniform01();
    x[1] = rng.uniform01();
    const auto f = evaluate(Problem::kDtlz2, x, 3);
    EXPECT_NEAR(f[0] * f[0] + f[1] * f[1] + f[2] * f[2], 1.0, 1e-12);
  }
}

TEST(TestProblems, KnownFrontsSatisfyTheirEquations) {
  for (const auto& p : make(Problem::kZdt1, 30).known_front(101)) EXPECT_NEAR(p[1], 1 - std::sqrt(p[0]), 1e-12);
  for (const auto& p : make(Problem::kZdt3, 30).known_front(200)) EXPECT_LE(p[0], 0.852);
  for (const auto& p : make(Problem::kDtlz2, 12, 3).known_front(100)) {
    EXPECT_NEAR(p[0] * p[0] + p[1] * p[1] + p[2] * p[2], 1.0, 1e-12);
  }
}

TEST(TestProblems, SerializationRoundTripsExactly) {
  const auto space = make(Problem::kZdt1, 30);
  Rng rng(7);
  for (int i = 0; i < 500; ++i) {
    const GenomePtr genome = space.sample(rng);
    const std::string text = space.serialize(*genome);
    const GenomePtr back = space.deserialize(text);
    EXPECT_EQ(space.encode(*genome), space.encode(*back));
    EXPECT_EQ(space.serialize(*back), text);
  }
}

TEST(TestProblems, MalformedGenomesAreRejectedWithAReason) {
  const auto space = make(Problem::kZdt1, 3);
  EXPECT_THROW(space.deserialize(""), Error);
  EXPECT_THROW(space.deserialize("0.1,0.2"), Error);
  EXPECT_THROW(space.deserialize("0.1,0.2,0.3,0.4"), Error);
  EXPECT_THROW(space.deserialize("0.1,abc,0.3"), Error);
  EXPECT_THROW(space.deserialize("0.1,1.5,0.3"), Error);
  EXPECT_THROW(space.deserialize("0.1,nan,0.3"), Error);
  EXPECT_THROW(space.deserialize("0.1,,0.3"), Error);
  try {
    space.deserialize("0.1,2,0.3");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside [0, 1]"), std::string::npos);
  }
}

TEST(TestProblems, VariationOperatorsStayInBoundsAndChangeSomething) {
  const auto space = make(Problem::kZdt1, 30);
  Rng rng(11);
  int changed = 0;
  for (int i = 0; i < 1000; ++i) {
    const GenomePtr a = space.sample(rng), b = space.sample(rng);
    const GenomePtr m = space.default_mutator()->mutate(space, *a, rng);
    const auto [c1, c2] = space.crossover(*a, *b, rng);
    for (const GenomePtr& g : {m, c1, c2})
      for (double v : space.encode(*g)) {
        EXPECT_GE(v, 0.0);
        EXPECT_LE(v, 1.0);
      }
    changed += space.encode(*m) != space.encode(*a);
  }
  // Probability 1/30 per variable: P(no change) = (29/30)^30 ~ 0.36.
  EXPECT_GT(changed, 500);
  EXPECT_LT(changed, 800);
}

TEST(TestProblems, InvalidConfigurationsAreRejected) {
  EXPECT_THROW(make(Problem::kZdt1, 1), Error);
  EXPECT_THROW(make(Problem::kZdt1, 30, 3), Error);
  EXPECT_THROW(make(Problem::kDtlz2, 2, 3), Error);
}

TEST(TestProblems, QueryAnswersOfferedMetricsOnly) {
  const auto space = make(Problem::kZdt2, 5);
  Rng rng(1);
  const GenomePtr g = space.sample(rng);
  EXPECT_DOUBLE_EQ(space.query(*g, {Metric::kFunctionValue, "f1"}), space.encode(*g)[0]);
  EXPECT_THROW(space.query(*g, {Metric::kFunctionValue, "f3"}), Unsupported);
  EXPECT_THROW(space.query(*g, {Metric::kLatency, "raspi4"}), Unsupported);
}

}  // namespace
}  // namespace gos::testproblems
