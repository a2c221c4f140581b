#pragma once
// The experiment-file parameters of a cell space, shared by every plugin that
// offers one (the live `nb201_cell` space and the tabular `nb201` benchmark).
#include "framework/params.h"
#include "searchspaces/cell/cell_space.h"

namespace gos::cell {

// Declares nodes, operations, encoding and the skeleton keys.
void add_cell_params(ParamSchema& schema);
// Reads them back; throws a gos::Error naming the key for invalid combinations.
CellSpaceConfig cell_config(const Params& params);

}  // namespace gos::cell
