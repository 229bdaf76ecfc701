#!/usr/bin/python3
"""Cross-checks nabla's safetensors files against an independent Python implementation.

The `safetensors` Python package is not needed (nor installed here): this script parses and
writes the format itself from the spec (https://github.com/huggingface/safetensors, README
"Format" and safetensors/src/tensor.rs) with struct + json + numpy, and builds tensors with torch
(Debian's python3-torch). So it is a second implementation, written apart from nabla's Java one.

Two directions, run from the repository root:

1. nabla -> Python. The Java test PythonCrossCheckTest writes
   nabla-io/target/crosscheck/nabla_written.safetensors on every run. Then

       ./run-tests -pl nabla-io -am -Dtest=PythonCrossCheckTest -Dsurefire.failIfNoSpecifiedTests=false
       /usr/bin/python3 scripts/check_safetensors.py from-nabla

   parses that file, checks it (every rule of the spec, plus the reference writer's layout:
   header padded with spaces to a multiple of 8, "__metadata__" first, tensors ordered by dtype
   alignment then name), compares every element bit for bit with the same tensors built here
   (RECIPE below, mirrored in the Java test), and writes what it read to
   nabla-io/src/test/resources/safetensors/nabla_written.expected.json: the file's SHA-256 and
   every tensor's dtype, shape, offsets and element bits. The Java test then checks, without
   Python, that nabla still writes exactly those bytes. Re-run both commands after changing the
   writer or the recipe, and commit the JSON.

2. Python -> nabla.

       /usr/bin/python3 scripts/check_safetensors.py to-nabla

   writes nabla-io/src/test/resources/safetensors/torch_written.safetensors (torch tensors:
   float32, float64, int64, 0-d, empty, multi-dimensional, NaN payloads, infinities, -0.0,
   subnormals, int64 extremes, non-ASCII names, metadata) laid out as the reference writer does,
   and torch_written.expected.json with the expected element bits. The Java test reads the file
   with nabla, compares bit for bit, and checks that nabla rewrites it byte-identically.

Also: `check_safetensors.py read FILE` validates any safetensors file and prints its tensors.
Output is deterministic: running a command twice gives identical files.
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
RES = os.path.join(ROOT, "nabla-io", "src", "test", "resources", "safetensors")
NABLA_FILE = os.path.join(ROOT, "nabla-io", "target", "crosscheck", "nabla_written.safetensors")

# dtype code -> (numpy little-endian dtype, unsigned view for bits, rank in the reference order)
DTYPES = {
    "F32": (np.dtype("<f4"), np.dtype("<u4"), 0),
    "F64": (np.dtype("<f8"), np.dtype("<u8"), 1),
    "I64": (np.dtype("<i8"), np.dtype("<u8"), 2),
}
KNOWN_OTHER = {"BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "U64",
               "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"}
MAX_HEADER = 100_000_000


class Invalid(Exception):
    pass


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise Invalid(f"duplicate key {k!r} in the header")
        d[k] = v
    return d


def parse(path):
    """Parses and validates a safetensors file by the spec. Returns (header_len, header_text,
    entries in offset order [(name, code, shape, begin, end, array)], metadata)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise Invalid(f"file is {len(blob)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise Invalid(f"header length {n} beyond the file ({len(blob)} bytes)")
    if n > MAX_HEADER:
        raise Invalid(f"header length {n} over {MAX_HEADER}")
    text = blob[8:8 + n].decode("utf-8")  # raises on invalid UTF-8
    header = json.loads(text, object_pairs_hook=_no_duplicates)
    if not isinstance(header, dict):
        raise Invalid("header is not a JSON object")
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise Invalid("__metadata__ must map strings to strings")
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise Invalid(f"{name}: entry must hold exactly dtype, shape, data_offsets: {info!r}")
        code, shape, offs = info["dtype"], info["shape"], info["data_offsets"]
        if code not in DTYPES:
            raise Invalid(f"{name}: dtype {code!r} " + ("not handled here" if code in KNOWN_OTHER else "unknown"))
        if not (isinstance(shape, list) and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)):
            raise Invalid(f"{name}: bad shape {shape!r}")
        if not (isinstance(offs, list) and len(offs) == 2
                and all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offs) and offs[0] <= offs[1]):
            raise Invalid(f"{name}: bad data_offsets {offs!r}")
        dt = DTYPES[code][0]
        numel = int(np.prod(shape, dtype=object)) if shape else 1
        if offs[1] - offs[0] != numel * dt.itemsize:
            raise Invalid(f"{name}: {code} {shape} needs {numel * dt.itemsize} bytes, offsets span {offs[1] - offs[0]}")
        if offs[1] > len(data):
            raise Invalid(f"{name}: offsets {offs} beyond the data ({len(data)} bytes)")
        arr = np.frombuffer(data, dtype=dt, count=numel, offset=offs[0]).reshape(shape)
        entries.append((name, code, list(shape), offs[0], offs[1], arr))
    entries.sort(key=lambda e: (e[3], e[4]))
    pos = 0
    for e in entries:
        if e[3] != pos:
            raise Invalid(f"{e[0]}: starts at {e[3]}, expected {pos} (" + ("overlap" if e[3] < pos else "hole") + ")")
        pos = e[4]
    if pos != len(data):
        raise Invalid(f"{len(data) - pos} trailing bytes after the last tensor")
    return n, text, entries, metadata


def reference_order(items):
    """The reference writer's order: dtype alignment descending, then name (UTF-8 bytes)."""
    return sorted(items, key=lambda kv: (-DTYPES[kv[1]][2], kv[0].encode("utf-8")))


def bits(arr, code):
    view = np.ascontiguousarray(arr).astype(DTYPES[code][0], copy=False).view(DTYPES[code][1]).reshape(-1)
    width = 2 * DTYPES[code][1].itemsize
    return [format(int(v), f"0{width}x") for v in view]


def f32_bits(words):
    return np.array(words, dtype="<u4").view("<f4")


def f64_bits(words):
    return np.array(words, dtype="<u8").view("<f8")


# Special values by bit pattern: NaN, NaN with payload, signaling NaN, +inf, -inf, -0.0, +0.0,
# smallest subnormal, largest finite, 1.0.
F32_SPECIALS = [0x7FC00000, 0x7FC00001, 0x7F800001, 0x7F800000, 0xFF800000, 0x80000000, 0x00000000,
                0x00000001, 0x7F7FFFFF, 0x3F800000]
F64_SPECIALS = [0x7FF8000000000000, 0x7FF8000000000001, 0x7FF0000000000001, 0x7FF0000000000000,
                0xFFF0000000000000, 0x8000000000000000, 0x0000000000000001, 0x7FEFFFFFFFFFFFFF]
I64_EXTREMES = [-(2 ** 63), 2 ** 63 - 1, 2 ** 53 + 1, -(2 ** 53) - 1, -1, 0]


def recipe():
    """The tensors nabla writes in PythonCrossCheckTest.recipe() (keep both in sync), as numpy."""
    t = {}
    t["w.f32"] = ((np.arange(12, dtype=np.float32) - 5) / 8).reshape(3, 4)
    t["w.f32.t"] = np.arange(12, dtype=np.float32).reshape(3, 4).T  # a transposed (non-contiguous) view in nabla
    t["w.f64"] = (np.arange(24, dtype=np.float64) * 0.1 - 1.0).reshape(2, 3, 4)
    t["f32.specials"] = f32_bits(F32_SPECIALS)
    t["f64.specials"] = f64_bits(F64_SPECIALS)
    t["labels"] = np.array(I64_EXTREMES, dtype=np.int64)
    t["scalar.f32"] = np.array(2.5, dtype=np.float32)
    t["scalar.f64"] = np.array(np.pi, dtype=np.float64)
    t["scalar.i64"] = np.array(-7, dtype=np.int64)
    t["empty.f32"] = np.zeros((0,), dtype=np.float32)
    t["empty.f64"] = np.zeros((3, 0), dtype=np.float64)
    t["empty.i64"] = np.zeros((0, 2, 2), dtype=np.int64)
    t["z\uFF21"] = np.array([1.0], dtype=np.float32)      # U+FF21: after '😀' in UTF-16 order, before it in UTF-8
    t["z\U0001F600"] = np.array([2.0], dtype=np.float32)
    meta = {"framework": "nabla", "json": '{"layers":[1,20,1]}', "quote": 'say "hi" \u03b2'}
    return t, meta


CODE_OF = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int64): "I64"}


def from_nabla(path, out):
    import torch
    n, text, entries, metadata = parse(path)
    problems = []
    # The reference writer's layout.
    if n % 8 != 0:
        problems.append(f"header length {n} is not a multiple of 8")
    body = text.rstrip(" ")
    if not body.endswith("}") or len(text) - len(body) >= 8:
        problems.append("header is not the JSON object followed by fewer than 8 padding spaces")
    if json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False) != body:
        problems.append("header JSON is not compact (as serde_json writes it)")
    keys = list(json.loads(text).keys())
    if metadata and keys[0] != "__metadata__":
        problems.append("__metadata__ is not the first key")
    names_in_header = [k for k in keys if k != "__metadata__"]
    if names_in_header != [e[0] for e in entries]:
        problems.append("header order differs from data order")
    expected, expected_meta = recipe()
    want_order = [k for k, _ in reference_order([(k, CODE_OF[v.dtype]) for k, v in expected.items()])]
    if [e[0] for e in entries] != want_order:
        problems.append(f"tensor order {[e[0] for e in entries]} is not the reference order {want_order}")
    if metadata != expected_meta:
        problems.append(f"metadata {metadata!r} != {expected_meta!r}")
    if set(e[0] for e in entries) != set(expected):
        problems.append(f"names {sorted(e[0] for e in entries)} != {sorted(expected)}")
    for name, code, shape, b, e, arr in entries:
        want = expected.get(name)
        if want is None:
            continue
        if code != CODE_OF[want.dtype] or list(want.shape) != shape:
            problems.append(f"{name}: {code} {shape}, expected {CODE_OF[want.dtype]} {list(want.shape)}")
            continue
        # Bit for bit, through torch (integer views, so that NaN payloads and -0.0 count).
        iv = {"F32": "<i4", "F64": "<i8", "I64": "<i8"}[code]
        got_t = torch.from_numpy(np.ascontiguousarray(arr).view(iv).copy())
        want_t = torch.from_numpy(np.ascontiguousarray(want).astype(DTYPES[code][0]).view(iv).copy())
        if not torch.equal(got_t, want_t) or bits(arr, code) != bits(want, code):
            problems.append(f"{name}: values differ: {arr!r} vs {want!r}")
    if problems:
        for p in problems:
            print("FAIL:", p)
        sys.exit(1)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    record = {
        "comment": "What scripts/check_safetensors.py (numpy + torch, no safetensors package) read from the file "
                   "nabla wrote in PythonCrossCheckTest; regenerate with: /usr/bin/python3 scripts/check_safetensors.py from-nabla",
        "sha256": digest,
        "size": os.path.getsize(path),
        "header_length": n,
        "metadata": metadata,
        "tensors": [{"name": name, "dtype": code, "shape": shape, "data_offsets": [b, e], "bits": bits(arr, code)}
                    for name, code, shape, b, e, arr in entries],
    }
    write_json(out, record)
    print(f"OK: {path}: {len(entries)} tensors and the metadata match, reference layout; wrote {out}")


def torch_fixture():
    import torch
    t = {}
    t["f32.matrix"] = torch.tensor([[1.5, -2.25, 3.0], [0.1, 1e-8, -7.0]], dtype=torch.float32)
    t["f32.specials"] = torch.from_numpy(f32_bits(F32_SPECIALS).copy())
    t["f32.scalar"] = torch.tensor(3.25, dtype=torch.float32)
    t["f32.empty"] = torch.zeros(0, dtype=torch.float32)
    t["f32.cube"] = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4).div(3)
    t["f32.transposed"] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()  # saved contiguous
    t["f64.cube"] = torch.arange(24, dtype=torch.float64).reshape(2, 3, 4) * 0.1 - 1
    t["f64.specials"] = torch.from_numpy(f64_bits(F64_SPECIALS).copy())
    t["f64.scalar"] = torch.tensor(-0.5, dtype=torch.float64)
    t["f64.empty2d"] = torch.zeros(2, 0, 3, dtype=torch.float64)
    t["i64.labels"] = torch.tensor(I64_EXTREMES, dtype=torch.int64)
    t["i64.matrix"] = torch.arange(6, dtype=torch.int64).reshape(3, 2) - 3
    t["i64.scalar"] = torch.tensor(42, dtype=torch.int64)
    t["i64.empty"] = torch.zeros(0, 4, dtype=torch.int64)
    t["layer.\u03b2"] = torch.tensor([0.25], dtype=torch.float32)
    t["z\uFF21"] = torch.tensor([1.0], dtype=torch.float32)
    t["z\U0001F600"] = torch.tensor([2.0], dtype=torch.float32)
    meta = {"format": "pt", "json": '{"a":[1,2],"b":"\u00e9"}', "note": 'written by torch "quoted" \u03b2'}
    return t, meta


def write_safetensors(path, tensors, metadata):
    """Writes as the reference writer does (safetensors/src/tensor.rs, prepare/serialize)."""
    arrays = {k: v.detach().contiguous().numpy() for k, v in tensors.items()}
    order = reference_order([(k, CODE_OF[a.dtype]) for k, a in arrays.items()])
    header = {}
    if metadata:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    blobs, offset = [], 0
    for name, code in order:
        raw = np.ascontiguousarray(arrays[name]).astype(DTYPES[code][0], copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(arrays[name].shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def to_nabla():
    tensors, meta = torch_fixture()
    os.makedirs(RES, exist_ok=True)
    path = os.path.join(RES, "torch_written.safetensors")
    write_safetensors(path, tensors, meta)
    n, _, entries, metadata = parse(path)  # our own reader agrees
    assert metadata == meta and len(entries) == len(tensors)
    for name, code, shape, b, e, arr in entries:
        want = tensors[name].contiguous().numpy()
        assert list(want.shape) == shape and bits(arr, code) == bits(want, code), name
    record = {
        "comment": "Expected content of torch_written.safetensors, written by "
                   "/usr/bin/python3 scripts/check_safetensors.py to-nabla (torch " + __import__("torch").__version__.split("+")[0] + ")",
        "metadata": meta,
        "tensors": [{"name": name, "dtype": code, "shape": shape, "data_offsets": [b, e], "bits": bits(arr, code)}
                    for name, code, shape, b, e, arr in entries],
    }
    write_json(os.path.join(RES, "torch_written.expected.json"), record)
    print(f"OK: wrote {path} ({os.path.getsize(path)} bytes, {len(entries)} tensors) and its expected JSON")


def write_json(path, record):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    parts = []
    for k, v in record.items():
        if k == "tensors":  # one line per tensor
            inner = ",\n  ".join(json.dumps(t, ensure_ascii=False) for t in v)
            parts.append(f' "tensors": [\n  {inner}\n ]')
        else:
            parts.append(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(parts) + "\n}\n")


def read(path):
    n, _, entries, metadata = parse(path)
    print(f"{path}: header {n} bytes, {len(entries)} tensors, metadata {metadata}")
    for name, code, shape, b, e, arr in entries:
        print(f"  {name}: {code} {shape} [{b}, {e}] {arr.reshape(-1)[:6]}")


def main(argv):
    if len(argv) >= 1 and argv[0] == "from-nabla":
        from_nabla(argv[1] if len(argv) > 1 else NABLA_FILE,
                   argv[2] if len(argv) > 2 else os.path.join(RES, "nabla_written.expected.json"))
    elif argv[:1] == ["to-nabla"]:
        to_nabla()
    elif len(argv) == 2 and argv[0] == "read":
        try:
            read(argv[1])
        except (Invalid, ValueError) as e:
            print(f"INVALID: {argv[1]}: {e}")
            sys.exit(1)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
