// Plugin entry point for the NAS-Bench-201 tabular benchmark (`nb201`).
#include "benchmarks/nb201/nb201_space.h"
#include "framework/plugin_abi.h"
#ifdef GOS_NB201_LIVE_MODELS
#include "searchspaces/cell/cell_network.h"
#endif

namespace gos::nb201 {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.string("table", "build/nb201.h5",
           "HDF5 table made by `gos nb201 convert --data ../shared/data/nb201 -o build/nb201.h5` (the build "
           "makes build/nb201.h5 when the shared data exists)")
      .path()
      .string("encoding", "one_hot", "numeric encoding for predictors", {"one_hot", "adjacency"});
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  Table table;
  try {
    table = read_table(params.get_string("table"));
  } catch (const Error& e) {
    throw params.error("table", e.what());
  }
#ifdef GOS_NB201_LIVE_MODELS
  // Live networks for zero-cost proxies and device measurements next to the table's values.
  return std::make_unique<Nb201Space>(table, params.get_string("encoding"), cell::make_cell_workload,
                                      cell::make_cell_model);
#else
  return std::make_unique<Nb201Space>(table, params.get_string("encoding"));
#endif
}

}  // namespace
}  // namespace gos::nb201

GOS_PLUGIN("nb201", gos::PluginKind::kSearchSpace, "1.0.0",
           "NAS-Bench-201 tabular benchmark: accuracy on CIFAR-10/100 and ImageNet16-120, latency on 25 devices",
           &gos::nb201::schema, &gos::nb201::create)
