#pragma once
// Stage "baseline": the data and trainers of a run, and the baseline model
// trained once (cached in the run directory under its key) or loaded from a
// checkpoint. Include only from torch translation units.
#include <functional>
#include <memory>
#include <string>

#include "adapt/config.h"
#include "adapt/run_dir.h"
#include "torchlib/datasets.h"
#include "torchlib/training.h"
#include "torchlib/zoo.h"

namespace gos::adapt {

struct AdaptData {
  std::unique_ptr<ImageTrainer> search_eval;         // eval_subset held-out images; also distillation inputs
  std::unique_ptr<ImageTrainer> holdout_eval;        // every held-out image
  std::unique_ptr<ImageTrainer> finetune;            // after a splice
  std::unique_ptr<ImageTrainer> candidate_finetune;  // accuracy_estimate = "finetune"
  ImageDataset test_images;
  ZooOptions zoo;
};

// Loads the images and builds the trainers; throws gos::Error naming a
// missing or corrupt data file.
AdaptData load_data(const AdaptConfig& config);

// Top-1 accuracy (%) on the test images; NaN when test_images = 0.
double test_accuracy(AdaptData& data, TorchModel& model);

// A fresh (untrained) instance of the configured model: the zoo model, or
// the ONNX file imported with its weights (a model the user trained). Throws
// gos::Error for an ONNX file in a build without ONNX support.
std::shared_ptr<SlottedModel> make_model(const AdaptConfig& config, const ZooOptions& zoo);

struct BaselineModel {
  std::shared_ptr<SlottedModel> model;
  double train_seconds = 0;  // 0 when reused or loaded
  std::string origin;        // for the log: reused / loaded / trained
};

// The baseline: baseline.ckpt of the run directory when its key matches,
// else baseline_checkpoint, else trained (seeded before the weights are
// initialised, so the same file and seed train the same baseline).
BaselineModel prepare_baseline(const AdaptConfig& config, AdaptData& data, const RunDirectory& run, bool progress);

// A resumed run's model: the zoo model, the accepted and pending
// replacements of `record` spliced in order, then the weights of its last completed
// iteration (the baseline's when there is none). Throws gos::Error naming
// the record when a recorded slot is not in the model.
std::shared_ptr<SlottedModel> rebuild_model(const AdaptConfig& config, const AdaptData& data,
                                            const AdaptRecord& record, const RunDirectory& run);

}  // namespace gos::adapt
