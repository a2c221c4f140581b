#include "framework/workload_spec.h"

#include <fmt/format.h>

namespace gos {
namespace {

// A workload built by the space, with the spec it was built from.
class PortableWorkload : public Workload {
 public:
  PortableWorkload(std::unique_ptr<Workload> inner, WorkloadSpec spec)
      : inner_(std::move(inner)), spec_(std::move(spec)) {}
  std::string key() const override { return inner_->key(); }
  void run() override { inner_->run(); }
  const WorkloadSpec* spec() const override { return &spec_; }

 private:
  std::unique_ptr<Workload> inner_;
  WorkloadSpec spec_;
};

}  // namespace

std::string WorkloadSpec::describe() const {
  return kind == Kind::kGenome ? fmt::format("genome '{}' of {}", genome, space.plugin)
                               : fmt::format("kernel '{}' of {}", kernel.key, space.plugin);
}

std::unique_ptr<Workload> portable_workload(const SearchSpace& space, const Genome& genome) {
  std::unique_ptr<Workload> workload = space.workload(genome);
  if (!space.origin()) return workload;
  WorkloadSpec spec;
  spec.kind = WorkloadSpec::Kind::kGenome;
  spec.space = *space.origin();
  spec.genome = space.serialize(genome);
  return std::make_unique<PortableWorkload>(std::move(workload), std::move(spec));
}

std::unique_ptr<Workload> portable_kernel_workload(const SearchSpace& space, const Kernel& kernel) {
  std::unique_ptr<Workload> workload = space.kernel_workload(kernel);
  if (!space.origin()) return workload;
  WorkloadSpec spec;
  spec.kind = WorkloadSpec::Kind::kKernel;
  spec.space = *space.origin();
  spec.kernel = kernel;
  return std::make_unique<PortableWorkload>(std::move(workload), std::move(spec));
}

}  // namespace gos
