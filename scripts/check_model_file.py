#!/opt/venv/bin/python
"""Reads a nabla model file with Hugging Face's `safetensors` package and checks its checksums.

A nabla model file (nabla-io's SavedModel) is a plain safetensors file whose metadata also holds
the architecture, preprocessing, ... and two SHA-256 checksums:

  nabla.data_sha256   = sha256 of every byte after the header (the tensor data)
  nabla.header_sha256 = sha256 of the header bytes as stored, with this value written as 64 zeros

This script verifies both from the raw bytes (hashlib, apart from nabla's Java), reads every
tensor with safetensors.safe_open, parses the JSON metadata, and writes what it found to
nabla-io/src/test/resources/model/small-cnn.expected.json, which ModelFilePythonTest compares
with what nabla's loader reads from the same committed file (so CI needs no Python):

    /opt/venv/bin/python scripts/check_model_file.py

The model file itself, nabla-io/src/test/resources/model/small-cnn.safetensors, was written by
nabla 0.1.0 (SavedModel.save of a small conv + batch-norm + linear network, see the test); it
stays committed so that every later nabla must still load it.
"""
import hashlib
import json
import struct
import sys

import numpy as np
from safetensors import safe_open

MODEL = "nabla-io/src/test/resources/model/small-cnn.safetensors"
OUT = "nabla-io/src/test/resources/model/small-cnn.expected.json"

raw = open(MODEL, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = raw[8:8 + n]
meta = json.loads(header)["__metadata__"]

data_ok = hashlib.sha256(raw[8 + n:]).hexdigest() == meta["nabla.data_sha256"]
own = meta["nabla.header_sha256"].encode()
assert header.count(own) == 1
header_ok = hashlib.sha256(header.replace(own, b"0" * 64)).hexdigest() == meta["nabla.header_sha256"]
if not (data_ok and header_ok):
    sys.exit("checksum mismatch: data %s, header %s" % (data_ok, header_ok))

tensors = {}
with safe_open(MODEL, "np") as f:
    for name in f.keys():
        t = f.get_tensor(name)
        bits = t.view(np.uint32 if t.dtype == np.float32 else np.uint64).ravel().tolist()
        tensors[name] = {"dtype": str(t.dtype), "shape": list(t.shape), "bits": [str(b) for b in bits]}

out = {
    "data_sha256": hashlib.sha256(raw[8 + n:]).hexdigest(),
    "checksums_verified": data_ok and header_ok,
    "architecture": json.loads(meta["architecture"]),
    "preprocessing": json.loads(meta["preprocessing"]),
    "input_shape": json.loads(meta["input_shape"]),
    "tensors": tensors,
}
with open(OUT, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
print("checksums verified; %d tensors written to %s" % (len(tensors), OUT))
