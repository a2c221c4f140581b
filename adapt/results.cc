#include "adapt/results.h"

#include <H5Cpp.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "framework/error.h"

namespace gos::adapt {
namespace {

const H5::StrType& string_type() {
  static const H5::StrType type = [] {
    H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
    t.setCset(H5T_CSET_UTF8);
    return t;
  }();
  return type;
}

// Without HDF5's advisory lock, as framework/results.cc: a reader (h5py,
// `gos report`) of a running file must not make the next append fail.
H5::H5File open_file(const std::filesystem::path& path, unsigned flags) {
  H5::FileAccPropList access;
  H5Pset_file_locking(access.getId(), false, true);
  for (int attempt = 0;; ++attempt) {
    try {
      return H5::H5File(path.string(), flags, H5::FileCreatPropList::DEFAULT, access);
    } catch (const H5::Exception&) {
      if (attempt >= 50 || flags != H5F_ACC_RDWR) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

template <typename Fn>
auto with_hdf5(const std::filesystem::path& path, const char* action, Fn&& fn) {
  H5::Exception::dontPrint();
  try {
    return fn();
  } catch (const H5::Exception& e) {
    throw Error(fmt::format("adapt results file '{}': cannot {}: {} ({})", path.string(), action, e.getDetailMsg(),
                            e.getFuncName()));
  }
}

void put(H5::H5Object& object, const std::string& name, const std::string& value) {
  if (object.attrExists(name)) object.removeAttr(name);
  object.createAttribute(name, string_type(), H5::DataSpace(H5S_SCALAR)).write(string_type(), value);
}
void put(H5::H5Object& object, const std::string& name, int64_t value) {
  if (object.attrExists(name)) object.removeAttr(name);
  object.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_INT64, &value);
}
void put(H5::H5Object& object, const std::string& name, double value) {
  if (object.attrExists(name)) object.removeAttr(name);
  object.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_DOUBLE, &value);
}

std::string get_string(const H5::H5Object& object, const std::string& name) {
  if (!object.attrExists(name)) return {};
  H5::Attribute attribute = object.openAttribute(name);
  std::string value;
  attribute.read(attribute.getStrType(), value);
  return value;
}
int64_t get_int(const H5::H5Object& object, const std::string& name) {
  int64_t value = 0;
  if (object.attrExists(name)) object.openAttribute(name).read(H5::PredType::NATIVE_INT64, &value);
  return value;
}
double get_double(const H5::H5Object& object, const std::string& name) {
  double value = std::nan("");
  if (object.attrExists(name)) object.openAttribute(name).read(H5::PredType::NATIVE_DOUBLE, &value);
  return value;
}

H5::DataSpace vector_space(size_t size) {
  const hsize_t dims[1] = {static_cast<hsize_t>(size)};
  return H5::DataSpace(1, dims);
}

void put_dataset(H5::Group& group, const std::string& name, const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  for (const auto& value : values) pointers.push_back(value.c_str());
  H5::DataSet set = group.createDataSet(name, string_type(), vector_space(values.size()));
  if (!values.empty()) set.write(pointers.data(), string_type());
}
void put_dataset(H5::Group& group, const std::string& name, const std::vector<double>& values) {
  H5::DataSet set = group.createDataSet(name, H5::PredType::NATIVE_DOUBLE, vector_space(values.size()));
  if (!values.empty()) set.write(values.data(), H5::PredType::NATIVE_DOUBLE);
}
void put_dataset(H5::Group& group, const std::string& name, const std::vector<int64_t>& values) {
  H5::DataSet set = group.createDataSet(name, H5::PredType::NATIVE_INT64, vector_space(values.size()));
  if (!values.empty()) set.write(values.data(), H5::PredType::NATIVE_INT64);
}

size_t dataset_size(const H5::DataSet& set) {
  hsize_t dims[1] = {0};
  set.getSpace().getSimpleExtentDims(dims);
  return static_cast<size_t>(dims[0]);
}
std::vector<std::string> get_strings(const H5::Group& group, const std::string& name) {
  H5::DataSet set = group.openDataSet(name);
  std::vector<char*> pointers(dataset_size(set), nullptr);
  if (pointers.empty()) return {};
  set.read(pointers.data(), string_type());
  std::vector<std::string> values(pointers.begin(), pointers.end());
  H5Dvlen_reclaim(string_type().getId(), set.getSpace().getId(), H5P_DEFAULT, pointers.data());
  return values;
}
template <typename T>
std::vector<T> get_numbers(const H5::Group& group, const std::string& name, const H5::PredType& type) {
  H5::DataSet set = group.openDataSet(name);
  std::vector<T> values(dataset_size(set));
  if (!values.empty()) set.read(values.data(), type);
  return values;
}

std::string iteration_name(size_t index) { return fmt::format("/iterations/{:03d}", index); }

}  // namespace

void create_adapt_file(const std::filesystem::path& path, const RunInfo& info) {
  with_hdf5(path, "create it", [&] {
    H5::H5File file = open_file(path, H5F_ACC_TRUNC);
    put(file, "schema", std::string("gos-adapt"));
    put(file, "schema_version", kAdaptSchemaVersion);
    put(file, "model", info.model);
    put(file, "config_toml", info.config_toml);
    put(file, "status", std::string(to_string(info.status)));
    put(file, "strategy", info.strategy);
    put(file, "latency_model", info.latency_model);
    put(file, "start_time", info.start_time);
    put(file, "end_time", info.end_time);
    put(file, "stop_reason", info.stop_reason);
    put(file, "accuracy_estimate", info.accuracy_estimate);
    put(file, "epsilon", info.epsilon);
    put(file, "device", info.device);
    put(file, "device_cores", info.device_cores);
    put(file, "device_threads", info.device_threads);
    put(file, "device_cpu_model", info.device_cpu_model);
    file.createGroup("/iterations");
  });
}

void write_baseline(const std::filesystem::path& path, const BaselineRecord& baseline) {
  with_hdf5(path, "write /baseline", [&] {
    H5::H5File file = open_file(path, H5F_ACC_RDWR);
    if (file.nameExists("/baseline")) file.unlink("/baseline");
    H5::Group group = file.createGroup("/baseline");
    put(group, "latency_ms", baseline.latency_ms);
    put(group, "params", baseline.params);
    put(group, "accuracy", baseline.accuracy);
    put(group, "test_accuracy", baseline.test_accuracy);
    put(group, "search_accuracy", baseline.search_accuracy);
    put(group, "train_seconds", baseline.train_seconds);
    std::vector<std::string> paths, kinds;
    std::vector<double> latency, share, inefficiency;
    std::vector<int64_t> params;
    for (const SlotRecord& slot : baseline.slots) {
      paths.push_back(slot.path);
      kinds.push_back(slot.kind);
      latency.push_back(slot.latency_ms);
      share.push_back(slot.share);
      inefficiency.push_back(slot.inefficiency);
      params.push_back(slot.params);
    }
    put_dataset(group, "path", paths);
    put_dataset(group, "kind", kinds);
    put_dataset(group, "latency_ms", latency);
    put_dataset(group, "share", share);
    put_dataset(group, "inefficiency", inefficiency);
    put_dataset(group, "params", params);
  });
}

namespace {

void put_iteration(H5::H5File& file, size_t index, const IterationRecord& it) {
  const std::string name = iteration_name(index);
  if (file.nameExists(name)) file.unlink(name);
  H5::Group group = file.createGroup(name);
  put(group, "slot", it.slot);
  put(group, "slot_kind", it.slot_kind);
  put(group, "input", it.input);
  put(group, "output", it.output);
  put(group, "status", std::string(to_string(it.status)));
  put(group, "reason", it.reason);
  put(group, "search_file", it.search_file);
  put(group, "seed_genome", it.seed_genome);
  put(group, "chosen_genome", it.chosen_genome);
  put(group, "latency_before_ms", it.latency_before_ms);
  put(group, "latency_after_ms", it.latency_after_ms);
  put(group, "estimated_delta_ms", it.estimated_delta_ms);
  put(group, "params_before", it.params_before);
  put(group, "params_after", it.params_after);
  put(group, "accuracy_before", it.accuracy_before);
  put(group, "accuracy_estimate", it.accuracy_estimate);
  put(group, "accuracy_after", it.accuracy_after);
  put(group, "search_seconds", it.search_seconds);
  put(group, "finetune_seconds", it.finetune_seconds);
  put(group, "evaluations", it.evaluations);
  std::vector<std::string> genomes;
  std::vector<double> latency, params, drop;
  std::vector<int64_t> feasible;
  for (const FrontEntry& entry : it.front) {
    genomes.push_back(entry.genome);
    latency.push_back(entry.latency_ms);
    params.push_back(entry.params);
    drop.push_back(entry.accuracy_drop);
    feasible.push_back(entry.feasible ? 1 : 0);
  }
  put_dataset(group, "front_genome", genomes);
  put_dataset(group, "front_latency_ms", latency);
  put_dataset(group, "front_params", params);
  put_dataset(group, "front_accuracy_drop", drop);
  put_dataset(group, "front_feasible", feasible);
}

}  // namespace

void write_iteration(const std::filesystem::path& path, size_t index, const IterationRecord& it) {
  write_iterations(path, index, {&it, 1});
}

void write_iterations(const std::filesystem::path& path, size_t first, std::span<const IterationRecord> iterations) {
  with_hdf5(path, "write an iteration", [&] {
    H5::H5File file = open_file(path, H5F_ACC_RDWR);
    for (size_t i = 0; i < iterations.size(); ++i) put_iteration(file, first + i, iterations[i]);
  });
}

void write_final(const std::filesystem::path& path, const FinalRecord& final) {
  with_hdf5(path, "write /final", [&] {
    H5::H5File file = open_file(path, H5F_ACC_RDWR);
    if (file.nameExists("/final")) file.unlink("/final");
    H5::Group group = file.createGroup("/final");
    put(group, "latency_ms", final.latency_ms);
    put(group, "baseline_latency_ms", final.baseline_latency_ms);
    put(group, "params", final.params);
    put(group, "accuracy", final.accuracy);
    put(group, "test_accuracy", final.test_accuracy);
    put(group, "speedup", final.speedup);
    put(group, "estimated_speedup", final.estimated_speedup);
    put(group, "modified", final.modified);
    put(group, "torchscript", final.torchscript);
  });
}

void set_status(const std::filesystem::path& path, RunStatus status, const std::string& end_time,
                const std::string& stop_reason) {
  with_hdf5(path, "set the status", [&] {
    H5::H5File file = open_file(path, H5F_ACC_RDWR);
    put(file, "status", std::string(to_string(status)));
    put(file, "end_time", end_time);
    put(file, "stop_reason", stop_reason);
  });
}

AdaptRecord read_adapt_file(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw Error(fmt::format("adapt results file '{}' does not exist", path.string()));
  return with_hdf5(path, "read it", [&] {
    H5::H5File file = open_file(path, H5F_ACC_RDONLY);
    AdaptRecord record;
    if (get_string(file, "schema") != "gos-adapt")
      throw Error(fmt::format("'{}' is not a gos adapt results file (root attribute schema is '{}')", path.string(),
                              get_string(file, "schema")));
    record.schema_version = get_int(file, "schema_version");
    if (record.schema_version != kAdaptSchemaVersion)
      throw Error(fmt::format("'{}' has adapt schema version {}; this gos reads version {}", path.string(),
                              record.schema_version, kAdaptSchemaVersion));
    RunInfo& info = record.info;
    info.model = get_string(file, "model");
    info.config_toml = get_string(file, "config_toml");
    info.accuracy_estimate = get_string(file, "accuracy_estimate");
    info.epsilon = get_double(file, "epsilon");
    info.device = get_string(file, "device");
    info.device_cores = get_int(file, "device_cores");
    info.device_threads = get_int(file, "device_threads");
    info.device_cpu_model = get_string(file, "device_cpu_model");
    info.start_time = get_string(file, "start_time");
    info.end_time = get_string(file, "end_time");
    info.status = parse_run_status(get_string(file, "status"));
    info.strategy = get_string(file, "strategy");
    info.latency_model = get_string(file, "latency_model");
    info.stop_reason = get_string(file, "stop_reason");
    if (file.nameExists("/baseline")) {
      H5::Group group = file.openGroup("/baseline");
      BaselineRecord baseline;
      baseline.latency_ms = get_double(group, "latency_ms");
      baseline.params = get_int(group, "params");
      baseline.accuracy = get_double(group, "accuracy");
      baseline.test_accuracy = get_double(group, "test_accuracy");
      baseline.search_accuracy = get_double(group, "search_accuracy");
      baseline.train_seconds = get_double(group, "train_seconds");
      const auto paths = get_strings(group, "path");
      const auto kinds = get_strings(group, "kind");
      const auto latency = get_numbers<double>(group, "latency_ms", H5::PredType::NATIVE_DOUBLE);
      const auto share = get_numbers<double>(group, "share", H5::PredType::NATIVE_DOUBLE);
      const auto inefficiency = get_numbers<double>(group, "inefficiency", H5::PredType::NATIVE_DOUBLE);
      const auto params = get_numbers<int64_t>(group, "params", H5::PredType::NATIVE_INT64);
      for (size_t i = 0; i < paths.size(); ++i)
        baseline.slots.push_back({paths[i], kinds.at(i), latency.at(i), share.at(i), inefficiency.at(i), params.at(i)});
      record.baseline = std::move(baseline);
    }
    for (size_t index = 0; file.nameExists(iteration_name(index)); ++index) {
      H5::Group group = file.openGroup(iteration_name(index));
      IterationRecord it;
      it.slot = get_string(group, "slot");
      it.slot_kind = get_string(group, "slot_kind");
      it.input = get_string(group, "input");
      it.output = get_string(group, "output");
      it.status = parse_iteration_status(get_string(group, "status"));
      it.reason = get_string(group, "reason");
      it.search_file = get_string(group, "search_file");
      it.seed_genome = get_string(group, "seed_genome");
      it.chosen_genome = get_string(group, "chosen_genome");
      it.latency_before_ms = get_double(group, "latency_before_ms");
      it.latency_after_ms = get_double(group, "latency_after_ms");
      it.estimated_delta_ms = get_double(group, "estimated_delta_ms");
      it.params_before = get_int(group, "params_before");
      it.params_after = get_int(group, "params_after");
      it.accuracy_before = get_double(group, "accuracy_before");
      it.accuracy_estimate = get_double(group, "accuracy_estimate");
      it.accuracy_after = get_double(group, "accuracy_after");
      it.search_seconds = get_double(group, "search_seconds");
      it.finetune_seconds = get_double(group, "finetune_seconds");
      it.evaluations = get_int(group, "evaluations");
      const auto genomes = get_strings(group, "front_genome");
      const auto latency = get_numbers<double>(group, "front_latency_ms", H5::PredType::NATIVE_DOUBLE);
      const auto params = get_numbers<double>(group, "front_params", H5::PredType::NATIVE_DOUBLE);
      const auto drop = get_numbers<double>(group, "front_accuracy_drop", H5::PredType::NATIVE_DOUBLE);
      const auto feasible = get_numbers<int64_t>(group, "front_feasible", H5::PredType::NATIVE_INT64);
      for (size_t i = 0; i < genomes.size(); ++i)
        it.front.push_back({genomes[i], latency.at(i), params.at(i), drop.at(i), feasible.at(i) != 0});
      record.iterations.push_back(std::move(it));
    }
    if (file.nameExists("/final")) {
      H5::Group group = file.openGroup("/final");
      FinalRecord final;
      final.latency_ms = get_double(group, "latency_ms");
      final.baseline_latency_ms = get_double(group, "baseline_latency_ms");
      final.params = get_int(group, "params");
      final.accuracy = get_double(group, "accuracy");
      final.test_accuracy = get_double(group, "test_accuracy");
      final.speedup = get_double(group, "speedup");
      final.estimated_speedup = get_double(group, "estimated_speedup");
      final.modified = get_int(group, "modified");
      final.torchscript = get_string(group, "torchscript");
      record.final = final;
    }
    return record;
  });
}

}  // namespace gos::adapt
