#pragma once
// Helpers of `gos sweep`: which seeds to run.
#include <cstdint>
#include <string>
#include <vector>

namespace gos::sweep {

// "0..9" (both ends included) or "1,4,7". Throws gos::Error naming the bad
// part and showing valid forms.
std::vector<uint64_t> parse_seeds(const std::string& text);

}  // namespace gos::sweep
