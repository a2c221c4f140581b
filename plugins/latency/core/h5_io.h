#pragma once
// Small HDF5 helpers shared by the latency files (lookup tables, datasets,
// predictors). Every reader names the file and the missing or mistyped item.
#include <H5Cpp.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "framework/device.h"

namespace gos::h5 {

// Opens for reading; gos::Error naming the file when it is missing or not HDF5.
H5::H5File open_for_reading(const std::filesystem::path& path, const std::string& what);
H5::H5File create(const std::filesystem::path& path, const std::string& what);

void write_string(H5::H5Object& object, const std::string& name, const std::string& value);
void write_int(H5::H5Object& object, const std::string& name, int64_t value);
void write_real(H5::H5Object& object, const std::string& name, double value);
std::string read_string(const H5::H5Object& object, const std::string& name, const std::string& file);
int64_t read_int(const H5::H5Object& object, const std::string& name, const std::string& file);
double read_real(const H5::H5Object& object, const std::string& name, const std::string& file);
// Reads the "schema_version" attribute; gos::Error naming the file, the
// version found and the one this build reads (then "; <remedy>" if given)
// when they differ.
void require_schema_version(const H5::H5Object& object, int64_t expected, const std::string& file,
                            const std::string& what, const std::string& remedy);

void write_strings(H5::Group& group, const std::string& name, const std::vector<std::string>& values);
void write_reals(H5::Group& group, const std::string& name, const std::vector<double>& values);
std::vector<std::string> read_strings(const H5::Group& group, const std::string& name, const std::string& file);
std::vector<double> read_reals(const H5::Group& group, const std::string& name, const std::string& file);

// A device description as attributes "device" and "device.<property>".
void write_device(H5::H5Object& object, const DeviceInfo& device);
DeviceInfo read_device(const H5::H5Object& object, const std::string& file);
// "cpu (model=..., threads=1)" for messages.
std::string to_string(const DeviceInfo& device);
// The description as results-file provenance: "device.name" and
// "device.<property>" (the same names the latency files use as attributes).
std::map<std::string, std::string> provenance(const DeviceInfo& device);

}  // namespace gos::h5
