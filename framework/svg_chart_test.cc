#include "framework/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>

#include "framework/rng.h"

namespace gos::svg {
namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(NiceTicks, AreRoundEvenlySpacedAndCoverTheRange) {
  Rng rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    const double low = rng.uniform(-1000, 1000);
    const double high = low + std::pow(10.0, rng.uniform(-3, 4));
    const int count = 2 + static_cast<int>(rng.uniform_int(0, 8));
    const std::vector<double> ticks = nice_ticks(low, high, count);
    ASSERT_GE(ticks.size(), 2u) << low << " .. " << high;
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 0;
    for (size_t i = 0; i < ticks.size(); ++i) {
      EXPECT_GE(ticks[i], low - 1e-9 * (high - low));
      EXPECT_LE(ticks[i], high + 1e-9 * (high - low));
      if (i > 0) {
        EXPECT_NEAR(ticks[i] - ticks[i - 1], step, 1e-9 * step);
      }
    }
    if (ticks.size() < 2) continue;
    // The step is 1, 2 or 5 times a power of ten, and no tick is far from the ends.
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-12));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6 ||
                std::abs(mantissa - 10) < 1e-6)
        << "step " << step;
    EXPECT_LE(ticks.front() - low, step * (1 + 1e-9));
    EXPECT_LE(high - ticks.back(), step * (1 + 1e-9));
  }
}

TEST(RenderChart, DrawsEveryFinitePointLinesAndLegend) {
  Series front{"front", palette(0), SeriesStyle::kMarkers, {1, 2, 3, NAN}, {30, 20, 10, 5}, {"a", "b", "c", "d"}};
  Series chosen{"chosen", palette(1), SeriesStyle::kStar, {2}, {20}, {}};
  Series trend{"", "#000", SeriesStyle::kLine, {1, 3}, {30, 10}, {}};
  ChartOptions options;
  options.title = "latency <vs> params";
  const std::string out = render_chart(options, {front, chosen, trend});
  EXPECT_EQ(count(out, "<circle"), 3u + 1u);  // three finite points + one legend marker
  EXPECT_EQ(count(out, "<polyline"), 1u);
  EXPECT_EQ(count(out, "&#9733;"), 2u);  // the star and its legend entry
  EXPECT_NE(out.find("<title>b</title>"), std::string::npos);
  EXPECT_NE(out.find("latency &lt;vs&gt; params"), std::string::npos);
  EXPECT_EQ(out.find("no data"), std::string::npos);
  EXPECT_EQ(out.rfind("</svg>\n"), out.size() - 7);
}

TEST(RenderChart, PlacesPointsInsideThePlotArea) {
  ChartOptions options;
  options.width = 500;
  options.height = 300;
  const std::string out = render_chart(options, {Series{"", "#000", SeriesStyle::kMarkers, {-5, 0, 7}, {2, -3, 9}, {}}});
  const std::regex circle("cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"");
  size_t seen = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), circle); it != std::sregex_iterator(); ++it, ++seen) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    EXPECT_GT(x, 0);
    EXPECT_LT(x, options.width);
    EXPECT_GT(y, 0);
    EXPECT_LT(y, options.height);
  }
  EXPECT_EQ(seen, 3u);
}

TEST(RenderChart, EmptyChartSaysNoData) {
  EXPECT_NE(render_chart({}, {}).find("no data"), std::string::npos);
}

// A long legend label widens the chart instead of running off its edge.
TEST(RenderChart, LegendIsNeverCutOff) {
  const std::string label = "regularized_evolution_with_a_long_name_over_10_runs";
  ChartOptions options;
  options.width = 640;
  const std::string out = render_chart(options, {Series{label, palette(0), SeriesStyle::kLine, {0, 1}, {0, 1}, {}}});
  const std::smatch width = [&] {
    std::smatch m;
    std::regex_search(out, m, std::regex("<svg[^>]* width=\"([0-9.]+)\""));
    return m;
  }();
  std::smatch text;
  ASSERT_TRUE(std::regex_search(out, text, std::regex("<text x=\"([0-9.]+)\" y=\"[0-9.]+\">" + label)));
  EXPECT_LE(std::stod(text[1]) + text_width(label, 12), std::stod(width[1]));
  EXPECT_GT(std::stod(width[1]), options.width);
  // A short label keeps the requested width.
  const std::string small = render_chart(options, {Series{"a", palette(0), SeriesStyle::kLine, {0, 1}, {0, 1}, {}}});
  EXPECT_NE(small.find("width=\"640\""), std::string::npos);
}

// Coinciding lines stay distinguishable: every line after the first has its
// own dash pattern (and so does its legend entry); bands are filled areas.
TEST(RenderChart, LinesGetDistinctDashesAndBandsAreFilled) {
  std::vector<Series> series;
  series.push_back({"", palette(0), SeriesStyle::kBand, {0, 1, 1, 0}, {1, 2, 0, -1}, {}});
  for (size_t i = 0; i < 4; ++i) series.push_back({"s" + std::to_string(i), palette(i), SeriesStyle::kLine, {0, 1}, {0, 1}, {}});
  const std::string out = render_chart({}, series);
  EXPECT_EQ(count(out, "<polygon"), 1u);
  EXPECT_EQ(count(out, "<polyline"), 4u);
  std::set<std::string> dashes;
  const std::regex dash("<polyline[^>]*stroke-dasharray=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), dash); it != std::sregex_iterator(); ++it)
    dashes.insert((*it)[1]);
  EXPECT_EQ(dashes.size(), 3u);  // the first line is solid
  EXPECT_EQ(count(out, "stroke-dasharray"), 6u);  // three lines and their three legend entries
}

TEST(IntegerTicks, AreWholeNumbers) {
  for (auto [low, high] : {std::pair{0.85, 3.15}, {0.9, 1.1}, {0.0, 40.0}, {1.0, 2.0}}) {
    const std::vector<double> ticks = integer_ticks(low, high, 6);
    ASSERT_FALSE(ticks.empty());
    for (double t : ticks) EXPECT_EQ(t, std::round(t)) << low << ".." << high;
    if (ticks.size() > 1) {
      EXPECT_GE(ticks[1] - ticks[0], 1.0);
    }
  }
  EXPECT_EQ(integer_ticks(0.85, 3.15, 6), (std::vector<double>{1, 2, 3}));
  ChartOptions options;
  options.x_integer_ticks = true;
  const std::string out = render_chart(options, {Series{"", "#000", SeriesStyle::kLine, {1, 2}, {5, 4}, {}}});
  EXPECT_EQ(out.find(">1.5<"), std::string::npos);  // nice_ticks alone would step by 0.5 here
  EXPECT_NE(out.find(">2<"), std::string::npos);
  options.x_integer_ticks = false;
  EXPECT_NE(render_chart(options, {Series{"", "#000", SeriesStyle::kLine, {1, 2}, {5, 4}, {}}}).find(">1.5<"),
            std::string::npos);
}

TEST(XmlEscape, EscapesMarkupCharacters) { EXPECT_EQ(xml_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;"); }

}  // namespace
}  // namespace gos::svg
