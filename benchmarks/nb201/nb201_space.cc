#include "benchmarks/nb201/nb201_space.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "framework/text.h"

namespace gos::nb201 {
namespace {

cell::CellSpaceConfig nb201_config(std::string encoding) {
  cell::CellSpaceConfig config;
  config.encoding = std::move(encoding);
  return config;
}

}  // namespace

Nb201Space::Nb201Space(const Table& table, std::string encoding, cell::WorkloadFactory workload_factory,
                       cell::ModelFactory model_factory)
    : CellSpace(nb201_config(std::move(encoding)), std::move(workload_factory), std::move(model_factory)),
      index_by_code_(size(), -1),
      rows_(table.archs.size()),
      source_(table.source) {
  std::vector<uint64_t> codes;
  for (size_t row = 0; row < table.archs.size(); ++row) {
    GenomePtr genome;
    try {
      genome = deserialize(table.archs[row]);
    } catch (const Error& e) {
      throw Error(fmt::format("NAS-Bench-201 table row {}: {}", row, e.what()));
    }
    const uint64_t code = this->code(cast(*genome));
    if (index_by_code_[code] >= 0)
      throw Error(fmt::format("NAS-Bench-201 table rows {} and {} both hold '{}'", index_by_code_[code], row,
                              table.archs[row]));
    index_by_code_[code] = static_cast<int32_t>(row);
    codes.push_back(code);
  }
  for (const Column& column : table.columns) {
    DenseColumn dense{column.key, std::vector<double>(size(), std::nan(""))};
    for (size_t row = 0; row < codes.size(); ++row) dense.by_code[codes[row]] = column.values[row];
    columns_.push_back(std::move(dense));
  }
}

std::vector<MetricKey> Nb201Space::metrics() const {
  std::vector<MetricKey> keys = CellSpace::metrics();
  for (const DenseColumn& column : columns_) keys.push_back(column.key);
  return keys;
}

int64_t Nb201Space::index(const Genome& genome) const { return index_by_code_[code(cast(genome))]; }

double Nb201Space::query(const Genome& genome, const MetricKey& key) const {
  const uint64_t code = this->code(cast(genome));
  for (const DenseColumn& column : columns_) {
    if (column.key.metric != key.metric || column.key.on != key.on) continue;
    if (index_by_code_[code] < 0)
      throw Error(fmt::format("architecture '{}' is not in the NAS-Bench-201 table ({} of {} architectures present)",
                              serialize(genome), rows_, size()));
    return column.by_code[code];
  }
  const auto computed = CellSpace::metrics();  // parameters and FLOPs, from the architecture
  if (std::find(computed.begin(), computed.end(), key) != computed.end()) return CellSpace::query(genome, key);
  unknown_metric(key);
}

void Nb201Space::unknown_metric(const MetricKey& key) const {
  std::vector<std::string> same_kind, all;
  for (const MetricKey& offered : metrics()) {
    all.push_back(offered.to_string());
    if (offered.metric == key.metric) same_kind.push_back(offered.on);
  }
  if (!same_kind.empty())
    throw Error(fmt::format("the NAS-Bench-201 table has no {} on '{}'{}; it has {} on: {}", to_string(key.metric),
                            key.on, did_you_mean(key.on, same_kind), to_string(key.metric), join(same_kind, ", ")));
  throw Error(fmt::format("the NAS-Bench-201 table does not answer {}; it answers: {}", key.to_string(),
                          join(all, ", ")));
}

std::string Nb201Space::describe() const {
  std::vector<std::string> keys;
  for (const MetricKey& key : metrics()) keys.push_back(key.to_string());
  return fmt::format("NAS-Bench-201 tabular benchmark ({} of {} architectures; {}): {}. Metrics: {}", rows_, size(),
                     source_, CellSpace::describe(), join(keys, ", "));
}

}  // namespace gos::nb201
