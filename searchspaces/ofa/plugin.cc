// Plugin entry point of the ofa_mbv3 search space.
#include "framework/plugin_abi.h"
#include "searchspaces/ofa/ofa_space.h"

namespace gos::ofa {
namespace {

ParamSchema schema() {
  const OfaConfig defaults;
  ParamSchema s;
  s.integer("min_resolution", defaults.min_resolution, 32, 4096, "smallest input resolution")
      .integer("max_resolution", defaults.max_resolution, 32, 4096, "largest input resolution")
      .integer("resolution_step", defaults.resolution_step, 1, 4096, "step between resolutions")
      .integer("batch", defaults.batch, 1, 4096, "batch size of the runnable model (and of kernel keys when > 1)")
      .integer("classes", defaults.classes, 1, 100000, "outputs of the classifier")
      .string("encoding", "genes", "encode(): the 46 genes, or OFA's 128-d one-hot vector (NAS_PerformanceEstimation)",
              {"genes", "one_hot"});
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  OfaConfig config;
  config.min_resolution = static_cast<int>(params.get_int("min_resolution"));
  config.max_resolution = static_cast<int>(params.get_int("max_resolution"));
  config.resolution_step = static_cast<int>(params.get_int("resolution_step"));
  config.batch = static_cast<int>(params.get_int("batch"));
  config.classes = static_cast<int>(params.get_int("classes"));
  config.encoding = params.get_string("encoding") == "one_hot" ? Encoding::kOfaOneHot : Encoding::kGenes;
  try {
    return std::make_unique<OfaSpace>(config);
  } catch (const Error& e) {
    throw params.error("min_resolution", e.what());
  }
}

}  // namespace
}  // namespace gos::ofa

GOS_PLUGIN("ofa_mbv3", gos::PluginKind::kSearchSpace, "1.0.0",
           "Once-for-All MobileNetV3 (width 1.2) elastic space: resolution, depth, kernel and expand ratio",
           &gos::ofa::schema, &gos::ofa::create)
