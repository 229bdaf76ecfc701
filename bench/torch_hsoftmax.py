#!/opt/venv/bin/python
"""The hsoftmax protocol of BENCH.md, PyTorch's side (run by dev.nabla.bench.HsoftmaxBench, one
process per variant so that each has its own peak RSS):

    /opt/venv/bin/python bench/torch_hsoftmax.py full|adaptive

One training step of the output layer only: hidden 256 -> V = 100,000 words with Zipf counts,
batch 128, targets drawn from the Zipf distribution; forward, loss, backward (into the hidden
vectors too), Adam update. "full": nn.Linear + cross-entropy; "adaptive":
nn.AdaptiveLogSoftmaxWithLoss with cutoffs [2000, 10000, 50000] (ids are sorted by frequency, as
it assumes). Prints one JSON line: the median step in ms after a warm-up, every step, peak RSS.
"""
import json
import sys
import time

import numpy as np
import torch

V, HIDDEN, BATCH, WARM, STEPS = 100_000, 256, 128, 5, 20


def main(variant):
    torch.set_num_threads(2)
    torch.manual_seed(0)
    p = 1.0 / np.arange(1, V + 1)
    p /= p.sum()
    rng = np.random.default_rng(0)
    if variant == "full":
        layer = torch.nn.Linear(HIDDEN, V)
        loss_of = lambda h, t: torch.nn.functional.cross_entropy(layer(h), t)
    elif variant == "adaptive":
        layer = torch.nn.AdaptiveLogSoftmaxWithLoss(HIDDEN, V, cutoffs=[2000, 10000, 50000])
        loss_of = lambda h, t: layer(h, t).loss
    else:
        raise SystemExit("variant must be full or adaptive, got " + variant)
    opt = torch.optim.Adam(layer.parameters(), lr=1e-3)
    times = []
    for step in range(WARM + STEPS):
        h = torch.randn(BATCH, HIDDEN, requires_grad=True)
        t = torch.from_numpy(rng.choice(V, size=BATCH, p=p)).long()
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_of(h, t)
        loss.backward()
        opt.step()
        if step >= WARM:
            times.append((time.perf_counter() - start) * 1e3)
    rss = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1]) / 1024.0
    print(json.dumps({"variant": "torch " + variant, "torch": torch.__version__, "ms_median": float(np.median(times)),
                      "ms": [round(x, 3) for x in times], "peak_rss_mb": rss}))


if __name__ == "__main__":
    main(sys.argv[1])
