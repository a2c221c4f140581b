#!/usr/bin/python3
"""Exports torchvision classification models to ONNX with PyTorch's own exporter,
with a reference input and PyTorch's output for each, so that GOS's ONNX importer
is checked against code no one in GOS wrote (torchlib/onnx/torchvision_test.cc).

Run with Debian's Python (python3-torch, python3-torchvision, python3-onnx):
  /usr/bin/python3 scripts/export_torchvision_onnx.py OUT_DIR [--models a,b] [--size 224]
or with a PyTorch 2.x of your own (its legacy TorchScript exporter is used).

Weights are random (seeded; nothing can be downloaded here); batch-norm statistics and
affine parameters are randomised too so that BatchNormalization is not an identity.
Batch normalisation is kept as BatchNormalization nodes (TrainingMode.PRESERVE on a
model in eval mode) unless --fold-bn asks for PyTorch's default export, which folds
it into the preceding convolutions. The batch dimension is exported as dynamic.
Writes OUT_DIR/NAME.onnx, NAME.input.npy, NAME.output.npy and prints one line per model.
"""
import argparse
import inspect
import os
import sys
import time

# Each model is exported at a different opset so that 11..17 are all exercised.
MODELS = {
    "resnet18": 11,
    "mobilenet_v3_small": 12,
    "mobilenet_v3_large": 13,
    "inception_v3": 14,
    "efficientnet_b0": 15,
    "shufflenet_v2_x1_0": 16,
    "squeezenet1_0": 17,
    "mnasnet0_5": 13,
    "regnet_x_400mf": 14,
    "densenet121": 17,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated torchvision model names")
    parser.add_argument("--size", type=int, default=224, help="input height and width (inception_v3: at least 75)")
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--opset", type=int, default=0, help="one opset for all models (0: the table above)")
    parser.add_argument("--fold-bn", action="store_true", help="PyTorch's default eval export (BN folded into Conv)")
    parser.add_argument("--suffix", default="", help="appended to each file name")
    args = parser.parse_args()
    try:
        import numpy
        import torch
        import torchvision
    except ImportError as error:
        print(f"SKIP: Debian's python3-torch, python3-torchvision and python3-numpy are needed ({error})")
        return 77
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for name in args.models.split(","):
        if name not in MODELS:
            print(f"unknown model '{name}'; known: {', '.join(MODELS)}", file=sys.stderr)
            return 2
        start = time.time()
        torch.manual_seed(0)
        kwargs = {"weights": None, "num_classes": args.classes}
        if name == "inception_v3":
            kwargs.update(aux_logits=False, init_weights=True)
        model = getattr(torchvision.models, name)(**kwargs)
        with torch.no_grad():
            for module in model.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.running_mean.uniform_(-0.1, 0.1)
                    module.running_var.uniform_(0.5, 1.5)
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.1, 0.1)
        model.eval()
        x = torch.randn(1, 3, args.size, args.size)
        with torch.no_grad():
            y = model(x)
        base = os.path.join(args.out_dir, name + args.suffix)
        opset = args.opset or MODELS[name]
        mode = torch.onnx.TrainingMode.EVAL if args.fold_bn else torch.onnx.TrainingMode.PRESERVE
        # PyTorch >= 2.9 exports through torch.export (dynamo) by default, another exporter
        # with other graphs; the TorchScript-based one writes the same kind of file as 1.13's.
        legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
        torch.onnx.export(model, x, base + ".onnx", opset_version=opset, training=mode,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **legacy)
        numpy.save(base + ".input.npy", x.numpy())
        numpy.save(base + ".output.npy", y.numpy())
        print(f"{name}: opset {opset}, input {list(x.shape)}, output {list(y.shape)}, {time.time() - start:.1f} s",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
