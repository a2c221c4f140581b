#pragma once
// Zero-cost proxies: numbers computed from an untrained network on one
// minibatch that correlate with its trained accuracy (Abdelfattah et al.
// 2021) or measure its cost. Each is a plain function over a model.
#include "torchlib/zoo.h"

namespace gos {

// Number of trainable parameters.
int64_t parameter_count(torch::nn::Module& model);

// Sum of the slots' FLOPs at `input` shape (a multiply-add counts 2). Throws
// gos::Unsupported naming the slot when a replacement does not report FLOPs.
double flop_count(SlottedModel& model, const Shape& input);

// NASWOT (Mellor et al. 2021): log |det K| with K[i][j] = N_A - d_H(c_i, c_j),
// where c_i is the binary code (unit > 0) of input i over every ReLU the model
// applies through gos::observed_relu (torch_model.h) and N_A the number of
// those units. Runs `batch` once without gradients in the model's current
// mode. Throws gos::Error when the model applied no observed ReLU.
double naswot_score(TorchModel& model, const torch::Tensor& batch);

// synflow (Tanaka et al. 2020): with every parameter replaced by its absolute
// value and an all-ones input of `input` shape, R = sum of the outputs; the
// score is sum over parameters of |theta * dR/dtheta|. Computed in double
// precision and eval mode (batch norm uses its running statistics); the
// model's parameters, dtype, mode and gradients are restored afterwards.
double synflow_score(TorchModel& model, const Shape& input);

// grad-norm: the sum over parameter tensors of the L2 norm of the gradient of
// the mean cross-entropy loss of (batch, labels). Uses the model's current
// mode; gradients are cleared afterwards.
double grad_norm_score(TorchModel& model, const torch::Tensor& batch, const torch::Tensor& labels);

}  // namespace gos
