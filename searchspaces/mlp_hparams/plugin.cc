// Plugin entry point of the mlp_hparams search space.
#include "framework/plugin_abi.h"
#include "searchspaces/mlp_hparams/mlp_hparams_space.h"

namespace gos {
namespace {

ParamSchema schema() {
  const MlpHparamsConfig d;
  ParamSchema s;
  s.integers("widths", d.widths, 1, 65536, "hidden layer widths to choose from (every hidden layer has the same)")
      .integers("depths", d.depths, 1, 64, "numbers of hidden layers to choose from")
      .reals("learning_rates", d.learning_rates, 1e-12, 10, "Adam step sizes to choose from");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  MlpHparamsConfig config{params.get_ints("widths"), params.get_ints("depths"), params.get_reals("learning_rates")};
  try {
    return std::make_unique<MlpHparamsSpace>(config);
  } catch (const Error& e) {
    // The space's messages start with the key they are about.
    const std::string message = e.what();
    for (const char* key : {"widths", "depths", "learning_rates"})
      if (message.rfind(std::string(key) + ": ", 0) == 0)
        throw params.error(key, message.substr(std::string(key).size() + 2));
    throw;
  }
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("mlp_hparams", gos::PluginKind::kSearchSpace, "1.0.0",
           "Hyper-parameters of an MLP (hidden width, depth, learning rate) for tuning a trained model's error",
           &gos::schema, &gos::create)
