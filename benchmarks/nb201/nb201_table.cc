#include "benchmarks/nb201/nb201_table.h"

#include <fmt/format.h>

#include <H5Cpp.h>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::nb201 {
namespace {

constexpr const char* kConvertHint = "make it with: gos nb201 convert --data ../shared/data/nb201 -o build/nb201.h5";

std::vector<std::string> split_csv_line(std::string_view line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t end; (end = line.find(',', start)) != std::string_view::npos; start = end + 1)
    fields.emplace_back(line.substr(start, end - start));
  fields.emplace_back(line.substr(start));
  return fields;
}

// A CSV file read whole, with the position of each row for error messages.
struct Csv {
  std::filesystem::path path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  size_t column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end())
      throw Error(fmt::format("{}:1: missing column '{}'{}; the header has: {}", path.string(), name,
                              did_you_mean(name, header), join(header, ", ")));
    return static_cast<size_t>(it - header.begin());
  }
  // Line numbers count the header as line 1.
  double number(size_t row, size_t col) const {
    const std::string& text = rows[row][col];
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
      throw Error(fmt::format("{}:{}: column '{}' holds '{}', which is not a number", path.string(), row + 2,
                              header[col], text));
    return value;
  }
};

Csv read_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw Error(fmt::format("cannot open NAS-Bench-201 data file '{}' (expected nb201_accuracy_200ep.csv, "
                            "nb201_accuracy_12ep.csv and nb201_latency.csv in that directory; see "
                            "../shared/data/README.md)",
                            path.string()));
  Csv csv{path, {}, {}};
  std::string line;
  if (!std::getline(in, line)) throw Error(fmt::format("{}: the file is empty; expected a header line", path.string()));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  csv.header = split_csv_line(line);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto fields = split_csv_line(line);
    if (fields.size() != csv.header.size())
      throw Error(fmt::format("{}:{}: {} fields, but the header has {}", path.string(), csv.rows.size() + 2,
                              fields.size(), csv.header.size()));
    csv.rows.push_back(std::move(fields));
  }
  if (csv.rows.empty()) throw Error(fmt::format("{}: no data rows after the header", path.string()));
  return csv;
}

void check_same_arch(const Csv& csv, size_t row, size_t col, const std::string& expected, const Csv& reference) {
  if (csv.rows[row][col] != expected)
    throw Error(fmt::format("{}:{}: arch string '{}' differs from row {} of {} ('{}'); the files must list the "
                            "architectures in the same (NAS-Bench-201 index) order",
                            csv.path.string(), row + 2, csv.rows[row][col], row, reference.path.filename().string(),
                            expected));
}

void check_index(const Csv& csv, size_t row, size_t col) {
  if (csv.number(row, col) != static_cast<double>(row))
    throw Error(fmt::format("{}:{}: index column '{}' is {}, expected {} (rows must be in NAS-Bench-201 index order)",
                            csv.path.string(), row + 2, csv.header[col], csv.rows[row][col], row));
}

Column read_column(const Csv& csv, const std::string& name, MetricKey key) {
  const size_t col = csv.column(name);
  Column column{std::move(key), {}};
  for (size_t row = 0; row < csv.rows.size(); ++row) column.values.push_back(csv.number(row, col));
  return column;
}

H5::StrType variable_string() { return H5::StrType(H5::PredType::C_S1, H5T_VARIABLE); }

void write_string_attribute(H5::H5Object& object, const char* name, const std::string& value) {
  H5::Attribute attribute = object.createAttribute(name, variable_string(), H5::DataSpace(H5S_SCALAR));
  attribute.write(variable_string(), value);
}

std::string read_string_attribute(const H5::H5Object& object, const char* name, const std::string& where) {
  if (!object.attrExists(name)) throw Error(fmt::format("{}: missing attribute '{}'", where, name));
  std::string value;
  H5::Attribute attribute = object.openAttribute(name);
  attribute.read(attribute.getStrType(), value);
  return value;
}

}  // namespace

Table read_csv_directory(const std::filesystem::path& directory) {
  const Csv final_accuracy = read_csv(directory / "nb201_accuracy_200ep.csv");
  const Csv short_accuracy = read_csv(directory / "nb201_accuracy_12ep.csv");
  const Csv latency = read_csv(directory / "nb201_latency.csv");
  for (const Csv* csv : {&short_accuracy, &latency})
    if (csv->rows.size() != final_accuracy.rows.size())
      throw Error(fmt::format("{} has {} rows but {} has {}; all three files list the same architectures",
                              csv->path.string(), csv->rows.size(), final_accuracy.path.string(),
                              final_accuracy.rows.size()));
  Table table;
  table.source = fmt::format("converted from {} by gos", directory.string());
  const size_t arch = final_accuracy.column("ArchitectureString");
  const size_t short_arch = short_accuracy.column("cellstr"), short_index = short_accuracy.column("arch");
  const size_t latency_arch = latency.column("arch_str"), latency_index = latency.column("arch_idx");
  for (size_t row = 0; row < final_accuracy.rows.size(); ++row) {
    table.archs.push_back(final_accuracy.rows[row][arch]);
    check_same_arch(short_accuracy, row, short_arch, table.archs.back(), final_accuracy);
    check_same_arch(latency, row, latency_arch, table.archs.back(), final_accuracy);
    check_index(short_accuracy, row, short_index);
    check_index(latency, row, latency_index);
  }
  const std::pair<const char*, const char*> datasets[] = {
      {"cifar10", "CIFAR10"}, {"cifar100", "CIFAR100"}, {"imagenet16", "ImageNet"}};
  for (const auto& [name, prefix] : datasets)
    table.columns.push_back(read_column(final_accuracy, fmt::format("{}TestAccuracy200Epochs", prefix),
                                        {Metric::kTestAccuracy, name}));
  const std::pair<const char*, const char*> short_datasets[] = {
      {"cifar10", "cifar10"}, {"cifar100", "cifar100"}, {"imagenet16", "imagenet"}};
  for (const auto& [name, prefix] : short_datasets) {
    table.columns.push_back(read_column(short_accuracy, fmt::format("{}-test", prefix),
                                        {Metric::kTestAccuracy, fmt::format("{}@12ep", name)}));
    table.columns.push_back(read_column(short_accuracy, fmt::format("{}-val", prefix),
                                        {Metric::kValidAccuracy, fmt::format("{}@12ep", name)}));
  }
  for (size_t col = 0; col < latency.header.size(); ++col) {
    if (col == latency_arch || col == latency_index) continue;
    table.columns.push_back(read_column(latency, latency.header[col], {Metric::kLatency, latency.header[col]}));
  }
  return table;
}

void write_table(const Table& table, const std::filesystem::path& path) {
  try {
    H5::H5File file(path.string(), H5F_ACC_TRUNC);
    write_string_attribute(file, "format", kTableFormat);
    write_string_attribute(file, "source", table.source);
    const int version = kTableVersion;
    file.createAttribute("version", H5::PredType::NATIVE_INT, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT, &version);

    size_t width = 1;
    for (const std::string& arch : table.archs) width = std::max(width, arch.size());
    std::vector<char> buffer(table.archs.size() * width, '\0');
    for (size_t i = 0; i < table.archs.size(); ++i) std::copy(table.archs[i].begin(), table.archs[i].end(), &buffer[i * width]);
    const hsize_t rows = table.archs.size();
    const H5::DataSpace space(1, &rows);
    const H5::StrType fixed(H5::PredType::C_S1, width);
    file.createDataSet("arch", fixed, space).write(buffer.data(), fixed);

    H5::Group metrics = file.createGroup("metrics");
    for (const Column& column : table.columns) {
      H5::DataSet data = metrics.createDataSet(column.key.to_string(), H5::PredType::NATIVE_DOUBLE, space);
      data.write(column.values.data(), H5::PredType::NATIVE_DOUBLE);
      write_string_attribute(data, "metric", to_string(column.key.metric));
      write_string_attribute(data, "on", column.key.on);
    }
  } catch (const H5::Exception& e) {
    throw Error(fmt::format("cannot write NAS-Bench-201 table '{}': {}", path.string(), e.getDetailMsg()));
  }
}

Table read_table(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path))
    throw Error(fmt::format("NAS-Bench-201 table '{}' does not exist; {}", path.string(), kConvertHint));
  H5::Exception::dontPrint();
  const std::string where = path.string();
  try {
    if (!H5::H5File::isHdf5(where)) throw Error(fmt::format("'{}' is not an HDF5 file; {}", where, kConvertHint));
    H5::H5File file(where, H5F_ACC_RDONLY);
    const std::string format = read_string_attribute(file, "format", where);
    if (format != kTableFormat)
      throw Error(fmt::format("'{}' is a '{}' file, not a NAS-Bench-201 table ({}); {}", where, format, kTableFormat,
                              kConvertHint));
    int version = 0;
    file.openAttribute("version").read(H5::PredType::NATIVE_INT, &version);
    if (version != kTableVersion)
      throw Error(fmt::format("'{}' has table version {}, this gos reads version {}; {}", where, version,
                              kTableVersion, kConvertHint));
    Table table;
    table.source = read_string_attribute(file, "source", where);
    if (!file.nameExists("arch") || !file.nameExists("metrics"))
      throw Error(fmt::format("'{}' lacks the /arch dataset or the /metrics group; {}", where, kConvertHint));
    H5::DataSet arch = file.openDataSet("arch");
    hsize_t rows = 0;
    arch.getSpace().getSimpleExtentDims(&rows);
    const H5::StrType stored = arch.getStrType();
    if (stored.isVariableStr()) throw Error(fmt::format("{}: /arch must hold fixed-length strings", where));
    const size_t width = stored.getSize();
    std::vector<char> buffer(rows * width);
    arch.read(buffer.data(), stored);
    for (size_t i = 0; i < rows; ++i) {
      const char* begin = &buffer[i * width];
      table.archs.emplace_back(begin, std::find(begin, begin + width, '\0'));
    }
    H5::Group metrics = file.openGroup("metrics");
    for (hsize_t i = 0; i < metrics.getNumObjs(); ++i) {
      const std::string name = metrics.getObjnameByIdx(i);
      H5::DataSet data = metrics.openDataSet(name);
      const std::string dataset = where + ":/metrics/" + name;
      const std::string metric_name = read_string_attribute(data, "metric", dataset);
      const auto metric = parse_metric(metric_name);
      if (!metric)
        throw Error(fmt::format("{}: unknown metric '{}'; valid: {}", dataset, metric_name, join(metric_names(), ", ")));
      hsize_t length = 0;
      data.getSpace().getSimpleExtentDims(&length);
      if (length != rows)
        throw Error(fmt::format("{}: {} values for {} architectures", dataset, length, rows));
      Column column{{*metric, read_string_attribute(data, "on", dataset)}, std::vector<double>(rows)};
      data.read(column.values.data(), H5::PredType::NATIVE_DOUBLE);
      table.columns.push_back(std::move(column));
    }
    return table;
  } catch (const H5::Exception& e) {
    throw Error(fmt::format("cannot read NAS-Bench-201 table '{}': {}; {}", where, e.getDetailMsg(), kConvertHint));
  }
}

const Column* find_column(const Table& table, const MetricKey& key) {
  for (const Column& column : table.columns)
    if (column.key == key) return &column;
  return nullptr;
}

}  // namespace gos::nb201
