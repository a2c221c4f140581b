#include "plugins/latency/core/accuracy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "framework/error.h"

namespace gos {

AccuracyReport compare_latencies(const std::vector<double>& predicted_ms, const std::vector<double>& measured_ms) {
  if (predicted_ms.size() != measured_ms.size())
    throw Error(fmt::format("cannot compare {} predictions with {} measurements", predicted_ms.size(),
                            measured_ms.size()));
  if (measured_ms.empty()) throw Error("cannot compare latencies: no models");
  AccuracyReport report;
  report.count = measured_ms.size();
  double squares = 0, absolute = 0, relative = 0, within_5 = 0, within_10 = 0;
  for (size_t i = 0; i < measured_ms.size(); ++i) {
    if (!(measured_ms[i] > 0)) throw Error(fmt::format("measured latency {} of model {} is not positive", measured_ms[i], i));
    const double error = predicted_ms[i] - measured_ms[i];
    const double relative_error = std::abs(error) / measured_ms[i];
    squares += error * error;
    absolute += std::abs(error);
    relative += relative_error;
    within_5 += relative_error <= 0.05;
    within_10 += relative_error <= 0.10;
  }
  const double n = static_cast<double>(report.count);
  report.rmse_ms = std::sqrt(squares / n);
  report.mae_ms = absolute / n;
  report.mape = relative / n;
  report.within_5 = within_5 / n;
  report.within_10 = within_10 / n;
  report.kendall_tau = kendall_tau(predicted_ms, measured_ms);
  return report;
}

double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw Error("kendall_tau: the two lists differ in length");
  double concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i + 1; j < a.size(); ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;
      if (da == 0) ties_a += 1;
      else if (db == 0) ties_b += 1;
      else if ((da > 0) == (db > 0)) concordant += 1;
      else discordant += 1;
    }
  }
  const double denominator = std::sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b));
  return denominator > 0 ? (concordant - discordant) / denominator : 0.0;
}

void write_scatter_svg(const std::filesystem::path& path, const std::vector<double>& predicted_ms,
                       const std::vector<double>& measured_ms, const std::string& title) {
  std::ofstream out(path);
  if (!out) throw Error(fmt::format("cannot write plot '{}'", path.string()));
  const double size = 480, margin = 60;
  double top = 0;
  for (size_t i = 0; i < measured_ms.size(); ++i) top = std::max({top, measured_ms[i], predicted_ms[i]});
  top = top > 0 ? top * 1.05 : 1.0;
  auto x = [&](double v) { return margin + v / top * size; };
  auto y = [&](double v) { return margin + size - v / top * size; };
  out << fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{0}\" font-family=\"sans-serif\" "
                     "font-size=\"12\">\n",
                     size + 2 * margin);
  out << fmt::format("<text x=\"{}\" y=\"30\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n", margin + size / 2,
                     title);
  out << fmt::format("<rect x=\"{0}\" y=\"{0}\" width=\"{1}\" height=\"{1}\" fill=\"none\" stroke=\"black\"/>\n", margin,
                     size);
  // y = x and the ±10% band edges.
  for (const auto& [factor, dash] : {std::pair{1.0, ""}, std::pair{1.1, "4 3"}, std::pair{0.9, "4 3"}}) {
    const double end_measured = std::min(top, top / factor);
    out << fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"gray\" stroke-dasharray=\"{}\"/>\n",
                       x(0), y(0), x(end_measured), y(end_measured * factor), dash);
  }
  for (size_t i = 0; i < measured_ms.size(); ++i)
    out << fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\" fill=\"steelblue\" fill-opacity=\"0.6\"/>\n",
                       x(measured_ms[i]), y(predicted_ms[i]));
  for (int tick = 0; tick <= 4; ++tick) {
    const double v = top * tick / 4;
    out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:.2g}</text>\n", x(v), margin + size + 16, v);
    out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.2g}</text>\n", margin - 6, y(v) + 4, v);
  }
  out << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">measured latency (ms)</text>\n",
                     margin + size / 2, margin + size + 40);
  out << fmt::format("<text transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\">predicted latency "
                     "(ms)</text>\n</svg>\n",
                     margin + size / 2);
}

}  // namespace gos
