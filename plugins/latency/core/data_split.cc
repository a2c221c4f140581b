#include "plugins/latency/core/data_split.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "framework/error.h"

namespace gos {

DataSplit DataSplit::holdout_every(size_t every) {
  DataSplit split;
  split.every_ = every;
  return split;
}

DataSplit DataSplit::parse_percentages(const std::string& text) {
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
        fmt::format("--split '{}': expected train/validation/test percentages summing to 100, e.g. 70/15/15", text));
  DataSplit split;
  split.by_percentage_ = true;
  split.train_ = parts[0] / 100;
  split.validation_ = parts[1] / 100;
  return split;
}

DataPart DataSplit::part(size_t index, size_t count) const {
  if (!by_percentage_) return every_ > 0 && index % every_ == 0 ? DataPart::kTest : DataPart::kTrain;
  const auto train = static_cast<size_t>(std::floor(train_ * double(count)));
  const auto validation = static_cast<size_t>(std::floor(validation_ * double(count)));
  if (index < train) return DataPart::kTrain;
  return index < train + validation ? DataPart::kValidation : DataPart::kTest;
}

std::string DataSplit::describe() const {
  if (by_percentage_)
    return fmt::format("consecutive {:g}/{:g}/{:g} train/validation/test", 100 * train_, 100 * validation_,
                       100 * (1 - train_ - validation_));
  return every_ > 0 ? fmt::format("every {}th held out", every_) : "all models trained on";
}

DataPart parse_data_part(const std::string& text) {
  if (text == "train") return DataPart::kTrain;
  if (text == "validation") return DataPart::kValidation;
  if (text == "test") return DataPart::kTest;
  throw Error(fmt::format("--part '{}': valid: train, validation, test", text));
}

}  // namespace gos
