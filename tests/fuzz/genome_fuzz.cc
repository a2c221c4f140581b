// libFuzzer target: the GOS instruction-graph genome decoder
// (searchspaces/gos/graph.h `parse`), the string form every results file
// stores and `gos show` reads. Contract: a valid graph that re-serialises to
// itself, or gos::Error; anything else is a finding (docs/FUZZING.md).
//
// With GOS_FUZZ_WRITE_CORPUS=DIR the binary writes its seed corpus (every
// named seed operator and sampled graphs, serialised) to DIR and exits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "framework/error.h"
#include "framework/rng.h"
#include "searchspaces/gos/graph.h"
#include "searchspaces/gos/seeds.h"
#include "searchspaces/gos/variation.h"

namespace {

const gos::graph::GraphSpec kSpec = {{16, 8, 8}, {16, 8, 8}, 16};

void write_corpus(const std::string& dir) {
  gos::graph::VariationConfig config;
  config.spec = kSpec;
  config.allowed = gos::graph::all_instructions();
  config.channel_choices = gos::graph::default_channel_choices(config.spec);
  int files = 0;
  auto write = [&](const std::string& text) { std::ofstream(dir + "/genome_" + std::to_string(files++)) << text; };
  for (const std::string& name : gos::graph::seed_names()) write(gos::graph::serialize(gos::graph::make_seed(name, kSpec)));
  gos::Rng rng(7);
  for (int i = 0; i < 40; ++i) write(gos::graph::serialize(gos::graph::sample_graph(config, rng)));
  std::fprintf(stderr, "fuzz_genome: wrote %d seed genomes to %s\n", files, dir.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("GOS_FUZZ_WRITE_CORPUS")) {
    write_corpus(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const gos::graph::Graph graph = gos::graph::parse(text, kSpec);
    gos::graph::Graph copy = graph;
    if (!gos::graph::validate(copy, kSpec).empty()) std::abort();
    if (!(gos::graph::parse(gos::graph::serialize(graph), kSpec) == graph)) std::abort();
    (void)gos::graph::structural_hash(graph);
    (void)gos::graph::count_params(graph);
    (void)gos::graph::count_flops(graph);
  } catch (const gos::Error&) {
  }
  return 0;
}
