#!/opt/venv/bin/python
"""nabla <-> PyTorch round trip of whole models, through safetensors with PyTorch's names.

The nets are the model specs in nabla-io/src/test/resources/torch-roundtrip/{mlp,cnn_bn}.json;
TORCH below builds the equivalent torch.nn.Sequential of each. Run from the repository root with
/opt/venv/bin/python (PyTorch 2.x, safetensors, NumPy):

    /opt/venv/bin/python scripts/torch_roundtrip.py write
        PyTorch -> nabla: for each net, a torch model with random weights (and running
        statistics), its state_dict saved as NAME.safetensors, and NAME.npz with inputs x and
        the torch outputs y (eval mode), into nabla-io/src/test/resources/torch-roundtrip/
        (committed). TorchRoundTripTest builds the nabla model from NAME.json, loads the state
        dict strictly and compares outputs.

    ./run-tests -pl nabla-io -am -Dtest=TorchRoundTripTest -Dsurefire.failIfNoSpecifiedTests=false
    /opt/venv/bin/python scripts/torch_roundtrip.py check [FOLDER]
        nabla -> PyTorch: loads each model folder the test saved into FOLDER/NAME/
        (nabla-io/target/torch-roundtrip/NAME/, model.safetensors) into the torch module with
        load_state_dict(strict=True) and compares its outputs with nabla's (NAME/io.npz).
        TorchRoundTripTest runs this itself with the Python run-tests gives it (NABLA_TEST_PYTHON);
        exit code 77 (a skip) when that Python lacks a module.
"""
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
    from safetensors.torch import load_file, save_file
except ImportError as e:  # exit code 77: TorchRoundTripTest skips the check and says why
    print(f"torch_roundtrip: this Python has no module {e.name}; pip install numpy torch safetensors")
    sys.exit(77)

FIXTURES = "nabla-io/src/test/resources/torch-roundtrip"
WRITTEN = "nabla-io/target/torch-roundtrip"

TORCH = {
    "mlp": lambda: nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 16), nn.Tanh(),
                                 nn.Linear(16, 10)),
    "cnn_bn": lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                    nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                                    nn.Flatten(), nn.Linear(8 * 3 * 3, 10)),
}
SHAPES = {"mlp": (5, 1, 8, 8), "cnn_bn": (5, 1, 12, 12)}


def rel_err(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


def write():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    for name, make in TORCH.items():
        model = make()
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.5)
                    m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                    m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                    m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
                    m.num_batches_tracked.fill_(7)
        model.eval()
        x = torch.randn(*SHAPES[name], generator=gen)
        with torch.no_grad():
            y = model(x)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(FIXTURES, name + ".safetensors"))
        np.savez(os.path.join(FIXTURES, name + ".npz"), x=x.numpy(), y=y.numpy())
        print("wrote", name)


def check(folder=WRITTEN):
    for name, make in TORCH.items():
        model = make()
        state = load_file(os.path.join(folder, name, "model.safetensors"))
        model.load_state_dict(state, strict=True)
        model.eval()
        io = np.load(os.path.join(folder, name, "io.npz"))
        with torch.no_grad():
            y = model(torch.from_numpy(io["x"])).numpy()
        err = rel_err(y, io["y"])
        print(f"{name}: nabla's model file loads into torch with strict=True; max relative error vs nabla {err:.3g}")
        assert err <= 1e-5, (name, err)


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](*sys.argv[2:])
