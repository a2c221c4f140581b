#!/usr/bin/env bash
# Renders the pictures GOS draws to PNG with Debian's headless Chromium, for a
# person to look at (legend fully visible, lines told apart, bands, integer
# iteration ticks): `gos compare`'s SVG of a short ZDT1 sweep, and the report
# of the two-iteration adapt run that adapt_report_test writes.
#   scripts/render_plots.sh [BUILD_DIR] [OUT_DIR]     (defaults: build, build/plots)
# Needs: apt-get install chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
out="${2:-$build/plots}"
chromium="$(command -v chromium || true)"
[ -n "$chromium" ] || { echo "render_plots.sh: chromium is missing (apt-get install chromium)" >&2; exit 1; }
mkdir -p "$out"
render() {  # render FILE PNG WIDTH HEIGHT
  local profile
  profile="$(mktemp -d)"
  "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$profile" --hide-scrollbars --window-size="$3,$4" \
    --screenshot="$2" "file://$(realpath "$1")" >/dev/null 2>&1
  rm -rf "$profile"
  [ -s "$2" ] || { echo "render_plots.sh: no picture for $1" >&2; exit 1; }
  echo "rendered $1 -> $2"
}

# Four strategies x three seeds, as docs/MULTIOBJECTIVE.md describes (seconds).
"$build/gos" sweep experiments/zdt1_strategies.toml --seeds 0..2 -o "$out/sweep" -q >/dev/null
"$build/gos" compare "$out"/sweep/*.h5 -o "$out/compare.svg" >/dev/null
render "$out/compare.svg" "$out/compare.png" 900 460

# The adapt report of a synthetic two-iteration run (no LibTorch needed).
"$build/adapt_report_test" --gtest_filter='*' >/dev/null
run="$(dirname "$(find "$build/test-output/adapt_report" -name adapt.h5 | head -1)")"
"$build/gos" report "$run" -o "$out/report.html" >/dev/null
render "$out/report.html" "$out/report.png" 1100 2400
