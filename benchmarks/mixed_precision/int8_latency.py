#!/usr/bin/python3
"""Measured int8 latency on this CPU next to BitOPs (issue #17 item 5).

GOS's mixed-precision models are LSQ fake-quantized: they compute in float, so
their latency here says nothing about integer kernels. This measures what
8-bit integer kernels buy on this CPU for the network the mixed-precision
experiments search (the zoo's ResNet18 with the CIFAR stem, 32x32 input, 10
classes, at a channel multiplier): the same architecture written in PyTorch,
quantized to int8 by PyTorch's own post-training static quantization (FX graph
mode: conv+bn+relu fused, per-tensor activations, calibrated on random
inputs) through a quantized engine of Debian's LibTorch 1.13 (qnnpack or
onednn; fbgemm is not built in). Latency does not depend on the weights'
values, so random weights are used; accuracy is not measured here.

Timing: one thread, batch 1, process CPU time per forward pass; each of
--rounds alternating rounds (float, int8, float, ...) takes the minimum of
--repeats calls; the medians over rounds are compared.

Usage: /usr/bin/python3 benchmarks/mixed_precision/int8_latency.py [--widths 0.125,0.5,1]
          [--engine qnnpack] [--rounds 9] [--repeats 7]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class CifarResNet18(nn.Module):
    """torchlib/zoo.cc's resnet18 with the CIFAR stem: 3x3 stem, no max pool, 4 stages of 2 blocks."""

    def __init__(self, width, classes=10):
        super().__init__()
        planes = [max(1, int(64 * 2**i * width + 0.5)) for i in range(4)]  # lround, as zoo.cc
        self.stem = nn.Sequential(nn.Conv2d(3, planes[0], 3, 1, 1, bias=False), nn.BatchNorm2d(planes[0]), nn.ReLU())
        blocks, cin = [], planes[0]
        for stage, cout in enumerate(planes):
            for block in range(2):
                blocks.append(BasicBlock(cin, cout, 2 if stage > 0 and block == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def macs(model, x):
    """Multiply-accumulates of the conv and linear layers for one input (hooks on the float model)."""
    total = [0]

    def count(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            total[0] += output.numel() * module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
        elif isinstance(module, nn.Linear):
            total[0] += output.numel() * module.in_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x)
    for hook in hooks:
        hook.remove()
    return total[0]


def cpu_ms(model, x, repeats):
    best = float("inf")
    with torch.no_grad():
        for _ in range(repeats):
            start = time.process_time()
            model(x)
            best = min(best, time.process_time() - start)
    return best * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--widths", default="0.125,0.5,1")
    parser.add_argument("--engine", default="qnnpack", choices=torch.backends.quantized.supported_engines)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.backends.quantized.engine = args.engine
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, engine {args.engine} (supported: {torch.backends.quantized.supported_engines}), "
          f"1 thread, batch 1, 32x32; medians of {args.rounds} alternating rounds of the minimum of {args.repeats}")
    print("| width | MACs (M) | BitOPs 32-bit (G) | BitOPs 8-bit (G) | float ms | int8 ms | int8 speedup | int8 error (max abs diff / max abs float) |")
    print("|---|---|---|---|---|---|---|---|")
    for width in [float(w) for w in args.widths.split(",")]:
        model = CifarResNet18(width).eval()
        x = torch.randn(1, 3, 32, 32)
        calibration = [torch.randn(8, 3, 32, 32) for _ in range(4)]
        prepared = prepare_fx(model, get_default_qconfig_mapping(args.engine), example_inputs=(x,))
        with torch.no_grad():
            for batch in calibration:
                prepared(batch)
        quantized = convert_fx(prepared)
        with torch.no_grad():
            want, got = model(x), quantized(x)
        error = float((want - got).abs().max() / want.abs().max())
        fp, q = [], []
        for _ in range(args.rounds):
            fp.append(cpu_ms(model, x, args.repeats))
            q.append(cpu_ms(quantized, x, args.repeats))
        m = macs(model, x)
        fp_ms, q_ms = statistics.median(fp), statistics.median(q)
        print(f"| {width:g} | {m / 1e6:.1f} | {m * 32 * 32 / 1e9:.2f} | {m * 8 * 8 / 1e9:.3f} | {fp_ms:.3f} | {q_ms:.3f} "
              f"| **{fp_ms / q_ms:.2f}x** | {error:.3f} |", flush=True)


if __name__ == "__main__":
    main()
