// The `differentiable_bits` strategy: QuanTOAStER's one-shot search over the
// mixed_precision space. Its first ask() trains the supernet
// (supernet.h) and returns the argmax genome; the experiment's objectives
// then evaluate that genome like any other (fine-tune, BitOPs) and the
// runner writes it to the results file. The second ask() ends the run.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <optional>

#include "framework/plugin_abi.h"
#include "framework/strategy.h"
#include "plugins/strategies/differentiable_bits/supernet.h"
#include "torchlib/torch_model.h"

namespace gos::mixed_precision {
namespace {

class DifferentiableBits : public Strategy {
 public:
  DifferentiableBits(SupernetConfig config, ImageDataset train, int threads)
      : config_(config), train_(std::move(train)), threads_(threads) {}

  void start(const StrategyContext& context, Rng rng) override {
    config_.seed = rng.seed();  // the experiment's seed: a sweep over seeds gives different supernets
    space_ = dynamic_cast<const MixedPrecisionSpace*>(context.space);
    if (!space_)
      throw Error(
          "the differentiable_bits strategy searches the mixed_precision space only; set "
          "[search_space] plugin = \"mixed_precision\"");
    done_ = false;
  }
  std::vector<GenomePtr> ask() override {
    if (done_) return {};
    done_ = true;
    if (threads_ > 0) torch::set_num_threads(threads_);
    const SupernetOutcome outcome = search_bit_widths(*space_, train_, config_);
    if (config_.progress) {
      std::cerr << fmt::format("differentiable_bits: argmax widths {}, E[BitOPs] {:.4g} G\n",
                               fmt::join(outcome.bits, "-"), outcome.expected_bitops / 1e9);
    }
    return {space_->make_genome(outcome.bits)};
  }
  void tell(std::span<const EvaluatedGenome>) override {}

 private:
  SupernetConfig config_;
  ImageDataset train_;
  const MixedPrecisionSpace* space_ = nullptr;
  int threads_;
  bool done_ = false;
};

ParamSchema schema() {
  const SupernetConfig d;
  ParamSchema s;
  s.string("data_dir", std::nullopt, "CIFAR-10 binary batches the supernet trains on, e.g. \"../shared/data/cifar10\"")
      .path()
      .strings("train_files", std::vector<std::string>{"data_batch_1.bin", "data_batch_2.bin"},
               "training files in data_dir")
      .integer("train_subset", 5000, 0, 100000000, "training images drawn by seed; 0 = all")
      .integer("steps", d.steps, 1, 100000000, "supernet training steps")
      .integer("batch_size", d.batch_size, 1, 65536, "minibatch size")
      .real("learning_rate", d.learning_rate, 1e-8, 10, "SGD (momentum 0.9) rate of weights and LSQ steps")
      .real("arch_learning_rate", d.arch_learning_rate, 1e-8, 10, "Adam rate of the architecture logits")
      .string("relaxation", "softmax", "softmax (DARTS) or gumbel (Gumbel-softmax samples)", {"softmax", "gumbel"})
      .real("temperature_start", d.temperature_start, 1e-3, 1e3, "temperature at the first step")
      .real("temperature_end", d.temperature_end, 1e-3, 1e3, "temperature at the last step (exponential decay)")
      .real("entropy", d.entropy, 0, 1e6, "weight of the entropy regulariser (pushes each layer to one width)")
      .real("penalty", d.penalty, 0, 1e6, "lambda of the BitOPs penalty (expected BitOPs / BitOPs of the widest model)")
      .integer("threads", 0, 0, 1024, "LibTorch threads; 0 = every hardware thread")
      .boolean("progress", true, "supernet loss every 10 steps on stderr");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  SupernetConfig config;
  config.steps = params.get_int("steps");
  config.batch_size = params.get_int("batch_size");
  config.learning_rate = params.get_real("learning_rate");
  config.arch_learning_rate = params.get_real("arch_learning_rate");
  config.relaxation = params.get_string("relaxation") == "gumbel" ? Relaxation::kGumbel : Relaxation::kSoftmax;
  config.temperature_start = params.get_real("temperature_start");
  config.temperature_end = params.get_real("temperature_end");
  config.entropy = params.get_real("entropy");
  config.penalty = params.get_real("penalty");
  config.progress = params.get_bool("progress");
  const std::filesystem::path dir = params.get_string("data_dir");
  std::vector<std::filesystem::path> files;
  for (const std::string& file : params.get_strings("train_files")) files.push_back(dir / file);
  try {
    ImageDataset train = load_cifar10(files);
    return std::make_unique<DifferentiableBits>(
        config, shuffled_subset(train, 0, static_cast<size_t>(params.get_int("train_subset"))),
        static_cast<int>(params.get_int("threads")));
  } catch (const Error& e) {
    throw params.error("data_dir", e.what());
  }
}

}  // namespace
}  // namespace gos::mixed_precision

GOS_PLUGIN("differentiable_bits", gos::PluginKind::kStrategy, "1.0.0",
           "QuanTOAStER's one-shot bit-width search: supernet, softmax/Gumbel weights, entropy and BitOPs penalty",
           &gos::mixed_precision::schema, &gos::mixed_precision::create)
