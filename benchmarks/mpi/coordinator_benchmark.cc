// Rank 0's cost per genome in `mpirun -n K gos run` (docs/SCALING.md): the
// runner's bookkeeping with its HDF5 appends, the message bodies, and, under
// mpirun, the real round trip through MPI to workers whose evaluation takes
// no time (ZDT1), measured as wall time and as rank 0's CPU time.
//   build/coordinator_benchmark
//   mpirun -n 3 --oversubscribe build/coordinator_benchmark --benchmark_filter=Mpi
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "framework/evaluation.h"
#include "framework/experiment.h"
#include "framework/plugin_registry.h"
#include "framework/runner.h"
#include "mpi/coordinator.h"
#include "mpi/launch.h"

namespace gos {
namespace {

namespace fs = std::filesystem;

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("gos_coordinator_benchmark_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string zdt_text(int64_t population, int64_t generations, const fs::path& output) {
  return "[experiment]\nname = \"bench\"\nseed = 1\noutput = \"" + output.string() +
         "\"\n[search_space]\nplugin = \"test_problem\"\nproblem = \"zdt1\"\ndimensions = 30\n"
         "[strategy]\nplugin = \"nsga2\"\npopulation = " +
         std::to_string(population) + "\ngenerations = " + std::to_string(generations) +
         "\n[[objectives]]\nplugin = \"metric\"\nmetric = \"function\"\non = \"f1\"\n"
         "[[objectives]]\nplugin = \"metric\"\nmetric = \"function\"\non = \"f2\"\n";
}

Experiment zdt_experiment(PluginRegistry& registry, int64_t population, int64_t generations) {
  registry.load_directory(GOS_PLUGIN_DIR);
  return build_experiment(
      parse_experiment(zdt_text(population, generations, scratch() / "run.h5"), "bench.toml", ".", {}, registry),
      registry);
}

// A whole run in one process: per genome, NSGA-II's ask/tell, the caches,
// the archive, the HDF5 append of each generation, and ZDT1 itself (~1 us).
void BM_RunnerPerGenome(benchmark::State& state) {
  const int64_t population = state.range(0);
  size_t evaluations = 0;
  for (auto _ : state) {
    PluginRegistry registry;
    Experiment experiment = zdt_experiment(registry, population, 20);
    RunOptions options;
    options.progress = false;
    options.overwrite = true;
    evaluations += run_experiment(experiment, options).evaluations;
  }
  state.SetItemsProcessed(static_cast<int64_t>(evaluations));
}
BENCHMARK(BM_RunnerPerGenome)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

// The HDF5 part alone: appending generations of `range(0)` records.
void BM_ResultsAppendPerGenome(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const fs::path path = scratch() / "append.h5";
  RunMetadata metadata;
  metadata.experiment_name = "bench";
  metadata.status = "running";
  std::vector<EvaluationRecord> records(batch);
  for (size_t i = 0; i < batch; ++i) {
    records[i].genome = "0.1234,0.5678,0.9012,0.3456,0.7890,0.1234,0.5678,0.9012,0.3456,0.7890";
    records[i].values = {0.5, 0.25};
  }
  const std::vector<int64_t> front = {0, 1, 2};
  const std::vector<double> front_values(6, 0.5);
  ResultsWriter writer =
      ResultsWriter::create(path, metadata, {{"f1", "minimize", true, 0, 0}, {"f2", "minimize", true, 0, 0}});
  int64_t generation = 0;
  for (auto _ : state) {
    GenerationRecord row{generation, (generation + 1) * static_cast<int64_t>(batch), 3, 0, {}};
    writer.append(records, row, front, front_values);
    ++generation;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}
BENCHMARK(BM_ResultsAppendPerGenome)->Arg(10)->Arg(100);

// Encoding and decoding one request and one reply (both sides' work).
void BM_MessageBodies(benchmark::State& state) {
  const std::string genome(static_cast<size_t>(state.range(0)), '7');
  mpi::EvaluateReply reply;
  reply.record.values = {0.5, 0.25};
  for (auto _ : state) {
    const mpi::EvaluateRequest request = mpi::decode_evaluate_request(mpi::encode(mpi::EvaluateRequest{3, 1, genome}));
    benchmark::DoNotOptimize(request);
    benchmark::DoNotOptimize(mpi::decode_evaluate_reply(mpi::encode(reply)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MessageBodies)->Arg(300)->Arg(4000);

// Under mpirun: rank 0 hands a generation of `range(0)` ZDT1 genomes to the
// workers and collects the results in order. Wall time per genome is the
// round trip; CPU time per genome is what one coordinator spends.
mpi::Coordinator* g_coordinator = nullptr;
Experiment* g_experiment = nullptr;

void BM_MpiGenerationPerGenome(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  Rng rng(7);
  std::vector<GenomePtr> genomes;
  std::vector<const Genome*> pointers;
  std::vector<std::string> canonicals;
  for (size_t i = 0; i < batch; ++i) {
    genomes.push_back(g_experiment->space->sample(rng));
    pointers.push_back(genomes.back().get());
    canonicals.push_back(g_experiment->space->serialize(*genomes.back()));
  }
  for (auto _ : state) benchmark::DoNotOptimize(g_coordinator->evaluate_all(pointers, canonicals, 0));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}

}  // namespace
}  // namespace gos

int main(int argc, char** argv) {
  using namespace gos;
  benchmark::Initialize(&argc, argv);
  const std::optional<int> launched = mpi::launcher_world_size();
  if (!launched || *launched == 1) {
    benchmark::RunSpecifiedBenchmarks();
    return 0;
  }
  mpi::World& world = mpi::load_world();
  const mpi::FinalizeOnExit finalize(&world);
  PluginRegistry registry;
  Experiment experiment = zdt_experiment(registry, 100, 1);
  if (world.rank() != 0) {
    mpi::serve(world, experiment);
    return 0;
  }
  mpi::Coordinator coordinator(world, "(benchmark)");
  g_coordinator = &coordinator;
  g_experiment = &experiment;
  benchmark::RegisterBenchmark("BM_MpiGenerationPerGenome", BM_MpiGenerationPerGenome)->Arg(100)->Arg(1000);
  benchmark::AddCustomContext("mpi_ranks", std::to_string(world.size()));
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
