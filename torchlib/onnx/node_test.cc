// The ONNX project's own operator tests (Debian's libonnx-testdata): every
// node test whose operators GOS supports, run through the importer and
// compared with the reference outputs at the ONNX backend tests' tolerance
// (rtol 1e-3, atol 1e-7). Failures must be exactly the known ones listed
// below with their reasons; the pass counts per operator are written to
// <build>/onnx_node_tests.md (quoted in docs/ONNX.md).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "framework/error.h"
#include "torchlib/onnx/model.h"

namespace gos::onnx_io {
namespace {

namespace fs = std::filesystem;

const fs::path kNodeTests = "/usr/share/libonnx-testdata/data/node";

// Node tests of supported operators that GOS fails on purpose, with why.
const std::map<std::string, std::string> kKnownFailures = {
    {"test_batchnorm_epsilon_training_mode", "training-mode BatchNormalization with statistics outputs"},
    {"test_batchnorm_example_training_mode", "training-mode BatchNormalization with statistics outputs"},
    {"test_cast_BFLOAT16_to_FLOAT", "BFLOAT16 tensors are not read"},
    {"test_cast_FLOAT_to_BFLOAT16", "BFLOAT16 tensors are not made"},
    {"test_cast_FLOAT_to_STRING", "string tensors"},
    {"test_cast_STRING_to_FLOAT", "string tensors"},
    {"test_castlike_BFLOAT16_to_FLOAT_expanded", "BFLOAT16 tensors are not read"},
    {"test_castlike_FLOAT_to_BFLOAT16_expanded", "BFLOAT16 tensors are not read"},
    {"test_castlike_FLOAT_to_STRING_expanded", "string tensors"},
    {"test_castlike_STRING_to_FLOAT_expanded", "string tensors"},
    {"test_identity_opt", "optional values (not tensors)"},
    {"test_identity_sequence", "sequence values (not tensors)"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", "MaxPool's Indices output"},
    {"test_maxpool_with_argmax_2d_precomputed_strides", "MaxPool's Indices output"},
    {"test_pow_types_float32_uint32", "LibTorch 1.13 has no uint32"},
    {"test_pow_types_float32_uint64", "LibTorch 1.13 has no uint64"},
    {"test_training_dropout", "training-mode Dropout is random; GOS runs Dropout as inference"},
    {"test_training_dropout_default", "training-mode Dropout is random; GOS runs Dropout as inference"},
    {"test_training_dropout_default_mask", "training-mode Dropout is random; GOS runs Dropout as inference"},
    {"test_training_dropout_mask", "training-mode Dropout is random; GOS runs Dropout as inference"},
};

std::vector<torch::Tensor> read_tensors(const fs::path& dir, const std::string& prefix) {
  std::vector<torch::Tensor> tensors;
  for (int i = 0;; ++i) {
    const fs::path file = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(file)) break;
    tensors.push_back(to_torch(read_tensor_file(file.string()), file.string()));
  }
  return tensors;
}

std::string compare(const torch::Tensor& got, const torch::Tensor& expected) {
  if (got.scalar_type() != expected.scalar_type())
    return fmt::format("type {} instead of {}", c10::toString(got.scalar_type()), c10::toString(expected.scalar_type()));
  if (got.sizes() != expected.sizes())
    return fmt::format("shape {} instead of {}", fmt::join(got.sizes(), "x"), fmt::join(expected.sizes(), "x"));
  if (c10::isFloatingType(got.scalar_type())) {
    const torch::Tensor a = got.to(torch::kFloat64), b = expected.to(torch::kFloat64);
    if (!torch::allclose(a, b, 1e-3, 1e-7, /*equal_nan=*/true))
      return fmt::format("max difference {:.3g}", (a - b).abs().nan_to_num(0).max().item<double>());
    return "";
  }
  return torch::equal(got, expected) ? "" : "values differ";
}

// "" when the test passes, else why not.
std::string run_node_test(const fs::path& dir, OnnxModel& model) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory() || !entry.path().filename().string().starts_with("test_data_set")) continue;
    const auto inputs = read_tensors(entry.path(), "input");
    const auto expected = read_tensors(entry.path(), "output");
    Tensors outputs;
    try {
      outputs = model.run(inputs);
    } catch (const std::exception& e) {
      return e.what();
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      if (i >= outputs.size() || !outputs[i].defined()) return fmt::format("output {} missing", i);
      const std::string difference = compare(outputs[i], expected[i]);
      if (!difference.empty()) return fmt::format("output {}: {}", i, difference);
    }
  }
  return "";
}

TEST(OnnxNodeTests, SupportedOperatorsPassTheOnnxProjectsNodeTests) {
  if (!fs::is_directory(kNodeTests))
    GTEST_SKIP() << kNodeTests << " is missing: install Debian's libonnx-testdata (scripts/setup.sh)";
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(kNodeTests)) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  std::map<std::string, std::pair<int, int>> counts;  // operator -> (passed, run)
  std::map<std::string, std::string> failures;
  int skipped = 0;
  for (const fs::path& dir : dirs) {
    const std::string name = dir.filename().string();
    onnx::ModelProto proto;
    try {
      proto = read_model((dir / "model.onnx").string());
    } catch (const Error&) {
      ++skipped;  // a test model the checker rejects is not a test of ours
      continue;
    }
    std::set<std::string> ops;
    for (const auto& node : proto.graph().node()) ops.insert(node.op_type());
    if (!std::all_of(ops.begin(), ops.end(), is_supported)) {
      ++skipped;
      continue;
    }
    const std::string op = ops.size() == 1 ? *ops.begin() : "(multi-node graphs)";
    std::string failure;
    try {
      ImportOptions options;
      options.require_model_interface = false;
      OnnxModel model(proto, name, options);
      model.eval();
      torch::NoGradGuard no_grad;
      failure = run_node_test(dir, model);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    auto& [passed, run] = counts[op];
    ++run;
    if (failure.empty()) ++passed;
    else failures[name] = failure;
  }
  std::ofstream table(fs::path(GOS_BINARY_DIR) / "onnx_node_tests.md");
  table << "| Operator | Passed | Node tests |\n|---|---:|---:|\n";
  int passed_all = 0, run_all = 0;
  for (const auto& [op, count] : counts) {
    table << "| " << op << " | " << count.first << " | " << count.second << " |\n";
    passed_all += count.first;
    run_all += count.second;
  }
  table << "| **all** | " << passed_all << " | " << run_all << " |\n\nFailures:\n\n";
  for (const auto& [name, why] : failures) table << "- `" << name << "`: " << why.substr(0, 300) << "\n";
  std::cout << "ONNX node tests: " << passed_all << " of " << run_all << " passed (" << skipped
            << " tests of unsupported operators skipped); table in " << GOS_BINARY_DIR << "/onnx_node_tests.md\n";
  EXPECT_GT(run_all, 100);
  for (const auto& [name, why] : failures)
    EXPECT_TRUE(kKnownFailures.count(name)) << name << ": " << why;
  for (const auto& [name, why] : kKnownFailures)
    EXPECT_TRUE(failures.count(name)) << name << " is listed as a known failure (" << why << ") but passes";
}

}  // namespace
}  // namespace gos::onnx_io
