#!/usr/bin/python3
"""One Markdown table row per `gos adapt` run: the figures docs/PERFORMANCE.md quotes.

Usage: /usr/bin/python3 benchmarks/adapt/summary.py RUN_DIR [RUN_DIR ...]

Reads each run's adapt.h5 (schema "gos-adapt" v1, docs/ADAPT.md): latency of
the baseline and the adapted model (timed alternately in the final step, batch
1), speedup, parameters, held-out and test accuracy before and after, accepted
replacements out of searched slots, baseline training, search and fine-tune
time, and the stop reason. Plain h5py, so it runs with Debian's python3-h5py.
"""
import math
import sys
from pathlib import Path

import tomllib

import h5py


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def percent(value):
    """An accuracy, or '-' where the run measured none (test_images = 0 records NaN)."""
    return "-" if math.isnan(float(value)) else f"{float(value):.2f}"


def row(run_dir):
    path = Path(run_dir) / "adapt.h5"
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        sys.exit(f"{path}: not readable ({error})")
    with f:
        if text(f.attrs.get("schema", "")) != "gos-adapt":
            sys.exit(f"{path}: not a gos adapt record (schema {f.attrs.get('schema')!r})")
        if "final" not in f:
            sys.exit(f"{path}: the run has not completed (status {text(f.attrs['status'])}); nothing final to report")
        base, final = f["baseline"].attrs, f["final"].attrs
        iterations = [f["iterations"][k].attrs for k in sorted(f["iterations"])]
        searched = [it for it in iterations if text(it["status"]) != "unsupported"]
        search_s = sum(float(it["search_seconds"]) for it in iterations)
        finetune_s = sum(float(it["finetune_seconds"]) for it in iterations)
        config = tomllib.loads(text(f.attrs["config_toml"])).get("adapt", {})
        model = text(f.attrs['model'])
        # A channel multiplier applies to zoo models only; an ONNX file is taken as it is.
        if not model.endswith(".onnx"):
            model += f" (width {config.get('width', 1.0)})"
        return (f"| {Path(run_dir).name} | {model} | {final['baseline_latency_ms']:.2f} -> {final['latency_ms']:.2f} "
                f"| **{final['speedup']:.2f}x** | {int(base['params']):,} -> {int(final['params']):,} "
                f"| {base['accuracy']:.2f} -> {final['accuracy']:.2f} "
                f"| {percent(base['test_accuracy'])} -> {percent(final['test_accuracy'])} "
                f"| {int(final['modified'])} of {len(searched)} searched ({len(iterations) - len(searched)} unsupported) "
                f"| {base['train_seconds'] / 60:.1f} / {search_s / 60:.1f} / {finetune_s / 60:.1f} "
                f"| {text(f.attrs['stop_reason'])} |")


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) > 1 else 2)
    print("| run | model | latency ms, before -> after | speedup | parameters | held-out accuracy % | test accuracy % "
          "| replaced | minutes: baseline training / search / fine-tune | stop |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for run_dir in sys.argv[1:]:
        print(row(run_dir))


if __name__ == "__main__":
    main()
