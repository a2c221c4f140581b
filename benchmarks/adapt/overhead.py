#!/usr/bin/python3
"""Framework overhead per candidate of gos adapt runs: for each inner search,
the search's wall time (adapt.h5 /iterations/NNN search_seconds) minus the
time the runner spent evaluating candidates (search_<k>.h5 evaluations/seconds),
per candidate and as a share of the search. Only fresh searches count (a
resumed one replays recorded evaluations).

    /usr/bin/python3 benchmarks/adapt/overhead.py RUN_DIR...
"""
import sys
from pathlib import Path

import h5py

total_search = total_eval = 0.0
total_candidates = 0
for run in map(Path, sys.argv[1:]):
    with h5py.File(run / "adapt.h5", "r") as record:
        for name, it in record["iterations"].items():
            search_file = it.attrs["search_file"]
            if not search_file:
                continue
            with h5py.File(run / search_file, "r") as search:
                evaluation = float(search["evaluations/seconds"][:].sum())
                candidates = len(search["evaluations/seconds"])
            seconds = float(it.attrs["search_seconds"])
            total_search += seconds
            total_eval += evaluation
            total_candidates += candidates
            print(f"{run.name}/{search_file}: {candidates} candidates, search {seconds:.2f} s, evaluations "
                  f"{evaluation:.2f} s, overhead {1e3 * (seconds - evaluation) / candidates:.2f} ms per candidate "
                  f"({100 * (seconds - evaluation) / seconds:.2f}%)")
if total_candidates:
    print(f"all: {total_candidates} candidates, overhead {1e3 * (total_search - total_eval) / total_candidates:.2f} ms "
          f"per candidate = {100 * (total_search - total_eval) / total_search:.2f}% of the searches' time; "
          f"a candidate's evaluation {1e3 * total_eval / total_candidates:.0f} ms")
