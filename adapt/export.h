#pragma once
// Stage "export": the adapted model as files beside adapt.h5 — adapted.pt
// (TorchScript, traced at batch 1), adapted.onnx (builds with ONNX) and
// graphs.txt (slot and genome of every accepted replacement). Include only
// from torch translation units.
#include <functional>
#include <string>
#include <vector>

#include "adapt/results.h"
#include "adapt/run_dir.h"
#include "torchlib/zoo.h"

namespace gos::adapt {

// Writes the files into run.dir and returns the TorchScript file's name.
// A model that ONNX cannot express costs adapted.onnx (reported through
// `warn`), not the run.
std::string export_adapted(SlottedModel& model, const RunDirectory& run, const std::vector<IterationRecord>& iterations,
                           const std::function<void(const std::string&)>& warn);

}  // namespace gos::adapt
