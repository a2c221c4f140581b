// Plugin entry point of the mixed_precision search space.
#include "framework/plugin_abi.h"
#include "searchspaces/mixed_precision/mixed_precision_space.h"

namespace gos::mixed_precision {
namespace {

ParamSchema schema() {
  const MixedPrecisionConfig d;
  ParamSchema s;
  s.string("model", d.model, "zoo model", {"resnet18", "mobilenetv3_small", "mobilenetv3_large", "inception_v3"})
      .real("width", d.width, 0.01, 16, "channel multiplier (resnet18: any; inception_v3: k/16; others: 1)")
      .integer("classes", d.classes, 1, 100000, "outputs of the classifier")
      .integer("in_channels", d.in_channels, 1, 4096, "image channels")
      .boolean("cifar_stem", d.cifar_stem, "32x32 stem (true) or the ImageNet stem")
      .integers("bits", d.bits, INT64_MIN, INT64_MAX,
                "bit widths to choose from per layer: 1..8, 16, 32 (32 = full precision)")
      .strings("layers", d.layers, "slot paths of the searched layers; empty = every convolution and linear slot")
      .integer("fixed_bits", d.fixed_bits, INT64_MIN, INT64_MAX, "width of quantizable layers not in `layers`")
      .string("baseline_checkpoint", d.baseline_checkpoint,
              "full-precision checkpoint (gos train --checkpoint) every genome starts from; empty = initialisation")
      .path()
      .integer("seed", 0, 0, INT64_MAX, "seed of the initialisation when there is no checkpoint");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  MixedPrecisionConfig config;
  config.model = params.get_string("model");
  config.width = params.get_real("width");
  config.classes = params.get_int("classes");
  config.in_channels = params.get_int("in_channels");
  config.cifar_stem = params.get_bool("cifar_stem");
  config.bits = params.get_ints("bits");
  config.layers = params.get_strings("layers");
  config.fixed_bits = params.get_int("fixed_bits");
  config.baseline_checkpoint = params.get_string("baseline_checkpoint");
  config.seed = static_cast<uint64_t>(params.get_int("seed"));
  try {
    return std::make_unique<MixedPrecisionSpace>(config);
  } catch (const Error& e) {
    // The space's messages start with the key they are about.
    const std::string message = e.what();
    for (const char* key : {"bits", "layers", "fixed_bits", "baseline_checkpoint"})
      if (message.rfind(std::string(key) + ": ", 0) == 0)
        throw params.error(key, message.substr(std::string(key).size() + 2));
    throw params.error("model", message);
  }
}

}  // namespace
}  // namespace gos::mixed_precision

GOS_PLUGIN("mixed_precision", gos::PluginKind::kSearchSpace, "1.0.0",
           "Per-layer bit widths of a zoo model (LSQ quantization): BitOPs, model size, QAT accuracy",
           &gos::mixed_precision::schema, &gos::mixed_precision::create)
