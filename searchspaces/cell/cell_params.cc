#include "searchspaces/cell/cell_params.h"

namespace gos::cell {

void add_cell_params(ParamSchema& s) {
  const CellSpaceConfig defaults;
  s.integer("nodes", defaults.nodes, 2, 12, "nodes of the cell DAG, including the input node")
      .strings("operations", defaults.operations, "operation set, one chosen per edge",
               nb201_operations())
      .string("encoding", defaults.encoding, "numeric encoding for predictors", {"one_hot", "adjacency"})
      .integer("channels", defaults.skeleton.channels, 1, 4096, "channels of the first stage of the skeleton")
      .integer("cells_per_stage", defaults.skeleton.cells_per_stage, 1, 64, "cells in each of the three stages")
      .integer("classes", defaults.skeleton.classes, 1, 100000, "outputs of the classifier")
      .integer("image_size", defaults.skeleton.image_size, 4, 4096, "input height and width of the workload")
      .integer("batch", defaults.skeleton.batch, 1, 4096, "batch size of the workload");
}

CellSpaceConfig cell_config(const Params& params) {
  CellSpaceConfig config;
  config.nodes = static_cast<int>(params.get_int("nodes"));
  config.operations = params.get_strings("operations");
  config.encoding = params.get_string("encoding");
  config.skeleton.channels = params.get_int("channels");
  config.skeleton.cells_per_stage = params.get_int("cells_per_stage");
  config.skeleton.classes = params.get_int("classes");
  config.skeleton.image_size = params.get_int("image_size");
  config.skeleton.batch = params.get_int("batch");
  try {
    // Validates the combination before the caller builds anything.
    CellSpace check(config);
  } catch (const Error& e) {
    throw params.error("operations", e.what());
  }
  return config;
}

}  // namespace gos::cell
