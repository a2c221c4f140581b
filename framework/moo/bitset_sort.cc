#include "framework/moo/bitset_sort.h"

#include <fmt/format.h>

#include <algorithm>

#include "framework/error.h"
#include "framework/moo/value_order.h"

namespace gos::moo {
namespace {

using Word = uint64_t;
constexpr size_t kWordBits = 64;

constexpr size_t kBlock = 4;  // words processed together; bitsets are padded to whole blocks

Word bit(uint32_t point) { return Word{1} << (point % kWordBits); }
size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }
size_t words_for(size_t points) { return round_up((points + kWordBits - 1) / kWordBits, kBlock); }

class BitsetRanker {
 public:
  BitsetRanker(const LexicographicPoints& points, size_t interval)
      : points_(points),
        n_(points.size()),
        columns_(points.objectives - 1),
        words_(words_for(n_)),
        interval_(interval),
        checkpoints_per_column_(checkpoint_count(n_, interval)) {
    sorted_.resize(columns_ * n_);
    prefix_end_.resize(n_ * columns_);
    checkpoints_.assign(columns_ * checkpoints_per_column_ * words_, 0);
    for (size_t c = 0; c < columns_; ++c) index_column(c);
  }

  static size_t checkpoint_count(size_t n, size_t interval) { return (n + interval - 1) / interval + 1; }

  std::optional<std::vector<int32_t>> run(size_t max_fronts) {
    std::vector<int32_t> rank(n_);
    std::vector<Word> dominators(words_);
    std::vector<const Word*> rows(columns_);
    std::vector<size_t> stop(columns_);
    for (uint32_t p = 0; p < n_; ++p) {
      const size_t used = (p + kWordBits - 1) / kWordBits;  // the words holding points before p
      const size_t blocks = round_up(used, kBlock);
      const uint32_t* end = &prefix_end_[p * columns_];
      for (size_t c = 0; c < columns_; ++c) {
        const size_t k = (end[c] + interval_ - 1) / interval_;
        rows[c] = checkpoint(c, k);
        stop[c] = std::min(n_, k * interval_);
      }
      // Blocks of four words, which the compiler turns into vector operations.
      for (size_t w = 0; w < blocks; w += kBlock) {
        Word a0 = rows[0][w], a1 = rows[0][w + 1], a2 = rows[0][w + 2], a3 = rows[0][w + 3];
        for (size_t c = 1; c < columns_; ++c) {
          const Word* row = rows[c] + w;
          a0 &= row[0];
          a1 &= row[1];
          a2 &= row[2];
          a3 &= row[3];
        }
        dominators[w] = a0;
        dominators[w + 1] = a1;
        dominators[w + 2] = a2;
        dominators[w + 3] = a3;
      }
      if (p % kWordBits != 0) dominators[used - 1] &= bit(p) - 1;
      std::fill(dominators.begin() + static_cast<std::ptrdiff_t>(used),
                dominators.begin() + static_cast<std::ptrdiff_t>(blocks), Word{0});
      // The checkpoints also hold the points between p's prefix end and the
      // next multiple of the interval: worse than p in that objective.
      // Clearing the bits of points after p as well is harmless (they are
      // outside the words read below or already clear) and saves a branch
      // that fails at random.
      for (size_t c = 0; c < columns_; ++c) {
        const uint32_t* sorted = &sorted_[c * n_];
        for (size_t s = end[c]; s < stop[c]; ++s) dominators[sorted[s] / kWordBits] &= ~bit(sorted[s]);
      }
      // The first front that does not meet p's dominators.
      size_t lo = 0, hi = front_first_word_.size();
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (meets(dominators.data(), mid, blocks))
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo == front_first_word_.size()) {
        if (lo == max_fronts) return std::nullopt;
        front_first_word_.push_back(p / kWordBits);
        fronts_.resize(front_first_word_.size() * words_, 0);
      }
      fronts_[lo * words_ + p / kWordBits] |= bit(p);
      rank[p] = static_cast<int32_t>(lo);
    }
    return rank;
  }

 private:
  // Sorts the points by objective c + 1, records where each point's "no
  // worse" prefix ends (after its ties) and fills the column's checkpoints:
  // checkpoint k holds the first min(k * interval, n) points of that order.
  void index_column(size_t c) {
    std::vector<double> column(n_);
    for (uint32_t q = 0; q < n_; ++q) column[q] = points_.at(q, c + 1);
    const std::vector<uint32_t> order = stable_order(column);
    uint32_t* sorted = &sorted_[c * n_];
    std::copy(order.begin(), order.end(), sorted);
    for (size_t s = 0; s < n_;) {
      size_t e = s + 1;
      while (e < n_ && column[sorted[e]] == column[sorted[s]]) ++e;
      for (size_t t = s; t < e; ++t) prefix_end_[sorted[t] * columns_ + c] = static_cast<uint32_t>(e);
      s = e;
    }
    for (size_t k = 1; k < checkpoints_per_column_; ++k) {
      Word* bits = checkpoint(c, k);
      std::copy_n(bits - words_, words_, bits);
      for (size_t s = (k - 1) * interval_; s < std::min(n_, k * interval_); ++s)
        bits[sorted[s] / kWordBits] |= bit(sorted[s]);
    }
  }

  Word* checkpoint(size_t c, size_t k) { return &checkpoints_[(c * checkpoints_per_column_ + k) * words_]; }

  // Whether front r has a member among the set bits of the first `blocks` words.
  bool meets(const Word* set, size_t r, size_t blocks) const {
    const Word* front = &fronts_[r * words_];
    for (size_t w = front_first_word_[r] / kBlock * kBlock; w < blocks; w += kBlock)
      if ((set[w] & front[w]) | (set[w + 1] & front[w + 1]) | (set[w + 2] & front[w + 2]) | (set[w + 3] & front[w + 3]))
        return true;
    return false;
  }

  const LexicographicPoints& points_;
  size_t n_, columns_, words_, interval_, checkpoints_per_column_;
  std::vector<uint32_t> sorted_;          // per column: the points sorted by its objective
  std::vector<uint32_t> prefix_end_;      // per point and column: the end of the points no worse than it
  std::vector<Word> checkpoints_;         // per column and checkpoint: a bitset of words_ words
  std::vector<Word> fronts_;              // per front: the bitset of its members
  std::vector<size_t> front_first_word_;  // per front: the word of its first member
};

}  // namespace

std::optional<std::vector<int32_t>> bitset_ranks(const LexicographicPoints& points,
                                                 const BitsetRankingOptions& options) {
  if (points.objectives < 2)
    throw Error(fmt::format("bitset ranking needs at least 2 objectives; got {}", points.objectives));
  const size_t n = points.size();
  if (n > options.max_points) return std::nullopt;
  const size_t word_bytes = std::max<size_t>(1, words_for(n) * sizeof(Word));
  size_t interval = options.checkpoint_interval;
  if (interval == 0) {
    // A point ANDs about N/128 words per objective, vectorised, and clears
    // about interval/2 bits one by one; N/256 balances the two (N = 20000:
    // 64, which measured best).
    interval = 1;
    while (interval * 2 <= n / 256) interval *= 2;
  }
  while ((points.objectives - 1) * BitsetRanker::checkpoint_count(n, interval) * word_bytes >
         options.max_checkpoint_bytes) {
    if (interval >= options.max_checkpoint_interval) return std::nullopt;
    interval *= 2;
  }
  return BitsetRanker(points, interval).run(std::max<size_t>(1, options.max_front_bytes / word_bytes));
}

std::optional<std::vector<size_t>> bitset_ranks(Points points, std::span<const size_t> members,
                                                const BitsetRankingOptions& options) {
  if (points.objectives < 2)
    throw Error(fmt::format("bitset ranking needs at least 2 objectives; got {}", points.objectives));
  const LexicographicPoints distinct = lexicographic_points(points, members);
  const auto rank = bitset_ranks(distinct, options);
  if (!rank) return std::nullopt;
  return member_ranks(distinct, *rank);
}

}  // namespace gos::moo
