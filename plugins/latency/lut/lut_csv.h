#pragma once
// Lookup tables published as CSV (OFA's note10_lut.csv, ProxylessNAS's
// Pixel-1 table): columns key and mean (ms), and optionally resolution, for
// tables that hold one sub-table per input resolution. Entries are keyed
// "<key>@r<resolution>" then, as ofa_mbv3 names its kernels; no overhead and
// no scale (the published estimate is the plain sum).
#include <filesystem>

#include "plugins/latency/lut/latency_table.h"

namespace gos {

// Throws gos::Error naming file, line and column for a missing column, a
// mean that is not a non-negative number, or a key listed twice.
LatencyTable read_lut_csv(const std::filesystem::path& path);

// read_lut_csv for a .csv file, read_latency_table (HDF5) otherwise.
LatencyTable load_latency_table(const std::filesystem::path& path);

}  // namespace gos
