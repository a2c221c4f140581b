#include "framework/equivalence_cache.h"

#include <chrono>

namespace gos {

std::string EquivalenceCache::compute(const std::function<std::string()>& exact) {
  const auto start = std::chrono::steady_clock::now();
  std::string value = exact();
  exact_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++exact_keys_;
  return value;
}

std::optional<size_t> EquivalenceCache::find_or_add(size_t index, EquivalenceKey key) {
  std::vector<Member>& members = buckets_[key.bucket];
  if (members.empty()) {
    // Alone in its bucket: nothing to compare, so the exact key waits.
    members.push_back({index, std::move(key.exact), std::nullopt});
    return std::nullopt;
  }
  const std::string value = compute(key.exact);
  for (Member& member : members) {
    if (!member.value) {
      member.value = compute(member.exact);
      member.exact = nullptr;
    }
    if (*member.value == value) {
      ++hits_;
      return member.index;
    }
  }
  members.push_back({index, nullptr, value});
  return std::nullopt;
}

}  // namespace gos
