#pragma once
// Small text helpers for messages.
#include <string>
#include <string_view>
#include <vector>

namespace gos {

size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` by edit distance, or empty when none is
// close enough to be a plausible misspelling.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
// "; did you mean 'x'?" or "", for appending to an error message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace gos
