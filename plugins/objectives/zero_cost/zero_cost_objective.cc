// The `zero_cost` objective: a zero-cost proxy (Abdelfattah et al. 2021) of a
// candidate, computed on the untrained network the search space builds for
// it (SearchSpace::model): NASWOT, synflow, grad-norm, parameter count or
// FLOPs. Minibatches come from CIFAR-10 binary batches, or are seeded
// Gaussian noise with random labels when no data directory is given.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "framework/objective.h"
#include "framework/plugin_abi.h"
#include "framework/search_space.h"
#include "torchlib/datasets.h"
#include "torchlib/proxies.h"

namespace gos {
namespace {

enum class Proxy { kNaswot, kSynflow, kGradNorm, kParams, kFlops };

Proxy parse_proxy(const std::string& name) {
  if (name == "naswot") return Proxy::kNaswot;
  if (name == "synflow") return Proxy::kSynflow;
  if (name == "grad_norm") return Proxy::kGradNorm;
  if (name == "params") return Proxy::kParams;
  return Proxy::kFlops;  // the schema admits nothing else
}

// The proxies that run the network on a minibatch of images.
bool uses_minibatch(Proxy proxy) { return proxy == Proxy::kNaswot || proxy == Proxy::kGradNorm; }

// One fixed minibatch: images standardised per channel over the batch, labels.
struct Minibatch {
  torch::Tensor images;
  torch::Tensor labels;
  std::string source;  // for provenance
};

Minibatch cifar_minibatch(const std::filesystem::path& dir, const std::vector<std::string>& files, size_t size,
                          uint64_t seed) {
  std::vector<std::filesystem::path> paths;
  for (const auto& file : files) paths.push_back(dir / file);
  const ImageDataset data = shuffled_subset(load_cifar10(paths), seed, size);
  const auto n = static_cast<int64_t>(data.size());
  torch::Tensor images = torch::from_blob(const_cast<uint8_t*>(data.pixels.data()),
                                          {n, data.channels, data.height, data.width}, torch::kUInt8)
                             .to(torch::kFloat32) /
                         255;
  const torch::Tensor mean = images.mean({0, 2, 3}, true);
  const torch::Tensor stddev = images.std({0, 2, 3}, true, true).clamp_min(1e-6);
  std::vector<int64_t> labels(data.labels.begin(), data.labels.end());
  return {(images - mean) / stddev, torch::tensor(labels, torch::kLong),
          fmt::format("{} images of {} (seed {})", n, dir.string(), seed)};
}

class ZeroCostObjective : public Objective {
 public:
  ZeroCostObjective(Proxy proxy, std::string proxy_name, std::optional<Minibatch> data, int64_t batch_size,
                    uint64_t seed)
      : proxy_(proxy),
        proxy_name_(std::move(proxy_name)),
        data_(std::move(data)),
        batch_size_(batch_size),
        seed_(seed) {}

  std::string default_name() const override { return proxy_name_; }
  // Larger NASWOT / synflow / grad-norm scores predict higher accuracy;
  // parameters and FLOPs are costs.
  Direction default_direction() const override {
    return proxy_ == Proxy::kParams || proxy_ == Proxy::kFlops ? Direction::kMinimize : Direction::kMaximize;
  }

  void bind(const SearchSpace& space) override {
    // Builds one model now, so that a space without trainable models (or a
    // data set of the wrong image shape) is reported by `gos validate`; with
    // no data set, the noise minibatch takes the models' input shape.
    Rng rng(seed_);
    const GenomeModel model = space.model(*space.sample(rng));
    if (!data_ && uses_minibatch(proxy_)) data_ = noise_minibatch(model);
    check_input(model);
  }

  double evaluate(const Genome& genome, const SearchSpace& space) override {
    GenomeModel model = space.model(genome);
    check_input(model);
    TorchModel& module = *model.module;
    switch (proxy_) {
      case Proxy::kParams:
        return static_cast<double>(parameter_count(module));
      case Proxy::kFlops: {
        auto* slotted = dynamic_cast<SlottedModel*>(&module);
        if (!slotted)
          throw Unsupported(
              "FLOPs need a model made of slots (the zoo's); use the space's own 'metric = "
              "\"flops\"' where it offers one");
        return flop_count(*slotted, model.input);
      }
      case Proxy::kSynflow:
        return synflow_score(module, model.input);
      case Proxy::kNaswot: {
        module.train();  // batch statistics, as the NASWOT reference code scores untrained networks
        return naswot_score(module, minibatch().images);
      }
      case Proxy::kGradNorm: {
        module.train();
        if (model.classes <= 0) throw Unsupported("grad_norm needs a classifier; this space's models are not one");
        const Minibatch& b = minibatch();
        if (b.labels.max().item<int64_t>() >= model.classes)
          throw Error(fmt::format("the data set has labels up to {} but the space's models have {} classes",
                                  b.labels.max().item<int64_t>(), model.classes));
        return grad_norm_score(module, b.images, b.labels);
      }
    }
    return std::nan("");
  }

  std::map<std::string, std::string> provenance() const override {
    std::map<std::string, std::string> result{{"proxy", proxy_name_}};
    if (uses_minibatch(proxy_)) result["minibatch"] = minibatch().source;
    return result;
  }

 private:
  // Seeded Gaussian images of the model's input shape with random labels.
  Minibatch noise_minibatch(const GenomeModel& model) const {
    torch::Generator generator = at::detail::createCPUGenerator(seed_);
    std::vector<int64_t> shape = model.input;
    shape[0] = batch_size_;
    return {torch::randn(shape, generator),
            torch::randint(std::max<int64_t>(model.classes, 1), {batch_size_}, generator, torch::kLong),
            fmt::format("{} Gaussian-noise images, random labels (seed {})", batch_size_, seed_)};
  }

  // The images of the data set, or the noise made in bind().
  const Minibatch& minibatch() const {
    if (!data_) throw Error("the zero_cost objective was used before bind() gave it a minibatch");
    return *data_;
  }

  void check_input(const GenomeModel& model) const {
    if (!data_) return;  // a proxy that needs no minibatch
    const auto& shape = data_->images.sizes();
    if (model.input.size() != 4 || model.input[1] != shape[1] || model.input[2] != shape[2] ||
        model.input[3] != shape[3])
      throw Error(fmt::format("the data set's images are {}x{}x{} but the space's models take input [{}]", shape[1],
                              shape[2], shape[3], fmt::join(model.input, ", ")));
  }

  Proxy proxy_;
  std::string proxy_name_;
  std::optional<Minibatch> data_;  // from data_dir at creation, or noise from bind()
  int64_t batch_size_;
  uint64_t seed_;
};

ParamSchema schema() {
  ParamSchema s;
  s.string("proxy", std::nullopt, "which zero-cost proxy", {"naswot", "synflow", "grad_norm", "params", "flops"})
      .integer("batch_size", 64, 2, 4096, "images in the minibatch of naswot and grad_norm")
      .string("data_dir", "",
              "directory of CIFAR-10 binary batches for naswot / grad_norm (relative to the working directory), "
              "e.g. \"../shared/data/cifar10\"; empty: Gaussian-noise images with random labels")
      .strings("data_files", std::vector<std::string>{"data_batch_1.bin"}, "CIFAR-10 batch files in data_dir")
      .integer("seed", 0, 0, std::numeric_limits<int32_t>::max(), "which images are drawn (or which noise)");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  const std::string proxy_name = params.get_string("proxy");
  const Proxy proxy = parse_proxy(proxy_name);
  const int64_t batch_size = params.get_int("batch_size");
  const auto seed = static_cast<uint64_t>(params.get_int("seed"));
  std::optional<Minibatch> data;
  const std::string dir = params.get_string("data_dir");
  if (!dir.empty() && uses_minibatch(proxy)) {
    try {
      data = cifar_minibatch(dir, params.get_strings("data_files"), static_cast<size_t>(batch_size), seed);
    } catch (const Error& e) {
      throw params.error("data_dir", e.what());
    }
  }
  return std::make_unique<ZeroCostObjective>(proxy, proxy_name, std::move(data), batch_size, seed);
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("zero_cost", gos::PluginKind::kObjective, "1.0.0",
           "Zero-cost proxy of a candidate's untrained network: naswot, synflow, grad_norm, params, flops",
           &gos::schema, &gos::create)
