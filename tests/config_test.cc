// Experiment files: every kind of bad input gets one clear message with its
// location, and valid files resolve to a complete, stable configuration.
#include <gmock/gmock.h>

#include "framework/experiment.h"
#include "tests/test_support.h"

namespace gos {
namespace {

using ::testing::HasSubstr;
using testing::config_error;
using testing::zdt_experiment;

TEST(Config, ValidFileResolvesDefaultsAndStableFingerprint) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  const ExperimentConfig a = parse_experiment(zdt_experiment("a.h5"), "exp.toml", ".", {}, registry);
  EXPECT_EQ(a.name, "zdt");
  EXPECT_EQ(a.seed, 3u);
  EXPECT_EQ(a.objectives.size(), 2u);
  EXPECT_EQ(a.strategy.params->get_int("evaluations"), 60);
  // Defaults are filled in the resolved text.
  EXPECT_THAT(a.resolved_toml, HasSubstr("mutation_eta = 20.0"));
  // The output path does not take part in the fingerprint; anything else does.
  const ExperimentConfig moved = parse_experiment(zdt_experiment("b.h5"), "exp.toml", ".", {}, registry);
  EXPECT_EQ(a.fingerprint, moved.fingerprint);
  const ExperimentConfig reseeded =
      parse_experiment(zdt_experiment("a.h5"), "exp.toml", ".", {"experiment.seed=4"}, registry);
  EXPECT_NE(a.fingerprint, reseeded.fingerprint);
}

TEST(Config, OverridesSetNestedAndArrayKeys) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  const ExperimentConfig c = parse_experiment(
      zdt_experiment("a.h5"), "exp.toml", ".",
      {"strategy.batch=7", "objectives.1.max=3.5", "experiment.output=elsewhere.h5", "experiment.name=renamed"},
      registry);
  EXPECT_EQ(c.strategy.params->get_int("batch"), 7);
  EXPECT_EQ(c.objectives[1].role.max, 3.5);
  EXPECT_EQ(c.output, "elsewhere.h5");
  EXPECT_EQ(c.name, "renamed");
}

TEST(Config, EmptyFile) { EXPECT_THAT(config_error(""), HasSubstr("exp.toml: the experiment file is empty")); }

TEST(Config, SyntaxErrorNamesLineAndColumn) {
  EXPECT_THAT(config_error("[experiment]\nname = \"x\nseed = 1\n"), HasSubstr("exp.toml:2:"));
  EXPECT_THAT(config_error("[experiment]\nname = \"x\nseed = 1\n"), HasSubstr("TOML syntax error"));
}

TEST(Config, WrongTypeNamesKeyExpectedAndGot) {
  std::string text = zdt_experiment("a.h5");
  text.replace(text.find("evaluations = 60"), 16, "evaluations = \"many\"");
  const std::string error = config_error(text);
  EXPECT_THAT(error, HasSubstr("exp.toml:"));
  EXPECT_THAT(error, HasSubstr("[strategy] key 'evaluations' must be integer in [1, "));
  EXPECT_THAT(error, HasSubstr("got a string"));
}

TEST(Config, OutOfRangeValue) {
  const std::string error = config_error(zdt_experiment("a.h5"), {"strategy.batch=0"});
  EXPECT_THAT(error, HasSubstr("[strategy] key 'batch' = 0 is out of range; expected integer in [1, 1000000]"));
  EXPECT_THAT(error, HasSubstr("command line --set"));
}

TEST(Config, UnknownKeySuggestsTheClosestValidOne) {
  const std::string error = config_error(zdt_experiment("a.h5", "evaluatons = 5\n"));
  EXPECT_THAT(error, HasSubstr("exp.toml:15:1: [strategy] unknown key 'evaluatons'; did you mean 'evaluations'?"));
  EXPECT_THAT(error, HasSubstr("valid keys: evaluations, batch, plugin"));
}

TEST(Config, UnknownTopLevelSection) {
  EXPECT_THAT(config_error(zdt_experiment("a.h5", "", "[stratgy]\nx = 1\n")),
              HasSubstr("unknown top-level key 'stratgy'; did you mean 'strategy'?"));
}

TEST(Config, UnknownPluginSuggestsTheClosestOfItsKind) {
  std::string text = zdt_experiment("a.h5");
  text.replace(text.find("\"random_search\""), 15, "\"random_serch\"");
  const std::string error = config_error(text);
  EXPECT_THAT(error, HasSubstr("unknown strategy plugin 'random_serch'; did you mean 'random_search'?"));
  EXPECT_THAT(error, HasSubstr("exp.toml:12:10"));
}

TEST(Config, PluginOfTheWrongKind) {
  std::string text = zdt_experiment("a.h5");
  text.replace(text.find("\"random_search\""), 15, "\"metric\"");
  EXPECT_THAT(config_error(text), HasSubstr("plugin 'metric' is a objective plugin, not a strategy plugin"));
}

TEST(Config, WrongChoiceListsTheValidOnes) {
  EXPECT_THAT(config_error(zdt_experiment("a.h5"), {"search_space.problem=\"zdt7\""}),
              HasSubstr("key 'problem' = \"zdt7\" is not allowed; did you mean 'zdt1'?; expected one of: zdt1, zdt2, "
                        "zdt3, dtlz2"));
}

TEST(Config, MissingSectionsAndKeys) {
  EXPECT_THAT(config_error("[experiment]\nname = \"x\"\n"), HasSubstr("missing required section [search_space]"));
  EXPECT_THAT(config_error("[experiment]\nseed = 1\n"), HasSubstr("[experiment] missing required key 'name'"));
  std::string no_objectives = zdt_experiment("a.h5");
  no_objectives = no_objectives.substr(0, no_objectives.find("[[objectives]]"));
  EXPECT_THAT(config_error(no_objectives), HasSubstr("an experiment needs at least one objective"));
}

TEST(Config, ObjectiveRoleChecks) {
  EXPECT_THAT(config_error(zdt_experiment("a.h5"), {"objectives.0.optimize=false"}),
              HasSubstr("optimize = false needs a bound"));
  EXPECT_THAT(config_error(zdt_experiment("a.h5"), {"objectives.0.min=2", "objectives.0.max=1"}),
              HasSubstr("min = 2 is above max = 1"));
  EXPECT_THAT(config_error(zdt_experiment("a.h5"), {"objectives.0.direction=\"up\""}),
              HasSubstr("expected one of: minimize, maximize"));
}

TEST(Config, BadOverrides) {
  EXPECT_THAT(config_error(zdt_experiment("a.h5"), {"strategy.batch"}), HasSubstr("expected KEY=VALUE"));
  EXPECT_THAT(config_error(zdt_experiment("a.h5"), {"objectives.9.max=1"}), HasSubstr("index 9 is past the end"));
}

TEST(Config, MissingPluginDirectoryIsNamed) {
  const std::string error = config_error(zdt_experiment("a.h5", "", "[plugins]\npaths = [\"no/such/dir\"]\n"));
  EXPECT_THAT(error, HasSubstr("[plugins] paths: plugin directory './no/such/dir' does not exist"));
}

TEST(Config, MetricTheSpaceCannotAnswerFailsAtBuild) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  ExperimentConfig config =
      parse_experiment(zdt_experiment("a.h5"), "exp.toml", ".", {"objectives.1.on=\"f3\""}, registry);
  try {
    build_experiment(std::move(config), registry);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("metric 'function(f3)' is not offered; did you mean 'function(f1)'?"));
  }
}

TEST(Config, DuplicateObjectiveNames) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  ExperimentConfig config =
      parse_experiment(zdt_experiment("a.h5"), "exp.toml", ".", {"objectives.1.on=\"f1\""}, registry);
  EXPECT_THROW(build_experiment(std::move(config), registry), Error);
}

// Role keys written in the file are located in the file, like the plugin's
// keys of the same table (they were blamed on --set).
TEST(Config, ObjectiveRoleErrorsNameTheFileLine) {
  std::string text = zdt_experiment("a.h5");
  text.replace(text.find("on = \"f2\""), 9, "on = \"f2\"\ndirection = \"max\"");
  const std::string error = config_error(text);
  EXPECT_THAT(error, HasSubstr("exp.toml:25:13: [objectives[1]] key 'direction' = \"max\" is not allowed"));
  EXPECT_THAT(error, ::testing::Not(HasSubstr("command line")));
  std::string bound = zdt_experiment("a.h5");
  bound.replace(bound.find("on = \"f1\""), 9, "on = \"f1\"\nmax = \"high\"");
  EXPECT_THAT(config_error(bound), HasSubstr("exp.toml:20:7: [objectives[0]] key 'max' must be number"));
  // A --set value is still blamed on the command line.
  EXPECT_THAT(config_error(zdt_experiment("a.h5"), {"objectives.0.optimize=3"}),
              HasSubstr("command line --set: [objectives[0]] key 'optimize' must be boolean"));
}

// toml++ 3.3 reaches __builtin_unreachable on these; they must be clear errors
// with a location before the parser sees them.
TEST(Config, NonAsciiOutsideStringsIsAClearError) {
  EXPECT_THAT(config_error("[experime\u00b7nt]\nname = \"x\"\n"),
              HasSubstr("exp.toml:1:10: non-ASCII character U+00B7 '\u00b7' outside a string or comment"));
  EXPECT_THAT(config_error("[experiment]\nname = \"x\"\u00e9\n"), HasSubstr("exp.toml:2:11: non-ASCII character U+00E9"));
  EXPECT_THAT(config_error("[\"exp\u00e9\"]\nx = 1\n"), HasSubstr("exp.toml:1:6: non-ASCII character U+00E9 '\u00e9' in a quoted key"));
  EXPECT_THAT(config_error("[experiment]\ntags = { \"k\u0416\" = 1 }\n"), HasSubstr("exp.toml:2:12:"));
  EXPECT_THAT(config_error("[experiment]\nname = \"\"\"a\\\n  \u00e9\"\"\"\n"),
              HasSubstr("exp.toml:3:3: non-ASCII character U+00E9 '\u00e9' after a backslash"));
  EXPECT_THAT(config_error("[experiment]\nname = \"a\xff\"\n"), HasSubstr("exp.toml:2:10: malformed UTF-8 (byte 0xFF)"));
  EXPECT_THAT(config_error("[experiment]\nname = \"a\xc3\"\n"), HasSubstr("exp.toml:2:10: malformed UTF-8"));
  EXPECT_THAT(config_error("[experiment]\nname = \"\xed\xa0\x80\"\n"), HasSubstr("malformed UTF-8"));  // a surrogate
}

TEST(Config, NonAsciiInCommentsAndStringValuesIsKept) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  std::string text = "\xEF\xBB\xBF# r\u00e9sum\u00e9 \u00b7 \u0416\n" + zdt_experiment("a.h5");
  text.replace(text.find("seed = 3"), 8, "seed = 3\ndescription = \"caf\u00e9 \u00b7 'x' \\u00e9\"  # \u00b7");
  const ExperimentConfig config = parse_experiment(text, "exp.toml", ".", {}, registry);
  EXPECT_EQ(config.description, "caf\u00e9 \u00b7 'x' \u00e9");
  // A --set value that is not TOML (here: not ASCII) is taken as a string.
  const ExperimentConfig set =
      parse_experiment(zdt_experiment("a.h5"), "exp.toml", ".", {"experiment.description=\u00b7x\u00b7"}, registry);
  EXPECT_EQ(set.description, "\u00b7x\u00b7");
}

// Input paths written in a file are relative to the file; defaults and --set
// values to the working directory.
TEST(Config, InputPathsAreRelativeToTheFile) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  const auto spaces = registry.names(PluginKind::kSearchSpace);
  if (std::find(spaces.begin(), spaces.end(), "nb201") == spaces.end()) GTEST_SKIP() << "the nb201 plugin was not built";
  std::string text = zdt_experiment("results/a.h5");
  const std::string space = "plugin = \"test_problem\"\nproblem = \"zdt1\"\ndimensions = 5";
  text.replace(text.find(space), space.size(), "plugin = \"nb201\"\ntable = \"../../build/nb201.h5\"");
  auto table_of = [&](const std::filesystem::path& base, const std::vector<std::string>& overrides) {
    return parse_experiment(text, "x.toml", base, overrides, registry).search_space.params->get_string("table");
  };
  EXPECT_EQ(table_of("experiments/nb201", {}), "build/nb201.h5");
  EXPECT_EQ(table_of("/data/experiments/nb201", {}), "/data/build/nb201.h5");
  EXPECT_EQ(table_of("experiments/nb201", {"search_space.table=\"here.h5\""}), "here.h5");
  EXPECT_EQ(table_of("experiments/nb201", {"search_space.table=\"/abs/t.h5\""}), "/abs/t.h5");
  // The output is where the run is started from, as -o is.
  EXPECT_EQ(parse_experiment(text, "x.toml", "experiments/nb201", {}, registry).output, "results/a.h5");
}

TEST(Config, AnAdaptFileIsNamedAsSuch) {
  EXPECT_THAT(config_error("[adapt]\nmodel = \"resnet18\"\n"),
              HasSubstr("exp.toml:1:2: this is a `gos adapt` file ([adapt] table, docs/ADAPT.md)"));
}

// What run would reject about [indicators] igd, build (validate) rejects first.
TEST(Config, IgdTheSpaceCannotServeFailsAtBuild) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  ExperimentConfig config =
      parse_experiment(zdt_experiment("a.h5", "", "[indicators]\nigd = true\n"), "exp.toml", ".",
                       {"objectives.1.optimize=false", "objectives.1.max=10"}, registry);
  try {
    build_experiment(std::move(config), registry);
    FAIL() << "igd with a front of another dimension was accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("exp.toml:26:7: [indicators] igd = true: search space 'test_problem' has a known "
                                    "front of 2 objectives but the experiment optimises 1"));
  }
}

}  // namespace
}  // namespace gos
