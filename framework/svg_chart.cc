#include "framework/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace gos::svg {
namespace {

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    low = std::min(low, v);
    high = std::max(high, v);
  }
  bool empty() const { return !(low <= high); }
};

// The axis range: from zero for positive data when asked, padded so that no
// point sits on the frame, and never of zero width.
Range axis_range(Range data, bool from_zero) {
  if (data.empty()) return {0, 1};
  if (from_zero && data.low >= 0) data.low = 0;
  double span = data.high - data.low;
  if (span <= 0) span = std::abs(data.high) > 0 ? std::abs(data.high) : 1;
  if (!(from_zero && data.low == 0)) data.low -= 0.05 * span;
  data.high += 0.05 * span;
  return data;
}

std::string format_tick(double value, double step) {
  // Enough decimals to tell neighbouring ticks apart, no more.
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  if (std::abs(value) >= 1e6 || (value != 0 && std::abs(value) < 1e-4)) return fmt::format("{:.3g}", value);
  return fmt::format("{:.{}f}", value, decimals);
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* palette(size_t index) {
  static constexpr const char* kColours[] = {"#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1",
                                             "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"};
  return kColours[index % std::size(kColours)];
}

std::vector<double> nice_ticks(double low, double high, int count) {
  if (!(high > low) || count < 1) return {low};
  const double rough = (high - low) / count;
  double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  // The smallest nice step of at least `rough`; when the range is narrow
  // against it (few multiples fall inside), the next smaller nice steps,
  // until at least two ticks fit.
  static constexpr double kFactors[] = {1, 2, 5};
  int factor = 0;
  while (kFactors[factor] * magnitude < rough) {
    if (++factor == 3) {
      factor = 0;
      magnitude *= 10;
    }
  }
  for (;;) {
    const double step = kFactors[factor] * magnitude;
    std::vector<double> ticks;
    for (double tick = std::ceil(low / step - 1e-9) * step; tick <= high + 1e-9 * step; tick += step)
      ticks.push_back(std::abs(tick) < 1e-12 * step ? 0.0 : tick);
    if (ticks.size() >= 2) return ticks;
    if (--factor < 0) {
      factor = 2;
      magnitude /= 10;
    }
  }
}

std::vector<double> integer_ticks(double low, double high, int count) {
  std::vector<double> ticks = nice_ticks(low, high, count);
  if (ticks.size() > 1 && ticks[1] - ticks[0] >= 1) return ticks;
  ticks.clear();
  for (double tick = std::ceil(low); tick <= high; ++tick) ticks.push_back(tick);
  if (ticks.empty()) ticks.push_back(std::round(low));
  return ticks;
}

double text_width(const std::string& text, double font_size) {
  // About 0.62 em per character covers the wide letters of sans-serif fonts
  // (DejaVu Sans averages 0.55 em); UTF-8 continuation bytes are not characters.
  size_t characters = 0;
  for (unsigned char c : text) characters += (c & 0xC0) != 0x80;
  return 0.62 * font_size * static_cast<double>(characters);
}

std::string render_chart(const ChartOptions& options, const std::vector<Series>& series) {
  bool has_legend = false;
  double legend_text = 0;
  Range xs, ys;
  for (const Series& s : series) {
    has_legend = has_legend || !s.label.empty();
    legend_text = std::max(legend_text, text_width(s.label, 12));
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xs.add(s.x[i]);
      ys.add(s.y[i]);
    }
  }
  const bool empty = xs.empty();
  const Range x_axis = axis_range(xs, options.x_from_zero);
  const Range y_axis = axis_range(ys, options.y_from_zero);

  // The legend (marker 30 px, label, margins) decides the right margin; the
  // chart widens rather than squeezing the plot below its requested share.
  const double right = has_legend ? std::max(170.0, 14 + 30 + legend_text + 16) : 20;
  const double left = 70, top = options.title.empty() ? 20 : 40, bottom = 55;
  const double width = std::max(options.width, left + right + (options.width - left - 170));
  const double plot_w = width - left - right, plot_h = options.height - top - bottom;
  auto px = [&](double x) { return left + plot_w * (x - x_axis.low) / (x_axis.high - x_axis.low); };
  auto py = [&](double y) { return top + plot_h * (1 - (y - y_axis.low) / (y_axis.high - y_axis.low)); };

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, options.height);
  if (!options.title.empty())
    out += fmt::format("<text x=\"{:.1f}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n",
                       left + plot_w / 2, xml_escape(options.title));

  const std::vector<double> x_ticks =
      options.x_integer_ticks ? integer_ticks(x_axis.low, x_axis.high, 6) : nice_ticks(x_axis.low, x_axis.high, 6);
  const std::vector<double> y_ticks = nice_ticks(y_axis.low, y_axis.high, 5);
  const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
  const double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
  for (double t : x_ticks) {
    out += fmt::format("<path d=\"M{0:.1f} {1:.1f} V{2:.1f}\" stroke=\"#e5e5e5\"/>\n", px(t), top, top + plot_h);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", px(t),
                       top + plot_h + 16, format_tick(t, x_step));
  }
  for (double t : y_ticks) {
    out += fmt::format("<path d=\"M{0:.1f} {1:.1f} H{2:.1f}\" stroke=\"#e5e5e5\"/>\n", left, py(t), left + plot_w);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, py(t) + 4,
                       format_tick(t, y_step));
  }
  out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
                     "stroke=\"black\"/>\n",
                     left, top, plot_w, plot_h);
  out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", left + plot_w / 2,
                     options.height - 12, xml_escape(options.x_label));
  out += fmt::format("<text transform=\"translate(16 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     top + plot_h / 2, xml_escape(options.y_label));
  if (empty)
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n",
                       left + plot_w / 2, top + plot_h / 2);

  // Solid first, then dashes that never repeat each other's rhythm.
  static constexpr const char* kDashes[] = {"", "8 4", "2 3", "10 3 2 3", "5 5", "1 5", "12 6"};
  size_t legend_row = 0, line_index = 0;
  for (const Series& s : series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    const bool line = s.style == SeriesStyle::kLine || s.style == SeriesStyle::kLineAndMarkers;
    const bool markers = s.style != SeriesStyle::kLine && s.style != SeriesStyle::kBand;
    auto finite_points = [&] {
      std::string points;
      for (size_t i = 0; i < n; ++i)
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) points += fmt::format("{:.1f},{:.1f} ", px(s.x[i]), py(s.y[i]));
      return points;
    };
    if (s.style == SeriesStyle::kBand)
      out += fmt::format("<polygon fill=\"{}\" fill-opacity=\"0.18\" stroke=\"none\" points=\"{}\"/>\n", s.colour,
                         finite_points());
    std::string dash;
    if (line) {
      const char* pattern = kDashes[line_index++ % std::size(kDashes)];
      dash = *pattern ? fmt::format(" stroke-dasharray=\"{}\"", pattern) : "";
      out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{} points=\"{}\"/>\n", s.colour,
                         dash, finite_points());
    }
    if (markers) {
      for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
        const std::string tip =
            i < s.tooltips.size() ? fmt::format("<title>{}</title>", xml_escape(s.tooltips[i])) : std::string();
        if (s.style == SeriesStyle::kStar)
          out += fmt::format(
              "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"20\" fill=\"{}\">&#9733;{}</text>\n",
              px(s.x[i]), py(s.y[i]) + 7, s.colour, tip);
        else
          out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\" fill-opacity=\"0.8\">{}</circle>\n",
                             px(s.x[i]), py(s.y[i]), s.colour, tip);
      }
    }
    if (s.label.empty()) continue;
    const double lx = left + plot_w + 14, ly = top + 10 + 20 * static_cast<double>(legend_row++);
    if (s.style == SeriesStyle::kStar)
      out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"16\" fill=\"{}\">&#9733;</text>\n", lx + 4,
                         ly + 6, s.colour);
    else if (line)
      out += fmt::format("<path d=\"M{:.1f} {:.1f} h22\" stroke=\"{}\" stroke-width=\"3\"{}/>\n", lx, ly, s.colour, dash);
    else if (s.style == SeriesStyle::kBand)
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"22\" height=\"10\" fill=\"{}\" fill-opacity=\"0.18\"/>\n",
                         lx, ly - 5, s.colour);
    else
      out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>\n", lx + 11, ly, s.colour);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", lx + 30, ly + 4, xml_escape(s.label));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace gos::svg
