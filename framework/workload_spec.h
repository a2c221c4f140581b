#pragma once
// A workload as data: what a device on another machine (an agent on a board)
// needs to rebuild the workload with its own plugins. Never code: a search
// space plugin name with its validated keys, and a canonical genome or a
// kernel of that space.
#include <memory>
#include <string>
#include <utility>

#include "framework/device.h"
#include "framework/params.h"
#include "framework/search_space.h"

namespace gos {

struct WorkloadSpec {
  enum class Kind { kGenome, kKernel };
  Kind kind = Kind::kGenome;
  ComponentConfig space;  // plugin + validated parameters (every default filled in)
  std::string genome;     // kGenome: the space's canonical text of the genome
  Kernel kernel;          // kKernel: the kernel as SearchSpace::kernels lists it
  // What the workload is, for messages: "genome 'x' of gos_graph".
  std::string describe() const;
};

// A workload run here that describes itself as `spec` to devices elsewhere,
// for callers that hold a live workload (a model being adapted) and know what
// it is. Does not own `inner`, which must outlive it.
class DescribedWorkload : public Workload {
 public:
  DescribedWorkload(Workload& inner, WorkloadSpec spec) : inner_(inner), spec_(std::move(spec)) {}
  std::string key() const override { return inner_.key(); }
  void run() override { inner_.run(); }
  const WorkloadSpec* spec() const override { return &spec_; }

 private:
  Workload& inner_;
  WorkloadSpec spec_;
};

// space.workload(genome) / space.kernel_workload(kernel), carrying their spec
// when the space knows its origin (SearchSpace::set_origin). Callers that hand
// workloads to a Device use these, so that remote devices can measure them.
std::unique_ptr<Workload> portable_workload(const SearchSpace& space, const Genome& genome);
std::unique_ptr<Workload> portable_kernel_workload(const SearchSpace& space, const Kernel& kernel);

}  // namespace gos
