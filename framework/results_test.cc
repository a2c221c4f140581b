#include "framework/results.h"

#include <H5Cpp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "framework/error.h"

namespace gos {
namespace {

std::filesystem::path temp_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("gos_results_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

RunMetadata metadata() {
  RunMetadata m;
  m.experiment_name = "unit";
  m.fingerprint = "abc";
  m.config_toml = "[experiment]\nname = 'unit'\n";
  m.seed = 9;
  m.gos_version = "0.1.0";
  m.git_commit = "deadbeef";
  m.host = "here";
  m.start_time = "2026-01-01T00:00:00Z";
  m.status = "running";
  m.extra = {{"device", "cpu x2"}};
  return m;
}

EvaluationRecord record(const std::string& genome, double a, double b, int64_t generation) {
  EvaluationRecord r;
  r.genome = genome;
  r.values = {a, b};
  r.generation = generation;
  r.seconds = 0.25;
  return r;
}

TEST(Results, WriteAppendReadRoundTrip) {
  const auto path = temp_file("roundtrip.h5");
  std::vector<ObjectiveInfo> objectives = {{"f1", "minimize", true, std::nan(""), std::nan("")},
                                           {"acc", "maximize", false, std::nan(""), 90.0}};
  ResultsWriter writer = ResultsWriter::create(path, metadata(), objectives);
  std::vector<EvaluationRecord> first = {record("g0", 1, 95, 0), record("g1", 2, 80, 0)};
  first[1].violation = 10;
  writer.append(first, {0, 2, 1, 0.5, {{"hypervolume", 0.7}}}, std::vector<int64_t>{0}, std::vector<double>{1, 95});
  EvaluationRecord failed = record("g2", std::nan(""), std::nan(""), 1);
  failed.failed = true;
  failed.error = "objective threw";
  failed.violation = INFINITY;
  EvaluationRecord cached = record("g0", 1, 95, 1);
  cached.cached = true;
  writer.append(std::vector<EvaluationRecord>{failed, cached}, {1, 4, 2, 1.5, {{"hypervolume", 0.8}, {"igd", 0.1}}},
                std::vector<int64_t>{0, 3}, std::vector<double>{1, 95, 1, 95});
  writer.finish("completed", "2026-01-01T00:01:00Z");

  const RunResults results = read_results(path);
  EXPECT_EQ(results.schema_version, kResultsSchemaVersion);
  EXPECT_EQ(results.metadata.experiment_name, "unit");
  EXPECT_EQ(results.metadata.config_toml, metadata().config_toml);
  EXPECT_EQ(results.metadata.seed, 9u);
  EXPECT_EQ(results.metadata.status, "completed");
  EXPECT_EQ(results.metadata.extra.at("device"), "cpu x2");
  ASSERT_EQ(results.objectives.size(), 2u);
  EXPECT_EQ(results.objectives[1].name, "acc");
  EXPECT_FALSE(results.objectives[1].optimize);
  EXPECT_EQ(results.objectives[1].min, 90.0);
  EXPECT_TRUE(std::isnan(results.objectives[1].max));
  ASSERT_EQ(results.evaluations.size(), 4u);
  EXPECT_EQ(results.evaluations[0], first[0]);
  EXPECT_EQ(results.evaluations[1], first[1]);
  EXPECT_EQ(results.evaluations[2], failed);
  EXPECT_EQ(results.evaluations[3], cached);
  ASSERT_EQ(results.generations.size(), 2u);
  EXPECT_EQ(results.generations[1].evaluations, 4);
  // An indicator first reported in generation 1 reads NaN for generation 0.
  ASSERT_EQ(results.generations[0].indicators.size(), 2u);
  EXPECT_EQ(results.generations[0].indicators[0].first, "hypervolume");
  EXPECT_TRUE(std::isnan(results.generations[0].indicators[1].second));
  EXPECT_EQ(results.generations[1].indicators[1].second, 0.1);
  EXPECT_EQ(results.front, (std::vector<int64_t>{0, 3}));
}

TEST(Results, ResumeDropsRowsBeyondTheLastCompleteGeneration) {
  const auto path = temp_file("resume.h5");
  ResultsWriter writer = ResultsWriter::create(path, metadata(), {{"f1", "minimize", true, NAN, NAN},
                                                                  {"f2", "minimize", true, NAN, NAN}});
  writer.append(std::vector<EvaluationRecord>{record("a", 1, 2, 0)}, {0, 1, 1, 0.1, {}}, std::vector<int64_t>{0},
                std::vector<double>{1, 2});
  writer.append(std::vector<EvaluationRecord>{record("b", 0, 3, 1)}, {1, 2, 2, 0.2, {}}, std::vector<int64_t>{0, 1},
                std::vector<double>{1, 2, 0, 3});
  ResultsWriter resumed = ResultsWriter::resume(path, 1, 1);
  RunResults results = read_results(path);
  EXPECT_EQ(results.evaluations.size(), 1u);
  EXPECT_EQ(results.generations.size(), 1u);
  EXPECT_EQ(results.metadata.status, "running");
  resumed.append(std::vector<EvaluationRecord>{record("c", 0, 3, 1)}, {1, 2, 2, 0.3, {}}, std::vector<int64_t>{0, 1},
                 std::vector<double>{1, 2, 0, 3});
  results = read_results(path);
  ASSERT_EQ(results.evaluations.size(), 2u);
  EXPECT_EQ(results.evaluations[1].genome, "c");
}

TEST(Results, FidelityRoundTripsAndFilesWithoutTheColumnReadAsNaNAndResume) {
  const auto path = temp_file("fidelity.h5");
  ResultsWriter writer = ResultsWriter::create(path, metadata(), {{"f1", "minimize", true, NAN, NAN},
                                                                  {"f2", "minimize", true, NAN, NAN}});
  EvaluationRecord low = record("a", 1, 2, 0), full = record("a", 0.5, 2, 0);
  low.fidelity = 12;
  full.fidelity = 200;
  writer.append(std::vector<EvaluationRecord>{low, full}, {0, 2, 1, 0.1, {}}, std::vector<int64_t>{1},
                std::vector<double>{0.5, 2});
  RunResults results = read_results(path);
  ASSERT_EQ(results.evaluations.size(), 2u);
  EXPECT_EQ(results.evaluations[0].fidelity, 12);
  EXPECT_EQ(results.evaluations[1].fidelity, 200);
  // A file from before the column existed.
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    file.openGroup("evaluations").unlink("fidelity");
  }
  results = read_results(path);
  ASSERT_EQ(results.evaluations.size(), 2u);
  EXPECT_TRUE(std::isnan(results.evaluations[0].fidelity));
  ResultsWriter resumed = ResultsWriter::resume(path, 2, 1);
  resumed.append(std::vector<EvaluationRecord>{full}, {1, 3, 1, 0.2, {}}, std::vector<int64_t>{1},
                 std::vector<double>{0.5, 2});
  results = read_results(path);
  ASSERT_EQ(results.evaluations.size(), 3u);
  EXPECT_TRUE(std::isnan(results.evaluations[1].fidelity));
  EXPECT_EQ(results.evaluations[2].fidelity, 200);
}

TEST(Results, AReaderHoldingTheFileOpenDoesNotStopTheWriter) {
  const auto path = temp_file("reader.h5");
  ResultsWriter writer = ResultsWriter::create(path, metadata(), {{"f1", "minimize", true, NAN, NAN},
                                                                  {"f2", "minimize", true, NAN, NAN}});
  // Another process opens the file with the library's default advisory lock,
  // as h5py does, and keeps it open while the writer appends.
  int opened[2], release[2];
  ASSERT_EQ(pipe(opened), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t reader = fork();
  ASSERT_GE(reader, 0);
  if (reader == 0) {
    close(release[1]);
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    char byte = 1;
    if (write(opened[1], &byte, 1) != 1) _exit(1);
    if (read(release[0], &byte, 1) < 0) _exit(1);  // returns when the parent closes the pipe
    _exit(0);
  }
  close(release[0]);
  char byte = 0;
  ASSERT_EQ(read(opened[0], &byte, 1), 1);
  EXPECT_NO_THROW(writer.append(std::vector<EvaluationRecord>{record("a", 1, 2, 0)}, {0, 1, 1, 0.1, {}},
                                std::vector<int64_t>{0}, std::vector<double>{1, 2}));
  close(release[1]);
  int status = 0;
  waitpid(reader, &status, 0);
  EXPECT_EQ(read_results(path).evaluations.size(), 1u);
}

TEST(Results, UnreadableFilesGiveClearErrors) {
  EXPECT_THROW(read_results(temp_file("missing.h5")), Error);
  const auto text = temp_file("text.h5");
  std::ofstream(text) << "not hdf5";
  try {
    read_results(text);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos);
  }
}

TEST(Results, UnwritablePathIsAClearError) {
  try {
    ResultsWriter::create("/proc/gos-cannot-write-here/run.h5", metadata(), {{"f1", "minimize", true, NAN, NAN}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/gos-cannot-write-here/run.h5"), std::string::npos);
  }
}

}  // namespace
}  // namespace gos
