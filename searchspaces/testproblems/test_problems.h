#pragma once
// Continuous multi-objective test problems with known Pareto fronts (ZDT1-3,
// DTLZ2). A genome is a real vector in [0, 1]^n; the canonical string is the
// comma-separated values printed with 17 significant digits, which round-trips
// doubles exactly.
#include <memory>
#include <string>
#include <vector>

#include "framework/search_space.h"

namespace gos::testproblems {

enum class Problem { kZdt1, kZdt2, kZdt3, kDtlz2 };

struct RealVector : Genome {
  explicit RealVector(std::vector<double> x) : values(std::move(x)) {}
  std::vector<double> values;
};

// The objective values of a problem at x (all objectives, minimisation).
std::vector<double> evaluate(Problem problem, const std::vector<double>& x, size_t objectives);

struct TestProblemConfig {
  Problem problem = Problem::kZdt1;
  size_t dimensions = 30;
  size_t objectives = 2;               // DTLZ2 only; ZDT problems have 2
  double mutation_eta = 20;            // polynomial mutation distribution index
  double mutation_probability = -1;    // per variable; < 0 means 1/dimensions
  double crossover_eta = 15;           // simulated binary crossover distribution index
};

class TestProblemSpace : public SearchSpace {
 public:
  // Throws gos::Error for dimensions/objectives the problem does not allow.
  explicit TestProblemSpace(TestProblemConfig config);

  GenomePtr sample(Rng& rng) const override;
  std::shared_ptr<const Mutator> default_mutator() const override { return mutator_; }
  bool supports_crossover() const override { return true; }
  std::pair<GenomePtr, GenomePtr> crossover(const Genome& a, const Genome& b, Rng& rng) const override;
  std::vector<double> encode(const Genome& genome) const override;
  std::string serialize(const Genome& genome) const override;
  GenomePtr deserialize(std::string_view text) const override;
  std::string describe() const override;
  std::vector<MetricKey> metrics() const override;
  double query(const Genome& genome, const MetricKey& key) const override;
  std::vector<std::vector<double>> known_front(size_t points) const override;

  const TestProblemConfig& config() const { return config_; }

 private:
  const RealVector& cast(const Genome& genome) const;
  TestProblemConfig config_;
  std::shared_ptr<const Mutator> mutator_;
};

// Deb's polynomial mutation on [0, 1] variables.
class PolynomialMutation : public Mutator {
 public:
  PolynomialMutation(double eta, double probability) : eta_(eta), probability_(probability) {}
  GenomePtr mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const override;

 private:
  double eta_;
  double probability_;  // < 0: 1 / dimensions
};

}  // namespace gos::testproblems
