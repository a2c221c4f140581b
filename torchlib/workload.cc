#include "torchlib/workload.h"

namespace gos {

ModuleWorkload::ModuleWorkload(std::shared_ptr<TorchModel> module, torch::Tensor input, std::string key)
    : owned_(std::move(module)), module_(*owned_), input_(std::move(input)), key_(std::move(key)),
      was_training_(module_.is_training()) {
  module_.eval();
}

ModuleWorkload::ModuleWorkload(TorchModel& module, torch::Tensor input, std::string key)
    : module_(module), input_(std::move(input)), key_(std::move(key)), was_training_(module_.is_training()) {
  module_.eval();
}

ModuleWorkload::~ModuleWorkload() { module_.train(was_training_); }

void ModuleWorkload::run() {
  torch::NoGradGuard no_grad;
  module_.forward(input_);
}

torch::Tensor workload_input(const std::vector<int64_t>& shape, uint64_t seed) {
  return torch::randn(shape, at::detail::createCPUGenerator(seed));
}

}  // namespace gos
