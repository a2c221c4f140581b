// The noise floor of gos adapt's accept decision: an A/A comparison of two
// instances of the same zoo model, timed as the splice decision times
// before/after (the cpu device with the shipped experiments' settings,
// alternating rounds of the timing core). Any relative "gain" of such a pair
// is noise; its distribution is what `min_gain` must exceed.
//   build/adapt_ab_noise [--model resnet18] [--width 0.25] [--trials 40] [--rounds 3] [--runs 9]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "plugins/devices/cpu/cpu_device.h"
#include "plugins/devices/cpu/measurement_stats.h"
#include "torchlib/workload.h"
#include "torchlib/zoo.h"

int main(int argc, char** argv) {
  std::string model = "resnet18";
  double width = 0.25;
  int trials = 40, rounds = 3, runs = 9;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--model") model = argv[i + 1];
    else if (key == "--width") width = std::stod(argv[i + 1]);
    else if (key == "--trials") trials = std::stoi(argv[i + 1]);
    else if (key == "--rounds") rounds = std::stoi(argv[i + 1]);
    else if (key == "--runs") runs = std::stoi(argv[i + 1]);
    else {
      std::cerr << "unknown option " << key << "\n";
      return 2;
    }
  }
  gos::ZooOptions zoo;
  zoo.width = width;
  auto a = gos::make_zoo_model(model, zoo);
  auto b = gos::make_zoo_model(model, zoo);
  gos::CpuDeviceConfig config;
  config.clock = gos::TimingClock::kProcessCpu;
  config.measurement.warmup = 3;
  config.measurement.runs = runs;
  config.measurement.quantile = 0.0;
  config.measurement.max_spread = std::numeric_limits<double>::infinity();
  config.measurement.max_attempts = 1;
  gos::CpuDevice device(config);
  gos::ModuleWorkload wa(*a, gos::workload_input(a->example_input()), "a");
  gos::ModuleWorkload wb(*b, gos::workload_input(b->example_input()), "b");
  std::vector<double> gains;
  double ms = 0;
  for (int t = 0; t < trials; ++t) {
    const gos::AbLatency ab = gos::alternate_ab([&] { return device.measure(wa).median_ms; },
                                                [&] { return device.measure(wb).median_ms; }, rounds);
    gains.push_back(1 - ab.b_ms / ab.a_ms);
    ms = ab.a_ms;
  }
  std::vector<double> magnitude;
  for (double g : gains) magnitude.push_back(std::abs(g));
  std::cout << fmt::format(
      "{} width {}: {:.3f} ms; A/A relative gain over {} trials ({} rounds of min of {} runs, process CPU time): "
      "median |gain| {:.2f}%, 90th percentile {:.2f}%, 95th {:.2f}%, max {:.2f}%; largest apparent speedup {:+.2f}%\n",
      model, width, ms, trials, rounds, runs, 100 * gos::quantile(magnitude, 0.5), 100 * gos::quantile(magnitude, 0.9),
      100 * gos::quantile(magnitude, 0.95), 100 * *std::max_element(magnitude.begin(), magnitude.end()),
      100 * *std::max_element(gains.begin(), gains.end()));
  return 0;
}
