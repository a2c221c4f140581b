#include "cli/sweep.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <sstream>
#include <string_view>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::sweep {
namespace {

uint64_t parse_seed(std::string_view text, std::string_view whole) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw Error(fmt::format("seeds '{}': '{}' is not a non-negative integer; write e.g. 0..9 or 1,4,7", whole, text));
  return value;
}

}  // namespace

std::vector<uint64_t> parse_seeds(const std::string& text) {
  // A sweep this large is a typo, not an experiment.
  constexpr uint64_t kMaxSeeds = 100000;
  std::vector<uint64_t> seeds;
  if (const size_t dots = text.find(".."); dots != std::string::npos) {
    const uint64_t first = parse_seed(std::string_view(text).substr(0, dots), text);
    const uint64_t last = parse_seed(std::string_view(text).substr(dots + 2), text);
    if (last < first) throw Error(fmt::format("seeds '{}': the range is empty ({} > {})", text, first, last));
    if (last - first >= kMaxSeeds) throw Error(fmt::format("seeds '{}': more than {} seeds", text, kMaxSeeds));
    for (uint64_t seed = first; seed <= last; ++seed) seeds.push_back(seed);
    return seeds;
  }
  std::string_view rest = text;
  while (true) {
    const size_t comma = rest.find(',');
    seeds.push_back(parse_seed(rest.substr(0, comma), text));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return seeds;
}

SweepTable read_sweep_table(const toml::table& root, const std::string& file) {
  SweepTable table;
  const toml::node* sweep_node = root.get("sweep");
  if (!sweep_node) return table;
  auto where = [&](const toml::node& node) {
    return fmt::format("{}:{}:{}", file, node.source().begin.line, node.source().begin.column);
  };
  const toml::table* sweep = sweep_node->as_table();
  if (!sweep) throw Error(fmt::format("{}: 'sweep' must be a table ([sweep])", where(*sweep_node)));
  const std::vector<std::string> keys = {"seeds", "output", "strategies"};
  for (auto&& [key, node] : *sweep) {
    const std::string name(key.str());
    if (name == "seeds") {
      if (!node.is_string())
        throw Error(fmt::format("{}: [sweep] seeds must be a string like \"0..9\" or \"1,4,7\"", where(node)));
      table.seeds = *node.value<std::string>();
      try {
        parse_seeds(table.seeds);
      } catch (const Error& e) {
        throw Error(fmt::format("{}: [sweep] {}", where(node), e.what()));
      }
    } else if (name == "output") {
      if (!node.is_string()) throw Error(fmt::format("{}: [sweep] output must be a string (a folder)", where(node)));
      table.output = *node.value<std::string>();
    } else if (name == "strategies") {
      if (!node.is_array_of_tables() || node.as_array()->empty())
        throw Error(fmt::format("{}: [sweep] strategies must be an array of tables ([[sweep.strategies]])",
                                where(node)));
      for (const auto& strategy : *node.as_array()) {
        table.strategies.push_back(*strategy.as_table());
        table.strategy_lines.push_back(strategy.source().begin.line);
      }
    } else {
      throw Error(fmt::format("{}:{}:{}: [sweep] unknown key '{}'{}; valid keys: {}", file, key.source().begin.line,
                              key.source().begin.column, name, did_you_mean(name, keys), join(keys, ", ")));
    }
  }
  return table;
}

GridAxis parse_grid_axis(const std::string& text) {
  const auto fail = [&](const std::string& why) {
    return Error(fmt::format("--grid '{}': {}; write KEY=V1,V2,... e.g. strategy.penalty=0,1e-4,1e-3", text, why));
  };
  const size_t equals = text.find('=');
  if (equals == std::string::npos) throw fail("no '='");
  GridAxis axis;
  axis.key = text.substr(0, equals);
  if (axis.key.empty()) throw fail("no key before '='");
  const std::string values = text.substr(equals + 1);
  size_t start = 0;
  while (true) {
    const size_t comma = values.find(',', start);
    const std::string value = values.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (value.empty()) throw fail("an empty value");
    axis.values.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return axis;
}

std::vector<std::vector<std::string>> grid_points(const std::vector<GridAxis>& axes) {
  std::vector<std::vector<std::string>> points{{}};
  for (const GridAxis& axis : axes) {
    std::vector<std::vector<std::string>> next;
    for (const auto& point : points)
      for (const std::string& value : axis.values) {
        next.push_back(point);
        next.back().push_back(axis.key + "=" + value);
      }
    points = std::move(next);
  }
  return points;
}

std::string grid_label(const std::vector<std::string>& point) {
  std::string label = join(point, "_");
  for (char& c : label)
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("._=+-").find(c) == std::string_view::npos)
      c = '_';
  return label;
}

Experiment build_sweep_run(const toml::table& root, const toml::table& strategy, int64_t strategy_line,
                           uint64_t seed, const std::string& output, const std::string& file,
                           const std::vector<std::string>& overrides, PluginRegistry& registry) {
  // The source name of the generated text, stripped from its errors: its
  // line numbers mean nothing to the user. The base file is validated with
  // its own lines first, so an error here comes from the strategy table,
  // whose place in the file is known.
  constexpr std::string_view kVariantSource = "sweep-variant";
  toml::table variant = root;
  variant.erase("sweep");
  variant.insert_or_assign("strategy", strategy);
  if (!variant["experiment"].as_table()) throw Error(fmt::format("{}: missing required section [experiment]", file));
  variant["experiment"].as_table()->insert_or_assign("seed", static_cast<int64_t>(seed));
  variant["experiment"].as_table()->insert_or_assign("output", output);
  std::ostringstream text;
  text << variant;
  const std::filesystem::path parent = std::filesystem::path(file).parent_path();
  try {
    return build_experiment(
        parse_experiment(text.str(), std::string(kVariantSource), parent.empty() ? "." : parent, overrides, registry),
        registry);
  } catch (const Error& e) {
    std::string message = e.what();
    if (message.starts_with(kVariantSource)) message = message.substr(message.find(' ') + 1);
    const std::string plugin = strategy["plugin"].value<std::string>().value_or("strategy");
    throw Error(fmt::format("{}:{}: [[sweep.strategies]] '{}' (seed {}): {}", file, strategy_line, plugin, seed,
                            message));
  }
}

}  // namespace gos::sweep
