#include "framework/moo/lexicographic_points.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "framework/error.h"
#include "framework/moo/value_order.h"

namespace gos::moo {

LexicographicPoints lexicographic_points(Points points, std::span<const size_t> members) {
  const size_t m = points.objectives;
  if (members.size() >= std::numeric_limits<uint32_t>::max())
    throw Error(fmt::format("many-objective ranking: {} points are more than it indexes", members.size()));
  // By the first objective (radix sort), then runs of equal first
  // objectives by the others.
  std::vector<double> first(members.size());
  for (size_t k = 0; k < members.size(); ++k) first[k] = points[members[k]][0];
  std::vector<uint32_t> order = stable_order(first);
  for (size_t s = 0; s < order.size();) {
    size_t e = s + 1;
    while (e < order.size() && first[order[e]] == first[order[s]]) ++e;
    std::sort(order.begin() + static_cast<std::ptrdiff_t>(s), order.begin() + static_cast<std::ptrdiff_t>(e),
              [&](uint32_t a, uint32_t b) {
                const auto pa = points[members[a]], pb = points[members[b]];
                return std::lexicographical_compare(pa.begin() + 1, pa.end(), pb.begin() + 1, pb.end());
              });
    s = e;
  }
  LexicographicPoints distinct;
  distinct.objectives = m;
  distinct.values.reserve(members.size() * m);
  distinct.of_member.resize(members.size());
  uint32_t count = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const auto p = points[members[order[k]]];
    if (k == 0 || !std::equal(p.begin(), p.end(), distinct.values.end() - static_cast<std::ptrdiff_t>(m))) {
      distinct.values.insert(distinct.values.end(), p.begin(), p.end());
      ++count;
    }
    distinct.of_member[order[k]] = count - 1;
  }
  return distinct;
}

std::vector<size_t> member_ranks(const LexicographicPoints& points, std::span<const int32_t> distinct_ranks) {
  std::vector<size_t> ranks(points.of_member.size());
  for (size_t i = 0; i < ranks.size(); ++i) ranks[i] = static_cast<size_t>(distinct_ranks[points.of_member[i]]);
  return ranks;
}

}  // namespace gos::moo
