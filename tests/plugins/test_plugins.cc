// Plugins that exist only to exercise the registry and the runner's error
// paths. Each is compiled into its own directory (see CMakeLists.txt) with a
// preprocessor switch, so that one broken plugin never poisons another test.
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "framework/objective.h"
#include "framework/plugin_abi.h"
#include "framework/search_space.h"
#include "framework/strategy.h"

namespace gos::test_plugins {
namespace {

// Reads f1 of a test problem, optionally slowly, and fails on purpose above
// configurable thresholds (exceptions and NaN are the two failure modes).
class ProbeObjective : public Objective {
 public:
  ProbeObjective(std::string on, int64_t sleep_ms, double throw_above, double nan_above)
      : on_(std::move(on)), sleep_ms_(sleep_ms), throw_above_(throw_above), nan_above_(nan_above) {}
  std::string default_name() const override { return "probe_" + on_; }
  Direction default_direction() const override { return Direction::kMinimize; }
  double evaluate(const Genome& genome, const SearchSpace& space) override {
    if (sleep_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    const double value = space.query(genome, {Metric::kFunctionValue, on_});
    const double x0 = space.encode(genome)[0];
    if (x0 > throw_above_) throw std::runtime_error("probe objective refuses x0 > threshold");
    if (x0 > nan_above_) return std::nan("");
    return value;
  }

 private:
  std::string on_;
  int64_t sleep_ms_;
  double throw_above_;
  double nan_above_;
};

[[maybe_unused]] ParamSchema probe_schema() {
  ParamSchema s;
  s.string("on", "f1", "test-function value to report")
      .integer("sleep_ms", 0, 0, 10000, "sleep before answering (makes runs slow enough to kill)")
      .real("throw_above", 2, -1, 2, "throw when the first variable is above this")
      .real("nan_above", 2, -1, 2, "return NaN when the first variable is above this");
  return s;
}

[[maybe_unused]] std::unique_ptr<Component> create_probe(const Params& p, PluginHost&) {
  return std::make_unique<ProbeObjective>(p.get_string("on"), p.get_int("sleep_ms"), p.get_real("throw_above"),
                                          p.get_real("nan_above"));
}

[[maybe_unused]] std::unique_ptr<Component> create_throwing(const Params& p, PluginHost&) {
  throw p.error("on", "this plugin always refuses to start");
}

// Asks the same sampled batch again every generation: exercises the
// functional-equivalence cache.
class RepeatStrategy : public Strategy {
 public:
  RepeatStrategy(int64_t batch, int64_t generations) : batch_(batch), generations_(generations) {}
  void start(const StrategyContext& context, Rng rng) override {
    for (int64_t i = 0; i < batch_; ++i) genomes_.push_back(context.space->sample(rng));
  }
  std::vector<GenomePtr> ask() override { return asked_++ < generations_ ? genomes_ : std::vector<GenomePtr>{}; }
  void tell(std::span<const EvaluatedGenome>) override {}

 private:
  int64_t batch_, generations_, asked_ = 0;
  std::vector<GenomePtr> genomes_;
};

[[maybe_unused]] ParamSchema repeat_schema() {
  ParamSchema s;
  s.integer("batch", 4, 1, 1000, "genomes sampled once").integer("generations", 3, 1, 1000, "times they are asked");
  return s;
}

[[maybe_unused]] std::unique_ptr<Component> create_repeat(const Params& p, PluginHost&) {
  return std::make_unique<RepeatStrategy>(p.get_int("batch"), p.get_int("generations"));
}

}  // namespace
}  // namespace gos::test_plugins

#if defined(GOS_TEST_PROBE)
GOS_PLUGIN("probe", gos::PluginKind::kObjective, "0.0.1", "test objective: slow or failing f1",
           &gos::test_plugins::probe_schema, &gos::test_plugins::create_probe)
#elif defined(GOS_TEST_REPEAT)
GOS_PLUGIN("repeat", gos::PluginKind::kStrategy, "0.0.1", "test strategy asking the same genomes again",
           &gos::test_plugins::repeat_schema, &gos::test_plugins::create_repeat)
#elif defined(GOS_TEST_THROWING)
GOS_PLUGIN("throwing", gos::PluginKind::kObjective, "0.0.1", "test objective whose factory throws",
           &gos::test_plugins::probe_schema, &gos::test_plugins::create_throwing)
#elif defined(GOS_TEST_DUPLICATE)
GOS_PLUGIN("random_search", gos::PluginKind::kStrategy, "0.0.1", "test plugin reusing a taken name",
           &gos::test_plugins::probe_schema, &gos::test_plugins::create_throwing)
#elif defined(GOS_TEST_BAD_ABI)
// Hand-written entry point claiming a future ABI version.
extern "C" __attribute__((visibility("default"))) const gos::PluginDescriptor* gos_plugin_descriptor() {
  static const gos::PluginDescriptor descriptor{gos::kPluginAbiVersion + 1, GOS_VERSION, GOS_BUILD_TAG, "bad_abi",
                                                gos::PluginKind::kObjective, "0.0.1", "built for another ABI",
                                                nullptr, nullptr};
  return &descriptor;
}
#elif defined(GOS_TEST_BAD_TAG)
// The right ABI version, but the build tag of another compiler and another
// set of framework headers: must be refused before schema() is called.
[[noreturn]] gos::ParamSchema schema_must_not_run() { std::abort(); }
extern "C" __attribute__((visibility("default"))) const gos::PluginDescriptor* gos_plugin_descriptor() {
  static const gos::PluginDescriptor descriptor{gos::kPluginAbiVersion, GOS_VERSION,
                                                "gcc-1;libstdc++-cxx11abi=0;interface=0000000000000000", "bad_tag",
                                                gos::PluginKind::kObjective, "0.0.1", "built by another compiler",
                                                &schema_must_not_run, nullptr};
  return &descriptor;
}
#elif defined(GOS_TEST_THROWING_SCHEMA)
gos::ParamSchema throwing_schema() { throw std::runtime_error("this schema always throws"); }
GOS_PLUGIN("throwing_schema", gos::PluginKind::kObjective, "0.0.1", "test objective whose schema() throws",
           &throwing_schema, &gos::test_plugins::create_throwing)
#elif defined(GOS_TEST_NO_ENTRY)
extern "C" __attribute__((visibility("default"))) int not_a_gos_plugin() { return 0; }
#endif
