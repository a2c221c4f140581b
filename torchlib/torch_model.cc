#include "torchlib/torch_model.h"

#include "framework/error.h"

namespace gos {
namespace {
thread_local ReluCodeRecorder* active_recorder = nullptr;
}  // namespace

TorchModel::~TorchModel() = default;

torch::Tensor observed_relu(const torch::Tensor& input) {
  torch::Tensor output = torch::relu(input);
  if (active_recorder)
    active_recorder->codes_.push_back((output > 0).reshape({output.size(0), -1}).to(torch::kFloat64));
  return output;
}

ReluCodeRecorder::ReluCodeRecorder() {
  if (active_recorder) throw Error("a ReluCodeRecorder is already recording on this thread");
  active_recorder = this;
}

ReluCodeRecorder::~ReluCodeRecorder() { active_recorder = nullptr; }

}  // namespace gos
