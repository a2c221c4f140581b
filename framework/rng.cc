#include "framework/rng.h"

#include <cmath>
#include <numbers>

namespace gos {

uint64_t stable_hash(std::string_view text, uint64_t basis) {
  uint64_t hash = basis;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

Rng Rng::fork(std::string_view stream) const {
  // splitmix64 finaliser over (seed, stream) so nearby seeds give unrelated streams.
  uint64_t z = stable_hash(stream, seed_ ^ 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return Rng(z);
}

int64_t Rng::uniform_int(int64_t lo, int64_t hi) {
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0) return static_cast<int64_t>(engine_());  // full 64-bit range
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t draw;
  do draw = engine_();
  while (draw >= limit);
  return lo + static_cast<int64_t>(draw % span);
}

double Rng::normal() {
  double u1 = uniform01();
  while (u1 <= 0.0) u1 = uniform01();
  const double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace gos
