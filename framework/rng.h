#pragma once
// A seeded random source whose draws are defined by this file alone, so that a
// seed gives the same run with any standard library (std::*_distribution
// output is implementation-defined, which would break golden results).
#include <cstdint>
#include <random>
#include <span>
#include <string_view>

namespace gos {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed), seed_(seed) {}

  // Derives an independent stream for a named component, so that adding a
  // draw in one component never shifts the draws of another.
  Rng fork(std::string_view stream) const;

  uint64_t next_u64() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Uniform integer in [lo, hi] (both inclusive), without modulo bias.
  int64_t uniform_int(int64_t lo, int64_t hi);
  bool bernoulli(double p) { return uniform01() < p; }
  // Standard normal (Box-Muller; one value per call for simplicity).
  double normal();
  // Index in [0, size) — size must be > 0.
  size_t index(size_t size) { return static_cast<size_t>(uniform_int(0, static_cast<int64_t>(size) - 1)); }

  template <typename T>
  void shuffle(std::span<T> items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[index(i)]);
  }

  uint64_t seed() const { return seed_; }

 private:
  std::mt19937_64 engine_;
  uint64_t seed_ = 0;
};

// A stable 64-bit hash (FNV-1a) for names and canonical strings; std::hash is
// not stable across implementations.
uint64_t stable_hash(std::string_view text, uint64_t basis = 0xcbf29ce484222325ULL);

}  // namespace gos
