#include "plugins/strategies/random_search/random_search.h"

#include <algorithm>

#include "framework/plugin_abi.h"

namespace gos {

void RandomSearch::start(const StrategyContext& context, Rng rng) {
  space_ = context.space;
  rng_.emplace(rng);
  asked_ = 0;
}

std::vector<GenomePtr> RandomSearch::ask() {
  const int64_t count = std::min(config_.batch, config_.evaluations - asked_);
  std::vector<GenomePtr> batch;
  for (int64_t i = 0; i < count; ++i) batch.push_back(space_->sample(*rng_));
  asked_ += std::max<int64_t>(count, 0);
  return batch;
}

namespace {

ParamSchema schema() {
  ParamSchema s;
  s.integer("evaluations", 1000, 1, INT64_MAX, "total number of genomes to sample")
      .integer("batch", 100, 1, 1000000, "genomes per generation; results are flushed after each");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  return std::make_unique<RandomSearch>(RandomSearchConfig{params.get_int("evaluations"), params.get_int("batch")});
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("random_search", gos::PluginKind::kStrategy, "1.0.0", "Uniform random sampling of the search space",
           &gos::schema, &gos::create)
