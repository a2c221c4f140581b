#pragma once
// A genome is one point of a search space. Each space defines its own concrete
// Genome subclass; everything outside the space handles genomes as immutable
// shared pointers and their canonical strings (SearchSpace::serialize).
#include <memory>

namespace gos {

class Genome {
 public:
  virtual ~Genome();
};

using GenomePtr = std::shared_ptr<const Genome>;

}  // namespace gos
