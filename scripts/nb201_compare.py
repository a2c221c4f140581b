#!/usr/bin/python3
"""Summarises the NAS-Bench-201 strategy comparison (docs/BENCHMARKS.md).

A stopgap until `gos compare` (issue 3) lands: reads results/nb201/<strategy>_<setting>_seed<k>.h5,
prints mean +- std over seeds of the best CIFAR-10 test accuracy (for the valid12 setting: the
test accuracy of the best-validated candidate) and of the normalised
hypervolume (test error vs Raspberry Pi 4 latency) after 50/100/200/500/1000 queries, and
writes SVG curves. Needs Debian's python with h5py and numpy:
  /usr/bin/python3 scripts/nb201_compare.py --results results/nb201 --table build/nb201.h5 --svg docs/nb201
"""
import argparse
import glob
import os
import re

import h5py
import numpy as np

BUDGETS = [50, 100, 200, 500, 1000]
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]


def hypervolume_2d(points, reference):
    """Area dominated by `points` (both coordinates minimised) inside the box up to `reference`."""
    inside = sorted(p for p in points if p[0] < reference[0] and p[1] < reference[1])
    area, best_y = 0.0, reference[1]
    for x, y in inside:
        if y < best_y:
            area += (reference[0] - x) * (best_y - y)
            best_y = y
    return area


def runs(results, name):
    files = sorted(glob.glob(os.path.join(results, f"{name}_seed*.h5")),
                   key=lambda p: int(re.search(r"seed(\d+)", p).group(1)))
    out = []
    for path in files:
        with h5py.File(path) as f:
            values = f["evaluations/values"][:]
            failed = f["evaluations/failed"][:].astype(bool)
            values[failed] = np.nan
            out.append(values)
    return out


def curves(values, setting, reference):
    """Best accuracy and normalised hypervolume after each number of queries."""
    n = len(values)
    if setting == "valid12":
        # Test accuracy of the candidate with the best validation accuracy so far (first one on ties).
        valid = np.nan_to_num(values[:, 0], nan=-np.inf)
        chosen = np.zeros(n, dtype=int)
        for i in range(1, n):
            chosen[i] = i if valid[i] > valid[chosen[i - 1]] else chosen[i - 1]
        return values[chosen, 1], None
    best = np.fmax.accumulate(np.nan_to_num(values[:, 0], nan=-np.inf))
    if setting != "raspi4":
        return best, None
    hv = np.zeros(n)
    points = []
    box = reference[0] * reference[1]
    for i in range(n):
        if not np.isnan(values[i, 0]):
            points.append((100.0 - values[i, 0], values[i, 1]))
        if i < 10 or i + 1 in BUDGETS or i % 10 == 9:
            hv[i] = hypervolume_2d(points, reference) / box
        else:
            hv[i] = np.nan
    # Fill the skipped positions with the last computed value (hypervolume only grows).
    for i in range(1, n):
        if np.isnan(hv[i]):
            hv[i] = hv[i - 1]
    return best, hv


def svg(path, title, ylabel, series, ymin, ymax):
    width, height, left, bottom, top, right = 640, 400, 70, 50, 40, 180
    w, h = width - left - right, height - top - bottom

    def px(q, v):
        return left + w * np.log10(q) / 3.0, top + h * (1 - (v - ymin) / (ymax - ymin))

    lines = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{left}" y="20" font-size="14">{title}</text>',
             f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="black"/>',
             f'<text x="{left + w / 2}" y="{height - 10}" text-anchor="middle">queries (log scale)</text>',
             f'<text x="15" y="{top + h / 2}" transform="rotate(-90 15 {top + h / 2})" text-anchor="middle">{ylabel}</text>']
    for q in [1, 10, 50, 100, 200, 500, 1000]:
        x, _ = px(q, ymin)
        lines.append(f'<text x="{x:.1f}" y="{top + h + 15}" text-anchor="middle">{q}</text>')
    for k in range(6):
        v = ymin + (ymax - ymin) * k / 5
        _, y = px(1, v)
        lines.append(f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">{v:.3g}</text>')
        lines.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#ddd"/>')
    for index, (label, mean, std) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        q = np.arange(1, len(mean) + 1)
        upper = [px(a, min(b, ymax)) for a, b in zip(q, mean + std)]
        lower = [px(a, max(b, ymin)) for a, b in zip(q, mean - std)]
        band = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower[::-1])
        lines.append(f'<polygon points="{band}" fill="{colour}" fill-opacity="0.15" stroke="none"/>')
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (px(a, min(max(b, ymin), ymax)) for a, b in zip(q, mean)))
        lines.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        lines.append(f'<text x="{left + w + 10}" y="{top + 15 + 18 * index}" fill="{colour}">{label}</text>')
    lines.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default="results/nb201")
    parser.add_argument("--table", default="build/nb201.h5")
    parser.add_argument("--svg", default="docs/nb201")
    parser.add_argument("--strategies", default="random_search,regularized_evolution,local_search,nsga2")
    args = parser.parse_args()
    with h5py.File(args.table) as table:
        accuracy = table["metrics/test_accuracy(cifar10)"][:]
        latency = table["metrics/latency(raspi4)"][:]
    reference = (100.0, float(latency.max()))
    optimum_hv = hypervolume_2d(list(zip(100.0 - accuracy, latency)), reference) / (reference[0] * reference[1])
    print(f"table: best CIFAR-10 test accuracy {accuracy.max():.2f}%, reference point (error 100%, raspi4 "
          f"{reference[1]:.1f} ms), hypervolume of the whole table's front {optimum_hv:.4f}\n")
    os.makedirs(args.svg, exist_ok=True)
    titles = {"accuracy": "best CIFAR-10 test accuracy (%)",
              "raspi4": "best CIFAR-10 test accuracy (%)",
              "valid12": "CIFAR-10 test accuracy (%) of the best 12-epoch validation candidate"}
    for setting in ["accuracy", "raspi4", "valid12"]:
        acc_series, hv_series = [], []
        header = "| strategy | seeds | " + " | ".join(f"{b} queries" for b in BUDGETS) + " |"
        acc_rows, hv_rows = [], []
        for strategy in args.strategies.split(","):
            all_runs = runs(args.results, f"{strategy}_{setting}")
            all_runs = [r for r in all_runs if len(r) >= BUDGETS[-1]]
            if not all_runs:
                continue
            computed = [curves(r[:BUDGETS[-1]], setting, reference) for r in all_runs]
            best = np.array([c[0] for c in computed])
            acc_series.append((strategy, best.mean(0), best.std(0)))
            acc_rows.append(f"| {strategy} | {len(all_runs)} | " +
                            " | ".join(f"{best[:, b - 1].mean():.2f} ± {best[:, b - 1].std():.2f}" for b in BUDGETS) + " |")
            if setting == "raspi4":
                hv = np.array([c[1] for c in computed])
                hv_series.append((strategy, hv.mean(0), hv.std(0)))
                hv_rows.append(f"| {strategy} | {len(all_runs)} | " +
                               " | ".join(f"{hv[:, b - 1].mean():.4f} ± {hv[:, b - 1].std():.4f}" for b in BUDGETS) + " |")
        print(f"#### {setting}: {titles[setting]}, mean ± std over seeds\n\n{header}\n|---|---|" +
              "---|" * len(BUDGETS) + "\n" + "\n".join(acc_rows) + "\n")
        if acc_series:
            svg(os.path.join(args.svg, f"best_accuracy_{setting}.svg"),
                f"NAS-Bench-201 CIFAR-10, objectives: {setting}", "best test accuracy (%)", acc_series, 85.0, 94.5)
        if hv_rows:
            print(f"#### {setting}: normalised hypervolume (test error vs raspi4 latency), mean ± std\n\n{header}\n"
                  "|---|---|" + "---|" * len(BUDGETS) + "\n" + "\n".join(hv_rows) + "\n")
            svg(os.path.join(args.svg, "hypervolume_raspi4.svg"), "NAS-Bench-201: test error vs Raspberry Pi 4 latency",
                "normalised hypervolume", hv_series, min(s[1][9] for s in hv_series), optimum_hv)


if __name__ == "__main__":
    main()
