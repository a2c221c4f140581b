// Plugin entry point for the `zoo_model` search space (zoo_model_space.h).
#include <fmt/format.h>

#include "framework/plugin_abi.h"
#include "searchspaces/zoo_model/zoo_model_space.h"

namespace gos {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.string("model", "resnet18", "zoo model", {"resnet18", "mobilenetv3_small", "mobilenetv3_large", "inception_v3"})
      .real("width", 1.0, 1e-3, 64.0, "channel multiplier (ResNet18: any > 0; InceptionV3: k/16)")
      .integer("classes", 10, 1, 100000, "output classes")
      .integer("in_channels", 3, 1, 64, "input channels")
      .boolean("cifar_stem", true, "CIFAR-size stem for 32x32 inputs; false: the ImageNet stem")
      .integer("max_nodes", 64, 1, 256, "node limit when reading a replacement graph");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  ZooModelSpaceConfig config;
  config.model = params.get_string("model");
  config.width = params.get_real("width");
  config.classes = params.get_int("classes");
  config.in_channels = params.get_int("in_channels");
  config.cifar_stem = params.get_bool("cifar_stem");
  config.max_nodes = params.get_int("max_nodes");
  try {
    return std::make_unique<ZooModelSpace>(config);
  } catch (const Error& e) {
    throw params.error("width", e.what());
  }
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("zoo_model", gos::PluginKind::kSearchSpace, "1.0.0",
           "whole zoo models with instruction-graph replacements, as gos adapt times them (for remote devices)",
           &gos::schema, &gos::create)
