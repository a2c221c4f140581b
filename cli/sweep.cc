#include "cli/sweep.h"

#include <fmt/format.h>

#include <charconv>
#include <string_view>

#include "framework/error.h"

namespace gos::sweep {
namespace {

uint64_t parse_seed(std::string_view text, std::string_view whole) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw Error(fmt::format("seeds '{}': '{}' is not a non-negative integer; write e.g. 0..9 or 1,4,7", whole, text));
  return value;
}

}  // namespace

std::vector<uint64_t> parse_seeds(const std::string& text) {
  // A sweep this large is a typo, not an experiment.
  constexpr uint64_t kMaxSeeds = 100000;
  std::vector<uint64_t> seeds;
  if (const size_t dots = text.find(".."); dots != std::string::npos) {
    const uint64_t first = parse_seed(std::string_view(text).substr(0, dots), text);
    const uint64_t last = parse_seed(std::string_view(text).substr(dots + 2), text);
    if (last < first) throw Error(fmt::format("seeds '{}': the range is empty ({} > {})", text, first, last));
    if (last - first >= kMaxSeeds) throw Error(fmt::format("seeds '{}': more than {} seeds", text, kMaxSeeds));
    for (uint64_t seed = first; seed <= last; ++seed) seeds.push_back(seed);
    return seeds;
  }
  std::string_view rest = text;
  while (true) {
    const size_t comma = rest.find(',');
    seeds.push_back(parse_seed(rest.substr(0, comma), text));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return seeds;
}

}  // namespace gos::sweep
