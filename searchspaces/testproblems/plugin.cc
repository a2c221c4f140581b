// Plugin entry point for the continuous test problems.
#include "framework/plugin_abi.h"
#include "searchspaces/testproblems/test_problems.h"

namespace gos::testproblems {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.string("problem", "zdt1", "which test problem", {"zdt1", "zdt2", "zdt3", "dtlz2"})
      .integer("dimensions", std::nullopt, 2, 10000, "number of variables; default 30 (ZDT) or objectives + 9 (DTLZ2)")
      .optional()
      .integer("objectives", 2, 2, 20, "number of objectives (DTLZ2 only; ZDT problems have 2)")
      .real("mutation_eta", 20, 0, 1000, "distribution index of the default polynomial mutation")
      .real("mutation_probability", -1, -1, 1, "per-variable mutation probability; -1 means 1/dimensions")
      .real("crossover_eta", 15, 0, 1000, "distribution index of simulated binary crossover");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  TestProblemConfig config;
  const std::string& name = params.get_string("problem");
  config.problem = name == "zdt1"   ? Problem::kZdt1
                   : name == "zdt2" ? Problem::kZdt2
                   : name == "zdt3" ? Problem::kZdt3
                                    : Problem::kDtlz2;
  config.objectives = static_cast<size_t>(params.get_int("objectives"));
  if (config.problem != Problem::kDtlz2 && config.objectives != 2)
    throw params.error("objectives", name + " has exactly 2 objectives");
  config.dimensions = params.has("dimensions") ? static_cast<size_t>(params.get_int("dimensions"))
                      : config.problem == Problem::kDtlz2 ? config.objectives + 9
                                                          : 30;
  config.mutation_eta = params.get_real("mutation_eta");
  config.mutation_probability = params.get_real("mutation_probability");
  config.crossover_eta = params.get_real("crossover_eta");
  try {
    return std::make_unique<TestProblemSpace>(config);
  } catch (const Error& e) {
    throw params.error("dimensions", e.what());
  }
}

}  // namespace
}  // namespace gos::testproblems

GOS_PLUGIN("test_problem", gos::PluginKind::kSearchSpace, "1.0.0",
           "Continuous test problems with known Pareto fronts: ZDT1, ZDT2, ZDT3, DTLZ2",
           &gos::testproblems::schema, &gos::testproblems::create)
