// Plugin entry point for the `gos_graph` search space.
#include <fmt/format.h>

#include <algorithm>

#include "framework/bit_widths.h"
#include "framework/plugin_abi.h"
#include "searchspaces/gos/seeds.h"
#include "searchspaces/gos/space.h"

namespace gos::graph {
namespace {

constexpr int kMaxShapeValue = std::max(kMaxChannels, kMaxSpatial);

std::vector<std::string> seed_choices() {
  std::vector<std::string> choices{"none"};
  for (const std::string& name : seed_names()) choices.push_back(name);
  return choices;
}

ParamSchema schema() {
  ParamSchema s;
  // One range for the three values; read_shape checks C against
  // kMaxChannels and H, W against kMaxSpatial.
  s.integers("input", std::vector<int64_t>{16, 32, 32}, 1, kMaxShapeValue,
             "input shape [C, H, W] of the replaced operator")
      .integers("output", std::vector<int64_t>{16, 32, 32}, 1, kMaxShapeValue,
                "output shape [C, H, W] every graph must produce")
      .string("seed", "none", "operator to start from; none samples graphs from scratch", seed_choices())
      .strings("seed_graphs", std::vector<std::string>{},
               "graphs to start from instead of `seed`, in canonical text (as `gos show` prints them); a device "
               "on another machine receives a slot's exact operator this way")
      .integer("seed_walk", 4, 0, 1000, "sampling applies 0..seed_walk random mutations to the seed")
      .integer("max_nodes", 24, 1, 256, "maximum number of instruction nodes per graph")
      .integers("bits", std::vector<int64_t>{}, 1, 32,
                "widths for the weights and input of conv, pconv and dwconv (attribute b, LSQ fake quantization): "
                "each 1..8, 16 or 32 (full precision); empty: full precision, b is not searched")
      .strings("allowed", instruction_names(), "instructions that may be drawn (default: all)", instruction_names())
      .integer("batch", 1, 1, 4096, "batch size of the workload run on devices")
      .boolean("skip_equivalent", true,
               "neighbours() skips candidates computing the same function (functional fingerprint)")
      .boolean("equivalence_cache", true,
               "the runner's cache reuses one evaluation for graphs with the same operators computing the same "
               "function (functional fingerprint, computed only when the operators match an earlier graph's)");
  return s;
}

Shape read_shape(const Params& params, const char* key) {
  const auto& values = params.get_ints(key);
  if (values.size() != 3)
    throw params.error(key, fmt::format("needs exactly 3 values [C, H, W], got {}", values.size()));
  if (values[0] > kMaxChannels || values[1] > kMaxSpatial || values[2] > kMaxSpatial)
    throw params.error(key, fmt::format("[{}, {}, {}] is too large; valid: C in [1, {}], H and W in [1, {}]", values[0],
                                        values[1], values[2], kMaxChannels, kMaxSpatial));
  return {static_cast<int>(values[0]), static_cast<int>(values[1]), static_cast<int>(values[2])};
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  GraphSpaceConfig config;
  config.input = read_shape(params, "input");
  config.output = read_shape(params, "output");
  config.seed = params.get_string("seed");
  config.seed_walk = static_cast<int>(params.get_int("seed_walk"));
  config.max_nodes = static_cast<size_t>(params.get_int("max_nodes"));
  for (int64_t bits : params.get_ints("bits")) {
    if (!valid_bits(bits))
      throw params.error("bits", fmt::format("{} is not a valid width; valid: {}", bits, kValidBitsText));
    config.bits.push_back(static_cast<int>(bits));
  }
  config.allowed.clear();
  for (const std::string& name : params.get_strings("allowed")) config.allowed.push_back(find_instruction(name)->op);
  if (config.allowed.empty()) throw params.error("allowed", "needs at least one instruction");
  for (const std::string& text : params.get_strings("seed_graphs")) {
    try {
      config.seed_graphs.push_back(parse(text, GraphSpec{config.input, config.output, config.max_nodes}));
    } catch (const Error& e) {
      throw params.error("seed_graphs", e.what());
    }
  }
  config.batch = static_cast<int>(params.get_int("batch"));
  config.skip_equivalent = params.get_bool("skip_equivalent");
  config.equivalence_cache = params.get_bool("equivalence_cache");
  try {
    return std::make_unique<GraphSpace>(config);
  } catch (const Error& e) {
    // With a seed, the seed did not fit; without one, sampling found no graph.
    throw params.error(config.seed != "none" ? "seed" : "allowed", e.what());
  }
}

}  // namespace
}  // namespace gos::graph

GOS_PLUGIN("gos_graph", gos::PluginKind::kSearchSpace, "1.0.0",
           "GOS operator graphs: operators as DAGs of basic instructions with fixed input/output shapes",
           &gos::graph::schema, &gos::graph::create)
