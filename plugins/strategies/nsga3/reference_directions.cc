#include "plugins/strategies/nsga3/reference_directions.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>

#include "framework/error.h"

namespace gos::nsga3 {

size_t direction_count(size_t objectives, size_t divisions) {
  if (objectives == 0) return 0;
  // C(p + M - 1, M - 1), built up as a product of exact binomials.
  size_t count = 1;
  for (size_t k = 1; k < objectives; ++k) {
    const size_t numerator = divisions + k;
    if (count > std::numeric_limits<size_t>::max() / numerator) return std::numeric_limits<size_t>::max();
    count = count * numerator / k;
  }
  return count;
}

namespace {

// Every composition of `left` into the coordinates from `position` on.
void compose(size_t position, size_t left, size_t divisions, std::vector<size_t>& point, std::vector<double>& out) {
  const size_t objectives = point.size();
  if (position + 1 == objectives) {
    point[position] = left;
    for (size_t value : point) out.push_back(static_cast<double>(value) / static_cast<double>(divisions));
    return;
  }
  for (size_t value = left + 1; value-- > 0;) {
    point[position] = value;
    compose(position + 1, left - value, divisions, point, out);
  }
}

}  // namespace

std::vector<double> das_dennis(size_t objectives, size_t divisions) {
  if (objectives < 1 || divisions < 1)
    throw Error(fmt::format("reference directions need at least 1 objective and 1 division, got {} and {}",
                            objectives, divisions));
  const size_t count = direction_count(objectives, divisions);
  if (count > 10'000'000)
    throw Error(fmt::format("{} objectives with {} divisions give {} reference directions; use fewer divisions",
                            objectives, divisions, count));
  std::vector<double> out;
  out.reserve(count * objectives);
  std::vector<size_t> point(objectives, 0);
  compose(0, divisions, divisions, point, out);
  return out;
}

size_t divisions_for(size_t objectives, size_t population) {
  if (objectives < 2) return 1;  // one objective has one direction whatever p
  size_t divisions = 1;
  while (direction_count(objectives, divisions + 1) <= population) ++divisions;
  return divisions;
}

}  // namespace gos::nsga3
