#include "adapt/export.h"

#include <fmt/format.h>

#include <fstream>

#include "framework/error.h"
#include "torchlib/export.h"
#ifdef GOS_WITH_ONNX
#include "torchlib/onnx/export.h"
#endif

namespace gos::adapt {

std::string export_adapted(SlottedModel& model, const RunDirectory& run, const std::vector<IterationRecord>& iterations,
                           const std::function<void(const std::string&)>& warn) {
  const std::string torchscript = "adapted.pt";
  export_torchscript(model, model.example_input(), (run.dir / torchscript).string());
#ifdef GOS_WITH_ONNX
  // GOS graphs lowered to standard ONNX operators: any ONNX runtime runs it,
  // at any batch. A graph that mixes the batch with other dimensions gets the
  // static batch instead.
  const std::string onnx_path = (run.dir / "adapted.onnx").string();
  try {
    onnx_io::export_onnx(model, model.example_input(), onnx_path);
  } catch (const Error& symbolic) {
    try {
      onnx_io::export_onnx(model, model.example_input(), onnx_path, onnx_io::BatchDim::kStatic);
      warn(fmt::format("adapted.onnx has a static batch of {}: {}", model.example_input().at(0), symbolic.what()));
    } catch (const Error& e) {
      warn(fmt::format("adapted.onnx not written: {}", e.what()));
    }
  }
#else
  (void)warn;
#endif
  std::ofstream graphs(run.dir / "graphs.txt");
  for (const auto& it : iterations)
    if (it.status == IterationStatus::kAccepted) graphs << it.slot << " " << it.chosen_genome << "\n";
  return torchscript;
}

}  // namespace gos::adapt
