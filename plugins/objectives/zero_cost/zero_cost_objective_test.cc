// The zero_cost objective as an experiment file wires it: created from TOML
// through the plugin registry, scoring the networks that the nb201_cell space
// builds for its genomes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "framework/config.h"
#include "framework/error.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "framework/results.h"
#include "framework/runner.h"
#include "searchspaces/cell/cell_space.h"
#include "tests/test_support.h"
#include "torchlib/datasets.h"
#include "torchlib/proxies.h"

namespace gos {
namespace {

// A NAS-Bench-201 skeleton small enough to score in milliseconds.
const std::string kTinyCells = "[search_space]\nplugin = \"nb201_cell\"\nchannels = 2\ncells_per_stage = 1\n";

std::string experiment(const std::string& objective, const std::string& space = kTinyCells,
                       const std::string& output = "unused.h5") {
  return "[experiment]\nname = \"t\"\nseed = 5\noutput = \"" + output + "\"\n" + space +
         "[strategy]\nplugin = \"random_search\"\nevaluations = 8\nbatch = 4\n"
         "[[objectives]]\nplugin = \"zero_cost\"\n" +
         objective + "\n";
}

struct Built {
  PluginRegistry registry;
  std::optional<Experiment> experiment;
};

void build(Built& built, const std::string& text) {
  testing::load_build_plugins(built.registry);
  built.experiment.emplace(
      build_experiment(parse_experiment(text, "test.toml", ".", {}, built.registry), built.registry));
}

std::string build_error(const std::string& text) {
  Built built;
  try {
    build(built, text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// CIFAR-10 binary records (label byte + 3 x 32 x 32 pixel bytes) of seeded
// random images.
std::filesystem::path write_cifar(const std::filesystem::path& dir, int images, bool identical = false) {
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / "data_batch_1.bin", std::ios::binary);
  Rng rng(11);
  std::vector<char> record(1 + 3072);
  for (int i = 0; i < images; ++i) {
    if (i == 0 || !identical)
      for (char& byte : record) byte = static_cast<char>(rng.uniform_int(0, 255));
    record[0] = static_cast<char>(i % 10);
    out.write(record.data(), static_cast<std::streamsize>(record.size()));
  }
  return dir;
}

GenomePtr genome(const SearchSpace& space, const std::string& arch) { return space.deserialize(arch); }

const std::string kConvCell = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|";
const std::string kEmptyCell = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";

TEST(ZeroCost, ParamsEqualTheArchitectureFormula) {
  Built built;
  build(built, experiment("proxy = \"params\""));
  Experiment& e = *built.experiment;
  EXPECT_EQ(e.roles.at(0).name, "params");
  EXPECT_EQ(e.roles.at(0).direction, Direction::kMinimize);
  const auto& space = dynamic_cast<const cell::CellSpace&>(*e.space);
  for (const std::string& arch : {kConvCell, kEmptyCell}) {
    const GenomePtr g = genome(space, arch);
    EXPECT_DOUBLE_EQ(e.objectives.at(0)->evaluate(*g, space), static_cast<double>(space.parameters(space.cast(*g))))
        << arch;
  }
}

TEST(ZeroCost, SynflowIsTheSpaceModelsScoreAndPrefersConvolutions) {
  Built built;
  build(built, experiment("proxy = \"synflow\""));
  Experiment& e = *built.experiment;
  EXPECT_EQ(e.roles.at(0).direction, Direction::kMaximize);
  const GenomePtr conv = genome(*e.space, kConvCell);
  const double score = e.objectives.at(0)->evaluate(*conv, *e.space);
  // The space seeds each genome's weights, so the model built here is the one the objective scored.
  const GenomeModel model = e.space->model(*conv);
  EXPECT_NEAR(score, synflow_score(*model.module, model.input), 1e-9 * std::abs(score));
  // A cell of `none` edges cuts the stage's signal path to the classifier
  // except through the residual reductions: fewer parameters carry flow.
  EXPECT_LT(e.objectives.at(0)->evaluate(*genome(*e.space, kEmptyCell), *e.space), score);
}

TEST(ZeroCost, NaswotOnDataEqualsTheScoreOfTheSameMinibatch) {
  const auto dir = write_cifar(testing::scratch_dir("zero_cost_data"), 40);
  Built built;
  build(built, experiment("proxy = \"naswot\"\nbatch_size = 16\ndata_dir = \"" + dir.string() + "\""));
  Experiment& e = *built.experiment;
  const GenomePtr g = genome(*e.space, kConvCell);
  const double score = e.objectives.at(0)->evaluate(*g, *e.space);
  EXPECT_TRUE(std::isfinite(score));
  EXPECT_DOUBLE_EQ(e.objectives.at(0)->evaluate(*g, *e.space), score) << "not deterministic";
  // The same 16 images, drawn and standardised as the objective documents.
  const ImageDataset data = shuffled_subset(load_cifar10({dir / "data_batch_1.bin"}), 0, 16);
  torch::Tensor images =
      torch::from_blob(const_cast<uint8_t*>(data.pixels.data()), {16, 3, 32, 32}, torch::kUInt8).to(torch::kFloat32) /
      255;
  images = (images - images.mean({0, 2, 3}, true)) / images.std({0, 2, 3}, true, true);
  GenomeModel model = e.space->model(*g);
  model.module->train();
  EXPECT_NEAR(score, naswot_score(*model.module, images), 1e-6 * std::abs(score));
  const auto provenance = e.objectives.at(0)->provenance();
  EXPECT_NE(provenance.at("minibatch").find("16 images of"), std::string::npos) << provenance.at("minibatch");
}

TEST(ZeroCost, NaswotOfIdenticalImagesIsMinusInfinity) {
  // Identical inputs give identical activation codes, a singular kernel:
  // the proxy really looks at the codes of the batch it was given.
  const auto dir = write_cifar(testing::scratch_dir("zero_cost_identical"), 8, true);
  Built built;
  build(built, experiment("proxy = \"naswot\"\nbatch_size = 8\ndata_dir = \"" + dir.string() + "\""));
  Experiment& e = *built.experiment;
  EXPECT_EQ(e.objectives.at(0)->evaluate(*genome(*e.space, kConvCell), *e.space),
            -std::numeric_limits<double>::infinity());
}

TEST(ZeroCost, GradNormOnNoiseIsPositiveAndSeeded) {
  Built a, b, c;
  build(a, experiment("proxy = \"grad_norm\"\nbatch_size = 8\nseed = 3"));
  build(b, experiment("proxy = \"grad_norm\"\nbatch_size = 8\nseed = 3"));
  build(c, experiment("proxy = \"grad_norm\"\nbatch_size = 8\nseed = 4"));
  const GenomePtr g = genome(*a.experiment->space, kConvCell);
  const double x = a.experiment->objectives.at(0)->evaluate(*g, *a.experiment->space);
  EXPECT_GT(x, 0.0);
  EXPECT_DOUBLE_EQ(b.experiment->objectives.at(0)->evaluate(*g, *b.experiment->space), x);
  EXPECT_NE(c.experiment->objectives.at(0)->evaluate(*g, *c.experiment->space), x);
  EXPECT_NE(a.experiment->objectives.at(0)->provenance().at("minibatch").find("Gaussian-noise"), std::string::npos);
}

TEST(ZeroCost, RunsInAnExperimentAndRecordsTheProvenance) {
  const auto output = testing::scratch_dir("zero_cost_run") / "run.h5";
  Built built;
  build(built, experiment("proxy = \"naswot\"\nbatch_size = 8\n\n[[objectives]]\nplugin = \"zero_cost\"\nproxy = "
                          "\"params\"",
                          kTinyCells, output.string()));
  RunOptions options;
  options.progress = false;
  const RunSummary summary = run_experiment(*built.experiment, options);
  EXPECT_EQ(summary.evaluations, 8u);
  EXPECT_EQ(summary.failed, 0u);
  const RunResults results = read_results(output);
  EXPECT_EQ(results.metadata.extra.at("objective.naswot.proxy"), "naswot");
  for (const EvaluationRecord& record : results.evaluations) EXPECT_GT(record.values.at(1), 0.0);
}

TEST(ZeroCost, ScoresCnnChainModels) {
  const std::string chains = "[search_space]\nplugin = \"cnn_chain\"\nresolution = 8\nchannels = [4, 8]\n";
  Built params, naswot;
  build(params, experiment("proxy = \"params\"", chains));
  build(naswot, experiment("proxy = \"naswot\"\nbatch_size = 8", chains));
  const GenomePtr relu = params.experiment->space->deserialize("k3c8s1relu-k1c4s2relu");
  // The network the space builds has exactly the parameters its kernels count.
  EXPECT_DOUBLE_EQ(params.experiment->objectives.at(0)->evaluate(*relu, *params.experiment->space),
                   params.experiment->space->query(*relu, MetricKey{Metric::kParameters, ""}));
  EXPECT_TRUE(std::isfinite(naswot.experiment->objectives.at(0)->evaluate(*relu, *naswot.experiment->space)));
  // A chain without ReLUs gives NASWOT nothing to look at: an error that says so (a failed evaluation in a run).
  const GenomePtr hswish = naswot.experiment->space->deserialize("k3c8s1hswish-k1c4s2hswish");
  try {
    naswot.experiment->objectives.at(0)->evaluate(*hswish, *naswot.experiment->space);
    ADD_FAILURE() << "NASWOT scored a network without ReLUs";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ReLU"), std::string::npos) << e.what();
  }
}

TEST(ZeroCost, BadInputNamesTheKeyOrWhatIsMissing) {
  const std::string missing = build_error(experiment("proxy = \"naswot\"\ndata_dir = \"/nonexistent/cifar\""));
  EXPECT_NE(missing.find("data_dir"), std::string::npos) << missing;
  EXPECT_NE(missing.find("/nonexistent/cifar/data_batch_1.bin"), std::string::npos) << missing;
  const std::string unknown = build_error(experiment("proxy = \"snip\""));
  EXPECT_NE(unknown.find("naswot"), std::string::npos) << unknown;
  // A space without trainable models is refused before the search, by name of the hook.
  const std::string no_models =
      build_error(experiment("proxy = \"synflow\"", "[search_space]\nplugin = \"test_problem\"\nproblem = \"zdt1\"\n"));
  EXPECT_NE(no_models.find("trainable model"), std::string::npos) << no_models;
  // Images of the wrong size for the space's models.
  const auto dir = write_cifar(testing::scratch_dir("zero_cost_size"), 8);
  const std::string size = build_error(experiment(
      "proxy = \"naswot\"\nbatch_size = 4\ndata_dir = \"" + dir.string() + "\"", kTinyCells + "image_size = 16\n"));
  EXPECT_NE(size.find("3x32x32"), std::string::npos) << size;
}

}  // namespace
}  // namespace gos
