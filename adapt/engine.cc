// The adapt pipeline. The one LibTorch translation unit of gos_adapt besides
// seed.cc: baseline, profiling, the inner searches' in-process objectives
// (latency of the whole model with the candidate spliced in, its parameters,
// its accuracy drop), splicing, fine-tuning, export.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <time.h>

#include "adapt/adapt.h"
#include "adapt/results.h"
#include "adapt/seed.h"
#include "framework/error.h"
#include "framework/plugin_registry.h"
#include "framework/rng.h"
#include "framework/runner.h"
#include "searchspaces/gos/space.h"
#include "torchlib/export.h"
#include "torchlib/profile.h"
#include "torchlib/training.h"

namespace gos::adapt {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

int64_t count_parameters(torch::nn::Module& module) {
  int64_t total = 0;
  for (const auto& parameter : module.parameters()) total += parameter.numel();
  return total;
}

graph::Shape graph_shape(const Shape& nchw) {
  return {static_cast<int>(nchw.at(1)), static_cast<int>(nchw.at(2)), static_cast<int>(nchw.at(3))};
}

std::string chw(const Shape& nchw) { return graph_shape(nchw).to_string(); }

std::shared_ptr<TorchModel> slot_module(SlottedModel& model, const std::string& path) {
  for (const auto& item : model.named_modules("", false))
    if (item.key() == path) return std::dynamic_pointer_cast<TorchModel>(item.value());
  throw Error(fmt::format("slot '{}' has no module", path));
}

// The parameters and buffers of a model, copied, to put back after a
// candidate was fine-tuned inside it.
std::vector<torch::Tensor> snapshot(torch::nn::Module& model) {
  std::vector<torch::Tensor> state;
  for (const auto& t : model.parameters()) state.push_back(t.detach().clone());
  for (const auto& t : model.buffers()) state.push_back(t.detach().clone());
  return state;
}
void restore(torch::nn::Module& model, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& t : model.parameters()) t.copy_(state.at(i++));
  for (auto& t : model.buffers()) t.copy_(state.at(i++));
}

double now_ms(bool cpu_time) {
  timespec ts{};
  clock_gettime(cpu_time ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return 1e3 * double(ts.tv_sec) + 1e-6 * double(ts.tv_nsec);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.at(values.size() / 2);
}

// The configured statistic (median or minimum) of `latency_repeats` forward
// passes of `module` on `input` after `latency_warmup`, wall clock or process
// CPU time, eval mode, no gradients; the module's mode is restored.
double measure_ms(TorchModel& module, const torch::Tensor& input, const AdaptConfig& config) {
  const bool was_training = module.is_training();
  module.eval();
  torch::NoGradGuard no_grad;
  const bool cpu_time = config.latency_clock == "cpu";
  for (int64_t i = 0; i < config.latency_warmup; ++i) module.forward(input);
  std::vector<double> times;
  for (int64_t i = 0; i < config.latency_repeats; ++i) {
    const double start = now_ms(cpu_time);
    module.forward(input);
    times.push_back(now_ms(cpu_time) - start);
  }
  module.train(was_training);
  return config.latency_statistic == "min" ? *std::min_element(times.begin(), times.end()) : median(times);
}

// Whole-model latency at batch 1 on a fixed random input.
double measure_latency(SlottedModel& model, const AdaptConfig& config) {
  return measure_ms(model, torch::randn(model.example_input()), config);
}

std::string latency_method(const AdaptConfig& config) {
  return fmt::format("{} of {} runs after {} warm-up, {} clock, batch 1, {} LibTorch thread(s), this CPU",
                     config.latency_statistic, config.latency_repeats, config.latency_warmup,
                     config.latency_clock == "cpu" ? "process CPU" : "wall", config.threads);
}

TrainerConfig trainer_config(const AdaptConfig& config) {
  TrainerConfig t;
  t.format = "cifar10";
  t.data_dir = config.data_dir;
  t.train_files = config.train_files;
  t.eval_files = config.test_files;
  t.train_subset = static_cast<size_t>(config.train_subset);
  t.holdout = static_cast<size_t>(config.holdout);
  t.batch_size = config.batch_size;
  t.seed = config.seed;
  t.threads = static_cast<int>(config.threads);
  t.progress = false;
  return t;
}

// Puts a module into a slot for the lifetime of the guard, then the previous
// one back, so that evaluating a candidate never changes the model for good.
class Splice {
 public:
  Splice(SlottedModel& model, std::string path, std::shared_ptr<TorchModel> candidate)
      : model_(model), path_(std::move(path)), original_(slot_module(model, path_)) {
    model_.replace(path_, std::move(candidate));
  }
  ~Splice() { model_.replace(path_, original_); }
  Splice(const Splice&) = delete;
  Splice& operator=(const Splice&) = delete;

 private:
  SlottedModel& model_;
  std::string path_;
  std::shared_ptr<TorchModel> original_;
};

// The whole model's latency with `before` and with `after` in the slot,
// measured in alternating rounds so that a change of the machine's speed
// during the comparison affects both sides alike: {median over rounds of
// before, of after}. The slot holds `after` on return.
std::pair<double, double> compare_models(SlottedModel& model, const std::string& path,
                                         const std::shared_ptr<TorchModel>& before,
                                         const std::shared_ptr<TorchModel>& after, const AdaptConfig& config) {
  model.replace(path, after);
  std::vector<double> before_ms, after_ms;
  for (int64_t round = 0; round < config.latency_rounds; ++round) {
    {
      Splice with_before(model, path, before);
      before_ms.push_back(measure_latency(model, config));
    }
    after_ms.push_back(measure_latency(model, config));
  }
  return {median(before_ms), median(after_ms)};
}

// Everything an adapt run shares across iterations: data, trainers, the model.
struct Context {
  const AdaptConfig& config;
  std::filesystem::path dir;
  std::unique_ptr<ImageTrainer> search_eval;  // eval_subset held-out images; also distillation inputs
  std::unique_ptr<ImageTrainer> holdout_eval;  // every held-out image
  std::unique_ptr<ImageTrainer> finetune;
  std::unique_ptr<ImageTrainer> candidate_finetune;  // accuracy_estimate = "finetune"
  ImageDataset test_images;
  std::shared_ptr<SlottedModel> model;
  BaselineRecord baseline;
  ZooOptions zoo;
};

// The evaluation of candidates for one slot, shared by the three objectives:
// each genome is compiled, distilled (and fine-tuned) once, then measured.
class CandidateEvaluator {
 public:
  struct Values {
    double latency_ms = 0;
    double params = 0;
    double accuracy = 0;
    double drop = 0;
  };

  // `model_ms`: the whole model's latency at the start of the iteration, the
  // base of the slot-level (kernel decomposition) estimate.
  CandidateEvaluator(Context& context, SlotInfo slot, torch::Tensor inputs, torch::Tensor outputs, double model_ms)
      : context_(context),
        slot_(std::move(slot)),
        original_(slot_module(*context.model, slot_.path)),
        inputs_(std::move(inputs)),
        outputs_(std::move(outputs)),
        slot_input_(torch::randn(slot_.input)),
        model_ms_(model_ms),
        other_params_(count_parameters(*context.model) - count_parameters(*original_)) {}

  std::string latency_provenance() const {
    const AdaptConfig& config = context_.config;
    if (config.candidate_latency == "model") return "whole adapted model: " + latency_method(config);
    return fmt::format(
        "kernel decomposition: whole model at the iteration start + (candidate - original operator), each run alone "
        "on the slot's input, median of {} alternating rounds of: {}",
        config.latency_rounds, latency_method(config));
  }

  const Values& evaluate(const graph::Graph& graph) {
    const std::string key = graph::serialize(graph);
    if (auto it = values_.find(key); it != values_.end()) return it->second;
    auto module = trained(graph);
    Values values;
    values.params = static_cast<double>(other_params_ + graph::count_params(graph));
    if (context_.config.candidate_latency == "slot") values.latency_ms = model_ms_ + slot_delta_ms(*module);
    {
      Splice splice(*context_.model, slot_.path, module);
      if (context_.config.candidate_latency == "model")
        values.latency_ms = measure_latency(*context_.model, context_.config);
      if (context_.config.accuracy_estimate == "finetune" && context_.config.candidate_finetune_steps > 0) {
        const auto state = snapshot(*context_.model);
        context_.candidate_finetune->train(*context_.model);
        values.accuracy = context_.search_eval->evaluate(*context_.model);
        restore(*context_.model, state);
      } else {
        values.accuracy = context_.search_eval->evaluate(*context_.model);
      }
    }
    values.drop = context_.baseline.search_accuracy - values.accuracy;
    return values_.emplace(key, values).first->second;
  }

  // The candidate compiled and fitted to the slot's recorded outputs; cached.
  std::shared_ptr<graph::GraphModule> trained(const graph::Graph& graph) {
    const std::string key = graph::serialize(graph);
    if (auto it = modules_.find(key); it != modules_.end()) return it->second;
    // Deterministic per genome and run: the same genome gets the same weights
    // in a resumed run as in an uninterrupted one.
    torch::manual_seed(stable_hash(key, context_.config.seed + 0x9e3779b97f4a7c15ULL));
    auto module = std::make_shared<graph::GraphModule>(graph);
    inherit_weights(*original_, *module);
    distill(*module);
    modules_.emplace(key, module);
    return module;
  }

 private:
  // The candidate's latency minus the original operator's, both alone on the
  // slot's input, in alternating rounds.
  double slot_delta_ms(TorchModel& candidate) {
    std::vector<double> original_ms, candidate_ms;
    for (int64_t round = 0; round < context_.config.latency_rounds; ++round) {
      original_ms.push_back(measure_ms(*original_, slot_input_, context_.config));
      candidate_ms.push_back(measure_ms(candidate, slot_input_, context_.config));
    }
    return median(candidate_ms) - median(original_ms);
  }

  // Fits the candidate to the original slot's outputs (MSE, Adam), starting
  // from the inherited weights; the exact seed is left as it is.
  void distill(graph::GraphModule& module) {
    const int64_t steps = context_.config.distill_steps;
    const int64_t n = inputs_.size(0);
    module.train();
    {
      torch::NoGradGuard no_grad;
      module.eval();
      const double start_loss = torch::mse_loss(module.forward(inputs_), outputs_).item<double>();
      module.train();
      if (steps == 0 || start_loss < 1e-10 || module.parameters().empty()) {
        module.eval();
        return;
      }
    }
    torch::optim::Adam optimizer(module.parameters(), torch::optim::AdamOptions(context_.config.distill_lr));
    const int64_t batch = std::min<int64_t>(64, n);
    for (int64_t step = 0; step < steps; ++step) {
      const torch::Tensor index = torch::randint(n, {batch}, torch::kLong);
      optimizer.zero_grad();
      const torch::Tensor loss = torch::mse_loss(module.forward(inputs_.index_select(0, index)),
                                                 outputs_.index_select(0, index));
      loss.backward();
      optimizer.step();
    }
    module.eval();
  }

  Context& context_;
  SlotInfo slot_;
  std::shared_ptr<TorchModel> original_;
  torch::Tensor inputs_, outputs_;
  torch::Tensor slot_input_;  // random, batch 1: what the slot-level latency runs on
  double model_ms_;
  int64_t other_params_;
  std::map<std::string, Values> values_;
  std::map<std::string, std::shared_ptr<graph::GraphModule>> modules_;
};

enum class Value { kLatency, kParams, kDrop };

class CandidateObjective : public Objective {
 public:
  CandidateObjective(CandidateEvaluator& evaluator, Value value, std::string name)
      : evaluator_(evaluator), value_(value), name_(std::move(name)) {}
  std::string default_name() const override { return name_; }
  Direction default_direction() const override { return Direction::kMinimize; }
  double evaluate(const Genome& genome, const SearchSpace&) override {
    const auto& values = evaluator_.evaluate(graph::GraphSpace::cast(genome));
    switch (value_) {
      case Value::kLatency: return values.latency_ms;
      case Value::kParams: return values.params;
      case Value::kDrop: return values.drop;
    }
    return std::nan("");
  }
  std::map<std::string, std::string> provenance() const override {
    switch (value_) {
      case Value::kLatency:
        return {{"measure", evaluator_.latency_provenance()}};
      case Value::kParams:
        return {{"measure", "parameters of the whole adapted model"}};
      case Value::kDrop:
        return {{"measure", "baseline minus candidate accuracy (points) on the same held-out subset"}};
    }
    return {};
  }

 private:
  CandidateEvaluator& evaluator_;
  Value value_;
  std::string name_;
};

// The slot's input and output activations on real training images.
std::pair<torch::Tensor, torch::Tensor> capture_activations(Context& context, const std::string& path) {
  std::vector<torch::Tensor> inputs, outputs;
  context.model->set_observer([&](const Slot& slot, const torch::Tensor& in, const torch::Tensor& out) {
    if (slot.path() != path) return;
    inputs.push_back(in.detach().clone());
    outputs.push_back(out.detach().clone());
  });
  try {
    context.search_eval->forward_training_images(*context.model, static_cast<size_t>(context.config.distill_images));
  } catch (...) {
    context.model->set_observer(nullptr);
    throw;
  }
  context.model->set_observer(nullptr);
  if (inputs.empty()) throw Error(fmt::format("slot '{}' was not called by a forward pass", path));
  return {torch::cat(inputs), torch::cat(outputs)};
}

ComponentConfig nsga2_config(PluginRegistry& registry, const AdaptConfig& config) {
  const PluginRecord& record = registry.find("nsga2", PluginKind::kStrategy, "gos adapt inner search");
  auto params = std::make_shared<Params>("strategy", SourceLocation{config.source, 0, 0});
  for (const ParamSpec& spec : record.schema.specs())
    if (spec.default_value) params->set(spec.name, *spec.default_value, {config.source, 0, 0});
  params->set("population", config.population, {config.source, 0, 0});
  params->set("generations", config.generations, {config.source, 0, 0});
  return ComponentConfig{"nsga2", "strategy", {config.source, 0, 0}, params};
}

class Pipeline {
 public:
  Pipeline(const AdaptConfig& config, const AdaptOptions& options, PluginRegistry& registry)
      : config_(config), options_(options), registry_(registry), context_{config, options.output, {}, {}, {}, {}, {}, {}, {}, {}} {
    h5_ = options.output / "adapt.h5";
  }

  AdaptSummary run();

 private:
  void log(const std::string& line) const {
    if (options_.progress) std::cerr << "[adapt " << config_.name << "] " << line << "\n";
  }
  void load_data();
  void prepare_baseline();
  void rebuild_from(const AdaptRecord& record);
  std::filesystem::path checkpoint(size_t iteration) const {
    return options_.output / fmt::format("model_{:03d}.ckpt", iteration);
  }
  IterationRecord iterate(size_t index, const SlotRecord& slot_record);
  AdaptSummary finish(const std::string& stop_reason);

  const AdaptConfig& config_;
  const AdaptOptions& options_;
  PluginRegistry& registry_;
  Context context_;
  std::filesystem::path h5_;
  std::vector<IterationRecord> iterations_;
};

void Pipeline::load_data() {
  TrainerConfig base = trainer_config(config_);
  TrainerConfig search = base;
  search.eval_subset = static_cast<size_t>(config_.eval_subset);
  context_.search_eval = std::make_unique<ImageTrainer>(search);
  context_.holdout_eval = std::make_unique<ImageTrainer>(base);
  TrainerConfig finetune = base;
  finetune.steps = std::max<int64_t>(config_.finetune_steps, 1);
  finetune.learning_rate = config_.finetune_lr;
  context_.finetune = std::make_unique<ImageTrainer>(finetune);
  if (config_.accuracy_estimate == "finetune") {
    TrainerConfig candidate = finetune;
    candidate.steps = std::max<int64_t>(config_.candidate_finetune_steps, 1);
    context_.candidate_finetune = std::make_unique<ImageTrainer>(candidate);
  }
  if (config_.test_images > 0) {
    std::vector<std::filesystem::path> files;
    for (const auto& file : config_.test_files) files.push_back(config_.data_dir / file);
    context_.test_images = shuffled_subset(load_cifar10(files), config_.seed + 3,
                                           static_cast<size_t>(config_.test_images));
  }
  context_.zoo.cifar_stem = config_.cifar_stem;
  context_.zoo.width = config_.width;
  context_.zoo.in_channels = context_.holdout_eval->train_data().channels;
  context_.zoo.classes = std::max<int64_t>(10, context_.holdout_eval->train_data().classes);
}

double test_accuracy(Context& context) {
  if (context.test_images.size() == 0) return std::nan("");
  return context.holdout_eval->evaluate_on(*context.model, context.test_images);
}

void Pipeline::prepare_baseline() {
  // Seeded before the weights are initialised: the same file and seed train the same baseline.
  torch::manual_seed(config_.seed);
  context_.model = make_zoo_model(config_.model, context_.zoo);
  const auto baseline_ckpt = options_.output / "baseline.ckpt";
  const auto key_file = options_.output / "baseline.key";
  // What the baseline weights depend on; a cached baseline.ckpt is reused
  // only when these are unchanged.
  const std::string key = fmt::format(
      "model={} width={} cifar_stem={} data={} train={} subset={} holdout={} epochs={} steps={} lr={} batch={} "
      "seed={} checkpoint={}",
      config_.model, config_.width, config_.cifar_stem, config_.data_dir.string(), fmt::join(config_.train_files, ","),
      config_.train_subset, config_.holdout, config_.baseline_epochs, config_.baseline_steps, config_.baseline_lr,
      config_.batch_size, config_.seed, config_.baseline_checkpoint);
  std::string cached_key;
  if (std::ifstream in(key_file); in) std::getline(in, cached_key);
  BaselineRecord& baseline = context_.baseline;
  if (std::filesystem::exists(baseline_ckpt) && cached_key == key) {
    load_checkpoint(*context_.model, baseline_ckpt.string());
    log(fmt::format("baseline: reusing {}", baseline_ckpt.string()));
  } else if (!config_.baseline_checkpoint.empty()) {
    load_checkpoint(*context_.model, config_.baseline_checkpoint);
    save_checkpoint(*context_.model, baseline_ckpt.string());
    log(fmt::format("baseline: loaded {}", config_.baseline_checkpoint));
  } else {
    TrainerConfig train = trainer_config(config_);
    train.epochs = config_.baseline_epochs;
    train.steps = config_.baseline_steps;
    train.learning_rate = config_.baseline_lr;
    train.progress = options_.progress;
    ImageTrainer trainer(train);
    log(fmt::format("baseline: training {} on {} images", config_.model, trainer.train_data().size()));
    baseline.train_seconds = trainer.train(*context_.model).seconds;
    save_checkpoint(*context_.model, baseline_ckpt.string());
  }
  std::ofstream(key_file) << key << "\n";
  torch::set_num_threads(static_cast<int>(config_.threads));
  baseline.accuracy = context_.holdout_eval->evaluate(*context_.model);
  baseline.search_accuracy = context_.search_eval->evaluate(*context_.model);
  baseline.test_accuracy = test_accuracy(context_);
  baseline.params = count_parameters(*context_.model);
  ProfileOptions profile_options;
  profile_options.warmup = static_cast<int>(config_.latency_warmup);
  profile_options.repeats = static_cast<int>(config_.latency_repeats);
  profile_options.threads = static_cast<int>(config_.threads);
  profile_options.cpu_time = config_.latency_clock == "cpu";
  const ModelProfile profile = profile_model(*context_.model, context_.model->example_input(), profile_options);
  baseline.latency_ms = measure_latency(*context_.model, config_);
  for (const SlotProfile& slot : profile.slots)
    baseline.slots.push_back(
        {slot.info.path, slot.info.kind, slot.latency_ms, slot.share, slot.inefficiency, slot.info.parameters});
  write_baseline(h5_, baseline);
  log(fmt::format("baseline: {:.3f} ms, {} params, held-out accuracy {:.2f}% (search subset {:.2f}%), test {:.2f}%",
                  baseline.latency_ms, baseline.params, baseline.accuracy, baseline.search_accuracy,
                  baseline.test_accuracy));
}

// A resumed run: the model as the zoo builds it, the accepted replacements
// spliced in order, then the weights of the last completed iteration.
void Pipeline::rebuild_from(const AdaptRecord& record) {
  context_.model = make_zoo_model(config_.model, context_.zoo);
  context_.baseline = *record.baseline;
  torch::set_num_threads(static_cast<int>(config_.threads));
  const auto infos = context_.model->slots();
  for (const IterationRecord& it : record.iterations) {
    if (it.status != "accepted") continue;
    const auto info = std::find_if(infos.begin(), infos.end(), [&](const SlotInfo& s) { return s.path == it.slot; });
    if (info == infos.end()) throw Error(fmt::format("{}: recorded slot '{}' is not in the model", h5_.string(), it.slot));
    const graph::GraphSpec spec{graph_shape(info->input), graph_shape(info->output),
                                static_cast<size_t>(config_.max_nodes)};
    context_.model->replace(it.slot, std::make_shared<graph::GraphModule>(graph::parse(it.chosen_genome, spec)));
  }
  const auto weights = record.iterations.empty() ? options_.output / "baseline.ckpt"
                                                  : checkpoint(record.iterations.size() - 1);
  load_checkpoint(*context_.model, weights.string());
  iterations_ = record.iterations;
  log(fmt::format("resuming after {} iterations from {}", iterations_.size(), weights.string()));
}

IterationRecord Pipeline::iterate(size_t index, const SlotRecord& slot_record) {
  SlottedModel& model = *context_.model;
  IterationRecord it;
  it.slot = slot_record.path;
  it.slot_kind = slot_record.kind;
  it.latency_after_ms = it.accuracy_estimate = it.accuracy_after = std::nan("");
  const auto infos = model.slots();
  const SlotInfo info = *std::find_if(infos.begin(), infos.end(), [&](const SlotInfo& s) { return s.path == it.slot; });
  it.input = chw(info.input);
  it.output = chw(info.output);
  it.params_before = it.params_after = count_parameters(model);
  auto original = slot_module(model, it.slot);
  it.accuracy_before = context_.baseline.accuracy;
  for (const IterationRecord& done : iterations_)
    if (done.status == "accepted") it.accuracy_before = done.accuracy_after;

  OperatorSeed seed = seed_from_operator(*original, info, static_cast<size_t>(config_.max_nodes));
  if (seed.graph) {
    try {
      compile_seed(*original, info, *seed.graph);
    } catch (const Error& e) {
      seed = {std::nullopt, e.what()};
    }
  }
  if (!seed.graph) {
    it.status = "unsupported";
    it.reason = seed.reason;
    it.latency_before_ms = std::nan("");
    log(fmt::format("#{} {} ({}): unsupported: {}", index, it.slot, it.slot_kind, seed.reason));
    return it;
  }
  it.seed_genome = graph::serialize(*seed.graph);
  it.latency_before_ms = measure_latency(model, config_);
  log(fmt::format("#{} {} ({} {} -> {}): searching from {} ; model {:.3f} ms", index, it.slot, it.slot_kind, it.input,
                  it.output, it.seed_genome, it.latency_before_ms));

  // The inner search: a standard GOS run into search_<k>.h5.
  const auto search_start = Clock::now();
  auto [inputs, outputs] = capture_activations(context_, it.slot);
  CandidateEvaluator evaluator(context_, info, inputs, outputs, it.latency_before_ms);
  graph::GraphSpaceConfig space_config;
  space_config.input = graph_shape(info.input);
  space_config.output = graph_shape(info.output);
  space_config.max_nodes = static_cast<size_t>(config_.max_nodes);
  space_config.seed_graphs = {*seed.graph};
  for (graph::Graph& rewrite : seed_rewrites(*seed.graph, {space_config.input, space_config.output,
                                                           space_config.max_nodes}))
    space_config.seed_graphs.push_back(std::move(rewrite));
  space_config.seed_walk = static_cast<int>(config_.seed_walk);
  Experiment experiment;
  experiment.space = std::make_unique<graph::GraphSpace>(space_config);
  experiment.mutator = experiment.space->default_mutator();
  ExperimentConfig& ec = experiment.config;
  ec.source = config_.source;
  ec.name = fmt::format("adapt:{}:{}", config_.name, it.slot);
  ec.seed = stable_hash(fmt::format("{}:{}", config_.seed, it.slot));
  it.search_file = fmt::format("search_{:03d}.h5", index);
  ec.output = options_.output / it.search_file;
  ec.strategy = nsga2_config(registry_, config_);
  experiment.strategy = registry_.create<Strategy>(ec.strategy, PluginKind::kStrategy);
  const std::array<std::pair<Value, const char*>, 3> objectives{
      {{Value::kLatency, "latency_ms"}, {Value::kParams, "params"}, {Value::kDrop, "accuracy_drop"}}};
  for (const auto& [value, name] : objectives) {
    experiment.objectives.push_back(std::make_unique<CandidateObjective>(evaluator, value, name));
    ObjectiveRole role;
    role.name = name;
    if (value == Value::kDrop) {
      role.optimize = false;
      role.max = config_.epsilon;
    }
    experiment.roles.push_back(role);
  }
  // What the search depends on: resuming checks it against the file.
  ec.resolved_toml = fmt::format(
      "# gos adapt inner search (in-process objectives)\n[search]\nslot = \"{}\"\nseed_genome = \"{}\"\n"
      "max_nodes = {}\nseed_walk = {}\nepsilon = {}\n\n{}",
      it.slot, it.seed_genome, config_.max_nodes, config_.seed_walk, config_.epsilon, config_.resolved_toml);
  ec.fingerprint = fmt::format("{:016x}", stable_hash(ec.resolved_toml));
  RunOptions run_options;
  run_options.resume = options_.resume && std::filesystem::exists(ec.output);
  run_options.overwrite = !run_options.resume;
  run_options.progress = options_.progress;
  run_options.attributes = {{"adapt.slot", it.slot}, {"adapt.run", config_.name}};
  if (options_.after_generation)
    run_options.on_generation = [&](const GenerationRecord& row) { options_.after_generation(index, row.generation); };
  run_experiment(experiment, run_options);
  it.search_seconds = seconds_since(search_start);

  // The final front, feasible or not, and the choice.
  const RunResults results = read_results(ec.output);
  it.evaluations = static_cast<int64_t>(results.evaluations.size());
  const FrontEntry* chosen = nullptr;
  // The seed (the original operator) measured in the same search is the fair
  // reference: its latency was taken under the same load as the candidates'.
  double reference_ms = it.latency_before_ms;
  for (const EvaluationRecord& record : results.evaluations)
    if (record.genome == it.seed_genome && !record.failed) reference_ms = record.values.at(0);
  const double must_beat = reference_ms * (1 - config_.min_gain);
  for (int64_t id : results.front) {
    const EvaluationRecord& record = results.evaluations.at(static_cast<size_t>(id));
    it.front.push_back({record.genome, record.values.at(0), record.values.at(1), record.values.at(2),
                        !record.failed && record.violation <= 0});
  }
  for (const FrontEntry& entry : it.front) {
    if (!entry.feasible || entry.genome == it.seed_genome || entry.latency_ms >= must_beat) continue;
    if (!chosen || entry.latency_ms < chosen->latency_ms ||
        (entry.latency_ms == chosen->latency_ms && entry.params < chosen->params))
      chosen = &entry;
  }
  if (!chosen) {
    // Candidates other than the seed, least accuracy drop first.
    std::vector<const EvaluationRecord*> others;
    for (const EvaluationRecord& record : results.evaluations)
      if (!record.failed && !record.cached && record.genome != it.seed_genome) others.push_back(&record);
    std::stable_sort(others.begin(), others.end(), [](const EvaluationRecord* a, const EvaluationRecord* b) {
      return a->values.at(2) < b->values.at(2);
    });
    const bool any_feasible = !others.empty() && others.front()->violation <= 0;
    if (any_feasible) {
      it.status = "no_gain";
      it.reason = fmt::format("no feasible candidate is {:.0f}% faster than the seed's {:.3f} ms",
                              100 * config_.min_gain, reference_ms);
    } else {
      // The front holds the seed (or nothing); record the best infeasible candidates instead.
      it.status = "infeasible";
      it.front.clear();
      for (size_t i = 0; i < std::min<size_t>(others.size(), 5); ++i)
        it.front.push_back({others[i]->genome, others[i]->values.at(0), others[i]->values.at(1),
                            others[i]->values.at(2), false});
      it.reason = others.empty() ? std::string("every candidate failed to evaluate")
                                 : fmt::format("no candidate within epsilon {}: best accuracy drop {:.2f} points",
                                               config_.epsilon, others.front()->values.at(2));
    }
    log(fmt::format("#{} {}: {}: {}", index, it.slot, it.status, it.reason));
    return it;
  }

  // Splice the distilled choice, fine-tune the whole model, check held-out accuracy.
  it.chosen_genome = chosen->genome;
  it.accuracy_estimate = context_.baseline.search_accuracy - chosen->accuracy_drop;
  const graph::Graph chosen_graph = graph::parse(chosen->genome, {space_config.input, space_config.output,
                                                                  space_config.max_nodes});
  auto module = evaluator.trained(chosen_graph);
  const auto finetune_start = Clock::now();
  const auto before = snapshot(model);
  model.replace(it.slot, module);
  if (config_.finetune_steps > 0) context_.finetune->train(model);
  torch::set_num_threads(static_cast<int>(config_.threads));
  it.finetune_seconds = seconds_since(finetune_start);
  it.accuracy_after = context_.holdout_eval->evaluate(model);
  // Before and after timed in alternating rounds, minutes (not an hour) apart
  // from the decision and under the same machine load.
  std::tie(it.latency_before_ms, it.latency_after_ms) = compare_models(model, it.slot, original, module, config_);
  it.params_after = count_parameters(model);
  const double drop = context_.baseline.accuracy - it.accuracy_after;
  if (drop > config_.epsilon || it.latency_after_ms >= it.latency_before_ms) {
    it.status = drop > config_.epsilon ? "rejected" : "no_gain";
    it.reason = drop > config_.epsilon
                    ? fmt::format("held-out accuracy {:.2f}% after fine-tuning drops {:.2f} points > epsilon {}",
                                  it.accuracy_after, drop, config_.epsilon)
                    : fmt::format("re-measured {:.3f} ms is not below {:.3f} ms", it.latency_after_ms,
                                  it.latency_before_ms);
    model.replace(it.slot, original);
    restore(model, before);
    it.params_after = it.params_before;
  } else {
    it.status = "accepted";
    it.reason = fmt::format("{:.3f} -> {:.3f} ms, held-out accuracy {:.2f}% (drop {:.2f})", it.latency_before_ms,
                            it.latency_after_ms, it.accuracy_after, drop);
  }
  log(fmt::format("#{} {}: {}: {}", index, it.slot, it.status, it.reason));
  return it;
}

AdaptSummary Pipeline::finish(const std::string& stop_reason) {
  AdaptSummary summary;
  summary.output = options_.output;
  summary.iterations = iterations_.size();
  summary.stop_reason = stop_reason;
  for (const auto& it : iterations_) summary.modified += it.status == "accepted" ? 1 : 0;
  SlottedModel& model = *context_.model;
  // Baseline and final model timed alternately in the same minutes, so that
  // the speedup is a ratio under the same machine load.
  auto original = make_zoo_model(config_.model, context_.zoo);
  load_checkpoint(*original, (options_.output / "baseline.ckpt").string());
  std::vector<double> base_ms, final_ms;
  for (int64_t round = 0; round < std::max<int64_t>(config_.latency_rounds, 3); ++round) {
    base_ms.push_back(measure_latency(*original, config_));
    final_ms.push_back(measure_latency(model, config_));
  }
  summary.baseline_ms = median(base_ms);
  summary.final_ms = median(final_ms);
  summary.speedup = summary.baseline_ms / summary.final_ms;
  summary.baseline_accuracy = context_.baseline.accuracy;
  summary.final_accuracy = context_.holdout_eval->evaluate(model);

  const std::string torchscript = "adapted.pt";
  export_torchscript(model, model.example_input(), (options_.output / torchscript).string());
  std::ofstream graphs(options_.output / "graphs.txt");
  for (const auto& it : iterations_)
    if (it.status == "accepted") graphs << it.slot << " " << it.chosen_genome << "\n";

  FinalRecord final;
  final.latency_ms = summary.final_ms;
  final.baseline_latency_ms = summary.baseline_ms;
  final.params = count_parameters(model);
  final.accuracy = summary.final_accuracy;
  final.test_accuracy = test_accuracy(context_);
  final.speedup = summary.speedup;
  final.modified = summary.modified;
  final.torchscript = torchscript;
  write_final(h5_, final);
  set_status(h5_, "completed", utc_now_iso8601(), stop_reason);
  log(fmt::format("done ({}): {} replaced; {:.3f} -> {:.3f} ms ({:.2f}x), held-out accuracy {:.2f}% -> {:.2f}%",
                  stop_reason, summary.modified, summary.baseline_ms, summary.final_ms, summary.speedup,
                  summary.baseline_accuracy, summary.final_accuracy));
  return summary;
}

AdaptSummary Pipeline::run() {
  const auto start = Clock::now();
  std::optional<AdaptRecord> prior;
  if (options_.resume) {
    if (!std::filesystem::exists(h5_))
      throw Error(fmt::format("--resume: '{}' does not exist; start the run without --resume", h5_.string()));
    prior = read_adapt_file(h5_);
    if (prior->info.config_toml != config_.resolved_toml)
      throw Error(fmt::format("--resume: '{}' was written by another adapt configuration; rerun with the same file "
                              "and --set values, or use --overwrite",
                              h5_.string()));
    if (prior->info.status == "completed") {
      AdaptSummary summary;
      summary.output = options_.output;
      summary.already_complete = true;
      summary.iterations = prior->iterations.size();
      if (prior->final) {
        summary.modified = prior->final->modified;
        summary.speedup = prior->final->speedup;
        summary.final_ms = prior->final->latency_ms;
      }
      summary.stop_reason = prior->info.stop_reason;
      return summary;
    }
    if (!prior->baseline) prior.reset();  // killed before the baseline was recorded: start over
  } else if (std::filesystem::exists(h5_) && !options_.overwrite) {
    throw Error(fmt::format("'{}' already exists; pass --resume to continue that run or --overwrite to replace it",
                            h5_.string()));
  }
  std::filesystem::create_directories(options_.output);
  if (!prior) {
    for (const auto& entry : std::filesystem::directory_iterator(options_.output)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("search_") || name.starts_with("model_") || name == "adapted.pt" || name == "graphs.txt")
        std::filesystem::remove(entry.path());
    }
    RunInfo info;
    info.model = config_.model;
    info.config_toml = config_.resolved_toml;
    info.accuracy_estimate = config_.accuracy_estimate;
    info.epsilon = config_.epsilon;
    info.device_cores = std::thread::hardware_concurrency();
    info.device_threads = config_.threads;
    info.device_cpu_model = cpu_model();
    info.device = fmt::format("cpu: {} cores, {} threads, {}", info.device_cores, info.device_threads,
                              info.device_cpu_model);
    info.start_time = utc_now_iso8601();
    info.status = "running";
    create_adapt_file(h5_, info);
  } else {
    set_status(h5_, "running", "", "");
  }
  try {
    load_data();
    if (prior)
      rebuild_from(*prior);
    else
      prepare_baseline();

    std::set<std::string> tried;
    size_t without_gain = 0;
    int64_t modified = 0;
    // Unsupported slots cost no search, so they do not use up patience.
    const auto count = [&](const IterationRecord& it) {
      tried.insert(it.slot);
      if (it.status == "accepted") {
        ++modified;
        without_gain = 0;
      } else if (it.status != "unsupported") {
        ++without_gain;
      }
    };
    for (const auto& it : iterations_) count(it);
    // Most inefficient first (baseline profile); ties keep execution order.
    std::vector<SlotRecord> order = context_.baseline.slots;
    std::stable_sort(order.begin(), order.end(),
                     [](const SlotRecord& a, const SlotRecord& b) { return a.inefficiency > b.inefficiency; });
    const auto eligible = [&](const SlotRecord& slot) {
      return std::any_of(config_.slot_kinds.begin(), config_.slot_kinds.end(),
                         [&](const std::string& kind) { return slot.kind.starts_with(kind); });
    };
    std::string stop_reason = "no eligible slot left";
    for (const SlotRecord& slot : order) {
      if (modified >= config_.max_modified) {
        stop_reason = fmt::format("{} replacements made (max_modified)", modified);
        break;
      }
      if (without_gain >= static_cast<size_t>(config_.patience)) {
        stop_reason = fmt::format("{} searched slots in a row without gain (patience)", without_gain);
        break;
      }
      if (config_.time_budget_minutes > 0 && seconds_since(start) > 60 * config_.time_budget_minutes) {
        stop_reason = fmt::format("time budget of {} minutes used", config_.time_budget_minutes);
        break;
      }
      if (!eligible(slot) || tried.contains(slot.path)) continue;
      const size_t index = iterations_.size();
      IterationRecord it = iterate(index, slot);
      // Weights first, then the record: a run killed in between redoes this iteration.
      save_checkpoint(*context_.model, checkpoint(index).string());
      write_iteration(h5_, index, it);
      count(it);
      iterations_.push_back(std::move(it));
    }
    return finish(stop_reason);
  } catch (const std::exception& e) {
    try {
      set_status(h5_, "failed", utc_now_iso8601(), e.what());
    } catch (const std::exception&) {
      // The original error matters more than the failure to mark the file.
    }
    throw;
  }
}

}  // namespace

std::filesystem::path default_output(const AdaptConfig& config) { return std::filesystem::path("results/adapt") / config.name; }

AdaptSummary run_adapt(const AdaptConfig& config, const AdaptOptions& options, PluginRegistry& registry) {
  AdaptOptions resolved = options;
  if (resolved.output.empty()) resolved.output = default_output(config);
  Pipeline pipeline(config, resolved, registry);
  return pipeline.run();
}

}  // namespace gos::adapt
