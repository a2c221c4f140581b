#include "adapt/config.h"

#include <gtest/gtest.h>

#include "framework/error.h"

namespace gos::adapt {
namespace {

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_adapt_config(text, "quick.toml", overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(AdaptConfig, FillsDefaultsAndReadsKeys) {
  const AdaptConfig config = parse_adapt_config("[adapt]\nmodel = \"mobilenetv3_small\"\nepsilon = 0.5\n",
                                                "dir/quick.toml", {});
  EXPECT_EQ(config.name, "quick");
  EXPECT_EQ(config.model, "mobilenetv3_small");
  EXPECT_DOUBLE_EQ(config.epsilon, 0.5);
  EXPECT_EQ(config.max_modified, 10);
  EXPECT_EQ(config.accuracy_estimate, "distill");
  EXPECT_EQ(config.data_dir, "../shared/data/cifar10");
  // The resolved table lists every key, defaults included, and parses back to the same configuration.
  EXPECT_NE(config.resolved_toml.find("max_modified = 10"), std::string::npos) << config.resolved_toml;
  const AdaptConfig again = parse_adapt_config(config.resolved_toml, "dir/quick.toml", {});
  EXPECT_EQ(again.resolved_toml, config.resolved_toml);
}

TEST(AdaptConfig, UnknownKeyNamesFileLineAndClosestKey) {
  const std::string message = error_of("[adapt]\nmodel = \"resnet18\"\nepsilom = 1.0\n");
  EXPECT_NE(message.find("quick.toml:3:1"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key 'epsilom'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'epsilon'"), std::string::npos) << message;
}

TEST(AdaptConfig, WrongTypeRangeAndChoiceNameTheKeyAndWhatIsValid) {
  std::string message = error_of("[adapt]\npopulation = \"eight\"\n");
  EXPECT_NE(message.find("quick.toml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("key 'population' must be integer"), std::string::npos) << message;

  message = error_of("[adapt]\npopulation = 1\n");
  EXPECT_NE(message.find("key 'population' = 1 is out of range"), std::string::npos) << message;

  message = error_of("[adapt]\nmodel = \"resnet19\"\n");
  EXPECT_NE(message.find("did you mean 'resnet18'"), std::string::npos) << message;
  EXPECT_NE(message.find("inception_v3"), std::string::npos) << message;

  message = error_of("[adapt]\naccuracy_estimate = \"guess\"\n");
  EXPECT_NE(message.find("distill, finetune"), std::string::npos) << message;
}

TEST(AdaptConfig, RejectsOtherTablesAndMissingAdapt) {
  EXPECT_NE(error_of("[experiment]\nname = \"x\"\n").find("unknown table or key 'experiment'"), std::string::npos);
  EXPECT_NE(error_of("").find("missing the [adapt] table"), std::string::npos);
  EXPECT_NE(error_of("[adapt\n").find("quick.toml:1"), std::string::npos);
}

TEST(AdaptConfig, OverridesApplyAndAreBlamedOnTheCommandLine) {
  const AdaptConfig config =
      parse_adapt_config("[adapt]\npopulation = 8\n", "quick.toml",
                         {"population=4", "adapt.model=inception_v3", "slot_kinds=[\"conv\"]", "epsilon=2"});
  EXPECT_EQ(config.population, 4);
  EXPECT_EQ(config.model, "inception_v3");
  EXPECT_EQ(config.slot_kinds, std::vector<std::string>{"conv"});
  EXPECT_DOUBLE_EQ(config.epsilon, 2.0);

  const std::string message = error_of("[adapt]\n", {"generations=0"});
  EXPECT_NE(message.find("command line --set"), std::string::npos) << message;
  EXPECT_NE(message.find("'generations'"), std::string::npos) << message;
  EXPECT_NE(error_of("[adapt]\n", {"generations"}).find("not key=value"), std::string::npos);
}

TEST(AdaptConfig, CrossKeyRulesNameTheKey) {
  const std::string message = error_of("[adapt]\nholdout = 100\neval_subset = 200\n");
  EXPECT_NE(message.find("quick.toml:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("eval_subset"), std::string::npos) << message;
  EXPECT_NE(message.find("holdout = 100"), std::string::npos) << message;
}

}  // namespace
}  // namespace gos::adapt
