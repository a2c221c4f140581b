#pragma once
// The `[adapt]` table of an adapt experiment file: typed, validated, with
// defaults, and its two plugin tables: [adapt.strategy] (any strategy plugin;
// the inner search) and [adapt.latency] (any latency_model plugin: every
// latency of the run comes from it). Plain C++ (no LibTorch), so that `gos
// adapt --validate` and the config tests compile and run quickly.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "adapt/decision.h"
#include "adapt/ranking.h"
#include "framework/params.h"
#include "torchlib/compute_device.h"

namespace gos {
class PluginRegistry;
}

namespace gos::adapt {

// How the search times a candidate. kSlot: kernel decomposition (as nn-Meter)
// -- the model's latency at the start of the iteration plus the latency
// model's estimate of the candidate minus its estimate of the original
// operator (as its exact seed graph), in alternating rounds; the slot's share
// of the noise is all that remains, so candidates that differ by less than
// the whole model's run-to-run spread are still told apart. Works with every
// latency model. kModel: the whole model with the candidate spliced in, timed
// on the latency model's device (measure only).
enum class CandidateLatency { kSlot, kModel };
enum class AccuracyEstimate { kDistill, kFinetune };
const char* to_string(CandidateLatency mode);
const char* to_string(AccuracyEstimate mode);

// The inner search when [adapt.strategy] is absent: NSGA-II at these sizes.
inline constexpr int64_t kDefaultPopulation = 8;
inline constexpr int64_t kDefaultGenerations = 3;

struct AdaptConfig {
  std::string source;  // file name used in messages, or "<text>"
  std::string name;    // defaults to the file's stem

  // The model and its data.
  std::string model = "resnet18";  // a zoo name, or an ONNX file (is_onnx_model)
  double width = 1.0;
  bool cifar_stem = true;
  std::filesystem::path data_dir =
      "../shared/data/cifar10";  // default: relative to the working directory; written in a file: to its folder
  std::vector<std::string> train_files = {"data_batch_1.bin", "data_batch_2.bin"};
  std::vector<std::string> test_files = {"test_batch.bin"};
  int64_t train_subset = 5000;  // training images (seeded draw from train_files minus the holdout)
  int64_t holdout = 1000;       // training images set aside: the validation set of the accuracy constraint
  int64_t test_images = 1000;   // images of test_files for the final test accuracy; 0 = skip
  int64_t eval_subset = 200;    // held-out images used for the in-search accuracy estimate
  int64_t batch_size = 128;

  // Baseline: trained once (cached as baseline.ckpt in the run directory) or loaded.
  int64_t baseline_epochs = 3;
  int64_t baseline_steps = 0;  // > 0: exactly this many steps instead of epochs
  double baseline_lr = 0.05;
  std::string baseline_checkpoint;  // a GOS checkpoint of the same model; empty = train

  // The constraint and the stop rules.
  double epsilon = 1.0;            // allowed held-out accuracy drop (points) vs the original baseline
  int64_t max_modified = 10;       // accepted replacements
  int64_t patience = 3;            // consecutive searched slots without an accepted replacement
  double time_budget_minutes = 0;  // 0 = none; checked before each iteration
  // A replacement is accepted only when it makes the model at least this
  // fraction faster (relative): smaller "gains" are within the noise of an
  // alternating A/B comparison (docs/performance/adapt.md has the data).
  // `accept` says of what: each splice alone (its search estimate and its
  // before/after re-measurement), or a batch of up to `max_pending` kept
  // splices against the last confirmed model (AcceptRule in decision.h).
  double min_gain = 0.02;
  AcceptRule accept = AcceptRule::kBatch;
  int64_t max_pending = 3;
  std::vector<std::string> slot_kinds = {"conv", "dwconv"};  // kind prefixes of eligible slots
  SlotOrder slot_order = SlotOrder::kRanked;

  // Inner search over GOS instruction graphs: the strategy plugin and its
  // keys ([adapt.strategy]; default nsga2, population 8, 3 generations).
  ComponentConfig strategy;
  int64_t max_nodes = 6;
  int64_t seed_walk = 2;  // initial population: the seed after 0..seed_walk mutations
  // Widths the candidates' conv, pconv and dwconv may take (attribute b of
  // GOS graphs, 32 = full precision): precision is searched with structure,
  // and each search gets a fourth objective, the candidate's BitOPs. Empty:
  // full precision, three objectives.
  std::vector<int64_t> bits;
  uint64_t seed = 0;
  int64_t threads = 1;  // LibTorch intra-op threads for training and evaluation
  // Where training and accuracy estimates run. Latency never: models are
  // copied to the latency model's device (by default this CPU) to be timed.
  ComputeDevice device = ComputeDevice::kCpu;

  // Latency: the latency_model plugin and its keys ([adapt.latency]; default
  // measure on the cpu device, median of 15 runs after 3 warm-up).
  ComponentConfig latency;
  CandidateLatency candidate_latency = CandidateLatency::kSlot;
  // Alternating rounds of the A/B comparisons (slot alone: original vs
  // candidate; whole model before vs after a splice; the final baseline vs
  // adapted model); the median over rounds of each side is compared.
  int64_t latency_rounds = 3;

  // Accuracy estimate of a candidate inside the search.
  AccuracyEstimate accuracy_estimate = AccuracyEstimate::kDistill;
  int64_t distill_images = 256;
  int64_t distill_steps = 100;
  double distill_lr = 0.01;
  int64_t candidate_finetune_steps = 10;  // "finetune" only: whole-model steps after distillation

  // After a replacement is accepted.
  int64_t finetune_steps = 50;
  double finetune_lr = 0.01;

  // The resolved table (every default filled in), stored in results.
  std::string resolved_toml;
};

ParamSchema adapt_schema();

// Parses an adapt file: exactly one [adapt] table with optional
// [adapt.strategy] and [adapt.latency] tables, whose plugins the registry
// must know. `overrides` are "key=value", "adapt.key=value" or
// "strategy.key=value" / "latency.device.key=value" strings applied before
// validation (values in TOML syntax; a bare word is taken as a string). Every
// error names the file, line and column (or "command line --set"), the key,
// and what is valid.
AdaptConfig load_adapt_config(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                              PluginRegistry& registry);
AdaptConfig parse_adapt_config(std::string_view text, const std::string& source,
                               const std::vector<std::string>& overrides, PluginRegistry& registry);

// True when `model` names an ONNX file rather than a zoo model.
inline bool is_onnx_model(const AdaptConfig& config) { return config.model.ends_with(".onnx"); }

// The input files a run will read exist: the ONNX model file, every train file (and test file when
// test_images > 0) in data_dir, and baseline_checkpoint when set. Throws
// gos::Error naming the file of the configuration, the key and the path as
// resolved, so that `--dry-run` catches what `gos adapt` would fail on.
void check_input_files(const AdaptConfig& config);

}  // namespace gos::adapt
