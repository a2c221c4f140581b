#pragma once
// TorchScript export of any TorchModel (zoo models, with or without replaced
// slots). The model is traced in C++ with LibTorch's tracer at one input
// shape, with its parameters and buffers registered as attributes of a new
// torch::jit::Module, so the file keeps named weights rather than constants.
// The result loads with torch::jit::load and with Python's torch.jit.load.
// Like any trace, it records the operations run for that input: it is exact
// for the zoo's fixed-graph models; data-dependent control flow would be
// frozen to the traced path.
#include <string>

#include "torchlib/zoo.h"

namespace gos {

// Traces `model` in eval mode on a random input of `input` shape and saves
// the TorchScript module to `path`. Throws gos::Error naming the file when it
// cannot be written.
void export_torchscript(TorchModel& model, const Shape& input, const std::string& path);

}  // namespace gos
