#pragma once
// Small self-contained SVG charts (scatter and line series on linear axes
// with "nice" ticks and a legend) for reports and command output. Plain SVG
// 1.1 text, so a chart can be saved as a file or inlined in HTML.
#include <string>
#include <vector>

namespace gos::svg {

// kBand: a filled, translucent area whose outline is the series' points in
// order (e.g. mean + spread forward, mean - spread backward); list bands
// before the lines they surround. Line series after the first are dashed,
// each differently, so lines that coincide stay distinguishable.
enum class SeriesStyle { kMarkers, kLine, kLineAndMarkers, kStar, kBand };

struct Series {
  std::string label;  // legend text; empty: not in the legend
  std::string colour = "#1f77b4";
  SeriesStyle style = SeriesStyle::kMarkers;
  std::vector<double> x, y;
  // Hover text per point (SVG <title>); empty or one per point.
  std::vector<std::string> tooltips;
};

struct ChartOptions {
  double width = 640;
  double height = 420;
  std::string title;
  std::string x_label;
  std::string y_label;
  // Axes start at zero when the data are all positive (ratios stay honest);
  // otherwise they span the data with a margin.
  bool x_from_zero = true;
  bool y_from_zero = true;
  // Only whole-number ticks on the x axis (iterations, generations).
  bool x_integer_ticks = false;
};

// The chart as an <svg> element. Non-finite points are skipped; an empty
// chart still has axes and says "no data". The legend sits right of the plot
// and the chart grows wider when a label needs it, so no label is cut off.
std::string render_chart(const ChartOptions& options, const std::vector<Series>& series);

// Up to about `count` round tick values (steps of 1, 2 or 5 times a power of
// ten) covering [low, high].
std::vector<double> nice_ticks(double low, double high, int count);
// nice_ticks with a step of at least 1, for axes of whole numbers.
std::vector<double> integer_ticks(double low, double high, int count);

// Width in pixels that `text` takes at `font_size` in a sans-serif font, a
// generous estimate (layout must not cut text off).
double text_width(const std::string& text, double font_size);

// Escapes &, <, >, " for SVG and HTML text and attributes.
std::string xml_escape(const std::string& text);

// A qualitative palette colour (Tableau 10) by index.
const char* palette(size_t index);

}  // namespace gos::svg
