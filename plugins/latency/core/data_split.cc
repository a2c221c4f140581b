#include "plugins/latency/core/data_split.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "framework/error.h"
#include "framework/rng.h"

namespace gos {

DataSplit DataSplit::holdout_every(size_t every) {
  DataSplit split;
  split.every_ = every;
  return split;
}

DataSplit DataSplit::parse_percentages(const std::string& full_text) {
  const std::string shuffle_key = ",shuffle=";
  const size_t comma = full_text.find(shuffle_key);
  const std::string text = full_text.substr(0, comma);
  std::optional<uint64_t> seed;
  if (comma != std::string::npos) {
    const std::string digits = full_text.substr(comma + shuffle_key.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 18)
      throw Error(
          fmt::format("--split '{}': the shuffle seed must be a whole number, e.g. 70/15/15,shuffle=1", full_text));
    seed = std::stoull(digits);
  }
  std::vector<double> parts;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, '/')) {
    try {
      size_t used = 0;
      parts.push_back(std::stod(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      parts.clear();
      break;
    }
  }
  if (parts.size() != 3 || parts[0] <= 0 || parts[1] < 0 || parts[2] <= 0 ||
      std::abs(parts[0] + parts[1] + parts[2] - 100) > 1e-9)
    throw Error(
        fmt::format("--split '{}': expected train/validation/test percentages summing to 100, e.g. 70/15/15 "
                    "(or 70/15/15,shuffle=1 for a seeded random split)",
                    full_text));
  DataSplit split;
  split.by_percentage_ = true;
  split.shuffle_seed_ = seed;
  split.train_ = parts[0] / 100;
  split.validation_ = parts[1] / 100;
  return split;
}

DataPart DataSplit::part(size_t index, size_t count) const {
  if (!by_percentage_) return every_ > 0 && index % every_ == 0 ? DataPart::kTest : DataPart::kTrain;
  const auto train = static_cast<size_t>(std::floor(train_ * double(count)));
  const auto validation = static_cast<size_t>(std::floor(validation_ * double(count)));
  if (shuffle_seed_) {
    if (rank_.size() != count) {
      // Fisher-Yates with the framework's seeded generator: the same split on every machine.
      std::vector<size_t> order(count);
      for (size_t i = 0; i < count; ++i) order[i] = i;
      Rng rng(*shuffle_seed_);
      for (size_t i = count; i > 1; --i) std::swap(order[i - 1], order[rng.index(i)]);
      rank_.assign(count, 0);
      for (size_t position = 0; position < count; ++position) rank_[order[position]] = position;
    }
    index = rank_[index];
  }
  if (index < train) return DataPart::kTrain;
  return index < train + validation ? DataPart::kValidation : DataPart::kTest;
}

std::string DataSplit::describe() const {
  if (by_percentage_)
    return fmt::format("{} {:g}/{:g}/{:g} train/validation/test",
                       shuffle_seed_ ? fmt::format("random (seed {})", *shuffle_seed_) : "consecutive", 100 * train_,
                       100 * validation_, 100 * (1 - train_ - validation_));
  return every_ > 0 ? fmt::format("every {}th held out", every_) : "all models trained on";
}

DataPart parse_data_part(const std::string& text) {
  if (text == "train") return DataPart::kTrain;
  if (text == "validation") return DataPart::kValidation;
  if (text == "test") return DataPart::kTest;
  throw Error(fmt::format("--part '{}': valid: train, validation, test", text));
}

}  // namespace gos
