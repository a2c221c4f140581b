#include "searchspaces/zoo_model/zoo_model_space.h"

#include <fmt/format.h>

#include <algorithm>

#include "framework/error.h"
#include "searchspaces/gos/compile.h"
#include "searchspaces/gos/graph.h"
#include "torchlib/workload.h"
#include "torchlib/zoo.h"

namespace gos {
namespace {

constexpr char kBetweenReplacements = '|';
constexpr char kSlotFromGraph = '@';

const ZooModelGenome& cast(const Genome& genome) {
  const auto* zoo = dynamic_cast<const ZooModelGenome*>(&genome);
  if (!zoo) throw Error("zoo_model: the genome is not a zoo model");
  return *zoo;
}

std::shared_ptr<SlottedModel> build(const ZooModelSpaceConfig& config) {
  ZooOptions options;
  options.classes = config.classes;
  options.in_channels = config.in_channels;
  options.cifar_stem = config.cifar_stem;
  options.width = config.width;
  return make_zoo_model(config.model, options);
}

graph::Shape chw(const Shape& nchw) {
  return {static_cast<int>(nchw.at(1)), static_cast<int>(nchw.at(2)), static_cast<int>(nchw.at(3))};
}

}  // namespace

ZooModelSpace::ZooModelSpace(ZooModelSpaceConfig config) : config_(std::move(config)) {
  build(config_);  // an unknown model name or width fails here, at configuration time
}

GenomePtr ZooModelSpace::sample(Rng&) const { return std::make_shared<ZooModelGenome>(); }

std::shared_ptr<const Mutator> ZooModelSpace::default_mutator() const {
  throw Error("zoo_model describes whole models for devices (what gos adapt measures); it is not a space to "
              "search and has no mutation");
}

std::vector<double> ZooModelSpace::encode(const Genome& genome) const {
  return {static_cast<double>(cast(genome).replacements.size())};
}

std::string ZooModelSpace::serialize(const Genome& genome) const {
  std::string text;
  for (const auto& [path, graph] : cast(genome).replacements) {
    if (!text.empty()) text += kBetweenReplacements;
    text += path + kSlotFromGraph + graph;
  }
  return text;
}

GenomePtr ZooModelSpace::deserialize(std::string_view text) const {
  auto genome = std::make_shared<ZooModelGenome>();
  if (!text.empty()) {
    size_t begin = 0;
    while (begin <= text.size()) {
      const size_t end = std::min(text.find(kBetweenReplacements, begin), text.size());
      const std::string_view part = text.substr(begin, end - begin);
      const size_t at = part.find(kSlotFromGraph);
      if (at == std::string_view::npos || at == 0)
        throw Error(fmt::format("zoo_model: '{}' is not 'slot@graph'", part));
      genome->replacements.emplace_back(std::string(part.substr(0, at)), std::string(part.substr(at + 1)));
      begin = end + 1;
    }
  }
  rebuild_zoo_model(config_, *genome);  // every slot and graph checked now, not when a device builds it
  return genome;
}

std::string ZooModelSpace::describe() const {
  return fmt::format("{} (width {}, {} classes, {} stem) with instruction-graph replacements: whole models as "
                     "gos adapt times them, for devices",
                     config_.model, config_.width, config_.classes, config_.cifar_stem ? "CIFAR" : "ImageNet");
}

std::unique_ptr<Workload> ZooModelSpace::workload(const Genome& genome) const {
  const ZooModelGenome& zoo = cast(genome);
  std::shared_ptr<SlottedModel> model = rebuild_zoo_model(config_, zoo);
  const Shape input = model->example_input();
  return std::make_unique<ModuleWorkload>(std::move(model), workload_input(input),
                                          fmt::format("{} w{} [{}]", config_.model, config_.width, serialize(zoo)));
}

std::shared_ptr<SlottedModel> rebuild_zoo_model(const ZooModelSpaceConfig& config, const ZooModelGenome& genome) {
  std::shared_ptr<SlottedModel> model = build(config);
  const std::vector<SlotInfo> slots = model->slots();
  for (const auto& [path, text] : genome.replacements) {
    const auto slot = std::find_if(slots.begin(), slots.end(), [&](const SlotInfo& s) { return s.path == path; });
    if (slot == slots.end())
      throw Error(fmt::format("zoo_model: {} (width {}) has no slot '{}'", config.model, config.width, path));
    const graph::GraphSpec spec{chw(slot->input), chw(slot->output), static_cast<size_t>(config.max_nodes)};
    try {
      model->replace(path, std::make_shared<graph::GraphModule>(graph::parse(text, spec)));
    } catch (const Error& e) {
      throw Error(fmt::format("zoo_model: the replacement of slot '{}': {}", path, e.what()));
    }
  }
  return model;
}

std::string zoo_model_genome(SlottedModel& model) {
  std::string text;
  for (const std::string& path : model.slot_paths()) {
    const auto* graph = dynamic_cast<const graph::GraphModule*>(&model.slot(path).module());
    if (!graph) continue;
    if (!text.empty()) text += kBetweenReplacements;
    text += path + kSlotFromGraph + graph::serialize(graph->graph());
  }
  return text;
}

}  // namespace gos
