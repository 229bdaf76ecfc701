"""Checks nabla's TensorBoard event files with TensorBoard's own reader (EventAccumulator):
every tag, step and value against what the Java side says it logged.

Run by nabla-dashboard's TensorBoardLoggerTest when /opt/venv/bin/python exists (exit code 77, a skip, when that Python lacks these modules), or by hand
after that test:  /opt/venv/bin/python scripts/check_tensorboard.py nabla-dashboard/target/tensorboard-crosscheck
The folder holds the log runs (train/, validation/) and expected.json:
  {"scalars": {run: {tag: [[step, value], ...]}},
   "histograms": {run: {tag: [[step, [values...]], ...]}},
   "images": {run: {tag: [[step, width, height], ...]}}}
Scalars must equal the float32 of the value; a histogram's min/max/num/sum/sum of squares must
match its values and its buckets np.histogram(values, 30); an image must be a PNG of that size
that is not blank. Prints one line per run and exits 1 on the first difference.
"""
import io
import json
import os
import sys

try:
    import numpy as np
    from PIL import Image
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
except ImportError as e:  # exit code 77: the test skips the cross-check and says why
    print(f"check_tensorboard: this Python has no module {e.name}; pip install numpy pillow tensorboard")
    sys.exit(77)

KEEP_ALL = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0, "compressedHistograms": 0}


def fail(msg):
    print("check_tensorboard: " + msg)
    sys.exit(1)


def check(folder):
    with open(os.path.join(folder, "expected.json")) as f:
        expected = json.load(f)
    runs = sorted(set(expected["scalars"]) | set(expected["histograms"]) | set(expected["images"]))
    for run in runs:
        acc = EventAccumulator(os.path.join(folder, run), size_guidance=KEEP_ALL)
        acc.Reload()
        tags = acc.Tags()
        want = {k: expected[k].get(run, {}) for k in ("scalars", "histograms", "images")}
        for kind, have in (("scalars", tags["scalars"]), ("histograms", tags["histograms"]), ("images", tags["images"])):
            if sorted(have) != sorted(want[kind]):
                fail(f"{run}: {kind} tags {sorted(have)} != expected {sorted(want[kind])}")
        for tag, points in want["scalars"].items():
            got = [(e.step, e.value) for e in acc.Scalars(tag)]
            exp = [(int(s), float(np.float32(v))) for s, v in points]
            if got != exp:
                fail(f"{run}/{tag}: {got} != {exp}")
        for tag, points in want["histograms"].items():
            got = acc.Histograms(tag)
            if [e.step for e in got] != [int(s) for s, _ in points]:
                fail(f"{run}/{tag}: steps {[e.step for e in got]}")
            for e, (step, values) in zip(got, points):
                v = np.asarray(values, dtype=np.float64)
                h = e.histogram_value
                counts, edges = np.histogram(v, bins=30)
                ok = (h.min == v.min() and h.max == v.max() and h.num == v.size
                      and np.isclose(h.sum, v.sum(), rtol=1e-12, atol=1e-12)
                      and np.isclose(h.sum_squares, (v ** 2).sum(), rtol=1e-12, atol=1e-12)
                      and list(h.bucket_limit) == edges[1:].tolist() and list(h.bucket) == counts.tolist())
                if not ok:
                    fail(f"{run}/{tag} step {step}: {h} does not match its {v.size} values")
        for tag, points in want["images"].items():
            got = acc.Images(tag)
            if [(e.step, e.width, e.height) for e in got] != [tuple(p) for p in points]:
                fail(f"{run}/{tag}: {[(e.step, e.width, e.height) for e in got]} != {points}")
            for e in got:
                img = np.asarray(Image.open(io.BytesIO(e.encoded_image_string)).convert("L"))
                if img.shape != (e.height, e.width) or img.min() == img.max():
                    fail(f"{run}/{tag} step {e.step}: the PNG is {img.shape}, pixel range {img.min()}..{img.max()}")
        n = sum(len(p) for k in want for p in want[k].values())
        print(f"{run}: {len(want['scalars'])} scalar, {len(want['histograms'])} histogram, {len(want['images'])} image tags,"
              f" {n} values: all as expected")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: check_tensorboard.py FOLDER (with expected.json and the runs)")
    check(sys.argv[1])
