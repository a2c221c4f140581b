#pragma once
// Which models of a latency data set train a predictor and which judge it.
// Two rules: every N-th model held out (GOS's default, what `gos latency
// dataset` files were judged with), or consecutive train/validation/test
// parts by percentage in file order (NAS_PerformanceEstimation's 70/15/15:
// floor(0.7 n) rows, floor(0.15 n) rows, the rest), comparable with their
// published figures. Appending ",shuffle=SEED" to the percentages cuts the
// same parts from a seeded random permutation of the rows instead (a random
// split: what a file whose measurements drift along its rows needs).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gos {

enum class DataPart { kTrain, kValidation, kTest };

class DataSplit {
 public:
  // Every `every`-th model (index % every == 0) is test, the rest train; 0: all train.
  static DataSplit holdout_every(size_t every);
  // "70/15/15": percentages of train, validation and test that sum to 100,
  // optionally ",shuffle=SEED". Throws gos::Error naming the text and what
  // would be valid.
  static DataSplit parse_percentages(const std::string& text);

  DataPart part(size_t index, size_t count) const;
  std::string describe() const;

 private:
  size_t every_ = 0;
  bool by_percentage_ = false;
  double train_ = 1, validation_ = 0;
  std::optional<uint64_t> shuffle_seed_;
  // The position of each row in the shuffled order, for the last count asked.
  mutable std::vector<size_t> rank_;
};

// "train", "validation" or "test"; throws gos::Error for anything else.
DataPart parse_data_part(const std::string& text);

}  // namespace gos
