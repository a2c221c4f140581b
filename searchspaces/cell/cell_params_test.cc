#include "searchspaces/cell/cell_params.h"

#include <gtest/gtest.h>

namespace gos::cell {
namespace {

// Params as the framework hands them over: every declared key with its
// default (the framework fills defaults before the plugin sees them).
Params defaults() {
  ParamSchema schema;
  add_cell_params(schema);
  Params params("search_space", SourceLocation{"experiment.toml", 3, 1});
  for (const ParamSpec& spec : schema.specs()) params.set(spec.name, *spec.default_value, {"experiment.toml", 3, 1});
  return params;
}

TEST(CellParams, DefaultsDescribeTheNasBench201Space) {
  const CellSpaceConfig config = cell_config(defaults());
  EXPECT_EQ(config.nodes, 4);
  EXPECT_EQ(config.operations, nb201_operations());
  EXPECT_EQ(config.encoding, "one_hot");
  EXPECT_EQ(config.skeleton.channels, 16);
  EXPECT_EQ(config.skeleton.cells_per_stage, 5);
  EXPECT_EQ(CellSpace(config).size(), 15625u);
}

TEST(CellParams, ReadsEveryKey) {
  Params params = defaults();
  const SourceLocation where{"experiment.toml", 7, 1};
  params.set("nodes", int64_t{3}, where);
  params.set("operations", std::vector<std::string>{"skip_connect", "nor_conv_3x3"}, where);
  params.set("encoding", std::string("adjacency"), where);
  params.set("channels", int64_t{8}, where);
  params.set("cells_per_stage", int64_t{2}, where);
  params.set("classes", int64_t{100}, where);
  params.set("image_size", int64_t{16}, where);
  params.set("batch", int64_t{4}, where);
  const CellSpaceConfig config = cell_config(params);
  EXPECT_EQ(config.nodes, 3);
  EXPECT_EQ(config.operations, (std::vector<std::string>{"skip_connect", "nor_conv_3x3"}));
  EXPECT_EQ(config.encoding, "adjacency");
  EXPECT_EQ(config.skeleton.channels, 8);
  EXPECT_EQ(config.skeleton.cells_per_stage, 2);
  EXPECT_EQ(config.skeleton.classes, 100);
  EXPECT_EQ(config.skeleton.image_size, 16);
  EXPECT_EQ(config.skeleton.batch, 4);
}

TEST(CellParams, RepeatedOperationsNameTheKeyAndItsLocation) {
  Params params = defaults();
  params.set("operations", std::vector<std::string>{"none", "none"}, {"experiment.toml", 9, 14});
  try {
    cell_config(params);
    FAIL() << "accepted a repeated operation";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("experiment.toml:9:14"), std::string::npos) << message;
    EXPECT_NE(message.find("operations"), std::string::npos) << message;
    EXPECT_NE(message.find("repeats an operation"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace gos::cell
