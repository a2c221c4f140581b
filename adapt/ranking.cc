#include "adapt/ranking.h"

#include <algorithm>
#include <map>
#include <set>

#include "framework/error.h"

namespace gos::adapt {

void score_slots(std::vector<SlotRecord>& slots, const InefficiencyScore& score) {
  std::vector<double> latency;
  std::vector<int64_t> params;
  double total = 0;
  for (const SlotRecord& slot : slots) {
    latency.push_back(slot.latency_ms);
    params.push_back(slot.params);
    total += slot.latency_ms;
  }
  const std::vector<double> scores = score(latency, params);
  if (scores.size() != slots.size())
    throw Error(
        "inefficiency score: the function returned a score count unequal "
        "to the slot count");
  for (size_t i = 0; i < slots.size(); ++i) {
    slots[i].share = total > 0 ? slots[i].latency_ms / total : 0;
    slots[i].inefficiency = scores[i];
  }
}

std::vector<SlotRecord> search_order(std::vector<SlotRecord> slots, const std::vector<std::string>& kinds) {
  std::erase_if(slots, [&](const SlotRecord& slot) {
    return std::none_of(kinds.begin(), kinds.end(),
                        [&](const std::string& kind) { return slot.kind.starts_with(kind); });
  });
  std::stable_sort(slots.begin(), slots.end(),
                   [](const SlotRecord& a, const SlotRecord& b) { return a.inefficiency > b.inefficiency; });
  return slots;
}

const char* to_string(SlotOrder order) {
  return order == SlotOrder::kDeferFailedKinds ? "defer_failed_kinds" : "ranked";
}

std::optional<SlotRecord> next_slot(const std::vector<SlotRecord>& order, const std::vector<IterationRecord>& done,
                                    SlotOrder mode) {
  std::set<std::string> tried;
  std::map<std::string, bool> last_search_accepted;  // by kind; unsupported slots were not searched
  for (const IterationRecord& it : done) {
    tried.insert(it.slot);
    if (it.status != IterationStatus::kUnsupported) last_search_accepted[it.slot_kind] = is_spliced(it.status);
  }
  const auto deferred = [&](const SlotRecord& slot) {
    const auto it = last_search_accepted.find(slot.kind);
    return mode == SlotOrder::kDeferFailedKinds && it != last_search_accepted.end() && !it->second;
  };
  std::optional<SlotRecord> first_deferred;
  for (const SlotRecord& slot : order) {
    if (tried.contains(slot.path)) continue;
    if (!deferred(slot)) return slot;
    if (!first_deferred) first_deferred = slot;
  }
  return first_deferred;
}

}  // namespace gos::adapt
