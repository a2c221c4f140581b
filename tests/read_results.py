#!/usr/bin/python3
"""Reads a GOS results file with h5py and checks it against docs/RESULTS.md.

Usage: /usr/bin/python3 tests/read_results.py RUN.h5
Exits non-zero with a message when the file does not follow the schema.
"""
import sys

import h5py
import numpy as np


def main(path):
    with h5py.File(path, "r") as f:
        assert f.attrs["schema_version"] == 1, "schema_version"
        for key in ("experiment_name", "fingerprint", "gos_version", "git_commit", "host", "start_time", "status"):
            assert key in f.attrs, f"missing root attribute {key}"
        config = f["experiment_toml"][()].decode()
        assert "[experiment]" in config
        names = [n.decode() for n in f["objectives/name"][:]]
        evaluations = f["evaluations"]
        n = evaluations["genome"].shape[0]
        values = evaluations["values"][:]
        assert values.shape == (n, len(names)), values.shape
        for column in ("violation", "generation", "seconds", "failed", "cached", "error"):
            assert evaluations[column].shape == (n,), column
        front = f["front/index"][:]
        assert np.all((front >= 0) & (front < n))
        assert np.array_equal(f["front/values"][:], values[front])
        # No front point is dominated by another evaluation (all objectives minimised here).
        ok = evaluations["failed"][:] == 0
        for i in front:
            dominated = np.all(values[ok] <= values[i], axis=1) & np.any(values[ok] < values[i], axis=1)
            assert not dominated.any(), f"front point {i} is dominated"
        generations = f["generations/generation"].shape[0]
        assert f["generations/evaluations"][-1] == n
        status = f.attrs["status"]
        status = status.decode() if isinstance(status, bytes) else status
        print(f"evaluations {n} objectives {names} generations {generations} status {status}")


if __name__ == "__main__":
    main(sys.argv[1])
