#include "searchspaces/testproblems/test_problems.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

namespace gos::testproblems {
namespace {

const char* problem_name(Problem problem) {
  switch (problem) {
    case Problem::kZdt1: return "zdt1";
    case Problem::kZdt2: return "zdt2";
    case Problem::kZdt3: return "zdt3";
    case Problem::kDtlz2: return "dtlz2";
  }
  return "?";
}

// The five disconnected pieces of ZDT3's front, as intervals of f1.
constexpr double kZdt3Regions[5][2] = {{0.0, 0.0830015349},
                                       {0.1822287280, 0.2577623634},
                                       {0.4093136748, 0.4538821041},
                                       {0.6183967944, 0.6525117038},
                                       {0.8233317983, 0.8518328654}};

}  // namespace

std::vector<double> evaluate(Problem problem, const std::vector<double>& x, size_t objectives) {
  const size_t n = x.size();
  if (problem == Problem::kDtlz2) {
    const size_t m = objectives;
    double g = 0;
    for (size_t i = m - 1; i < n; ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
    std::vector<double> f(m, 1.0 + g);
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j + 1 < m - i; ++j) f[i] *= std::cos(x[j] * std::numbers::pi / 2);
      if (i > 0) f[i] *= std::sin(x[m - i - 1] * std::numbers::pi / 2);
    }
    return f;
  }
  const double f1 = x[0];
  double sum = 0;
  for (size_t i = 1; i < n; ++i) sum += x[i];
  const double g = 1.0 + 9.0 * sum / static_cast<double>(n - 1);
  const double ratio = f1 / g;
  double h = 0;
  switch (problem) {
    case Problem::kZdt1: h = 1.0 - std::sqrt(ratio); break;
    case Problem::kZdt2: h = 1.0 - ratio * ratio; break;
    case Problem::kZdt3: h = 1.0 - std::sqrt(ratio) - ratio * std::sin(10.0 * std::numbers::pi * f1); break;
    case Problem::kDtlz2: break;
  }
  return {f1, g * h};
}

TestProblemSpace::TestProblemSpace(TestProblemConfig config) : config_(config) {
  if (config_.problem == Problem::kDtlz2) {
    if (config_.objectives < 2) throw Error("dtlz2 needs at least 2 objectives");
    if (config_.dimensions < config_.objectives)
      throw Error(fmt::format("dtlz2 with {} objectives needs at least {} dimensions", config_.objectives,
                              config_.objectives));
  } else {
    if (config_.objectives != 2) throw Error(fmt::format("{} has exactly 2 objectives", problem_name(config_.problem)));
    if (config_.dimensions < 2) throw Error(fmt::format("{} needs at least 2 dimensions", problem_name(config_.problem)));
  }
  mutator_ = std::make_shared<PolynomialMutation>(config_.mutation_eta, config_.mutation_probability);
}

const RealVector& TestProblemSpace::cast(const Genome& genome) const {
  const auto* vector = dynamic_cast<const RealVector*>(&genome);
  if (!vector || vector->values.size() != config_.dimensions)
    throw std::invalid_argument("genome does not belong to this test problem");
  return *vector;
}

GenomePtr TestProblemSpace::sample(Rng& rng) const {
  std::vector<double> x(config_.dimensions);
  for (double& v : x) v = rng.uniform01();
  return std::make_shared<RealVector>(std::move(x));
}

std::pair<GenomePtr, GenomePtr> TestProblemSpace::crossover(const Genome& a, const Genome& b, Rng& rng) const {
  // Simulated binary crossover (Deb & Agrawal 1995), bounded to [0, 1]; each
  // variable crosses with probability 0.5, as in pymoo and DEAP.
  std::vector<double> c1 = cast(a).values, c2 = cast(b).values;
  const double eta = config_.crossover_eta;
  for (size_t i = 0; i < c1.size(); ++i) {
    if (!rng.bernoulli(0.5) || std::fabs(c1[i] - c2[i]) < 1e-14) continue;
    const double y1 = std::min(c1[i], c2[i]), y2 = std::max(c1[i], c2[i]);
    const double u = rng.uniform01();
    auto child = [&](double beta_bound_term) {
      const double alpha = 2.0 - std::pow(beta_bound_term, -(eta + 1.0));
      return u <= 1.0 / alpha ? std::pow(u * alpha, 1.0 / (eta + 1.0))
                              : std::pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
    };
    const double beta_q1 = child(1.0 + 2.0 * y1 / (y2 - y1));
    const double beta_q2 = child(1.0 + 2.0 * (1.0 - y2) / (y2 - y1));
    double v1 = std::clamp(0.5 * ((y1 + y2) - beta_q1 * (y2 - y1)), 0.0, 1.0);
    double v2 = std::clamp(0.5 * ((y1 + y2) + beta_q2 * (y2 - y1)), 0.0, 1.0);
    if (rng.bernoulli(0.5)) std::swap(v1, v2);
    c1[i] = v1;
    c2[i] = v2;
  }
  return {std::make_shared<RealVector>(std::move(c1)), std::make_shared<RealVector>(std::move(c2))};
}

GenomePtr PolynomialMutation::mutate(const SearchSpace&, const Genome& parent, Rng& rng) const {
  const auto* vector = dynamic_cast<const RealVector*>(&parent);
  if (!vector) throw std::invalid_argument("polynomial mutation needs a real-vector genome");
  std::vector<double> x = vector->values;
  const double p = probability_ < 0 ? 1.0 / static_cast<double>(x.size()) : probability_;
  for (double& v : x) {
    if (!rng.bernoulli(p)) continue;
    const double u = rng.uniform01();
    const double power = 1.0 / (eta_ + 1.0);
    double delta;
    if (u < 0.5) {
      const double value = 2.0 * u + (1.0 - 2.0 * u) * std::pow(1.0 - v, eta_ + 1.0);
      delta = std::pow(value, power) - 1.0;
    } else {
      const double value = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * std::pow(v, eta_ + 1.0);
      delta = 1.0 - std::pow(value, power);
    }
    v = std::clamp(v + delta, 0.0, 1.0);
  }
  return std::make_shared<RealVector>(std::move(x));
}

std::vector<double> TestProblemSpace::encode(const Genome& genome) const { return cast(genome).values; }

std::string TestProblemSpace::serialize(const Genome& genome) const {
  std::string text;
  for (double v : cast(genome).values) {
    if (!text.empty()) text += ',';
    text += fmt::format("{:.17g}", v);
  }
  return text;
}

GenomePtr TestProblemSpace::deserialize(std::string_view text) const {
  std::vector<double> x;
  size_t position = 0;
  while (position <= text.size()) {
    const size_t comma = std::min(text.find(',', position), text.size());
    const std::string_view field = text.substr(position, comma - position);
    double value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size())
      throw Error(fmt::format("genome value {} ('{}') is not a number", x.size(), field));
    if (!(value >= 0.0 && value <= 1.0))
      throw Error(fmt::format("genome value {} = {} is outside [0, 1]", x.size(), value));
    x.push_back(value);
    position = comma + 1;
  }
  if (x.size() != config_.dimensions)
    throw Error(fmt::format("genome has {} values; {} with {} dimensions needs {}", x.size(),
                            problem_name(config_.problem), config_.dimensions, config_.dimensions));
  return std::make_shared<RealVector>(std::move(x));
}

std::string TestProblemSpace::describe() const {
  return fmt::format("{}: real vectors in [0, 1]^{}, {} objectives (metrics function(f1..f{})), known Pareto front",
                     problem_name(config_.problem), config_.dimensions, config_.objectives, config_.objectives);
}

std::vector<MetricKey> TestProblemSpace::metrics() const {
  std::vector<MetricKey> keys;
  for (size_t i = 0; i < config_.objectives; ++i) keys.push_back({Metric::kFunctionValue, fmt::format("f{}", i + 1)});
  return keys;
}

double TestProblemSpace::query(const Genome& genome, const MetricKey& key) const {
  const auto keys = metrics();
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return evaluate(config_.problem, cast(genome).values, config_.objectives)[i];
  return SearchSpace::query(genome, key);
}

std::vector<std::vector<double>> TestProblemSpace::known_front(size_t points) const {
  std::vector<std::vector<double>> front;
  if (points < 2) points = 2;
  switch (config_.problem) {
    case Problem::kZdt1:
    case Problem::kZdt2:
      for (size_t i = 0; i < points; ++i) {
        const double f1 = static_cast<double>(i) / static_cast<double>(points - 1);
        front.push_back({f1, config_.problem == Problem::kZdt1 ? 1.0 - std::sqrt(f1) : 1.0 - f1 * f1});
      }
      break;
    case Problem::kZdt3: {
      double total = 0;
      for (const auto& region : kZdt3Regions) total += region[1] - region[0];
      for (const auto& region : kZdt3Regions) {
        const size_t share = std::max<size_t>(2, static_cast<size_t>(points * (region[1] - region[0]) / total));
        for (size_t i = 0; i < share; ++i) {
          const double f1 = region[0] + (region[1] - region[0]) * static_cast<double>(i) / static_cast<double>(share - 1);
          front.push_back({f1, 1.0 - std::sqrt(f1) - f1 * std::sin(10.0 * std::numbers::pi * f1)});
        }
      }
      break;
    }
    case Problem::kDtlz2: {
      // Points of the unit sphere's positive orthant: normalised uniform
      // grid directions (Das-Dennis style for 3 objectives, random otherwise).
      const size_t m = config_.objectives;
      Rng rng(12345);
      if (m == 3) {
        const size_t divisions = static_cast<size_t>(std::ceil(std::sqrt(2.0 * static_cast<double>(points))));
        for (size_t i = 0; i <= divisions; ++i)
          for (size_t j = 0; i + j <= divisions; ++j) {
            const double a = static_cast<double>(i), b = static_cast<double>(j),
                         c = static_cast<double>(divisions - i - j);
            const double norm = std::sqrt(a * a + b * b + c * c);
            front.push_back({a / norm, b / norm, c / norm});
          }
      } else {
        for (size_t i = 0; i < points; ++i) {
          std::vector<double> p(m);
          double norm = 0;
          for (double& v : p) {
            v = std::fabs(rng.normal());
            norm += v * v;
          }
          for (double& v : p) v /= std::sqrt(norm);
          front.push_back(std::move(p));
        }
      }
      break;
    }
  }
  return front;
}

}  // namespace gos::testproblems
