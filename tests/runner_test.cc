// The search loop end to end, in process: results content, failures,
// constraints, and resume after an interruption.
#include <gmock/gmock.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "framework/experiment.h"
#include "framework/pareto.h"
#include "framework/runner.h"
#include "tests/test_support.h"

namespace gos {
namespace {

using ::testing::HasSubstr;

struct Harness {
  PluginRegistry registry;
  Harness() {
    testing::load_build_plugins(registry);
    registry.load_directory(testing::test_plugin_dir("probe"));
  }
  Experiment build(const std::string& text, const std::vector<std::string>& overrides = {}) {
    return build_experiment(parse_experiment(text, "exp.toml", ".", overrides, registry), registry);
  }
  RunSummary run(const std::string& text, RunOptions options = {}, const std::vector<std::string>& overrides = {}) {
    options.progress = false;
    Experiment experiment = build(text, overrides);
    return run_experiment(experiment, options);
  }
};

TEST(Runner, WritesEveryEvaluationAndTheParetoFront) {
  Harness h;
  const auto out = testing::scratch_dir("runner_basic") / "run.h5";
  const RunSummary summary = h.run(testing::zdt_experiment(out));
  EXPECT_EQ(summary.evaluations, 60u);
  EXPECT_EQ(summary.generations, 6u);
  const RunResults results = read_results(out);
  EXPECT_EQ(results.metadata.status, "completed");
  EXPECT_EQ(results.metadata.seed, 3u);
  EXPECT_FALSE(results.metadata.end_time.empty());
  EXPECT_THAT(results.metadata.config_toml, HasSubstr("plugin = 'random_search'"));
  ASSERT_EQ(results.evaluations.size(), 60u);
  EXPECT_EQ(results.generations.back().evaluations, 60);
  // Values are the real ZDT1 values of the stored genome.
  const std::string& g = results.evaluations[17].genome;
  EXPECT_DOUBLE_EQ(results.evaluations[17].values[0], std::stod(g.substr(0, g.find(','))));
  // The front is exactly the non-dominated set (naive check).
  std::vector<int64_t> expected;
  for (size_t i = 0; i < results.evaluations.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < results.evaluations.size() && !dominated; ++j)
      dominated = dominates(results.evaluations[j].values, results.evaluations[i].values);
    if (!dominated) expected.push_back(static_cast<int64_t>(i));
  }
  std::vector<int64_t> front = results.front;
  std::sort(front.begin(), front.end());
  EXPECT_EQ(front, expected);
}

TEST(Runner, SameSeedSameRunDifferentSeedDifferentRun) {
  Harness h;
  const auto dir = testing::scratch_dir("runner_seed");
  h.run(testing::zdt_experiment(dir / "a.h5"));
  h.run(testing::zdt_experiment(dir / "b.h5"));
  h.run(testing::zdt_experiment(dir / "c.h5"), {}, {"experiment.seed=4"});
  testing::expect_same_evaluations(read_results(dir / "a.h5"), read_results(dir / "b.h5"));
  EXPECT_NE(read_results(dir / "a.h5").evaluations[0].genome, read_results(dir / "c.h5").evaluations[0].genome);
}

TEST(Runner, InterruptedRunResumesToTheUninterruptedResult) {
  Harness h;
  const auto dir = testing::scratch_dir("runner_resume");
  h.run(testing::zdt_experiment(dir / "full.h5"));
  // Interrupt after generation 2 has been written.
  RunOptions interrupt;
  interrupt.on_generation = [](const GenerationRecord& g) {
    if (g.generation == 2) throw std::runtime_error("simulated crash");
  };
  EXPECT_THROW(h.run(testing::zdt_experiment(dir / "cut.h5"), interrupt), std::runtime_error);
  const RunResults cut = read_results(dir / "cut.h5");
  EXPECT_EQ(cut.metadata.status, "failed");
  EXPECT_EQ(cut.generations.size(), 3u);
  EXPECT_EQ(cut.evaluations.size(), 30u);

  RunOptions resume;
  resume.resume = true;
  const RunSummary summary = h.run(testing::zdt_experiment(dir / "cut.h5"), resume);
  EXPECT_EQ(summary.replayed_generations, 3u);
  const RunResults resumed = read_results(dir / "cut.h5");
  EXPECT_EQ(resumed.metadata.status, "completed");
  testing::expect_same_evaluations(read_results(dir / "full.h5"), resumed);
  // Resuming a completed run changes nothing.
  EXPECT_TRUE(h.run(testing::zdt_experiment(dir / "cut.h5"), resume).already_complete);
}

TEST(Runner, ResumeRefusesAFileFromAnotherExperiment) {
  Harness h;
  const auto dir = testing::scratch_dir("runner_other");
  RunOptions interrupt;
  interrupt.on_generation = [](const GenerationRecord&) { throw std::runtime_error("stop"); };
  EXPECT_THROW(h.run(testing::zdt_experiment(dir / "run.h5"), interrupt), std::runtime_error);
  const auto before = std::filesystem::file_size(dir / "run.h5");
  RunOptions resume;
  resume.resume = true;
  try {
    h.run(testing::zdt_experiment(dir / "run.h5"), resume, {"strategy.batch=5"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("was written by another experiment"));
    EXPECT_THAT(e.what(), HasSubstr("batch = 10"));
  }
  EXPECT_EQ(std::filesystem::file_size(dir / "run.h5"), before);
  EXPECT_EQ(read_results(dir / "run.h5").evaluations.size(), 10u);
}

TEST(Runner, ResumeWithoutAFileIsAnError) {
  Harness h;
  RunOptions resume;
  resume.resume = true;
  EXPECT_THROW(h.run(testing::zdt_experiment(testing::scratch_dir("runner_nofile") / "none.h5"), resume), Error);
}

TEST(Runner, ExistingResultsAreNeverOverwrittenByAccident) {
  Harness h;
  const auto out = testing::scratch_dir("runner_exists") / "run.h5";
  h.run(testing::zdt_experiment(out));
  std::ifstream original_stream(out, std::ios::binary);
  const std::string original((std::istreambuf_iterator<char>(original_stream)), {});
  try {
    h.run(testing::zdt_experiment(out), {}, {"experiment.seed=99"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("already exists; pass --resume"));
  }
  std::ifstream after_stream(out, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(after_stream)), {}), original);
  RunOptions overwrite;
  overwrite.overwrite = true;
  h.run(testing::zdt_experiment(out), overwrite, {"experiment.seed=99"});
  EXPECT_EQ(read_results(out).metadata.seed, 99u);
}

TEST(Runner, FailedEvaluationsAreRecordedAndKeptOutOfTheFront) {
  Harness h;
  const auto out = testing::scratch_dir("runner_fail") / "run.h5";
  // probe throws for x0 > 0.7 and returns NaN for 0.5 < x0 <= 0.7.
  const std::string text = testing::zdt_experiment(
      out, "", "[plugins]\npaths = [\"" + testing::test_plugin_dir("probe") +
                   "\"]\n[[objectives]]\nplugin = \"probe\"\nthrow_above = 0.7\nnan_above = 0.5\n");
  const RunSummary summary = h.run(text);
  const RunResults results = read_results(out);
  size_t threw = 0, nan = 0;
  for (const auto& e : results.evaluations) {
    const double x0 = std::stod(e.genome.substr(0, e.genome.find(',')));
    EXPECT_EQ(e.failed, x0 > 0.5);
    if (x0 > 0.7) {
      ++threw;
      EXPECT_THAT(e.error, HasSubstr("refuses"));
    } else if (x0 > 0.5) {
      ++nan;
      EXPECT_THAT(e.error, HasSubstr("objective 'probe_f1' returned nan"));
    }
    if (e.failed) {
      EXPECT_TRUE(std::isnan(e.values[0]));
    }
  }
  EXPECT_GT(threw, 0u);
  EXPECT_GT(nan, 0u);
  EXPECT_EQ(summary.failed, threw + nan);
  for (int64_t i : results.front) EXPECT_FALSE(results.evaluations[static_cast<size_t>(i)].failed);
}

TEST(Runner, ConstraintsKeepInfeasiblePointsOutOfTheFront) {
  Harness h;
  const auto out = testing::scratch_dir("runner_constraint") / "run.h5";
  h.run(testing::zdt_experiment(out), {}, {"objectives.0.max=0.3"});
  const RunResults results = read_results(out);
  size_t feasible = 0;
  for (const auto& e : results.evaluations) {
    EXPECT_DOUBLE_EQ(e.violation, std::max(0.0, e.values[0] - 0.3));
    feasible += e.violation == 0;
  }
  ASSERT_GT(feasible, 0u);
  for (int64_t i : results.front) EXPECT_EQ(results.evaluations[static_cast<size_t>(i)].violation, 0.0);
}

TEST(Runner, IdenticalGenomesReuseTheFirstEvaluation) {
  Harness h;
  h.registry.load_directory(testing::test_plugin_dir("repeat"));
  const auto dir = testing::scratch_dir("runner_cache");
  std::string text = testing::zdt_experiment(dir / "cached.h5");
  const std::string random_search = "plugin = \"random_search\"\nevaluations = 60\nbatch = 10";
  text.replace(text.find(random_search), random_search.size(), "plugin = \"repeat\"\nbatch = 4\ngenerations = 3");
  h.run(text);
  const RunResults cached = read_results(dir / "cached.h5");
  ASSERT_EQ(cached.evaluations.size(), 12u);
  for (size_t i = 0; i < 12; ++i) {
    const EvaluationRecord& e = cached.evaluations[i];
    EXPECT_EQ(e.cached, i >= 4) << i;
    EXPECT_EQ(e.generation, static_cast<int64_t>(i / 4));
    EXPECT_EQ(e.values, cached.evaluations[i % 4].values);
    if (e.cached) {
      EXPECT_EQ(e.seconds, 0.0);
    }
  }
  // With the cache off every repeat is evaluated again.
  h.run(text, {}, {"experiment.cache=false", "experiment.output=\"" + (dir / "uncached.h5").string() + "\""});
  for (const auto& e : read_results(dir / "uncached.h5").evaluations) EXPECT_FALSE(e.cached);
}

// Cached repeats are recorded as evaluations, but the front lists each genome
// once (it counted one graph twice: "front of 2").
TEST(Runner, TheFrontListsEachGenomeOnce) {
  Harness h;
  h.registry.load_directory(testing::test_plugin_dir("repeat"));
  const auto dir = testing::scratch_dir("runner_unique_front");
  std::string text = testing::zdt_experiment(dir / "cached.h5");
  const std::string random_search = "plugin = \"random_search\"\nevaluations = 60\nbatch = 10";
  text.replace(text.find(random_search), random_search.size(), "plugin = \"repeat\"\nbatch = 4\ngenerations = 3");
  for (const std::string cache : {"true", "false"}) {
    const auto file = dir / ("cache_" + cache + ".h5");
    const RunSummary summary =
        h.run(text, {}, {"experiment.cache=" + cache, "experiment.output=\"" + file.string() + "\""});
    const RunResults results = read_results(file);
    ASSERT_EQ(results.evaluations.size(), 12u);
    std::set<std::string> genomes;
    for (int64_t i : results.front) {
      EXPECT_LT(i, 4) << "the front holds a repeat, not the first evaluation of its genome";
      genomes.insert(results.evaluations[static_cast<size_t>(i)].genome);
    }
    EXPECT_EQ(genomes.size(), results.front.size()) << "cache = " << cache;
    EXPECT_EQ(summary.front_size, results.front.size());
    EXPECT_EQ(results.generations.back().front_size, static_cast<int64_t>(results.front.size()));
    EXPECT_LE(results.front.size(), 4u);
  }
}

TEST(Runner, MaxEvaluationsCapsTheRun) {
  Harness h;
  const auto out = testing::scratch_dir("runner_cap") / "run.h5";
  EXPECT_EQ(h.run(testing::zdt_experiment(out), {}, {"experiment.max_evaluations=25"}).evaluations, 25u);
  EXPECT_EQ(read_results(out).generations.back().evaluations, 25);
}

}  // namespace
}  // namespace gos
