#pragma once
// A trainer fits a LibTorch model on its configured data set and budget and
// reports held-out accuracy. The interface names the model type only by
// declaration so that the framework itself never includes LibTorch headers;
// TorchModel (a torch::nn::Module with a Tensor -> Tensor forward) is defined
// by the LibTorch layer of GOS.
#include <cstdint>

#include "framework/component.h"

namespace gos {

class TorchModel;

struct TrainReport {
  double train_loss = 0;
  double train_accuracy = 0;  // %, over the last epoch
  double eval_accuracy = 0;   // %, on the held-out split
  int64_t steps = 0;
  int64_t images = 0;        // training images processed (steps x batch, the last batch of an epoch smaller)
  double train_seconds = 0;  // the training steps alone (images / train_seconds: throughput)
  double seconds = 0;        // training and the final evaluation
};

class Trainer : public Component {
 public:
  // Trains `model` in place on the trainer's data for its configured budget.
  virtual TrainReport train(TorchModel& model) = 0;
  // Top-1 accuracy (%) of `model` on the held-out split.
  virtual double evaluate(TorchModel& model) = 0;
};

}  // namespace gos
