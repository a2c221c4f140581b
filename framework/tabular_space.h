#pragma once
// A search space whose genomes can be read from tabular data sets: one genome
// per CSV row, one gene per column (OFA's r, d1..d5, ks1..ks20, e1..e20).
// Spaces offer it beside SearchSpace; readers find it with dynamic_cast.
#include <string>
#include <vector>

#include "framework/genome.h"

namespace gos {

class TabularGenomes {
 public:
  virtual ~TabularGenomes();
  // The column names of a genome, in order.
  virtual std::vector<std::string> genome_columns() const = 0;
  // The genome of one row, values in genome_columns() order. Throws
  // gos::Error naming the column (name and 1-based index) of a value outside
  // the space.
  virtual GenomePtr from_columns(const std::vector<double>& values) const = 0;
};

}  // namespace gos
