#!/usr/bin/python3
"""Compares multi-fidelity and full-fidelity runs at equal cost (issue 16, item 4).

Reads GOS results files whose objective declares a fidelity (each evaluation records its budget in
/evaluations/fidelity, e.g. training epochs), groups them by experiment name, and prints, per group,
the mean +- sample std over runs (seeds) of the incumbent -- the best first-objective value among
full-fidelity evaluations -- once a given total cost (sum of the budgets of all evaluations so far)
is spent, plus each run's final incumbent genome. Optionally writes an SVG of incumbent vs cost.
Needs Debian's python with h5py and numpy:
  /usr/bin/python3 scripts/multifidelity_compare.py results/nb201/*_fidelity_seed*.h5 --svg docs/nb201/fidelity.svg
"""
import argparse
import collections

import h5py
import numpy as np

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]


def load(path):
    with h5py.File(path) as f:
        name = f.attrs["experiment_name"]
        name = name.decode() if isinstance(name, bytes) else str(name)
        direction = f["objectives/direction"][0]
        direction = direction.decode() if isinstance(direction, bytes) else str(direction)
        fidelity = f["evaluations/fidelity"][:]
        values = f["evaluations/values"][:, 0].astype(float)
        failed = f["evaluations/failed"][:].astype(bool)
        genomes = [g.decode() if isinstance(g, bytes) else str(g) for g in f["evaluations/genome"][:]]
    if np.isnan(fidelity).any():
        raise SystemExit(f"{path}: evaluations without a recorded fidelity; its objective declares none")
    sign = -1.0 if direction == "maximize" else 1.0  # minimisation form
    return {"path": path, "name": name, "sign": sign, "fidelity": fidelity, "values": values, "failed": failed,
            "genomes": genomes}


def incumbent_curve(run, full):
    """Cost after each evaluation and the incumbent (minimisation form; inf before the first)."""
    cost = np.cumsum(run["fidelity"])
    best, index, curve, chosen = np.inf, -1, [], []
    for i, (budget, value, failed) in enumerate(zip(run["fidelity"], run["values"], run["failed"])):
        if budget == full and not failed and run["sign"] * value < best:
            best, index = run["sign"] * value, i
        curve.append(best)
        chosen.append(index)
    return cost, np.array(curve), chosen


def at_cost(cost, curve, budget):
    spent = np.searchsorted(cost, budget, side="right")
    return curve[spent - 1] if spent else np.inf


def svg(path, title, ylabel, groups, max_cost):
    width, height, left, bottom, top, right = 680, 400, 70, 50, 40, 220
    w, h = width - left - right, height - top - bottom
    finite = [v for _, mean in groups for v in mean if np.isfinite(v)]
    ymin, ymax = min(finite), max(finite)
    ymin, ymax = ymin - 0.05 * (ymax - ymin + 1e-9), ymax + 0.05 * (ymax - ymin + 1e-9)

    def px(c, v):
        return left + w * c / max_cost, top + h * (1 - (v - ymin) / (ymax - ymin))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">{title}</text>',
           f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="black"/>',
           f'<text x="{left + w / 2}" y="{height - 10}" text-anchor="middle">cost (sum of budgets)</text>',
           f'<text x="15" y="{top + h / 2}" transform="rotate(-90 15 {top + h / 2})" text-anchor="middle">{ylabel}</text>']
    for k in range(6):
        c = max_cost * k / 5
        x, _ = px(c, ymin)
        out.append(f'<text x="{x:.1f}" y="{top + h + 15}" text-anchor="middle">{c:.0f}</text>')
        v = ymin + (ymax - ymin) * k / 5
        _, y = px(0, v)
        out.append(f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">{v:.4g}</text>')
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#ddd"/>')
    grid = np.linspace(0, max_cost, len(groups[0][1]))
    for index, (label, mean) in enumerate(groups):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (px(c, v) for c, v in zip(grid, mean) if np.isfinite(v)))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        out.append(f'<text x="{left + w + 10}" y="{top + 15 + 18 * index}" fill="{colour}">{label}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--costs", help="comma-separated cost checkpoints (default: 5 up to the smallest final cost)")
    parser.add_argument("--svg", help="write incumbent vs cost (mean over runs) here")
    parser.add_argument("--title", default="incumbent vs cost")
    parser.add_argument("--quiet", action="store_true", help="no per-run lines")
    args = parser.parse_args()
    runs = [load(p) for p in args.files]
    full = max(r["fidelity"].max() for r in runs)
    groups = collections.OrderedDict()
    for run in runs:
        groups.setdefault(run["name"], []).append(run)
    curves = {name: [incumbent_curve(r, full) for r in group] for name, group in groups.items()}
    smallest = min(c[0][-1] for cs in curves.values() for c in cs)
    costs = [float(c) for c in args.costs.split(",")] if args.costs else [smallest * k / 5 for k in range(1, 6)]
    sign = runs[0]["sign"]
    print(f"full fidelity {full:g}; cost = sum of budgets; value = best full-fidelity objective value so far "
          f"(mean +- sample std over runs)\n")
    print("| experiment | runs | evaluations (mean) | final cost (mean) | " + " | ".join(f"cost {c:g}" for c in costs) + " |")
    print("|---|---|---|---|" + "---|" * len(costs))
    for name, group in groups.items():
        cells = []
        for c in costs:
            values = np.array([sign * at_cost(cost, curve, c) for cost, curve, _ in curves[name]])
            if not np.isfinite(values).all():
                cells.append("n/a")
                continue
            std = values.std(ddof=1) if len(values) > 1 else 0.0
            cells.append(f"{values.mean():.4g} +- {std:.2g}")
        evaluations = np.mean([len(r["values"]) for r in group])
        final = np.mean([c[0][-1] for c in curves[name]])
        print(f"| {name} | {len(group)} | {evaluations:.0f} | {final:.0f} | " + " | ".join(cells) + " |")
    if not args.quiet:
        print()
        for name, group in groups.items():
            for run, (cost, curve, chosen) in zip(group, curves[name]):
                i = chosen[-1]
                what = f"{run['genomes'][i]} = {run['values'][i]:.6g}" if i >= 0 else "none at full fidelity"
                print(f"{run['path']}: cost {cost[-1]:g}, incumbent {what}")
    if args.svg:
        grid = np.linspace(0, smallest, 200)
        series = []
        for name in groups:
            mean = np.array([np.mean([sign * at_cost(cost, curve, g) for cost, curve, _ in curves[name]]) for g in grid])
            series.append((name, mean))
        svg(args.svg, args.title, "incumbent value", series, smallest)


if __name__ == "__main__":
    main()
