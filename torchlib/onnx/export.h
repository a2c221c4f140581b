#pragma once
// Export of any TorchModel (an imported ONNX model, a zoo model, either with
// slots replaced by GOS graphs) to standard ONNX. The model is traced at one
// input shape (torchlib/export.h) and every LibTorch operation of the trace is
// lowered to default-domain ONNX operators at opset 17 (GOS graph kernels
// included: pixel (un)shuffle, shifts, GELU, repeat-interleave upsampling).
// Shapes are static, fixed at the traced input (batch included). Parameters
// and buffers become initializers under their module names.
#include <string>

#include "torchlib/onnx/proto.h"
#include "torchlib/zoo.h"

namespace gos::onnx_io {

// The model as an ONNX ModelProto with input "input" and output "output",
// checked by onnx::checker. A LibTorch operation without an ONNX lowering
// throws gos::Error naming it and the supported ones.
onnx::ModelProto to_onnx(TorchModel& model, const Shape& input);
// to_onnx, written atomically to `path`.
void export_onnx(TorchModel& model, const Shape& input, const std::string& path);

}  // namespace gos::onnx_io
