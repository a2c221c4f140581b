// The zoo_model space: a model being adapted, described as data and rebuilt
// from it (what an agent on a board does with a whole-model workload).
#include "searchspaces/zoo_model/zoo_model_space.h"

#include <gtest/gtest.h>

#include "framework/error.h"
#include "framework/plugin_registry.h"
#include "framework/rng.h"
#include "searchspaces/gos/compile.h"
#include "torchlib/zoo.h"

namespace gos {
namespace {

const std::string kSlot = "layer1.0.conv1";  // 16x32x32 -> 16x32x32 in ResNet18 at width 0.25
const std::string kSeparable = "in:16x32x32;n1=dwconv[k=3,d=1,s=1](n0);n2=pconv[co=16](n1);out:n2";

ZooModelSpaceConfig quarter_resnet() {
  ZooModelSpaceConfig config;
  config.width = 0.25;
  return config;
}

std::shared_ptr<SlottedModel> adapted_locally() {
  ZooOptions zoo;
  zoo.width = 0.25;
  auto model = make_zoo_model("resnet18", zoo);
  model->replace(kSlot, std::make_shared<graph::GraphModule>(graph::parse(kSeparable, {{16, 32, 32}, {16, 32, 32}, 8})));
  return model;
}

int64_t parameters(torch::nn::Module& module) {
  int64_t total = 0;
  for (const auto& p : module.parameters()) total += p.numel();
  return total;
}

TEST(ZooModelSpace, AnAdaptedModelIsRebuiltFromItsGenome) {
  auto local = adapted_locally();
  const std::string text = zoo_model_genome(*local);
  EXPECT_EQ(text, kSlot + "@" + kSeparable);

  const ZooModelSpace space(quarter_resnet());
  const GenomePtr genome = space.deserialize(text);
  EXPECT_EQ(space.serialize(*genome), text);
  auto rebuilt = rebuild_zoo_model(quarter_resnet(), dynamic_cast<const ZooModelGenome&>(*genome));
  EXPECT_EQ(parameters(*rebuilt), parameters(*local));
  EXPECT_NE(dynamic_cast<graph::GraphModule*>(&rebuilt->slot(kSlot).module()), nullptr);
  const auto slots = rebuilt->slots();
  ASSERT_EQ(slots.size(), local->slots().size());
  for (size_t i = 0; i < slots.size(); ++i) EXPECT_EQ(slots[i].kind, local->slots()[i].kind) << slots[i].path;
  // The workload runs the rebuilt model.
  space.workload(*genome)->run();
}

TEST(ZooModelSpace, TheModelAsBuiltIsTheEmptyGenome) {
  ZooOptions zoo;
  zoo.width = 0.25;
  auto model = make_zoo_model("resnet18", zoo);
  EXPECT_EQ(zoo_model_genome(*model), "");
  const ZooModelSpace space(quarter_resnet());
  Rng rng(1);
  EXPECT_EQ(space.serialize(*space.sample(rng)), "");
  EXPECT_EQ(parameters(*rebuild_zoo_model(quarter_resnet(), dynamic_cast<const ZooModelGenome&>(*space.deserialize("")))),
            parameters(*model));
}

TEST(ZooModelSpace, BadGenomesNameTheReplacement) {
  const ZooModelSpace space(quarter_resnet());
  const auto message = [&](const std::string& text) {
    try {
      space.deserialize(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("layer9.conv@" + kSeparable).find("has no slot 'layer9.conv'"), std::string::npos);
  // A graph for other shapes than the slot's.
  const std::string wrong = "in:32x16x16;n1=dwconv[k=3,d=1,s=1](n0);out:n1";
  EXPECT_NE(message(kSlot + "@" + wrong).find("the replacement of slot '" + kSlot + "'"), std::string::npos);
  EXPECT_NE(message("no separator").find("is not 'slot@graph'"), std::string::npos);
  EXPECT_NE(message(kSlot + "@" + kSeparable + "|").find("is not 'slot@graph'"), std::string::npos);
  EXPECT_THROW(space.default_mutator(), Error);
}

TEST(ZooModelSpace, ThePluginValidatesItsKeys) {
  PluginRegistry registry;
  registry.load_directory(GOS_PLUGIN_DIR);
  EXPECT_NO_THROW(registry.find("zoo_model", PluginKind::kSearchSpace, "test"));
  // InceptionV3 takes widths in steps of 1/16 only.
  ZooModelSpaceConfig inception;
  inception.model = "inception_v3";
  inception.width = 0.1;
  EXPECT_THROW(ZooModelSpace{inception}, Error);
}

}  // namespace
}  // namespace gos
