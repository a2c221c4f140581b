#include "torchlib/proxies.h"

#include <fmt/format.h>

#include <cmath>

#include "framework/error.h"

namespace gos {

int64_t parameter_count(torch::nn::Module& model) {
  int64_t count = 0;
  for (const auto& parameter : model.parameters()) count += parameter.numel();
  return count;
}

double flop_count(SlottedModel& model, const Shape& input) {
  double total = 0;
  for (const SlotInfo& slot : model.slots(input)) {
    if (std::isnan(slot.flops))
      throw Unsupported(fmt::format("slot '{}' holds a replacement module that does not report its FLOPs "
                                    "(derive it from gos::Operator to count it)",
                                    slot.path));
    total += slot.flops;
  }
  return total;
}

double naswot_score(TorchModel& model, const torch::Tensor& batch) {
  torch::NoGradGuard no_grad;
  torch::Tensor c;
  {
    ReluCodeRecorder recorder;
    model.forward(batch);
    if (recorder.codes().empty())
      throw Error("NASWOT needs ReLUs applied through gos::observed_relu, and the model has none");
    c = torch::cat(recorder.codes(), 1);
  }
  // Agreements of the codes: units active in both plus units inactive in both.
  const torch::Tensor kernel = c.mm(c.t()) + (1 - c).mm((1 - c).t());
  return std::get<1>(torch::slogdet(kernel)).item<double>();
}

double synflow_score(TorchModel& model, const Shape& input) {
  const bool was_training = model.is_training();
  const auto dtype = model.parameters().empty() ? torch::kFloat32 : model.parameters().front().scalar_type();
  model.eval();
  model.to(torch::kFloat64);
  std::vector<torch::Tensor> signs;
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : model.parameters()) {
      signs.push_back(torch::sign(parameter));
      parameter.abs_();
    }
  }
  model.zero_grad();
  model.forward(torch::ones(input, torch::kFloat64)).sum().backward();
  double score = 0;
  for (const auto& parameter : model.parameters())
    if (parameter.grad().defined()) score += (parameter * parameter.grad()).abs().sum().item<double>();
  {
    torch::NoGradGuard no_grad;
    size_t i = 0;
    for (auto& parameter : model.parameters()) parameter.mul_(signs[i++]);
  }
  model.zero_grad();
  model.to(dtype);
  model.train(was_training);
  return score;
}

double grad_norm_score(TorchModel& model, const torch::Tensor& batch, const torch::Tensor& labels) {
  model.zero_grad();
  torch::nn::functional::cross_entropy(model.forward(batch), labels).backward();
  double score = 0;
  for (const auto& parameter : model.parameters())
    if (parameter.grad().defined()) score += parameter.grad().norm().item<double>();
  model.zero_grad();
  return score;
}

}  // namespace gos
