#include "adapt/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "framework/bit_widths.h"
#include "framework/plugin_registry.h"
#include "framework/text.h"
#include "framework/toml_component.h"
#include "framework/toml_input.h"

namespace gos::adapt {
namespace {

constexpr const char* kStrategy = "strategy";
constexpr const char* kLatency = "latency";

[[noreturn]] void fail(const SourceLocation& where, const std::string& message) {
  throw Error(fmt::format("{}: [adapt] {}", where.to_string(), message));
}

const std::vector<std::string> kZooModels = {"resnet18", "mobilenetv3_small", "mobilenetv3_large", "inception_v3"};

// An input path written in the file names a place relative to the file's
// folder (as in experiment files); one given with --set (a node without a
// source line) stays relative to the working directory.
std::string resolve_in_file(const std::string& value, const toml::node& node, const std::filesystem::path& file_dir) {
  if (value.empty() || node.source().begin.line == 0 || std::filesystem::path(value).is_absolute()) return value;
  return (file_dir / value).lexically_normal().string();
}

// `model`: a zoo name, or an ONNX file (an input path).
std::string model_value(const std::string& value, const toml::node& node, const SourceLocation& where,
                        const std::filesystem::path& file_dir) {
  if (std::find(kZooModels.begin(), kZooModels.end(), value) != kZooModels.end()) return value;
  if (!value.ends_with(".onnx"))
    fail(where, fmt::format("key 'model' = \"{}\" is not a zoo model{} and not an ONNX file; expected one of: {}, "
                            "or a path ending in .onnx",
                            value, did_you_mean(value, kZooModels), join(kZooModels, ", ")));
  return resolve_in_file(value, node, file_dir);
}

// One value of the [adapt] table checked against its spec. The schema uses
// only scalars and string lists; input paths go through resolve_in_file.
ParamValue convert(const toml::node& node, const ParamSpec& spec, const SourceLocation& where,
                   const std::filesystem::path& file_dir) {
  const auto wrong_type = [&]() -> ParamValue {
    fail(where, fmt::format("key '{}' must be {}, got {}", spec.name, spec.describe_type(), toml_type_name(node)));
  };
  const auto check_range = [&](double v) {
    if ((spec.min && v < *spec.min) || (spec.max && v > *spec.max) || std::isnan(v))
      fail(where, fmt::format("key '{}' = {} is out of range; expected {}", spec.name, v, spec.describe_type()));
  };
  const auto check_choice = [&](const std::string& s) {
    if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end())
      fail(where, fmt::format("key '{}' = \"{}\" is not allowed{}; expected one of: {}", spec.name, s,
                              did_you_mean(s, spec.choices), join(spec.choices, ", ")));
  };
  switch (spec.type) {
    case ParamType::kBool:
      if (auto v = node.value_exact<bool>()) return *v;
      break;
    case ParamType::kInt:
      if (auto v = node.value_exact<int64_t>()) {
        check_range(static_cast<double>(*v));
        return *v;
      }
      break;
    case ParamType::kReal: {
      std::optional<double> v = node.value_exact<double>();
      if (auto i = node.value_exact<int64_t>()) v = static_cast<double>(*i);
      if (!v) break;
      check_range(*v);
      return *v;
    }
    case ParamType::kString:
      if (auto v = node.value_exact<std::string>()) {
        check_choice(*v);
        return spec.is_path ? resolve_in_file(*v, node, file_dir) : *v;
      }
      break;
    case ParamType::kIntList: {
      const toml::array* array = node.as_array();
      if (!array) break;
      std::vector<int64_t> values;
      for (const toml::node& element : *array) {
        auto v = element.value_exact<int64_t>();
        if (!v) return wrong_type();
        check_range(static_cast<double>(*v));
        values.push_back(*v);
      }
      return values;
    }
    case ParamType::kStringList: {
      const toml::array* array = node.as_array();
      if (!array) break;
      std::vector<std::string> values;
      for (const toml::node& element : *array) {
        auto v = element.value_exact<std::string>();
        if (!v) return wrong_type();
        check_choice(*v);
        values.push_back(*v);
      }
      return values;
    }
    default:
      break;
  }
  return wrong_type();
}

// The table at `path` below `table` (e.g. {"strategy", "device"}), created
// when missing; gos::Error when a step is not a table.
toml::table& table_at(toml::table& table, const std::vector<std::string>& path, const std::string& text) {
  toml::table* current = &table;
  for (const std::string& step : path) {
    if (!current->contains(step)) current->insert(step, toml::table{});
    current = (*current)[step].as_table();
    if (!current) throw Error(fmt::format("{}: '{}': '{}' is not a table", kOverrideSource, text, step));
  }
  return *current;
}

// "key=value" or "strategy.key=value" (a path into the plugin tables): the
// value in TOML syntax, or a bare word taken as a string.
void apply_override(toml::table& adapt, const std::string& text) {
  const size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw Error(fmt::format("{}: '{}' is not key=value", kOverrideSource, text));
  std::string key = text.substr(0, equals);
  if (key.starts_with("adapt.")) key = key.substr(6);
  std::vector<std::string> path;
  for (size_t dot; (dot = key.find('.')) != std::string::npos; key = key.substr(dot + 1))
    path.push_back(key.substr(0, dot));
  const std::string value = text.substr(equals + 1);
  toml::table parsed;
  try {
    parsed = parse_toml("v = " + value, kOverrideSource);
  } catch (const Error&) {
    parsed = toml::table{{"v", value}};
  }
  // Nodes made here carry no source position, which marks them as overrides.
  toml::table fresh;
  if (const toml::node* node = parsed.get("v")) {
    node->visit([&](auto&& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, toml::array>) {
        toml::array copy;
        for (const auto& element : v)
          element.visit([&](auto&& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (!std::is_same_v<E, toml::table> && !std::is_same_v<E, toml::array>) copy.push_back(e.get());
          });
        fresh.insert("v", std::move(copy));
      } else if constexpr (!std::is_same_v<T, toml::table>) {
        fresh.insert("v", v.get());
      }
    });
  }
  if (!fresh.get("v")) throw Error(fmt::format("{}: '{}': unsupported value", kOverrideSource, text));
  table_at(adapt, path, text).insert_or_assign(key, std::move(*fresh.get("v")));
}

// The latency model when [adapt.latency] is absent: the cpu device, median
// of 15 runs after 3 warm-up, no spread bound (the alternating rounds of each
// comparison take care of drift; a bound would abort runs on a busy machine).
toml::table default_latency_table() {
  return toml::table{{"plugin", "measure"},
                     {"device", toml::table{{"plugin", "cpu"},
                                            {"warmup", 3},
                                            {"runs", 15},
                                            {"max_spread", std::numeric_limits<double>::infinity()},
                                            {"max_attempts", 1}}}};
}

bool has_override(const std::vector<std::string>& overrides, const std::string& key) {
  return std::any_of(overrides.begin(), overrides.end(), [&](const std::string& text) {
    return text.starts_with(key + "=") || text.starts_with("adapt." + key + "=");
  });
}

// Keys that moved into the plugin tables when those became configurable.
std::string moved_key_hint(const std::string& name) {
  if (name == "population" || name == "generations")
    return fmt::format(" ('{}' is a key of the strategy now: [adapt.strategy] {} = ..., or --set strategy.{}=...)",
                       name, name, name);
  if (name == "latency_warmup" || name == "latency_repeats" || name == "latency_clock" || name == "latency_statistic")
    return " (the timing keys belong to the device now: [adapt.latency.device] warmup, runs, clock = "
           "\"process_cpu\", quantile = 0 for the minimum; see docs/ADAPT.md)";
  return "";
}

}  // namespace

const char* to_string(CandidateLatency mode) { return mode == CandidateLatency::kModel ? "model" : "slot"; }
const char* to_string(AccuracyEstimate mode) { return mode == AccuracyEstimate::kFinetune ? "finetune" : "distill"; }

ParamSchema adapt_schema() {
  ParamSchema s;
  const AdaptConfig d;
  s.string("name", "", "run name; empty = the file's stem")
      .string("model", d.model,
              "a zoo model (resnet18, mobilenetv3_small, mobilenetv3_large, inception_v3) or an ONNX file "
              "(a path ending in .onnx; its input shape and classes are the file's)")
      .real("width", d.width, 0.05, 4, "channel multiplier (resnet18; inception_v3: k/16)")
      .boolean("cifar_stem", d.cifar_stem, "CIFAR-size stem for 32x32 inputs (else the ImageNet stem)")
      .string("data_dir", d.data_dir.string(), "CIFAR-10 binary batches")
      .path()
      .strings("train_files", d.train_files, "training batches in data_dir (the holdout is taken from them)")
      .strings("test_files", d.test_files, "test batches in data_dir for the final test accuracy")
      .integer("train_subset", d.train_subset, 0, 10000000, "training images; 0 = all")
      .integer("holdout", d.holdout, 1, 10000000, "training images held out: the accuracy constraint's data")
      .integer("test_images", d.test_images, 0, 10000000, "test images for the final test accuracy; 0 = skip")
      .integer("eval_subset", d.eval_subset, 1, 10000000, "held-out images for the in-search accuracy estimate")
      .integer("batch_size", d.batch_size, 1, 4096, "minibatch of training and evaluation")
      .integer("baseline_epochs", d.baseline_epochs, 1, 1000, "epochs of baseline training")
      .integer("baseline_steps", d.baseline_steps, 0, 100000000, "> 0: baseline steps instead of epochs")
      .real("baseline_lr", d.baseline_lr, 1e-6, 10, "baseline SGD learning rate (cosine schedule)")
      .string("baseline_checkpoint", "", "GOS checkpoint of the trained baseline; empty = train it")
      .path()
      .real("epsilon", d.epsilon, -100, 100, "allowed held-out accuracy drop in points vs the original baseline")
      .integer("max_modified", d.max_modified, 1, 10000, "stop after this many accepted replacements")
      .integer("patience", d.patience, 1, 10000, "stop after this many searched slots in a row without gain")
      .real("time_budget_minutes", d.time_budget_minutes, 0, 1e6, "stop starting iterations after this; 0 = none")
      .real("min_gain", d.min_gain, 0, 0.99,
            "an accepted replacement (accept = each) or batch of them (accept = batch) makes the model this "
            "fraction faster")
      .string("accept", to_string(d.accept),
              "each: every splice must reach min_gain alone; batch: kept splices wait as pending until together "
              "they make the model min_gain faster than the last confirmed one, else are reverted together",
              {"each", "batch"})
      .integer("max_pending", d.max_pending, 1, 1000,
               "accept = batch: a batch that has not reached min_gain after this many splices is reverted")
      .strings("slot_kinds", d.slot_kinds, "slot kinds eligible for replacement (kind prefixes)",
               {"conv", "dwconv", "batchnorm", "relu", "hardswish", "hardsigmoid", "linear", "maxpool", "avgpool"})
      .string("slot_order", to_string(d.slot_order),
              "the order slots are searched in: ranked (most inefficient first), or defer_failed_kinds (ranked, "
              "but a kind whose last search gave no accepted replacement waits until other kinds were tried)",
              {"ranked", "defer_failed_kinds"})
      .integer("max_nodes", d.max_nodes, 1, 64, "instructions per candidate graph")
      .integer("seed_walk", d.seed_walk, 0, 64, "initial candidates are the seed after 0..seed_walk mutations")
      .integers("bits", d.bits, 1, 32,
                "widths the candidates' conv/pconv/dwconv may take (each 1..8, 16 or 32 = full precision; LSQ fake "
                "quantization); the searches then minimise BitOPs too. Empty: full precision")
      .integer("seed", 0, 0, std::numeric_limits<int64_t>::max(), "run seed")
      .integer("threads", d.threads, 1, 1024, "LibTorch intra-op threads of training and evaluation")
      .string("device", to_string(d.device),
              "where the baseline, the candidates' accuracy estimates and fine-tuning train: cpu, cuda, or auto "
              "(CUDA when present); latency is always the [adapt.latency] model's",
              {"cpu", "cuda", "auto"})
      .string("candidate_latency", to_string(d.candidate_latency),
              "how candidates are timed: the slot alone vs the original operator (kernel decomposition), or the "
              "whole model",
              {"slot", "model"})
      .integer("latency_rounds", d.latency_rounds, 1, 1000,
               "alternating rounds of each A/B latency comparison (slot vs original, model before vs after)")
      .string("accuracy_estimate", to_string(d.accuracy_estimate), "in-search accuracy estimate",
              {"distill", "finetune"})
      .integer("distill_images", d.distill_images, 1, 1000000, "training images whose slot activations are distilled")
      .integer("distill_steps", d.distill_steps, 0, 1000000, "Adam steps fitting a candidate to the slot outputs")
      .real("distill_lr", d.distill_lr, 1e-7, 10, "distillation learning rate")
      .integer("candidate_finetune_steps", d.candidate_finetune_steps, 0, 1000000,
               "accuracy_estimate = finetune: whole-model steps per candidate after distillation")
      .integer("finetune_steps", d.finetune_steps, 0, 100000000, "whole-model steps after a replacement is spliced")
      .real("finetune_lr", d.finetune_lr, 1e-7, 10, "fine-tuning SGD learning rate (cosine schedule)");
  return s;
}

AdaptConfig parse_adapt_config(std::string_view text, const std::string& source,
                               const std::vector<std::string>& overrides, PluginRegistry& registry) {
  toml::table root = parse_toml(text, source);
  for (auto&& [key, node] : root)
    if (key.str() != "adapt")
      throw Error(fmt::format("{}: unknown table or key '{}'; an adapt file holds one [adapt] table",
                              toml_location(key.source(), source).to_string(), key.str()));
  toml::table* adapt = root["adapt"].as_table();
  if (!root.get("adapt")) throw Error(fmt::format("{}: missing the [adapt] table", source));
  if (!adapt) throw Error(fmt::format("{}: 'adapt' must be a table", source));
  // The plugin tables' defaults fill in after the overrides and only where no
  // plugin was named: --set strategy.population=4 refines the default nsga2,
  // --set strategy.plugin=random_search replaces it (without nsga2's keys).
  const bool strategy_named = adapt->contains(kStrategy) || has_override(overrides, "strategy.plugin");
  const bool latency_named = adapt->contains(kLatency) || has_override(overrides, "latency.plugin");
  for (const std::string& text_override : overrides) apply_override(*adapt, text_override);
  if (!strategy_named) {
    toml::table& strategy = table_at(*adapt, {kStrategy}, "[adapt.strategy]");
    strategy.insert("plugin", "nsga2");
    strategy.insert("population", kDefaultPopulation);  // insert keeps a value set by --set
    strategy.insert("generations", kDefaultGenerations);
  }
  if (!latency_named) {
    toml::table& latency = table_at(*adapt, {kLatency}, "[adapt.latency]");
    for (auto&& [key, value] : default_latency_table())
      if (toml::table* nested = value.as_table(); nested && latency.contains(key.str()))
        for (auto&& [k, v] : *nested) latency[key.str()].as_table()->insert(k.str(), v);
      else
        latency.insert(key.str(), value);
  }

  const ParamSchema schema = adapt_schema();
  std::vector<std::string> valid = schema.names();
  valid.insert(valid.end(), {kStrategy, kLatency});
  Params params("adapt", toml_location(adapt->source(), source));
  for (auto&& [key, node] : *adapt) {
    const std::string name(key.str());
    if (name == kStrategy || name == kLatency) {
      if (!node.is_table())
        fail(toml_location(node.source(), source),
             fmt::format("'{}' must be a table ([adapt.{}] with plugin = \"...\"), got {}", name, name,
                         toml_type_name(node)));
      continue;
    }
    const ParamSpec* spec = schema.find(name);
    if (!spec)
      fail(toml_location(key.source(), source),
           fmt::format("unknown key '{}'{}; valid keys: {}{}", name, did_you_mean(name, valid), join(valid, ", "),
                       moved_key_hint(name)));
    const SourceLocation where = toml_location(node.source(), source);
    const std::filesystem::path file_dir = std::filesystem::path(source).parent_path();
    ParamValue value = convert(node, *spec, where, file_dir);
    if (name == "model") value = model_value(std::get<std::string>(value), node, where, file_dir);
    params.set(name, std::move(value), where);
  }
  toml::table resolved;
  for (const ParamSpec& spec : schema.specs()) {
    if (!params.has(spec.name)) params.set(spec.name, *spec.default_value, params.location(spec.name));
    std::istringstream value_text("v = " + format_value(params.values().at(spec.name)));
    resolved.insert(spec.name, *toml::parse(value_text).get("v"));
  }

  AdaptConfig config;
  config.source = source;
  config.name = params.get_string("name");
  if (config.name.empty()) config.name = std::filesystem::path(source).stem().string();
  config.model = params.get_string("model");
  config.width = params.get_real("width");
  config.cifar_stem = params.get_bool("cifar_stem");
  config.data_dir = params.get_string("data_dir");
  config.train_files = params.get_strings("train_files");
  config.test_files = params.get_strings("test_files");
  config.train_subset = params.get_int("train_subset");
  config.holdout = params.get_int("holdout");
  config.test_images = params.get_int("test_images");
  config.eval_subset = params.get_int("eval_subset");
  config.batch_size = params.get_int("batch_size");
  config.baseline_epochs = params.get_int("baseline_epochs");
  config.baseline_steps = params.get_int("baseline_steps");
  config.baseline_lr = params.get_real("baseline_lr");
  config.baseline_checkpoint = params.get_string("baseline_checkpoint");
  config.epsilon = params.get_real("epsilon");
  config.max_modified = params.get_int("max_modified");
  config.patience = params.get_int("patience");
  config.time_budget_minutes = params.get_real("time_budget_minutes");
  config.min_gain = params.get_real("min_gain");
  config.accept = params.get_string("accept") == "each" ? AcceptRule::kEachSplice : AcceptRule::kBatch;
  config.max_pending = params.get_int("max_pending");
  config.slot_kinds = params.get_strings("slot_kinds");
  config.slot_order =
      params.get_string("slot_order") == "defer_failed_kinds" ? SlotOrder::kDeferFailedKinds : SlotOrder::kRanked;
  config.strategy =
      parse_component_table(*(*adapt)[kStrategy].as_table(), PluginKind::kStrategy, "adapt.strategy", source, registry);
  config.latency = parse_component_table(*(*adapt)[kLatency].as_table(), PluginKind::kLatencyModel, "adapt.latency",
                                         source, registry);
  resolved.insert(kStrategy, component_to_toml(config.strategy));
  resolved.insert(kLatency, component_to_toml(config.latency));
  config.max_nodes = params.get_int("max_nodes");
  config.seed_walk = params.get_int("seed_walk");
  for (int64_t bits : params.get_ints("bits")) {
    if (!valid_bits(bits))
      throw params.error("bits", fmt::format("{} is not a valid width; valid: {}", bits, kValidBitsText));
    config.bits.push_back(bits);
  }
  config.seed = static_cast<uint64_t>(params.get_int("seed"));
  config.threads = params.get_int("threads");
  config.device = parse_compute_device(params.get_string("device"), "device");
  config.candidate_latency =
      params.get_string("candidate_latency") == "model" ? CandidateLatency::kModel : CandidateLatency::kSlot;
  config.latency_rounds = params.get_int("latency_rounds");
  config.accuracy_estimate =
      params.get_string("accuracy_estimate") == "finetune" ? AccuracyEstimate::kFinetune : AccuracyEstimate::kDistill;
  config.distill_images = params.get_int("distill_images");
  config.distill_steps = params.get_int("distill_steps");
  config.distill_lr = params.get_real("distill_lr");
  config.candidate_finetune_steps = params.get_int("candidate_finetune_steps");
  config.finetune_steps = params.get_int("finetune_steps");
  config.finetune_lr = params.get_real("finetune_lr");

  // Rules across keys, reported at the key a user would change.
  if (config.eval_subset > config.holdout)
    throw params.error("eval_subset", fmt::format("= {} exceeds holdout = {}; the in-search estimate uses a "
                                                  "subset of the held-out images",
                                                  config.eval_subset, config.holdout));
  if (config.train_files.empty()) throw params.error("train_files", "needs at least one training batch file");
  if (config.test_images > 0 && config.test_files.empty())
    throw params.error("test_files", "is empty but test_images > 0; set test_images = 0 to skip the test accuracy");
  // Timing a candidate inside the whole model needs a device that runs models.
  if (config.candidate_latency == CandidateLatency::kModel && !config.latency.params->has("device"))
    throw params.error("candidate_latency",
                       fmt::format("\"model\" times the whole model on a device, but [adapt.latency] (plugin "
                                   "'{}') has none; use candidate_latency = \"slot\" or give the latency model a "
                                   "device",
                                   config.latency.plugin));

  std::ostringstream out;
  out << toml::table{{"adapt", resolved}};
  config.resolved_toml = out.str();
  return config;
}

AdaptConfig load_adapt_config(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                              PluginRegistry& registry) {
  std::ifstream in(file);
  if (!in) throw Error(fmt::format("{}: cannot read the adapt file", file.string()));
  std::stringstream text;
  text << in.rdbuf();
  return parse_adapt_config(text.str(), file.string(), overrides, registry);
}

void check_input_files(const AdaptConfig& config) {
  const auto require = [&](const std::string& key, const std::filesystem::path& path) {
    if (!std::filesystem::is_regular_file(path))
      throw Error(
          fmt::format("{}: [adapt] {}: '{}' does not exist (paths written in the file are relative to its "
                      "folder, --set values and defaults to the working directory)",
                      config.source, key, path.string()));
  };
  if (is_onnx_model(config)) require("model", config.model);
  for (const std::string& file : config.train_files) require("train_files (in data_dir)", config.data_dir / file);
  if (config.test_images > 0)
    for (const std::string& file : config.test_files) require("test_files (in data_dir)", config.data_dir / file);
  if (!config.baseline_checkpoint.empty()) require("baseline_checkpoint", config.baseline_checkpoint);
}

}  // namespace gos::adapt
