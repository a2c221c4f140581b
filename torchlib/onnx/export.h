#pragma once
// Export of any TorchModel (an imported ONNX model, a zoo model, either with
// slots replaced by GOS graphs) to standard ONNX. The model is traced at one
// input shape (torchlib/export.h) and every LibTorch operation of the trace is
// lowered to default-domain ONNX operators at opset 17 (GOS graph kernels
// included: pixel (un)shuffle, shifts, GELU, repeat-interleave upsampling).
// Shapes are fixed at the traced input except the batch: by default the input
// and output have a symbolic first dimension "batch" and no node bakes the
// traced batch in (reshapes keep dimension 0 with ONNX's 0, expands with 1),
// so any runtime runs any batch. Parameters and buffers become initializers
// under their module names.
#include <string>

#include "torchlib/onnx/proto.h"
#include "torchlib/zoo.h"

namespace gos::onnx_io {

// kSymbolic: the first dimension of input and output is "batch". kStatic:
// the traced input's batch, for models whose graph mixes the batch with other
// dimensions (a reshape merging it, a concatenation along it), which a
// symbolic export refuses, naming the operation.
enum class BatchDim { kSymbolic, kStatic };

// The model as an ONNX ModelProto with input "input" and output "output",
// checked by onnx::checker. A LibTorch operation without an ONNX lowering
// throws gos::Error naming it and the supported ones.
onnx::ModelProto to_onnx(TorchModel& model, const Shape& input, BatchDim batch = BatchDim::kSymbolic);
// to_onnx, written atomically to `path`.
void export_onnx(TorchModel& model, const Shape& input, const std::string& path, BatchDim batch = BatchDim::kSymbolic);

}  // namespace gos::onnx_io
