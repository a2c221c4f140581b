#pragma once
// A mutation operator: a small random change to a genome. Every search space
// offers a default one; a `[mutator]` table in an experiment replaces it.
#include "framework/component.h"
#include "framework/genome.h"
#include "framework/rng.h"

namespace gos {

class SearchSpace;

class Mutator : public Component {
 public:
  // Returns a valid genome of `space` near `parent`. Never returns an invalid
  // genome: a change that would break validity is repaired or redrawn.
  virtual GenomePtr mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const = 0;
};

}  // namespace gos
