"""Writes the TensorBoard event-file fixtures of nabla-dashboard's tests with TensorBoard's own
writer (PyTorch's torch.utils.tensorboard.SummaryWriter, which frames records with TensorBoard's
code), so the Java test can check nabla's framing, CRCs and protobuf bytes against them.

Run (from the repo root):  /opt/venv/bin/python scripts/tensorboard_fixtures.py
Writes nabla-dashboard/src/test/resources/tensorboard/: reference.tfevents (the events of
recipe() below; keep in sync with TensorBoardFixtureTest), image.png (the PNG inside its image
event) and histogram.json (values and NumPy's np.histogram of them, for Histogram.of).
"""
import glob
import json
import os
import shutil
import tempfile

import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter
from torch.utils.tensorboard.summary import image as image_summary

OUT = os.path.join(os.path.dirname(__file__), "..", "nabla-dashboard", "src", "test", "resources", "tensorboard")
WALL = 1_700_000_000.25  # fixed wall time of every event but the file_version one


def image():
    """A 5x7 RGB ramp (HWC, uint8)."""
    h, w = 5, 7
    img = np.zeros((h, w, 3), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            img[y, x] = (x * 36, y * 60, (x + y) * 20)
    return img


def main():
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp()
    writer = SummaryWriter(tmp)
    # scalars: zero (a oneof field, so written), negative, tiny, large step, step 0
    for step, value in [(0, 0.0), (1, -1.5), (7, 1e-8), (123456789012, 3.25)]:
        writer.add_scalar("epoch_loss", value, global_step=step, walltime=WALL)
    writer.add_scalar("batch/accuracy", 0.875, global_step=3, walltime=WALL)
    # a histogram with the bucket layout nabla writes (right edges, counts)
    # dyadic values: their sums are exact whatever the order of addition
    values = np.array([-1.0, -0.5, -0.5, 0.0, 0.25, 0.375, 1.0, 2.0], dtype=np.float64)
    counts, edges = np.histogram(values, bins=4)
    writer.add_histogram_raw("weights/0.weight", min=values.min(), max=values.max(), num=len(values),
                             sum=values.sum(), sum_squares=(values ** 2).sum(), bucket_limits=edges[1:].tolist(),
                             bucket_counts=counts.astype(np.float64).tolist(), global_step=2, walltime=WALL)
    writer.add_image("predictions", image(), global_step=4, walltime=WALL, dataformats="HWC")
    writer.close()
    (events,) = glob.glob(os.path.join(tmp, "events.out.tfevents.*"))
    shutil.copy(events, os.path.join(OUT, "reference.tfevents"))
    png = image_summary("predictions", image(), dataformats="HWC").value[0].image.encoded_image_string
    with open(os.path.join(OUT, "image.png"), "wb") as f:
        f.write(png)
    shutil.rmtree(tmp)

    # Histogram.of against np.histogram: edge values, repeated values, a constant array
    rng = np.random.default_rng(0)
    cases = []
    for vals, bins in [
        (rng.normal(size=1000), 30),
        (np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]), 10),
        (np.array([3.0, 3.0, 3.0]), 5),
        ((rng.integers(-5, 6, size=200) / 3.0), 7),
    ]:
        c, e = np.histogram(vals, bins=bins)
        cases.append({"values": vals.tolist(), "bins": bins, "limits": e[1:].tolist(), "counts": c.tolist()})
    with open(os.path.join(OUT, "histogram.json"), "w") as f:
        json.dump(cases, f)
    print("wrote", OUT, "with torch", torch.__version__)


if __name__ == "__main__":
    main()
