#include "framework/results.h"

#include <H5Cpp.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

#include "framework/error.h"

namespace gos {
namespace {

constexpr hsize_t kChunkRows = 256;

const H5::StrType& string_type() {
  static const H5::StrType type = [] {
    H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
    t.setCset(H5T_CSET_UTF8);
    return t;
  }();
  return type;
}

// HDF5 prints its own error stack by default; we turn exceptions into one
// message instead.
void silence_hdf5() {
  static const bool once = [] {
    H5::Exception::dontPrint();
    return true;
  }();
  (void)once;
}

// Opens without HDF5's advisory file lock. With the lock, anyone reading a
// running results file (h5py, `gos compare`, a test polling it) makes the
// writer's next open fail and the run stop; GOS's own consistency comes from
// appending whole generations, not from the lock. A transient open failure is
// retried briefly before it counts.
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
  silence_hdf5();
  try {
    return fn();
  } catch (const H5::Exception& e) {
    throw Error(fmt::format("results file '{}': cannot {}: {} ({})", path.string(), action, e.getDetailMsg(),
                            e.getFuncName()));
  }
}

void write_string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  if (object.attrExists(name)) object.removeAttr(name);
  H5::Attribute attribute = object.createAttribute(name, string_type(), H5::DataSpace(H5S_SCALAR));
  attribute.write(string_type(), value);
}

void write_int_attribute(H5::H5Object& object, const std::string& name, int64_t value) {
  if (object.attrExists(name)) object.removeAttr(name);
  H5::Attribute attribute = object.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR));
  attribute.write(H5::PredType::NATIVE_INT64, &value);
}

std::string read_string_attribute(const H5::H5Object& object, const std::string& name) {
  if (!object.attrExists(name)) return {};
  H5::Attribute attribute = object.openAttribute(name);
  std::string value;
  attribute.read(string_type(), value);
  return value;
}

int64_t read_int_attribute(const H5::H5Object& object, const std::string& name) {
  if (!object.attrExists(name)) return 0;
  int64_t value = 0;
  object.openAttribute(name).read(H5::PredType::NATIVE_INT64, &value);
  return value;
}

// An extendible 1-D (columns == 0) or 2-D (rows x columns) dataset.
H5::DataSet create_table(H5::Group& group, const std::string& name, const H5::DataType& type, hsize_t columns) {
  const int rank = columns ? 2 : 1;
  hsize_t dims[2] = {0, columns};
  hsize_t max_dims[2] = {H5S_UNLIMITED, columns};
  hsize_t chunk[2] = {kChunkRows, std::max<hsize_t>(columns, 1)};
  H5::DSetCreatPropList properties;
  properties.setChunk(rank, chunk);
  return group.createDataSet(name, type, H5::DataSpace(rank, dims, max_dims), properties);
}

hsize_t rows_of(const H5::DataSet& dataset) {
  hsize_t dims[2] = {0, 0};
  dataset.getSpace().getSimpleExtentDims(dims);
  return dims[0];
}

// Appends `count` rows from `data` (row-major) to a table.
void append_rows(H5::DataSet& dataset, const H5::DataType& type, const void* data, hsize_t count) {
  if (count == 0) return;
  H5::DataSpace space = dataset.getSpace();
  const int rank = space.getSimpleExtentNdims();
  hsize_t dims[2] = {0, 0};
  space.getSimpleExtentDims(dims);
  hsize_t offset[2] = {dims[0], 0};
  hsize_t extent[2] = {dims[0] + count, dims[1]};
  dataset.extend(extent);
  H5::DataSpace file_space = dataset.getSpace();
  hsize_t block[2] = {count, dims[1]};
  file_space.selectHyperslab(H5S_SELECT_SET, block, offset);
  H5::DataSpace memory_space(rank, block);
  dataset.write(data, type, memory_space, file_space);
}

void resize_rows(H5::DataSet& dataset, hsize_t rows) {
  hsize_t dims[2] = {0, 0};
  dataset.getSpace().getSimpleExtentDims(dims);
  dims[0] = rows;
  dataset.extend(dims);
}

template <typename T>
std::vector<T> read_column(const H5::DataSet& dataset, const H5::DataType& type) {
  hsize_t dims[2] = {0, 1};
  H5::DataSpace space = dataset.getSpace();
  const int rank = space.getSimpleExtentNdims();
  space.getSimpleExtentDims(dims);
  std::vector<T> values(dims[0] * (rank == 2 ? dims[1] : 1));
  if (!values.empty()) dataset.read(values.data(), type);
  return values;
}

std::vector<std::string> read_strings(const H5::DataSet& dataset) {
  const hsize_t rows = rows_of(dataset);
  std::vector<char*> raw(rows, nullptr);
  if (rows) dataset.read(raw.data(), string_type());
  std::vector<std::string> values;
  values.reserve(rows);
  for (char* text : raw) values.emplace_back(text ? text : "");
  if (rows) {
    H5::DataSpace space = dataset.getSpace();
    H5::DataSet::vlenReclaim(raw.data(), string_type(), space);
  }
  return values;
}

void append_strings(H5::DataSet& dataset, const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  for (const auto& value : values) pointers.push_back(value.c_str());
  append_rows(dataset, string_type(), pointers.data(), pointers.size());
}

constexpr const char* kEvaluationColumns[] = {"genome", "values", "violation", "generation", "seconds",
                                              "failed", "cached", "error",     "fidelity"};
constexpr const char* kGenerationColumns[] = {"generation", "evaluations", "front_size", "elapsed_seconds"};

}  // namespace

bool EvaluationRecord::operator==(const EvaluationRecord& other) const {
  auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  if (values.size() != other.values.size()) return false;
  for (size_t i = 0; i < values.size(); ++i)
    if (!same(values[i], other.values[i])) return false;
  return genome == other.genome && same(violation, other.violation) && generation == other.generation &&
         seconds == other.seconds && failed == other.failed && cached == other.cached && error == other.error &&
         same(fidelity, other.fidelity);
}

ResultsWriter ResultsWriter::create(const std::filesystem::path& path, const RunMetadata& metadata,
                                    const std::vector<ObjectiveInfo>& objectives) {
  return with_hdf5(path, "create it", [&] {
    H5::H5File file = open_file(path, H5F_ACC_TRUNC);
    H5::Group root = file.openGroup("/");
    write_int_attribute(root, "schema_version", kResultsSchemaVersion);
    write_string_attribute(root, "experiment_name", metadata.experiment_name);
    write_string_attribute(root, "fingerprint", metadata.fingerprint);
    write_int_attribute(root, "seed", static_cast<int64_t>(metadata.seed));
    write_string_attribute(root, "gos_version", metadata.gos_version);
    write_string_attribute(root, "git_commit", metadata.git_commit);
    write_string_attribute(root, "host", metadata.host);
    write_string_attribute(root, "start_time", metadata.start_time);
    write_string_attribute(root, "end_time", metadata.end_time);
    write_string_attribute(root, "status", metadata.status);
    for (const auto& [key, value] : metadata.extra) write_string_attribute(root, key, value);
    {
      H5::DataSet config = file.createDataSet("experiment_toml", string_type(), H5::DataSpace(H5S_SCALAR));
      config.write(metadata.config_toml, string_type());
    }
    H5::Group objective_group = file.createGroup("objectives");
    {
      std::vector<std::string> names, directions;
      std::vector<int8_t> optimize;
      std::vector<double> max, min;
      for (const auto& o : objectives) {
        names.push_back(o.name);
        directions.push_back(o.direction);
        optimize.push_back(o.optimize ? 1 : 0);
        max.push_back(o.max);
        min.push_back(o.min);
      }
      H5::DataSet name_set = create_table(objective_group, "name", string_type(), 0);
      append_strings(name_set, names);
      H5::DataSet direction_set = create_table(objective_group, "direction", string_type(), 0);
      append_strings(direction_set, directions);
      H5::DataSet optimize_set = create_table(objective_group, "optimize", H5::PredType::NATIVE_INT8, 0);
      append_rows(optimize_set, H5::PredType::NATIVE_INT8, optimize.data(), optimize.size());
      H5::DataSet max_set = create_table(objective_group, "max", H5::PredType::NATIVE_DOUBLE, 0);
      append_rows(max_set, H5::PredType::NATIVE_DOUBLE, max.data(), max.size());
      H5::DataSet min_set = create_table(objective_group, "min", H5::PredType::NATIVE_DOUBLE, 0);
      append_rows(min_set, H5::PredType::NATIVE_DOUBLE, min.data(), min.size());
    }
    H5::Group evaluations = file.createGroup("evaluations");
    create_table(evaluations, "genome", string_type(), 0);
    create_table(evaluations, "values", H5::PredType::NATIVE_DOUBLE, objectives.size());
    create_table(evaluations, "violation", H5::PredType::NATIVE_DOUBLE, 0);
    create_table(evaluations, "generation", H5::PredType::NATIVE_INT64, 0);
    create_table(evaluations, "seconds", H5::PredType::NATIVE_DOUBLE, 0);
    create_table(evaluations, "failed", H5::PredType::NATIVE_INT8, 0);
    create_table(evaluations, "cached", H5::PredType::NATIVE_INT8, 0);
    create_table(evaluations, "error", string_type(), 0);
    create_table(evaluations, "fidelity", H5::PredType::NATIVE_DOUBLE, 0);
    H5::Group generations = file.createGroup("generations");
    create_table(generations, "generation", H5::PredType::NATIVE_INT64, 0);
    create_table(generations, "evaluations", H5::PredType::NATIVE_INT64, 0);
    create_table(generations, "front_size", H5::PredType::NATIVE_INT64, 0);
    create_table(generations, "elapsed_seconds", H5::PredType::NATIVE_DOUBLE, 0);
    H5::Group front = file.createGroup("front");
    create_table(front, "index", H5::PredType::NATIVE_INT64, 0);
    create_table(front, "values", H5::PredType::NATIVE_DOUBLE, objectives.size());
    file.close();
    return ResultsWriter(path, objectives.size());
  });
}

ResultsWriter ResultsWriter::resume(const std::filesystem::path& path, size_t keep_evaluations,
                                    size_t keep_generations) {
  return with_hdf5(path, "reopen it to resume", [&] {
    H5::H5File file = open_file(path, H5F_ACC_RDWR);
    H5::Group evaluations = file.openGroup("evaluations");
    if (!evaluations.nameExists("fidelity")) {
      // A file from before multi-fidelity runs: its evaluations were all at full fidelity.
      H5::DataSet fidelity = create_table(evaluations, "fidelity", H5::PredType::NATIVE_DOUBLE, 0);
      const std::vector<double> none(keep_evaluations, std::nan(""));
      append_rows(fidelity, H5::PredType::NATIVE_DOUBLE, none.data(), none.size());
    }
    for (const char* column : kEvaluationColumns) {
      H5::DataSet dataset = evaluations.openDataSet(column);
      resize_rows(dataset, keep_evaluations);
    }
    H5::Group generations = file.openGroup("generations");
    for (hsize_t i = 0; i < generations.getNumObjs(); ++i) {
      H5::DataSet dataset = generations.openDataSet(generations.getObjnameByIdx(i));
      resize_rows(dataset, keep_generations);
    }
    H5::Group root = file.openGroup("/");
    write_string_attribute(root, "status", "running");
    write_string_attribute(root, "end_time", "");
    hsize_t dims[2] = {0, 0};
    evaluations.openDataSet("values").getSpace().getSimpleExtentDims(dims);
    file.close();
    return ResultsWriter(path, dims[1]);
  });
}

void ResultsWriter::append(std::span<const EvaluationRecord> records, const GenerationRecord& generation,
                           std::span<const int64_t> front, std::span<const double> front_values) {
  if (front_values.size() != front.size() * objectives_)
    throw std::logic_error("front values do not match the front indices");
  with_hdf5(path_, "append a generation", [&] {
    H5::H5File file = open_file(path_, H5F_ACC_RDWR);
    H5::Group evaluations = file.openGroup("evaluations");
    std::vector<std::string> genomes, errors;
    std::vector<double> values, violations, seconds, fidelities;
    std::vector<int64_t> generation_numbers;
    std::vector<int8_t> failed, cached;
    for (const EvaluationRecord& r : records) {
      if (r.values.size() != objectives_) throw std::logic_error("evaluation record with the wrong number of values");
      genomes.push_back(r.genome);
      errors.push_back(r.error);
      values.insert(values.end(), r.values.begin(), r.values.end());
      violations.push_back(r.violation);
      seconds.push_back(r.seconds);
      generation_numbers.push_back(r.generation);
      failed.push_back(r.failed ? 1 : 0);
      cached.push_back(r.cached ? 1 : 0);
      fidelities.push_back(r.fidelity);
    }
    H5::DataSet genome_set = evaluations.openDataSet("genome");
    append_strings(genome_set, genomes);
    H5::DataSet values_set = evaluations.openDataSet("values");
    append_rows(values_set, H5::PredType::NATIVE_DOUBLE, values.data(), records.size());
    H5::DataSet violation_set = evaluations.openDataSet("violation");
    append_rows(violation_set, H5::PredType::NATIVE_DOUBLE, violations.data(), records.size());
    H5::DataSet generation_set = evaluations.openDataSet("generation");
    append_rows(generation_set, H5::PredType::NATIVE_INT64, generation_numbers.data(), records.size());
    H5::DataSet seconds_set = evaluations.openDataSet("seconds");
    append_rows(seconds_set, H5::PredType::NATIVE_DOUBLE, seconds.data(), records.size());
    H5::DataSet failed_set = evaluations.openDataSet("failed");
    append_rows(failed_set, H5::PredType::NATIVE_INT8, failed.data(), records.size());
    H5::DataSet cached_set = evaluations.openDataSet("cached");
    append_rows(cached_set, H5::PredType::NATIVE_INT8, cached.data(), records.size());
    H5::DataSet error_set = evaluations.openDataSet("error");
    append_strings(error_set, errors);
    H5::DataSet fidelity_set = evaluations.openDataSet("fidelity");
    append_rows(fidelity_set, H5::PredType::NATIVE_DOUBLE, fidelities.data(), records.size());

    // The front is rewritten whole: it may shrink as well as grow.
    H5::Group front_group = file.openGroup("front");
    H5::DataSet index_set = front_group.openDataSet("index");
    resize_rows(index_set, 0);
    append_rows(index_set, H5::PredType::NATIVE_INT64, front.data(), front.size());
    H5::DataSet front_values_set = front_group.openDataSet("values");
    resize_rows(front_values_set, 0);
    append_rows(front_values_set, H5::PredType::NATIVE_DOUBLE, front_values.data(), front.size());

    // Indicators first and the summary row last: a generation counts as
    // complete once its summary row is there, and resume truncates any
    // column (indicators included) that ran ahead of it.
    H5::Group generations = file.openGroup("generations");
    H5::DataSet elapsed = generations.openDataSet("elapsed_seconds");
    const hsize_t previous_rows = rows_of(elapsed);
    for (const auto& [name, value] : generation.indicators) {
      H5::DataSet dataset;
      if (generations.nameExists(name)) {
        dataset = generations.openDataSet(name);
      } else {
        // An indicator that appears later is NaN for the earlier generations.
        dataset = create_table(generations, name, H5::PredType::NATIVE_DOUBLE, 0);
        std::vector<double> missing(previous_rows, std::nan(""));
        append_rows(dataset, H5::PredType::NATIVE_DOUBLE, missing.data(), missing.size());
      }
      append_rows(dataset, H5::PredType::NATIVE_DOUBLE, &value, 1);
    }
    append_rows(elapsed, H5::PredType::NATIVE_DOUBLE, &generation.elapsed_seconds, 1);
    const int64_t row[] = {generation.generation, generation.evaluations, generation.front_size};
    for (int i = 2; i >= 0; --i) {
      H5::DataSet dataset = generations.openDataSet(kGenerationColumns[i]);
      append_rows(dataset, H5::PredType::NATIVE_INT64, &row[i], 1);
    }
    file.close();
    return 0;
  });
}

void ResultsWriter::finish(const std::string& status, const std::string& end_time) {
  set_attributes({{"status", status}, {"end_time", end_time}});
}

void ResultsWriter::set_attributes(const std::map<std::string, std::string>& attributes) {
  with_hdf5(path_, "update its attributes", [&] {
    H5::H5File file = open_file(path_, H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    for (const auto& [key, value] : attributes) write_string_attribute(root, key, value);
    file.close();
    return 0;
  });
}

RunResults read_results(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw Error(fmt::format("results file '{}' does not exist", path.string()));
  silence_hdf5();
  if (!H5::H5File::isHdf5(path.string()))
    throw Error(fmt::format("'{}' is not an HDF5 file (or was cut off before its header)", path.string()));
  return with_hdf5(path, "read it", [&] {
    H5::H5File file = open_file(path, H5F_ACC_RDONLY);
    H5::Group root = file.openGroup("/");
    RunResults results;
    results.schema_version = read_int_attribute(root, "schema_version");
    if (results.schema_version == 0 || !file.nameExists("evaluations"))
      throw Error(fmt::format("'{}' is an HDF5 file but not a GOS results file", path.string()));
    if (results.schema_version > kResultsSchemaVersion)
      throw Error(fmt::format("'{}' has results schema version {}; this gos reads up to version {}", path.string(),
                              results.schema_version, kResultsSchemaVersion));
    RunMetadata& m = results.metadata;
    m.experiment_name = read_string_attribute(root, "experiment_name");
    m.fingerprint = read_string_attribute(root, "fingerprint");
    m.seed = static_cast<uint64_t>(read_int_attribute(root, "seed"));
    m.gos_version = read_string_attribute(root, "gos_version");
    m.git_commit = read_string_attribute(root, "git_commit");
    m.host = read_string_attribute(root, "host");
    m.start_time = read_string_attribute(root, "start_time");
    m.end_time = read_string_attribute(root, "end_time");
    m.status = read_string_attribute(root, "status");
    for (int i = 0; i < root.getNumAttrs(); ++i) {
      const std::string name = root.openAttribute(static_cast<unsigned>(i)).getName();
      static const std::vector<std::string> known = {"schema_version", "experiment_name", "fingerprint", "seed",
                                                     "gos_version",    "git_commit",      "host",        "start_time",
                                                     "end_time",       "status"};
      if (std::find(known.begin(), known.end(), name) == known.end())
        m.extra[name] = read_string_attribute(root, name);
    }
    file.openDataSet("experiment_toml").read(m.config_toml, string_type());

    H5::Group objectives = file.openGroup("objectives");
    const auto names = read_strings(objectives.openDataSet("name"));
    const auto directions = read_strings(objectives.openDataSet("direction"));
    const auto optimize = read_column<int8_t>(objectives.openDataSet("optimize"), H5::PredType::NATIVE_INT8);
    const auto max = read_column<double>(objectives.openDataSet("max"), H5::PredType::NATIVE_DOUBLE);
    const auto min = read_column<double>(objectives.openDataSet("min"), H5::PredType::NATIVE_DOUBLE);
    for (size_t i = 0; i < names.size(); ++i)
      results.objectives.push_back({names[i], directions[i], optimize[i] != 0, max[i], min[i]});

    H5::Group evaluations = file.openGroup("evaluations");
    const auto genomes = read_strings(evaluations.openDataSet("genome"));
    const auto values = read_column<double>(evaluations.openDataSet("values"), H5::PredType::NATIVE_DOUBLE);
    const auto violation = read_column<double>(evaluations.openDataSet("violation"), H5::PredType::NATIVE_DOUBLE);
    const auto generation = read_column<int64_t>(evaluations.openDataSet("generation"), H5::PredType::NATIVE_INT64);
    const auto seconds = read_column<double>(evaluations.openDataSet("seconds"), H5::PredType::NATIVE_DOUBLE);
    const auto failed = read_column<int8_t>(evaluations.openDataSet("failed"), H5::PredType::NATIVE_INT8);
    const auto cached = read_column<int8_t>(evaluations.openDataSet("cached"), H5::PredType::NATIVE_INT8);
    const auto errors = read_strings(evaluations.openDataSet("error"));
    const std::vector<double> fidelity =
        evaluations.nameExists("fidelity")
            ? read_column<double>(evaluations.openDataSet("fidelity"), H5::PredType::NATIVE_DOUBLE)
            : std::vector<double>(genomes.size(), std::nan(""));
    const size_t m_objectives = names.size();
    // Columns can differ in length only in a file killed mid-append; keep complete rows.
    size_t rows = std::min({genomes.size(), m_objectives ? values.size() / m_objectives : genomes.size(),
                            violation.size(), generation.size(), seconds.size(), failed.size(), cached.size(),
                            errors.size(), fidelity.size()});
    for (size_t i = 0; i < rows; ++i) {
      EvaluationRecord r;
      r.genome = genomes[i];
      r.values.assign(values.begin() + i * m_objectives, values.begin() + (i + 1) * m_objectives);
      r.violation = violation[i];
      r.generation = generation[i];
      r.seconds = seconds[i];
      r.failed = failed[i] != 0;
      r.cached = cached[i] != 0;
      r.error = errors[i];
      r.fidelity = fidelity[i];
      results.evaluations.push_back(std::move(r));
    }

    H5::Group generations = file.openGroup("generations");
    const auto numbers = read_column<int64_t>(generations.openDataSet("generation"), H5::PredType::NATIVE_INT64);
    const auto counts = read_column<int64_t>(generations.openDataSet("evaluations"), H5::PredType::NATIVE_INT64);
    const auto front_sizes = read_column<int64_t>(generations.openDataSet("front_size"), H5::PredType::NATIVE_INT64);
    const auto elapsed = read_column<double>(generations.openDataSet("elapsed_seconds"), H5::PredType::NATIVE_DOUBLE);
    std::map<std::string, std::vector<double>> indicators;
    for (hsize_t i = 0; i < generations.getNumObjs(); ++i) {
      const std::string name = generations.getObjnameByIdx(i);
      if (std::find(std::begin(kGenerationColumns), std::end(kGenerationColumns), name) != std::end(kGenerationColumns))
        continue;
      indicators[name] = read_column<double>(generations.openDataSet(name), H5::PredType::NATIVE_DOUBLE);
    }
    const size_t generation_rows = std::min({numbers.size(), counts.size(), front_sizes.size(), elapsed.size()});
    for (size_t i = 0; i < generation_rows; ++i) {
      GenerationRecord g{numbers[i], counts[i], front_sizes[i], elapsed[i], {}};
      for (const auto& [name, column] : indicators)
        if (i < column.size()) g.indicators.emplace_back(name, column[i]);
      results.generations.push_back(std::move(g));
    }
    results.front = read_column<int64_t>(file.openGroup("front").openDataSet("index"), H5::PredType::NATIVE_INT64);
    return results;
  });
}

}  // namespace gos
