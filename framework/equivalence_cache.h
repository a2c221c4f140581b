#pragma once
// The runner's second cache level, beside the canonical-string one: genomes
// whose SearchSpace::equivalence_key() match share one evaluation. Keys are
// compared in two steps so that the costly exact key (a GOS graph's
// functional fingerprint runs the graph) is computed only for genomes whose
// cheap bucket another evaluation already has.
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "framework/search_space.h"

namespace gos {

class EquivalenceCache {
 public:
  // The index of an earlier evaluation equivalent to this one, if any;
  // otherwise evaluation `index` joins its bucket and nullopt is returned.
  // Exceptions of the key's exact() propagate (the runner records the
  // evaluation as failed); the bucket is then left as it was.
  std::optional<size_t> find_or_add(size_t index, EquivalenceKey key);

  size_t hits() const { return hits_; }
  size_t exact_keys() const { return exact_keys_; }        // exact() calls so far
  double exact_seconds() const { return exact_seconds_; }  // their total wall-clock time

 private:
  struct Member {
    size_t index;
    std::function<std::string()> exact;  // released once computed
    std::optional<std::string> value;
  };
  std::string compute(const std::function<std::string()>& exact);

  std::unordered_map<std::string, std::vector<Member>> buckets_;
  size_t hits_ = 0, exact_keys_ = 0;
  double exact_seconds_ = 0;
};

}  // namespace gos
