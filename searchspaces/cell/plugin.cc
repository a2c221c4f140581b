// Plugin entry point for the gym-style cell search space (NAS-Bench-201 cell
// by default), with live LibTorch models as workloads.
#include "framework/plugin_abi.h"
#include "searchspaces/cell/cell_network.h"
#include "searchspaces/cell/cell_params.h"

namespace gos::cell {
namespace {

ParamSchema schema() {
  ParamSchema s;
  add_cell_params(s);
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  return std::make_unique<CellSpace>(cell_config(params), make_cell_workload, make_cell_model);
}

}  // namespace
}  // namespace gos::cell

GOS_PLUGIN("nb201_cell", gos::PluginKind::kSearchSpace, "1.0.0",
           "Gym-style cell space (skeleton x cell x ops), NAS-Bench-201 by default; arch strings, "
           "one-hot/adjacency encodings, live LibTorch models",
           &gos::cell::schema, &gos::cell::create)
