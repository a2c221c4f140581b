#pragma once
// WorkloadSpec <-> WireWorkload: the client renders the space's validated
// table as TOML; the agent accepts exactly one [search_space] table from it
// (nothing that could name plugin paths or other sections) and rebuilds the
// space through its own registry and schema checks.
#include <string>

#include "framework/workload_spec.h"
#include "plugins/devices/remote/protocol.h"

namespace gos::remote {

WireWorkload to_wire(const WorkloadSpec& spec);
// The [search_space] table of `space_toml`, re-rendered from what was parsed;
// throws gos::Error when the text is not TOML or holds anything else.
std::string checked_space_table(const std::string& space_toml);

}  // namespace gos::remote
