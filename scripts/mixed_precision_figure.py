#!/usr/bin/python3
"""Accuracy vs BitOPs of mixed-precision runs (docs/MIXED-PRECISION.md) as an SVG and a table.

Usage: /usr/bin/python3 scripts/mixed_precision_figure.py OUT.svg GROUP=RUN.h5[,RUN.h5...] ...
       /usr/bin/python3 scripts/mixed_precision_figure.py --front-genomes RUN.h5[,RUN.h5...]
Each GROUP is drawn in its own colour; every evaluation is a point, and the
non-dominated points of a group (max accuracy, min BitOPs) are joined by a
line. The table (stdout, Markdown) lists every point. --front-genomes prints
the genomes of the runs' joint non-dominated set as a TOML list (for nsga2's
`initial`, to evaluate them again). Needs h5py (Debian's python3-h5py),
nothing else.
"""
import math
import sys

import h5py

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#000000"]


def read_points(path):
    with h5py.File(path, "r") as f:
        names = [n.decode() for n in f["objectives/name"][:]]
        values = f["evaluations/values"][:]
        genomes = [g.decode() for g in f["evaluations/genome"][:]]
        failed = f["evaluations/failed"][:]
    accuracy, bitops = names.index("accuracy"), names.index("bitops")
    return [(row[bitops], row[accuracy], genome, path)
            for row, genome, bad in zip(values, genomes, failed) if not bad]


def front(points):
    best = []
    for p in sorted(points, key=lambda p: (p[0], -p[1])):
        if not best or p[1] > best[-1][1]:
            best.append(p)
    return best


def main(out, groups):
    series = []
    for spec in groups:
        name, files = spec.split("=", 1)
        points = [p for path in files.split(",") for p in read_points(path)]
        series.append((name, points))
    everything = [p for _, points in series for p in points]
    xs = [math.log10(p[0]) for p in everything]
    ys = [p[1] for p in everything]
    x0, x1 = min(xs) - 0.05, max(xs) + 0.05
    y0, y1 = min(ys) - 2, max(ys) + 2
    width, height, margin = 640, 420, 60
    sx = lambda x: margin + (math.log10(x) - x0) / (x1 - x0) * (width - 2 * margin)
    sy = lambda y: height - margin - (y - y0) / (y1 - y0) * (height - 2 * margin)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="12"><rect width="100%" height="100%" fill="white"/>',
           f'<line x1="{margin}" y1="{height - margin}" x2="{width - margin}" y2="{height - margin}" stroke="black"/>',
           f'<line x1="{margin}" y1="{margin}" x2="{margin}" y2="{height - margin}" stroke="black"/>',
           f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">BitOPs (log scale)</text>',
           f'<text x="15" y="{height / 2}" transform="rotate(-90 15 {height / 2})" text-anchor="middle">'
           f'top-1 accuracy (%)</text>']
    for e in range(math.floor(x0), math.ceil(x1) + 1):
        for m in (1, 2, 5):
            v = m * 10 ** e
            if x0 <= math.log10(v) <= x1:
                svg.append(f'<text x="{sx(v):.1f}" y="{height - margin + 15}" text-anchor="middle">{v:.0e}</text>')
    for t in range(math.ceil(y0), math.floor(y1) + 1):
        if t % 5 == 0:
            svg.append(f'<text x="{margin - 5}" y="{sy(t) + 4:.1f}" text-anchor="end">{t}</text>')
    for i, (name, points) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        for p in points:
            svg.append(f'<circle cx="{sx(p[0]):.1f}" cy="{sy(p[1]):.1f}" r="3" fill="{colour}" fill-opacity="0.5"/>')
        line = " ".join(f"{sx(p[0]):.1f},{sy(p[1]):.1f}" for p in front(points))
        svg.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        svg.append(f'<text x="{width - margin - 150}" y="{margin + 15 * i}" fill="{colour}">{name}</text>')
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")
    print("| group | BitOPs (G) | accuracy (%) | genome | file |")
    print("|---|---|---|---|---|")
    for name, points in series:
        for p in sorted(points, key=lambda p: p[0]):
            print(f"| {name} | {p[0] / 1e9:.4g} | {p[1]:.2f} | `{p[2]}` | {p[3].split('/')[-1]} |")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if sys.argv[1] == "--front-genomes":
        points = [p for path in sys.argv[2].split(",") for p in read_points(path)]
        print("[" + ", ".join(f'"{p[2]}"' for p in front(points)) + "]")
    else:
        main(sys.argv[1], sys.argv[2:])
