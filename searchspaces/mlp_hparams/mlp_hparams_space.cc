#include "searchspaces/mlp_hparams/mlp_hparams_space.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "framework/error.h"
#include "framework/text.h"

namespace gos {
namespace {

constexpr std::array<const char*, 3> kNames{"width", "depth", "learning_rate"};

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == ',')
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

template <typename T>
void check_list(const char* key, const std::vector<T>& values) {
  if (values.empty()) throw Error(fmt::format("{}: needs at least one value", key));
  if (std::set<T>(values.begin(), values.end()).size() != values.size())
    throw Error(fmt::format("{}: lists a value twice", key));
  for (T value : values)
    if (!(value > 0)) throw Error(fmt::format("{}: {} is not positive", key, value));
}

// One gene changed to another of its values (a dimension with one value stays).
class ChangeOneChoice : public Mutator {
 public:
  GenomePtr mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const override {
    const auto& hparams = dynamic_cast<const MlpHparamsSpace&>(space);
    const auto& genome = dynamic_cast<const MlpHparams&>(parent);
    const MlpHparamsConfig& c = hparams.config();
    const std::array<size_t, 3> sizes{c.widths.size(), c.depths.size(), c.learning_rates.size()};
    std::vector<size_t> open;
    for (size_t d = 0; d < 3; ++d)
      if (sizes[d] > 1) open.push_back(d);
    std::array<size_t, 3> index = genome.index;
    if (open.empty()) return std::make_shared<MlpHparams>(index);
    const size_t d = open[rng.index(open.size())];
    // A uniformly chosen other value.
    const size_t other = rng.index(sizes[d] - 1);
    index[d] = other >= index[d] ? other + 1 : other;
    return std::make_shared<MlpHparams>(index);
  }
};

}  // namespace

MlpHparamsSpace::MlpHparamsSpace(MlpHparamsConfig config)
    : config_(std::move(config)), mutator_(std::make_shared<ChangeOneChoice>()) {
  check_list("widths", config_.widths);
  check_list("depths", config_.depths);
  check_list("learning_rates", config_.learning_rates);
}

size_t MlpHparamsSpace::choices(size_t dimension) const {
  return dimension == 0   ? config_.widths.size()
         : dimension == 1 ? config_.depths.size()
                          : config_.learning_rates.size();
}

size_t MlpHparamsSpace::size() const { return choices(0) * choices(1) * choices(2); }

const MlpHparams& MlpHparamsSpace::cast(const Genome& genome) const {
  const auto* hparams = dynamic_cast<const MlpHparams*>(&genome);
  if (!hparams) throw Error("mlp_hparams: the genome is not an MLP hyper-parameter genome");
  for (size_t d = 0; d < 3; ++d)
    if (hparams->index[d] >= choices(d))
      throw Error(fmt::format("mlp_hparams: {} choice {} is outside this space's {} values", kNames[d],
                              hparams->index[d], choices(d)));
  return *hparams;
}

GenomePtr MlpHparamsSpace::sample(Rng& rng) const {
  return std::make_shared<MlpHparams>(
      std::array<size_t, 3>{rng.index(choices(0)), rng.index(choices(1)), rng.index(choices(2))});
}

std::pair<GenomePtr, GenomePtr> MlpHparamsSpace::crossover(const Genome& a, const Genome& b, Rng& rng) const {
  std::array<size_t, 3> x = cast(a).index, y = cast(b).index;
  for (size_t d = 0; d < 3; ++d)
    if (rng.bernoulli(0.5)) std::swap(x[d], y[d]);
  return {std::make_shared<MlpHparams>(x), std::make_shared<MlpHparams>(y)};
}

MlpSettings MlpHparamsSpace::settings(const Genome& genome) const {
  const MlpHparams& g = cast(genome);
  return {config_.widths[g.index[0]], config_.depths[g.index[1]], config_.learning_rates[g.index[2]]};
}

std::vector<double> MlpHparamsSpace::encode(const Genome& genome) const {
  const MlpSettings s = settings(genome);
  return {std::log2(static_cast<double>(s.width)), static_cast<double>(s.depth), std::log10(s.learning_rate)};
}

std::string MlpHparamsSpace::serialize(const Genome& genome) const {
  const MlpSettings s = settings(genome);
  return fmt::format("width={},depth={},learning_rate={}", s.width, s.depth, s.learning_rate);
}

GenomePtr MlpHparamsSpace::deserialize(std::string_view text) const {
  const std::vector<std::string> parts = split_commas(text);
  if (parts.size() != 3)
    throw Error(fmt::format("mlp_hparams genome '{}': expected width=W,depth=D,learning_rate=L", text));
  std::array<size_t, 3> index{};
  for (size_t d = 0; d < 3; ++d) {
    const std::string prefix = std::string(kNames[d]) + "=";
    if (parts[d].rfind(prefix, 0) != 0)
      throw Error(fmt::format("mlp_hparams genome '{}': part {} should start with '{}'", text, d + 1, prefix));
    const std::string value = parts[d].substr(prefix.size());
    double number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc() || end != value.data() + value.size())
      throw Error(fmt::format("mlp_hparams genome '{}': {} '{}' is not a number", text, kNames[d], value));
    std::vector<double> listed;
    if (d == 0) listed.assign(config_.widths.begin(), config_.widths.end());
    if (d == 1) listed.assign(config_.depths.begin(), config_.depths.end());
    if (d == 2) listed = config_.learning_rates;
    // Learning rates print with fmt's shortest round-trip form, so equality is exact.
    const auto it = std::find(listed.begin(), listed.end(), number);
    if (it == listed.end())
      throw Error(
          fmt::format("mlp_hparams genome '{}': {} {} is not one of this space's values", text, kNames[d], value));
    index[d] = static_cast<size_t>(it - listed.begin());
  }
  return std::make_shared<MlpHparams>(index);
}

std::string MlpHparamsSpace::describe() const {
  std::vector<std::string> rates;
  for (double rate : config_.learning_rates) rates.push_back(fmt::format("{}", rate));
  return fmt::format(
      "MLP hyper-parameters: width in {{{}}}, depth in {{{}}}, learning rate in {{{}}} ({} "
      "configurations)",
      fmt::join(config_.widths, ", "), fmt::join(config_.depths, ", "), join(rates, ", "), size());
}

}  // namespace gos
