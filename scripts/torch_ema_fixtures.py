#!/usr/bin/env python3
"""Reference values from PyTorch 2 for dev.nabla.optim.ExponentialMovingAverage.

Regenerate (from the repository root; needs PyTorch >= 2.1, e.g. the bench's virtual environment):

    /opt/venv/bin/python scripts/torch_ema_fixtures.py

It writes nabla-core/src/test/resources/fixtures/torch_ema.json, read by
nabla-core/src/test/java/dev/nabla/optim/ExponentialMovingAverageTest.java. A Linear(3, 2) and a
BatchNorm1d(2) in a Sequential take the float32 states `states[k]` one after another (as if trained);
torch.optim.swa_utils.AveragedModel with get_ema_multi_avg_fn(decay) (buffers kept in sync) is
updated once at construction (which copies) and once after each state; `averaged[k]` is its state
after state k. Values are float64 reprs of float32 numbers; the file is deterministic.
"""
import json
import pathlib

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

OUT = pathlib.Path(__file__).resolve().parent.parent / "nabla-core/src/test/resources/fixtures/torch_ema.json"
DECAY = 0.9


def flat(t):
    return [float(x) for x in t.detach().double().reshape(-1).tolist()]


def main():
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    avg = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(DECAY))
    avg.update_parameters(model)
    init = {k: flat(v) for k, v in model.state_dict().items() if v.is_floating_point()}
    states, averaged = [], []
    for _ in range(4):
        with torch.no_grad():
            for v in model.state_dict().values():
                if v.is_floating_point():
                    v.copy_(torch.randn(v.shape) * 2)
        avg.update_parameters(model)
        states.append({k: flat(v) for k, v in model.state_dict().items() if v.is_floating_point()})
        averaged.append({k: flat(v) for k, v in avg.module.state_dict().items() if v.is_floating_point()})
    out = {"torch": torch.__version__, "decay": DECAY, "init": init, "states": states, "averaged": averaged}
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
