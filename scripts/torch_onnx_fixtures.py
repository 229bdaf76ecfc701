#!/opt/venv/bin/python
"""ONNX files exported by PyTorch, with inputs and PyTorch's outputs, for nabla-onnx's OnnxImportTest.

Run from the repository root: /opt/venv/bin/python scripts/torch_onnx_fixtures.py
(PyTorch 2.x with onnx and onnxscript; written with PyTorch 2.13). Writes, into
nabla-onnx/src/test/resources/onnx/ (committed):

  NAME.onnx  the model exported by torch.onnx.export (dynamic batch dim)
  NAME.npz   x: a batch of inputs, y: the PyTorch model's outputs for x (eval mode)

Models: mlp (Linear/ReLU/Tanh), vgg (a VGG-style convolutional net: conv 3x3 + ReLU blocks,
max pooling, adaptive average pooling to 1x1, flatten, dropout, linear layers), both with the
default (dynamo) exporter; cnn_bn (conv + BatchNorm2d + ReLU + max pooling, twice, then
linear + BatchNorm1d + log-softmax) with the TorchScript exporter in TrainingMode.PRESERVE, which
keeps the BatchNormalization nodes (the dynamo exporter folds a batch norm into the convolution
before it), and cnn_bn_folded, the same model with the default exporter; embedding
(Embedding(50, 8) -> Flatten -> Linear(24, 5) on int64 indices [batch, 3], default exporter).

    /opt/venv/bin/python scripts/torch_onnx_fixtures.py NAME...
        writes only the named models (the others' committed files stay as they are).

    /opt/venv/bin/python scripts/torch_onnx_fixtures.py check
        runs ONNX's own checker (onnx.checker.check_model, full_check: with shape inference) on
        the files nabla exported in OnnxExportTest (nabla-onnx/target/onnx-written/*.onnx).
"""
import glob
import os
import sys
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn

OUT = "nabla-onnx/src/test/resources/onnx"


def randomize_bn(model, gen):
    """Non-trivial running statistics and affine weights, so that the import of each is checked."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.5)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)


def models():
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 5))
    cnn = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 7 * 7, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 10), nn.LogSoftmax(dim=1))
    vgg = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 10))
    embedding = nn.Sequential(nn.Embedding(50, 8), nn.Flatten(), nn.Linear(8 * 3, 5))
    gen = torch.Generator().manual_seed(1)
    randomize_bn(cnn, gen)
    return [("mlp", mlp, (6, 20), True), ("cnn_bn", cnn, (4, 1, 28, 28), False),
            ("cnn_bn_folded", cnn, (4, 1, 28, 28), True), ("vgg", vgg, (2, 3, 32, 32), True),
            ("embedding", embedding, (4, 3), True)]


def main(names):
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(2)
    for name, model, shape, dynamo in models():
        model.eval()
        # every model's input is drawn, written or not, so that each keeps its committed values
        x = torch.randint(0, 50, shape, generator=gen) if name == "embedding" else torch.randn(*shape, generator=gen)
        if names and name not in names:
            continue
        with torch.no_grad():
            y = model(x)
        path = os.path.join(OUT, name + ".onnx")
        if dynamo:
            torch.onnx.export(model, (x,), path, dynamo=True, input_names=["input"], output_names=["output"],
                              dynamic_shapes=({0: torch.export.Dim("batch")},), external_data=False)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17, input_names=["input"],
                                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                                  training=torch.onnx.TrainingMode.PRESERVE)
        np.savez(os.path.join(OUT, name + ".npz"), x=x.numpy(), y=y.numpy())
        print(name, os.path.getsize(path), "bytes")


def check():
    files = sorted(glob.glob("nabla-onnx/target/onnx-written/*.onnx"))
    assert files, "no files: run ./run-tests -pl nabla-onnx -am -Dtest=OnnxExportTest first"
    for f in files:
        m = onnx.load(f)
        onnx.checker.check_model(m, full_check=True)
        meta = {p.key: p.value for p in m.metadata_props}
        print(f"{f}: valid ONNX (opset {m.opset_import[0].version}, IR {m.ir_version}), name {meta['name']}, nabla {meta['nabla_version']}")


if __name__ == "__main__":
    check() if sys.argv[1:] == ["check"] else main(sys.argv[1:])
