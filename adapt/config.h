#pragma once
// The `[adapt]` table of an adapt experiment file: typed, validated, with
// defaults. Plain C++ (no LibTorch), so that `gos adapt --validate` and the
// config tests compile and run quickly.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "framework/params.h"

namespace gos::adapt {

struct AdaptConfig {
  std::string source;  // file name used in messages, or "<text>"
  std::string name;    // defaults to the file's stem

  // The model and its data.
  std::string model = "resnet18";
  double width = 1.0;
  bool cifar_stem = true;
  std::filesystem::path data_dir = "../shared/data/cifar10";  // relative to the working directory
  std::vector<std::string> train_files = {"data_batch_1.bin", "data_batch_2.bin"};
  std::vector<std::string> test_files = {"test_batch.bin"};
  int64_t train_subset = 5000;   // training images (seeded draw from train_files minus the holdout)
  int64_t holdout = 1000;        // training images set aside: the validation set of the accuracy constraint
  int64_t test_images = 1000;    // images of test_files for the final test accuracy; 0 = skip
  int64_t eval_subset = 200;     // held-out images used for the in-search accuracy estimate
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
  double min_gain = 0.01;          // a candidate must be this fraction faster than the current model
  std::vector<std::string> slot_kinds = {"conv", "dwconv"};  // kind prefixes of eligible slots

  // Inner search (NSGA-II over GOS instruction graphs).
  int64_t population = 8;
  int64_t generations = 3;
  int64_t max_nodes = 6;
  int64_t seed_walk = 2;  // initial population: the seed after 0..seed_walk mutations
  uint64_t seed = 0;
  int64_t threads = 1;  // LibTorch intra-op threads for every measurement, training and evaluation

  // Latency: median wall clock of the whole model at batch 1.
  int64_t latency_warmup = 3;
  int64_t latency_repeats = 15;
  // "wall": wall-clock time. "cpu": process CPU time, which on a machine
  // shared with other jobs counts the work rather than the preemptions (equal
  // to wall clock on a quiet machine at threads = 1).
  std::string latency_clock = "wall";
  // "median" of the repeats, or "min": the run least disturbed by other jobs
  // (more repeatable than the median on a loaded machine).
  std::string latency_statistic = "median";
  // How the search times a candidate. "slot": kernel decomposition (as
  // nn-Meter) -- the model's latency at the start of the iteration plus the
  // candidate's latency minus the original operator's, both run alone on the
  // slot's input in alternating rounds; the slot's share of the noise is all
  // that remains, so candidates that differ by less than the whole model's
  // run-to-run spread are still told apart. "model": the whole model with the
  // candidate spliced in.
  std::string candidate_latency = "slot";
  // Alternating rounds of the A/B comparisons (slot alone: original vs
  // candidate; whole model before vs after a splice); the median over rounds
  // of each side's statistic is compared.
  int64_t latency_rounds = 3;

  // Accuracy estimate of a candidate inside the search.
  std::string accuracy_estimate = "distill";  // "distill" or "finetune"
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

// Parses an adapt file: exactly one [adapt] table. `overrides` are
// "key=value" or "adapt.key=value" strings applied before validation (values
// in TOML syntax; a bare word is taken as a string). Every error names the
// file, line and column (or "command line --set"), the key, and what is valid.
AdaptConfig load_adapt_config(const std::filesystem::path& file, const std::vector<std::string>& overrides);
AdaptConfig parse_adapt_config(std::string_view text, const std::string& source,
                               const std::vector<std::string>& overrides);

}  // namespace gos::adapt
