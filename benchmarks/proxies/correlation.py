#!/usr/bin/python3
"""Rank correlation of every objective of a GOS results file with one of them.

Usage: /usr/bin/python3 benchmarks/proxies/correlation.py RESULTS.h5 [--against NAME]

Reads /objectives/name and /evaluations/values (docs/RESULTS.md), keeps the
successful, non-cached rows, and prints Kendall's tau-b and Spearman's rho of
each objective against NAME (default: the last objective), with the number of
rows. Ties are handled (tau-b; average ranks for rho). Plain numpy, so it runs
with Debian's python3-numpy and python3-h5py.
"""
import argparse
import sys

import h5py
import numpy as np


def kendall_tau_b(x, y):
    """Kendall's tau-b, O(n^2): fine for the few hundred rows of a proxy study."""
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    upper = np.triu_indices(len(x), k=1)
    dx, dy = dx[upper], dy[upper]
    concordance = np.sum(dx * dy)
    denominator = np.sqrt(np.sum(dx != 0) * np.sum(dy != 0))
    return float(concordance / denominator) if denominator > 0 else float("nan")


def average_ranks(values):
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2.0
        start = end + 1
    return ranks


def spearman_rho(x, y):
    return float(np.corrcoef(average_ranks(x), average_ranks(y))[0, 1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="a GOS results file (HDF5)")
    parser.add_argument("--against", help="objective to correlate with (default: the last one)")
    args = parser.parse_args()
    try:
        with h5py.File(args.results, "r") as f:
            names = [n.decode() if isinstance(n, bytes) else n for n in f["objectives/name"][()]]
            values = f["evaluations/values"][()]
            keep = (f["evaluations/failed"][()] == 0) & (f["evaluations/cached"][()] == 0)
    except (OSError, KeyError) as error:
        sys.exit(f"{args.results}: not a readable GOS results file ({error})")
    against = args.against or names[-1]
    if against not in names:
        sys.exit(f"{args.results}: no objective '{against}'; it has {', '.join(names)}")
    values = values[keep]
    finite = np.all(np.isfinite(values), axis=1)
    values = values[finite]
    target = values[:, names.index(against)]
    print(f"{args.results}: {len(values)} evaluations ({int(np.sum(~finite))} with a non-finite value left out)")
    print(f"{'objective':<20} {'Kendall tau':>12} {'Spearman rho':>13}   vs {against}")
    for i, name in enumerate(names):
        if name == against:
            continue
        print(f"{name:<20} {kendall_tau_b(values[:, i], target):>12.3f} {spearman_rho(values[:, i], target):>13.3f}")


if __name__ == "__main__":
    main()
