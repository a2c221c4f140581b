#include "framework/moo/divide_and_conquer_sort.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "framework/error.h"

namespace gos::moo {
namespace {

// The points are numbered 0..n-1 in lexicographic order of their objective
// vectors, duplicates merged (lexicographic_points.h), so that a point can
// only be dominated by points with smaller numbers and "sorted" below means
// sorted by number.
//
// helper_a(S, k) ranks the points of S among themselves when they are equal
// in objectives k+1.. and every point outside S that dominates one of them
// has already raised its rank; so only objectives 0..k need comparing.
// helper_b(L, H, k) raises the ranks of H by the (final) ranks of L, when
// every member of L is no worse than every member of H in objectives k+1..
// and strictly better in one of them or at a lexicographically earlier
// position: then weak dominance in objectives 0..k is dominance.
class Ranker {
 public:
  explicit Ranker(const LexicographicPoints& points)
      : m_(points.objectives), values_(points.values), n_(points.size()) {
    rank_.assign(n_, 0);
    scratch_.resize(2 * n_);
    // Column copies: the splits read one objective of many points.
    columns_.resize(m_ * n_);
    for (size_t i = 0; i < n_; ++i)
      for (size_t j = 0; j < m_; ++j) columns_[j * n_ + i] = values_[i * m_ + j];
    medians_.resize(2 * kMedianSamples + 2);
    // Objective 1 compressed to 0..levels-1, for the Fenwick tree of the sweeps.
    std::vector<uint32_t> by_second(n_);
    std::iota(by_second.begin(), by_second.end(), 0u);
    std::sort(by_second.begin(), by_second.end(), [&](uint32_t a, uint32_t b) { return at(a, 1) < at(b, 1); });
    second_.resize(n_);
    uint32_t level = 0;
    for (size_t k = 0; k < n_; ++k) {
      if (k > 0 && at(by_second[k], 1) != at(by_second[k - 1], 1)) ++level;
      second_[by_second[k]] = level;
    }
    tree_.assign(static_cast<size_t>(level) + 1, -1);
  }

  std::vector<int32_t> run() {
    std::vector<uint32_t> all(n_);
    std::iota(all.begin(), all.end(), 0u);
    helper_a(all.data(), n_, m_ - 1);
    return std::move(rank_);
  }

 private:
  // Below these sizes, pairwise comparison beats recursion.
  static constexpr size_t kPairwiseA = 24;
  static constexpr size_t kPairwiseB = 1024;  // |L| * |H|
  static constexpr size_t kMedianSamples = 31;

  double at(uint32_t point, size_t objective) const { return columns_[objective * n_ + point]; }

  bool weakly_dominates(uint32_t a, uint32_t b, size_t k) const {
    const double* pa = &values_[a * m_];
    const double* pb = &values_[b * m_];
    for (size_t j = 0; j <= k; ++j)
      if (pa[j] > pb[j]) return false;
    return true;
  }

  void raise(uint32_t dominated, uint32_t by) { rank_[dominated] = std::max(rank_[dominated], rank_[by] + 1); }

  // Fenwick tree over compressed objective 1 holding the largest rank seen at
  // or below each level; reset by undoing the inserted points.
  int32_t prefix_max(uint32_t level) const {
    int32_t best = -1;
    for (size_t i = level + 1; i > 0; i -= i & (~i + 1)) best = std::max(best, tree_[i - 1]);
    return best;
  }
  void insert(uint32_t level, int32_t rank) {
    for (size_t i = level + 1; i <= tree_.size(); i += i & (~i + 1)) tree_[i - 1] = std::max(tree_[i - 1], rank);
  }
  void erase(uint32_t level) {
    for (size_t i = level + 1; i <= tree_.size(); i += i & (~i + 1)) tree_[i - 1] = -1;
  }

  // Smallest and largest value of objective k in s[0..n).
  std::pair<double, double> range(const uint32_t* s, size_t n, size_t k) const {
    double lo = at(s[0], k), hi = lo;
    for (size_t i = 1; i < n; ++i) {
      lo = std::min(lo, at(s[i], k));
      hi = std::max(hi, at(s[i], k));
    }
    return {lo, hi};
  }

  // A pivot for objective k over two ranges (their union): the median of
  // evenly spaced samples. Correctness needs only a value of the set (it
  // lands in the "equal" part, so every part shrinks); the complexity bound
  // needs splits that are balanced in expectation, which the sample gives
  // at a fraction of an exact selection's cost.
  double median(const uint32_t* a, size_t na, const uint32_t* b, size_t nb, size_t k) {
    const size_t total = na + nb;
    const size_t step = std::max<size_t>(1, total / kMedianSamples);
    size_t count = 0;
    for (size_t i = step / 2; i < total; i += step) medians_[count++] = at(i < na ? a[i] : b[i - na], k);
    const auto middle = medians_.begin() + static_cast<std::ptrdiff_t>((count - 1) / 2);
    std::nth_element(medians_.begin(), middle, medians_.begin() + static_cast<std::ptrdiff_t>(count));
    return *middle;
  }

  // Stable three-way partition of s[0..n) by objective k against `pivot`
  // (below, equal, above); returns the sizes of the first two parts. The
  // part below is compacted in place, the others go through the scratch.
  std::pair<size_t, size_t> split(uint32_t* s, size_t n, size_t k, double pivot) {
    const double* column = &columns_[k * n_];
    size_t below = 0, equal = 0, above = 0;
    uint32_t* upper = scratch_.data() + n;  // the part above, from the scratch's second half
    for (size_t i = 0; i < n; ++i) {
      const uint32_t point = s[i];
      const double v = column[point];
      if (v < pivot)
        s[below++] = point;
      else if (v == pivot)
        scratch_[equal++] = point;
      else
        upper[above++] = point;
    }
    std::copy_n(scratch_.begin(), equal, s + below);
    std::copy_n(upper, above, s + below + equal);
    return {below, equal};
  }

  // Merges the sorted runs s[0..a) and s[a..a+b) into one.
  void merge(uint32_t* s, size_t a, size_t b) {
    std::merge(s, s + a, s + a, s + a + b, scratch_.begin());
    std::copy_n(scratch_.begin(), a + b, s);
  }

  void helper_a(uint32_t* s, size_t n, size_t k) {
    if (n < 2) return;
    if (n <= kPairwiseA) {
      // Sorted order: s[i]'s dominators all come before it.
      for (size_t j = 1; j < n; ++j)
        for (size_t i = 0; i < j; ++i)
          if (weakly_dominates(s[i], s[j], k)) raise(s[j], s[i]);
      return;
    }
    if (k == 1) {
      sweep_a(s, n);
      return;
    }
    const auto [lo, hi] = range(s, n, k);
    if (lo == hi) {
      helper_a(s, n, k - 1);
      return;
    }
    const auto [below, equal] = split(s, n, k, median(s, n, nullptr, 0, k));
    uint32_t* middle = s + below;
    uint32_t* above = middle + equal;
    const size_t n_above = n - below - equal;
    helper_a(s, below, k);
    helper_b(s, below, middle, equal, k - 1);
    helper_a(middle, equal, k - 1);
    merge(s, below, equal);
    helper_b(s, below + equal, above, n_above, k - 1);
    helper_a(above, n_above, k);
    merge(s, below + equal, n_above);
  }

  void helper_b(uint32_t* l, size_t nl, uint32_t* h, size_t nh, size_t k) {
    if (nl == 0 || nh == 0) return;
    if (nl * nh <= kPairwiseB || nl == 1 || nh == 1) {
      for (size_t j = 0; j < nh; ++j)
        for (size_t i = 0; i < nl; ++i)
          // Only a member of L at h's rank or above can raise it.
          if (rank_[l[i]] >= rank_[h[j]] && weakly_dominates(l[i], h[j], k)) raise(h[j], l[i]);
      return;
    }
    if (k == 1) {
      sweep_b(l, nl, h, nh);
      return;
    }
    const auto [l_lo, l_hi] = range(l, nl, k);
    const auto [h_lo, h_hi] = range(h, nh, k);
    if (l_lo > h_hi) return;  // no member of L is <= a member of H in objective k
    if (l_hi <= h_lo) {       // every member of L is <= every member of H in objective k
      helper_b(l, nl, h, nh, k - 1);
      return;
    }
    const double pivot = median(l, nl, h, nh, k);
    const auto [l_below, l_equal] = split(l, nl, k, pivot);
    const auto [h_below, h_equal] = split(h, nh, k, pivot);
    const size_t l_above = nl - l_below - l_equal, h_above = nh - h_below - h_equal;
    helper_b(l, l_below, h, h_below, k);
    helper_b(l + l_below + l_equal, l_above, h + h_below + h_equal, h_above, k);
    // Below-or-equal against equal-or-above: objective k is settled.
    merge(l, l_below, l_equal);
    merge(h + h_below, h_equal, h_above);
    helper_b(l, l_below + l_equal, h + h_below, h_equal + h_above, k - 1);
    merge(l, l_below + l_equal, l_above);
    merge(h, h_below, h_equal + h_above);
  }

  // Two objectives left: in sorted order objective 0 is non-decreasing, so a
  // point is dominated by the earlier points whose objective 1 is <= its own.
  void sweep_a(const uint32_t* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      rank_[s[i]] = std::max(rank_[s[i]], prefix_max(second_[s[i]]) + 1);
      insert(second_[s[i]], rank_[s[i]]);
    }
    for (size_t i = 0; i < n; ++i) erase(second_[s[i]]);
  }

  // A member of L can only dominate members of H numbered after it.
  void sweep_b(const uint32_t* l, size_t nl, const uint32_t* h, size_t nh) {
    size_t inserted = 0;
    for (size_t j = 0; j < nh; ++j) {
      for (; inserted < nl && l[inserted] < h[j]; ++inserted) insert(second_[l[inserted]], rank_[l[inserted]]);
      rank_[h[j]] = std::max(rank_[h[j]], prefix_max(second_[h[j]]) + 1);
    }
    for (size_t i = 0; i < inserted; ++i) erase(second_[l[i]]);
  }

  size_t m_;
  const std::vector<double>& values_;  // distinct points in lexicographic order, row-major
  std::vector<double> columns_;        // the same, column-major
  size_t n_;
  std::vector<int32_t> rank_;
  std::vector<uint32_t> second_;  // compressed objective 1 per point
  std::vector<int32_t> tree_;
  std::vector<uint32_t> scratch_;
  std::vector<double> medians_;
};

}  // namespace

std::vector<int32_t> divide_and_conquer_ranks(const LexicographicPoints& points) {
  if (points.objectives < 2)
    throw Error(fmt::format("divide-and-conquer ranking needs at least 2 objectives; got {}", points.objectives));
  if (points.size() == 0) return {};
  return Ranker(points).run();
}

std::vector<size_t> divide_and_conquer_ranks(Points points, std::span<const size_t> members) {
  if (points.objectives < 2)
    throw Error(fmt::format("divide-and-conquer ranking needs at least 2 objectives; got {}", points.objectives));
  const LexicographicPoints distinct = lexicographic_points(points, members);
  return member_ranks(distinct, divide_and_conquer_ranks(distinct));
}

}  // namespace gos::moo
