#!/usr/bin/python3
"""Checks a `gos adapt` run directory's adapted.onnx against its adapted.pt (issue #15):
onnx.checker accepts the file, and an ONNX runtime's output on seeded random inputs equals
the adapted TorchScript model's within a tolerance relative to the output's scale.

Usage: python3 scripts/check_adapted_onnx.py RUN_DIR [RUN_DIR ...] [--batch 1] [--tolerance 1e-4]
                                              [--gos build/gos]

Needs onnx and torch; the runtime is onnxruntime where installed, else onnx's
ReferenceEvaluator (onnx >= 1.13), else (Debian 12's onnx 1.12 has neither) `gos model
run` given with --gos: GOS's own importer, checked against PyTorch and ONNX's node
tests (docs/ONNX.md), but not independent of GOS. Prints one line per run and exits 1
if any fails.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch


def run_onnx(path, x, gos):
    try:
        import onnxruntime

        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        return session.run(None, {name: x})[0], "onnxruntime " + onnxruntime.__version__
    except ImportError:
        pass
    try:
        from onnx.reference import ReferenceEvaluator

        model = onnx.load(path)
        return ReferenceEvaluator(model).run(None, {model.graph.input[0].name: x})[0], "onnx.reference"
    except ImportError:
        if not gos:
            raise SystemExit("no ONNX runtime here (onnxruntime, onnx.reference): pass --gos build/gos")
    with tempfile.TemporaryDirectory() as tmp:
        given, produced = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
        np.save(given, x)
        subprocess.run([gos, "model", "run", path, "--input", given, "--output", produced], check=True,
                       stdout=subprocess.DEVNULL)
        return np.load(produced), "gos model run"


def check(run_dir, batch, tolerance, gos):
    onnx_path = os.path.join(run_dir, "adapted.onnx")
    model = onnx.load(onnx_path)
    onnx.checker.check_model(model, full_check=True)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    shape = [batch if d.dim_param or i == 0 else d.dim_value for i, d in enumerate(dims)]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    got, runtime = run_onnx(onnx_path, x, gos)
    scripted = torch.jit.load(os.path.join(run_dir, "adapted.pt"), map_location="cpu").eval()
    with torch.no_grad():
        want = scripted(torch.from_numpy(x)).numpy()
    scale = max(float(np.abs(want).max()), 1e-12)
    error = float(np.abs(got - want).max()) / scale
    ok = got.shape == want.shape and error <= tolerance
    print(f"{run_dir}: onnx.checker ok; {runtime}; input {shape}; output {list(got.shape)}; "
          f"max |onnx - torchscript| / max |torchscript| = {error:.2e} ({'ok' if ok else 'FAIL'} at {tolerance:g})")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--gos", help="the gos binary, for `gos model run` where no ONNX runtime is installed")
    args = parser.parse_args()
    results = [check(run, args.batch, args.tolerance, args.gos) for run in args.runs]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
