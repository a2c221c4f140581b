// Plugin entry point of the cnn_chain search space.
#include "framework/plugin_abi.h"
#include "searchspaces/cnn/cnn_chain.h"

namespace gos::cnn {
namespace {

std::vector<int> to_ints(const std::vector<int64_t>& values) { return {values.begin(), values.end()}; }

ParamSchema schema() {
  ParamSchema s;
  s.integer("input_channels", 3, 1, 4096, "channels of the input image")
      .integer("resolution", 32, 1, 4096, "height and width of the input image")
      .integer("batch", 1, 1, 4096, "batch size of the runnable model")
      .integer("classes", 10, 1, 100000, "outputs of the linear classifier")
      .integer("min_layers", 2, 1, 64, "fewest convolutions in a chain")
      .integer("max_layers", 6, 1, 64, "most convolutions in a chain")
      .integers("kernels", std::vector<int64_t>{1, 3, 5}, 1, 15, "kernel sizes to choose from (odd)")
      .integers("channels", std::vector<int64_t>{8, 16, 24, 32, 48, 64}, 1, 4096, "output channels to choose from")
      .integers("strides", std::vector<int64_t>{1, 2}, 1, 4, "strides to choose from (must include 1)");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  CnnChainConfig config;
  config.input_channels = static_cast<int>(params.get_int("input_channels"));
  config.resolution = static_cast<int>(params.get_int("resolution"));
  config.batch = static_cast<int>(params.get_int("batch"));
  config.classes = static_cast<int>(params.get_int("classes"));
  config.min_layers = static_cast<int>(params.get_int("min_layers"));
  config.max_layers = static_cast<int>(params.get_int("max_layers"));
  config.kernels = to_ints(params.get_ints("kernels"));
  config.channels = to_ints(params.get_ints("channels"));
  config.strides = to_ints(params.get_ints("strides"));
  try {
    return std::make_unique<CnnChainSpace>(config);
  } catch (const Error& e) {
    throw params.error("max_layers", e.what());
  }
}

}  // namespace
}  // namespace gos::cnn

GOS_PLUGIN("cnn_chain", gos::PluginKind::kSearchSpace, "1.0.0",
           "A small LibTorch test CNN space: a chain of conv layers (kernel, channels, stride, activation)",
           &gos::cnn::schema, &gos::cnn::create)
