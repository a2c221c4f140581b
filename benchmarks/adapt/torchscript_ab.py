#!/usr/bin/python3
"""A before/after check of `gos adapt`'s speed-up by code GOS did not write.

Usage: /usr/bin/python3 benchmarks/adapt/torchscript_ab.py BEFORE.pt AFTER.pt [ROUNDS]

Times two TorchScript files with PyTorch itself (Debian's python3-torch), the
way the adapt engine compares a splice: one thread, batch 1, CIFAR-size input,
process CPU time, the minimum of 7 runs per round, ROUNDS (default 9)
alternating rounds, medians over rounds. BEFORE is the zoo baseline exported
by `gos model export MODEL --width W --torchscript BEFORE.pt` (seeded weights:
latency does not depend on them), AFTER a run's adapted.pt.
"""
import sys
import time

import torch


def least_cpu_ms(module, x, runs=7):
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        module(x)
        best = min(best, time.process_time() - start)
    return best * 1e3


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    rounds = int(sys.argv[3]) if len(sys.argv) == 4 else 9
    if rounds < 1:
        sys.exit(f"ROUNDS must be at least 1, not {rounds}")
    torch.set_num_threads(1)
    before, after = (torch.jit.load(path).eval() for path in sys.argv[1:3])
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        for module in (before, after):
            for _ in range(3):
                module(x)  # warm-up
        times_before, times_after = [], []
        for _ in range(rounds):
            times_before.append(least_cpu_ms(before, x))
            times_after.append(least_cpu_ms(after, x))
    b, a = median(times_before), median(times_after)
    print(f"before {b:.2f} ms, after {a:.2f} ms, speedup {b / a:.2f}x "
          f"(medians of {rounds} alternating rounds, min of 7 process-CPU runs each)")


if __name__ == "__main__":
    main()
