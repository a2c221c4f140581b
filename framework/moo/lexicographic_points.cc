#include "framework/moo/lexicographic_points.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "framework/error.h"

namespace gos::moo {

LexicographicPoints lexicographic_points(Points points, std::span<const size_t> members) {
  const size_t m = points.objectives;
  if (members.size() >= std::numeric_limits<uint32_t>::max())
    throw Error(fmt::format("many-objective ranking: {} points are more than it indexes", members.size()));
  std::vector<size_t> order(members.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto pa = points[members[a]], pb = points[members[b]];
    return std::lexicographical_compare(pa.begin(), pa.end(), pb.begin(), pb.end());
  });
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
