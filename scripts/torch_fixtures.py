#!/usr/bin/python3
"""Reference values from PyTorch for nabla's tensor ops (forward and backward).

Regenerate (from the repository root; needs Debian's python3-torch):

    /usr/bin/python3 scripts/torch_fixtures.py

It writes nabla-core/src/test/resources/fixtures/torch_ops.json, read by
nabla-core/src/test/java/dev/nabla/tensor/TorchFixtureTest.java. The output is
deterministic: running it twice gives the identical file.

Every case is computed in float64 and in float32. For each case the file holds:
  name      unique, e.g. "add_broadcast_f64"
  op, args  the op and its arguments (the Java test dispatches on them; keep both in sync)
  dtype     "float64" or "float32"
  inputs    [{shape, values (flat row-major), dtype?, requires_grad, transpose?}];
            "transpose": [d0, d1] means the op receives leaf.transpose(d0, d1) (a non-contiguous
            view); the gradient is then the leaf's. dtype "int64" marks index tensors.
  outputs   [{shape, values, dtype?}] (several for split and max/min along a dim)
  weights   one per output (null for int64 outputs); the backward pass differentiates
            L = sum_k sum(outputs[k] * weights[k])
  grads     dL/d(input) per input (null when the input does not require grad)
  atol      (float32 outputs/grads only, rare) where PyTorch's float32 result itself is off by
            more than 1e-5 |b| + 1e-6 from the float64 computation on the same float32 inputs
            (ill-conditioned cases such as a variance at offset 1000), twice that error: nabla's
            float32 result must then be about as accurate as PyTorch's, not more
float64 values are Python reprs (round-trip exactly); float32 values are the shortest decimal
that parses back to the same float32 (parse them with Float.parseFloat).
"""
import json
import os
import struct
import zlib

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "nabla-core", "src", "test", "resources", "fixtures", "torch_ops.json")

torch.set_num_threads(1)  # reduction order independent of the machine


# ------------------------------------------------------------------ input helpers

class In:
    """An input spec: base values (float64, contiguous), whether it requires grad, optional view."""

    def __init__(self, values, grad=True, transpose=None, index=False):
        self.values = values
        self.grad = grad and not index
        self.transpose = transpose
        self.index = index


def gen(name, salt=""):
    g = torch.Generator()
    g.manual_seed(zlib.crc32((name + salt).encode()))
    return g


def randn(g, *shape, scale=1.0, offset=0.0, decimals=4):
    t = torch.randn(tuple(shape), generator=g, dtype=torch.float64) * scale + offset
    return torch.round(t * 10 ** decimals) / 10 ** decimals


def pos(g, *shape, low=0.2):
    return torch.round((torch.rand(tuple(shape), generator=g, dtype=torch.float64) * 2 + low) * 1e4) / 1e4


def T(values, shape=None):
    t = torch.tensor(values, dtype=torch.float64)
    return t.reshape(shape) if shape is not None else t


def idx(values):
    return In(torch.tensor(values, dtype=torch.int64), index=True)


# ------------------------------------------------------------------ the op dispatch (mirrors the Java test)

def all_dims(x, dims):
    return tuple(range(x.dim())) if len(dims) == 0 else tuple(dims)


def apply(op, a, xs):
    x = xs[0] if xs else None
    binary = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
              "maximum": torch.maximum, "minimum": torch.minimum, "matmul": torch.matmul}
    unary = {"neg": torch.neg, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
             "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "sin": torch.sin,
             "cos": torch.cos, "square": torch.square, "reciprocal": torch.reciprocal,
             "contiguous": lambda t: t.contiguous(), "mT": lambda t: t.transpose(-2, -1), "t": lambda t: t.t(),
             "copy": lambda t: t.clone(), "toType_roundtrip": lambda t: t.double().exp().to(t.dtype)}
    if op in binary:
        return binary[op](xs[0], xs[1])
    if op == "linear":
        return F.linear(xs[0], xs[1], xs[2] if len(xs) > 2 else None)
    if op in unary:
        return unary[op](x)
    c = a.get("c")
    if op == "add_scalar": return x + c
    if op == "sub_scalar": return x - c
    if op == "mul_scalar": return x * c
    if op == "div_scalar": return x / c
    if op == "rsub": return c - x
    if op == "rdiv": return c / x
    if op == "pow_scalar": return torch.pow(x, a["p"])
    if op == "leakyRelu": return F.leaky_relu(x, a["slope"])
    if op == "clamp": return torch.clamp(x, a["min"], a["max"])
    if op == "clampMin": return torch.clamp(x, min=a["min"])
    if op == "clampMax": return torch.clamp(x, max=a["max"])
    if op == "where": return torch.where(xs[0] != 0, xs[1], xs[2])
    if op in ("sum", "mean"):
        f = torch.sum if op == "sum" else torch.mean
        if a["dims"] is None: return f(x)
        return f(x, dim=all_dims(x, a["dims"]), keepdim=a["keepdim"])
    if op in ("var", "std"):
        f = torch.var if op == "var" else torch.std
        if a["dims"] is None: return f(x)
        return f(x, dim=all_dims(x, a["dims"]), correction=a["correction"], keepdim=a["keepdim"])
    if op in ("amax", "amin"):
        if a["dims"] is None: return x.max() if op == "amax" else x.min()
        f = torch.amax if op == "amax" else torch.amin
        return f(x, dim=all_dims(x, a["dims"]), keepdim=a["keepdim"])
    if op in ("max_dim", "min_dim"):
        f = torch.max if op == "max_dim" else torch.min
        v, i = f(x, a["dim"], keepdim=a["keepdim"])
        return [v, i]
    if op == "logsumexp": return torch.logsumexp(x, a["dim"], keepdim=a["keepdim"])
    if op == "softmax": return torch.softmax(x, a["dim"])
    if op == "logSoftmax": return torch.log_softmax(x, a["dim"])
    if op == "gather": return torch.gather(xs[0], a["dim"], xs[1])
    if op == "indexSelect": return torch.index_select(xs[0], a["dim"], xs[1])
    if op == "cat": return torch.cat(xs, a["dim"])
    if op == "stack": return torch.stack(xs, a["dim"])
    if op == "split":
        return list(torch.split(x, a["size"] if "size" in a else a["sizes"], a["dim"]))
    if op == "transpose": return x.transpose(a["d0"], a["d1"])
    if op == "permute": return x.permute(*a["order"])
    if op == "reshape": return x.reshape(*a["shape"])
    if op == "slice":
        sl = [slice(None)] * x.dim()
        sl[a["dim"]] = slice(a["start"], a["end"], a["step"])
        return x[tuple(sl)]
    if op == "narrow": return x.narrow(a["dim"], a["start"], a["length"])
    if op == "select": return x.select(a["dim"], a["index"])
    if op == "squeeze": return x.squeeze() if a["dim"] is None else x.squeeze(a["dim"])
    if op == "unsqueeze": return x.unsqueeze(a["dim"])
    if op == "expand": return x.expand(*a["shape"])
    if op == "flatten": return x.flatten(a["start"], a["end"])
    raise ValueError("unknown op " + op)


# ------------------------------------------------------------------ formatting

def f32str(v):
    """The shortest decimal that parses back to the float32 v."""
    if v == 0:
        return "-0.0" if struct.pack(">f", v) != struct.pack(">f", 0.0) else "0.0"
    bits = struct.pack(">f", v)
    for p in range(1, 18):
        s = repr(float("%.*g" % (p, v)))
        if struct.pack(">f", float(s)) == bits:
            return s
    raise AssertionError(v)


def values_str(t, dtype):
    flat = t.detach().reshape(-1).tolist()
    for v in flat:
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            raise ValueError("non-finite value in fixture")
    if dtype == "int64":
        return "[" + ",".join(str(int(v)) for v in flat) + "]"
    if dtype == "float32":
        return "[" + ",".join(f32str(v) for v in flat) + "]"
    return "[" + ",".join(repr(float(v)) for v in flat) + "]"


def tensor_json(t, dtype, extra=""):
    d = "" if dtype != "int64" else ',"dtype":"int64"'
    return '{"shape":%s%s%s,"values":%s}' % (json.dumps(list(t.shape), separators=(",", ":")), d, extra, values_str(t, dtype))


# ------------------------------------------------------------------ running a case

CASES = []


def case(name, op, args, inputs):
    CASES.append((name, op, args, [i if isinstance(i, In) else In(i) for i in inputs]))


def forward_backward(name, op, args, inputs, tdt, weights=None):
    """Builds the leaves (and views), applies op, backpropagates sum_k sum(out_k * w_k)."""
    leaves, views = [], []
    for spec in inputs:
        if spec.index:
            leaf = spec.values.clone()
            leaves.append(leaf)
            views.append(leaf)
            continue
        leaf = spec.values.to(tdt).clone().requires_grad_(spec.grad)
        leaves.append(leaf)
        views.append(leaf.transpose(*spec.transpose) if spec.transpose else leaf)
    out = apply(op, args, views)
    outs = out if isinstance(out, list) else [out]
    if weights is None:
        wg = gen(name, "/weight")
        weights = [randn(wg, *o.shape, decimals=3).to(tdt) if o.is_floating_point() else None for o in outs]
    loss = None
    for o, w in zip(outs, weights):
        if w is not None:
            term = (o * w.to(tdt)).sum()
            loss = term if loss is None else loss + term
    loss.backward()
    grads = [None if not spec.grad else (leaf.grad if leaf.grad is not None else torch.zeros_like(leaf))
             for spec, leaf in zip(inputs, leaves)]
    return leaves, outs, weights, grads


def f32_atol(actual, reference):
    """The absolute tolerance a float32 tensor needs because PyTorch's own float32 result is off.

    Returns "" when torch's float32 value is within the base tolerance (1e-5 |b| + 1e-6) of the
    float64 computation on the same (float32) inputs, else ',"atol":2*max|torch32 - ref64|'.
    """
    a, r = actual.detach().double().reshape(-1), reference.detach().double().reshape(-1)
    if a.numel() == 0 or bool(((a - r).abs() <= 1e-5 * a.abs() + 1e-6).all()):
        return ""
    return ',"atol":%s' % ("%.2g" % (2 * (a - r).abs().max().item()))


def run(name, op, args, inputs, dtype):
    tdt = torch.float64 if dtype == "float64" else torch.float32
    leaves, outs, weights, grads = forward_backward(name, op, args, inputs, tdt)
    if dtype == "float32":
        # the same case in float64 on the same float32-rounded inputs and weights, to measure how
        # accurate PyTorch's float32 result itself is
        inputs64 = [spec if spec.index else In(leaf.detach().double(), spec.grad, spec.transpose)
                    for spec, leaf in zip(inputs, leaves)]
        _, outs64, _, grads64 = forward_backward(name, op, args, inputs64, torch.float64, weights)
    lines = ['{"name":%s,"op":%s,"args":%s,"dtype":"%s",' % (
        json.dumps(name + ("_f64" if dtype == "float64" else "_f32")), json.dumps(op),
        json.dumps(args, sort_keys=True, separators=(",", ":")), dtype)]
    lines.append(' "inputs":[')
    ins = []
    for spec, leaf in zip(inputs, leaves):
        dt = "int64" if spec.index else dtype
        extra = ',"requires_grad":%s' % ("true" if spec.grad else "false")
        if spec.transpose:
            extra += ',"transpose":%s' % json.dumps(list(spec.transpose))
        ins.append("  " + tensor_json(leaf, dt, extra))
    lines.append(",\n".join(ins) + "],")
    lines.append(' "outputs":[')
    os_ = []
    for k, o in enumerate(outs):
        if not o.is_floating_point():
            os_.append("  " + tensor_json(o, "int64"))
        else:
            os_.append("  " + tensor_json(o, dtype, f32_atol(o, outs64[k]) if dtype == "float32" else ""))
    lines.append(",\n".join(os_) + "],")
    lines.append(' "weights":[')
    lines.append(",\n".join("  " + ("null" if w is None else tensor_json(w, dtype)) for w in weights) + "],")
    lines.append(' "grads":[')
    gs = []
    for k, g in enumerate(grads):
        if g is None:
            gs.append("  null")
        else:
            gs.append("  " + tensor_json(g, dtype, f32_atol(g, grads64[k]) if dtype == "float32" else ""))
    lines.append(",\n".join(gs) + "]}")
    return "\n".join(lines)


# ------------------------------------------------------------------ the cases

def define_cases():
    def G(n):
        return gen(n)

    # --- broadcasting binary ops
    n = "add_same"; g = G(n); case(n, "add", {}, [randn(g, 3, 4), randn(g, 3, 4)])
    n = "add_broadcast_3x1x4_2x1"; g = G(n); case(n, "add", {}, [randn(g, 3, 1, 4), randn(g, 2, 1)])
    n = "add_broadcast_rank"; g = G(n); case(n, "add", {}, [randn(g, 2, 3, 4), randn(g, 4)])
    n = "add_transposed"; g = G(n); case(n, "add", {}, [In(randn(g, 4, 3), transpose=(0, 1)), randn(g, 3, 4)])
    n = "add_0d"; g = G(n); case(n, "add", {}, [randn(g, 2, 3), randn(g)])
    n = "mul_0d_lhs"; g = G(n); case(n, "mul", {}, [randn(g), randn(g, 2, 3)])
    n = "add_no_grad_rhs"; g = G(n); case(n, "add", {}, [randn(g, 2, 3), In(randn(g, 2, 3), grad=False)])
    n = "sub_broadcast"; g = G(n); case(n, "sub", {}, [randn(g, 2, 3), randn(g, 3)])
    n = "sub_broadcast_3x1x4_2x1"; g = G(n); case(n, "sub", {}, [randn(g, 3, 1, 4), randn(g, 2, 1)])
    n = "mul_broadcast_3x1x4_2x1"; g = G(n); case(n, "mul", {}, [randn(g, 3, 1, 4), randn(g, 2, 1)])
    n = "mul_both_transposed"; g = G(n)
    case(n, "mul", {}, [In(randn(g, 4, 3), transpose=(0, 1)), In(randn(g, 4, 3), transpose=(0, 1))])
    n = "mul_self_broadcast_col_row"; g = G(n); case(n, "mul", {}, [randn(g, 3, 1), randn(g, 1, 4)])
    n = "div_broadcast"; g = G(n); case(n, "div", {}, [randn(g, 3, 4), pos(g, 4)])
    n = "div_broadcast_3x1x4_2x1"; g = G(n); case(n, "div", {}, [randn(g, 3, 1, 4), pos(g, 2, 1)])
    n = "add_scalar"; g = G(n); case(n, "add_scalar", {"c": 2.5}, [randn(g, 2, 3)])
    n = "sub_scalar"; g = G(n); case(n, "sub_scalar", {"c": -1.25}, [randn(g, 2, 3)])
    n = "mul_scalar"; g = G(n); case(n, "mul_scalar", {"c": -3.0}, [randn(g, 2, 3)])
    n = "div_scalar"; g = G(n); case(n, "div_scalar", {"c": 4.0}, [randn(g, 2, 3)])
    n = "rsub"; g = G(n); case(n, "rsub", {"c": 1.0}, [randn(g, 2, 3)])
    n = "rdiv"; g = G(n); case(n, "rdiv", {"c": 2.0}, [pos(g, 2, 3)])
    n = "pow_tensor"; g = G(n); case(n, "pow", {}, [pos(g, 3, 4), randn(g, 3, 4)])
    n = "pow_tensor_zero_exponent"; g = G(n)
    case(n, "pow", {}, [pos(g, 2, 3), T([0.0, 1.0, 2.0, -1.5, 0.0, 0.5], (2, 3))])
    n = "pow_tensor_broadcast"; g = G(n); case(n, "pow", {}, [pos(g, 2, 3), randn(g, 3)])
    n = "pow_tensor_broadcast_base"; g = G(n); case(n, "pow", {}, [pos(g, 3), randn(g, 2, 3)])
    n = "pow_scalar_3"; g = G(n); case(n, "pow_scalar", {"p": 3.0}, [randn(g, 2, 3)])
    n = "pow_scalar_2_with_zero"; g = G(n); case(n, "pow_scalar", {"p": 2.0}, [T([-1.5, 0.0, 0.5, 2.0])])
    n = "pow_scalar_half"; g = G(n); case(n, "pow_scalar", {"p": 0.5}, [pos(g, 2, 3)])
    n = "pow_scalar_neg"; g = G(n); case(n, "pow_scalar", {"p": -1.5}, [pos(g, 2, 3)])
    n = "pow_scalar_0"; g = G(n); case(n, "pow_scalar", {"p": 0.0}, [randn(g, 2, 3)])
    ties_a = T([1.0, 2.0, -3.0, 0.5, 4.0, 4.0, 0.0, -1.0, 2.5, 7.0, -2.0, 3.0], (3, 4))
    ties_b = T([1.0, 3.0, -3.0, 0.0, 2.0, 4.0, 0.0, -2.0, 2.5, 1.0, -1.0, 3.0], (3, 4))
    case("maximum_ties", "maximum", {}, [ties_a, ties_b])
    case("minimum_ties", "minimum", {}, [ties_a, ties_b])
    row = T([1.0, 4.0, 0.0, 3.0])
    case("maximum_broadcast_ties", "maximum", {}, [ties_a, row])
    case("minimum_broadcast_ties", "minimum", {}, [ties_a, row])
    n = "maximum_transposed"; g = G(n)
    case(n, "maximum", {}, [In(randn(g, 4, 3), transpose=(0, 1)), randn(g, 3, 4)])
    n = "where_broadcast"; g = G(n)
    case(n, "where", {}, [In(T([1.0, 0.0, 1.0], (3, 1)), grad=False), randn(g, 3, 4), randn(g, 4)])
    n = "where_same"; g = G(n)
    case(n, "where", {}, [In(T([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], (2, 3)), grad=False), randn(g, 2, 3), randn(g, 2, 3)])

    # --- unary maps
    ext = T([-1000.0, -30.0, -2.5, -1.0, -0.1, 0.0, 0.1, 1.0, 2.5, 30.0, 1000.0])
    n = "neg"; g = G(n); case(n, "neg", {}, [randn(g, 2, 3)])
    n = "exp"; g = G(n); case(n, "exp", {}, [randn(g, 2, 3)])
    n = "exp_transposed"; g = G(n); case(n, "exp", {}, [In(randn(g, 2, 3, 4), transpose=(0, 2))])
    n = "log"; g = G(n); case(n, "log", {}, [pos(g, 2, 3)])
    n = "sqrt"; g = G(n); case(n, "sqrt", {}, [pos(g, 2, 3)])
    case("abs_with_zero", "abs", {}, [T([-2.0, -0.5, 0.0, 0.0, 0.5, 3.0])])
    case("relu_with_zero", "relu", {}, [T([-2.0, -0.5, 0.0, 0.0, 0.5, 3.0])])
    case("leakyRelu_0.01_with_zero", "leakyRelu", {"slope": 0.01}, [T([-2.0, -0.5, 0.0, 0.0, 0.5, 3.0])])
    n = "leakyRelu_0.01"; g = G(n); case(n, "leakyRelu", {"slope": 0.01}, [randn(g, 3, 4)])
    case("sigmoid_extremes", "sigmoid", {}, [ext])
    case("tanh_extremes", "tanh", {}, [ext])
    n = "sigmoid"; g = G(n); case(n, "sigmoid", {}, [randn(g, 3, 4, scale=3)])
    n = "tanh"; g = G(n); case(n, "tanh", {}, [randn(g, 3, 4, scale=2)])
    n = "sin"; g = G(n); case(n, "sin", {}, [randn(g, 2, 3, scale=2)])
    n = "cos"; g = G(n); case(n, "cos", {}, [randn(g, 2, 3, scale=2)])
    n = "square"; g = G(n); case(n, "square", {}, [randn(g, 2, 3)])
    n = "reciprocal"; g = G(n); case(n, "reciprocal", {}, [pos(g, 2, 3)])
    case("clamp_boundary", "clamp", {"min": -0.5, "max": 0.5},
         [T([-2.0, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 0.5, -0.5])])
    case("clampMin_boundary", "clampMin", {"min": 0.0}, [T([-1.0, 0.0, 0.5, 0.0, -0.25])])
    case("clampMax_boundary", "clampMax", {"max": 0.25}, [T([-1.0, 0.25, 0.5, 0.0, 0.25])])

    # --- reductions
    x3 = lambda n: randn(G(n), 2, 3, 4)
    for op in ("sum", "mean"):
        case(op + "_all", op, {"dims": None}, [x3(op + "_all")])
        case(op + "_all_keepdim", op, {"dims": [], "keepdim": True}, [x3(op + "_all_keepdim")])
        case(op + "_all_dims_nokeep", op, {"dims": [0, 1, 2], "keepdim": False}, [x3(op + "_all_dims_nokeep")])
        case(op + "_dim1", op, {"dims": [1], "keepdim": False}, [x3(op + "_dim1")])
        case(op + "_dim1_keepdim", op, {"dims": [1], "keepdim": True}, [x3(op + "_dim1_keepdim")])
        case(op + "_dims02", op, {"dims": [0, 2], "keepdim": False}, [x3(op + "_dims02")])
        case(op + "_dims02_keepdim", op, {"dims": [0, 2], "keepdim": True}, [x3(op + "_dims02_keepdim")])
        case(op + "_dimneg1", op, {"dims": [-1], "keepdim": False}, [x3(op + "_dimneg1")])
        n = op + "_transposed"
        case(n, op, {"dims": [1], "keepdim": False}, [In(randn(G(n), 4, 3), transpose=(0, 1))])
    for op in ("var", "std"):
        case(op + "_all_unbiased", op, {"dims": None}, [x3(op + "_all_unbiased")])
        case(op + "_all_corr0_keepdim", op, {"dims": [], "correction": 0, "keepdim": True},
             [x3(op + "_all_corr0_keepdim")])
        case(op + "_dim1_unbiased", op, {"dims": [1], "correction": 1, "keepdim": False}, [x3(op + "_dim1_unbiased")])
        case(op + "_dim1_corr0_keepdim", op, {"dims": [1], "correction": 0, "keepdim": True},
             [x3(op + "_dim1_corr0_keepdim")])
        case(op + "_dims02_unbiased_keepdim", op, {"dims": [0, 2], "correction": 1, "keepdim": True},
             [x3(op + "_dims02_unbiased_keepdim")])
        case(op + "_dims02_corr0", op, {"dims": [0, 2], "correction": 0, "keepdim": False},
             [x3(op + "_dims02_corr0")])
        n = op + "_large_offset"
        case(n, op, {"dims": [-1], "correction": 1, "keepdim": False}, [randn(G(n), 3, 5, offset=1000.0)])
        n = op + "_transposed"
        case(n, op, {"dims": [0], "correction": 1, "keepdim": False}, [In(randn(G(n), 4, 3), transpose=(0, 1))])
    ties3 = T([3.0, 1.0, 3.0, -2.0, 0.5, 0.5, 0.5, 0.5, 2.0, 3.0, -1.0, 3.0,
               1.0, 1.0, 0.0, 1.0, 0.0, -4.0, -4.0, 2.0, -1.0, -5.0, 3.0, -5.0], (2, 3, 4))
    for op in ("amax", "amin"):
        case(op + "_all", op, {"dims": None}, [x3(op + "_all")])
        case(op + "_all_keepdim", op, {"dims": [], "keepdim": True}, [x3(op + "_all_keepdim")])
        case(op + "_dim1", op, {"dims": [1], "keepdim": False}, [x3(op + "_dim1")])
        case(op + "_dims02_keepdim", op, {"dims": [0, 2], "keepdim": True}, [x3(op + "_dims02_keepdim")])
        case(op + "_all_ties", op, {"dims": None}, [ties3])
        case(op + "_dimneg1_ties", op, {"dims": [-1], "keepdim": False}, [ties3])
        case(op + "_dims01_ties_keepdim", op, {"dims": [0, 1], "keepdim": True}, [ties3])
    for op in ("max_dim", "min_dim"):
        case(op + "1", op, {"dim": 1, "keepdim": False}, [x3(op + "1")])
        case(op + "0_keepdim", op, {"dim": 0, "keepdim": True}, [x3(op + "0_keepdim")])
        case(op + "neg1_ties_first", op, {"dim": -1, "keepdim": False}, [ties3])
    big = lambda n, *s: randn(G(n), *s) + T([1000.0, -1000.0, 0.0]).reshape(3, *([1] * (len(s) - 1)))
    n = "logsumexp_dim1"; case(n, "logsumexp", {"dim": 1, "keepdim": False}, [x3(n)])
    n = "logsumexp_dim0_keepdim"; case(n, "logsumexp", {"dim": 0, "keepdim": True}, [x3(n)])
    n = "logsumexp_large_dimneg1"; case(n, "logsumexp", {"dim": -1, "keepdim": False}, [big(n, 3, 4)])
    n = "logsumexp_large_dim0"; case(n, "logsumexp", {"dim": 0, "keepdim": True}, [big(n, 3, 4)])
    for op in ("softmax", "logSoftmax"):
        n = op + "_dimneg1"; case(n, op, {"dim": -1}, [x3(n)])
        n = op + "_dim0"; case(n, op, {"dim": 0}, [x3(n)])
        n = op + "_large_dimneg1"; case(n, op, {"dim": -1}, [big(n, 3, 4)])
        n = op + "_large_dim0"; case(n, op, {"dim": 0}, [big(n, 3, 4)])
        n = op + "_offset_spread"
        case(n, op, {"dim": -1}, [T([1000.0, 999.0, -1000.0, 0.0, -1000.0, -1001.0, 1000.0, 1000.0], (2, 4))])
        n = op + "_transposed"; case(n, op, {"dim": -1}, [In(randn(G(n), 4, 3, scale=2), transpose=(0, 1))])
        n = op + "_huge_offset"
        case(n, op, {"dim": -1}, [T([1e6, 1e6 - 1.0, 1e6 - 2.0, 1e6 + 0.5, -1e6, -1e6 - 0.25, -1e6 + 3.0, -1e6 - 1.5], (2, 4))])

    # --- matmul
    mm = [("matmul_1d_1d", (4,), (4,)), ("matmul_1d_2d", (4,), (4, 3)), ("matmul_2d_1d", (3, 4), (4,)),
          ("matmul_2d_2d", (3, 4), (4, 5)), ("matmul_3d_3d", (2, 3, 4), (2, 4, 5)),
          ("matmul_broadcast_batch", (2, 1, 3, 4), (5, 4, 2)), ("matmul_3d_2d", (2, 3, 4), (4, 5)),
          ("matmul_2d_3d", (3, 4), (2, 4, 5)), ("matmul_1d_3d", (4,), (2, 4, 3)), ("matmul_3d_1d", (2, 3, 4), (4,))]
    for n, sa, sb in mm:
        g = G(n)
        case(n, "matmul", {}, [randn(g, *sa), randn(g, *sb)])
    n = "matmul_transposed_lhs"; g = G(n); case(n, "matmul", {}, [In(randn(g, 4, 3), transpose=(0, 1)), randn(g, 4, 5)])
    n = "matmul_transposed_both"; g = G(n)
    case(n, "matmul", {}, [In(randn(g, 4, 3), transpose=(0, 1)), In(randn(g, 2, 4), transpose=(0, 1))])
    n = "matmul_batched_transposed"; g = G(n)
    case(n, "matmul", {}, [In(randn(g, 2, 4, 3), transpose=(1, 2)), randn(g, 2, 4, 2)])

    # --- linear (nabla's fused op: one node for x·Wᵀ + b)
    n = "linear_bias"; g = G(n); case(n, "linear", {}, [randn(g, 5, 3), randn(g, 4, 3), randn(g, 4)])
    n = "linear_no_bias"; g = G(n); case(n, "linear", {}, [randn(g, 5, 3), randn(g, 4, 3)])
    n = "linear_one_feature"; g = G(n); case(n, "linear", {}, [randn(g, 6, 1), randn(g, 3, 1), randn(g, 3)])

    # --- indexing, joining, splitting
    n = "gather_dim1_repeats"; g = G(n)
    case(n, "gather", {"dim": 1}, [randn(g, 3, 4), idx([[0, 0, 3, 1, 0], [2, 2, 2, 2, 1], [3, 1, 3, 0, 3]])])
    n = "gather_dim0_repeats"; g = G(n)
    case(n, "gather", {"dim": 0}, [randn(g, 3, 4), idx([[0, 2, 2, 1], [0, 2, 0, 1]])])
    n = "gather_dim0_small_index"; g = G(n)
    case(n, "gather", {"dim": 0}, [randn(g, 3, 4), idx([[2, 2], [1, 2]])])
    n = "gather_3d_dimneg1"; g = G(n)
    case(n, "gather", {"dim": -1}, [randn(g, 2, 3, 4), idx([[[0, 3], [1, 1], [2, 0]], [[3, 3], [0, 2], [1, 1]]])])
    n = "gather_transposed"; g = G(n)
    case(n, "gather", {"dim": 1}, [In(randn(g, 4, 3), transpose=(0, 1)), idx([[0, 3, 3], [1, 1, 2], [2, 0, 0]])])
    n = "indexSelect_dim0_repeats"; g = G(n); case(n, "indexSelect", {"dim": 0}, [randn(g, 3, 4), idx([2, 0, 2, 2])])
    n = "indexSelect_dim1_repeats"; g = G(n); case(n, "indexSelect", {"dim": 1}, [randn(g, 3, 4), idx([1, 1, 3])])
    n = "indexSelect_3d_dimneg1"; g = G(n)
    case(n, "indexSelect", {"dim": -1}, [randn(g, 2, 3, 4), idx([3, 0, 3])])
    n = "cat_dim0"; g = G(n); case(n, "cat", {"dim": 0}, [randn(g, 2, 3), randn(g, 1, 3), randn(g, 3, 3)])
    n = "cat_dim1"; g = G(n); case(n, "cat", {"dim": 1}, [randn(g, 2, 3), randn(g, 2, 1)])
    n = "cat_3d_dimneg1"; g = G(n); case(n, "cat", {"dim": -1}, [randn(g, 2, 3, 2), randn(g, 2, 3, 3)])
    n = "cat_transposed"; g = G(n)
    case(n, "cat", {"dim": 0}, [In(randn(g, 3, 2), transpose=(0, 1)), randn(g, 1, 3)])
    n = "cat_one_no_grad"; g = G(n)
    case(n, "cat", {"dim": 1}, [randn(g, 2, 2), In(randn(g, 2, 3), grad=False)])
    n = "stack_dim0"; g = G(n); case(n, "stack", {"dim": 0}, [randn(g, 2, 3), randn(g, 2, 3), randn(g, 2, 3)])
    n = "stack_dim1"; g = G(n); case(n, "stack", {"dim": 1}, [randn(g, 2, 3), randn(g, 2, 3)])
    n = "stack_dimneg1"; g = G(n); case(n, "stack", {"dim": -1}, [randn(g, 2, 3), randn(g, 2, 3)])
    n = "stack_transposed"; g = G(n)
    case(n, "stack", {"dim": 0}, [In(randn(g, 3, 2), transpose=(0, 1)), randn(g, 2, 3)])
    n = "split_size_dim1"; g = G(n); case(n, "split", {"size": 2, "dim": 1}, [randn(g, 3, 5)])
    n = "split_sizes_dim1"; g = G(n); case(n, "split", {"sizes": [1, 3, 1], "dim": 1}, [randn(g, 3, 5)])
    n = "split_transposed"; case(n, "split", {"size": 2, "dim": 0}, [In(randn(G(n), 3, 5), transpose=(0, 1))])
    n = "split_size_dim0"; g = G(n); case(n, "split", {"size": 1, "dim": 0}, [randn(g, 3, 2)])

    # --- views
    n = "transpose_0_2"; case(n, "transpose", {"d0": 0, "d1": 2}, [x3(n)])
    n = "permute_2_0_1"; case(n, "permute", {"order": [2, 0, 1]}, [x3(n)])
    n = "reshape_view"; case(n, "reshape", {"shape": [6, 4]}, [x3(n)])
    n = "reshape_infer"; case(n, "reshape", {"shape": [4, -1]}, [x3(n)])
    n = "reshape_of_transposed"; case(n, "reshape", {"shape": [12]}, [In(randn(G(n), 4, 3), transpose=(0, 1))])
    n = "slice_step2"; case(n, "slice", {"dim": 1, "start": 1, "end": 5, "step": 2}, [randn(G(n), 3, 5)])
    n = "slice_negative_start"; case(n, "slice", {"dim": 0, "start": -2, "end": 3, "step": 1}, [randn(G(n), 3, 5)])
    n = "slice_transposed"
    case(n, "slice", {"dim": 0, "start": 0, "end": 4, "step": 3}, [In(randn(G(n), 3, 5), transpose=(0, 1))])
    n = "narrow"; case(n, "narrow", {"dim": 2, "start": 1, "length": 2}, [x3(n)])
    n = "select_neg"; case(n, "select", {"dim": 1, "index": -1}, [x3(n)])
    n = "select_to_0d"; case(n, "select", {"dim": 0, "index": 2}, [randn(G(n), 4)])
    n = "squeeze_all"; case(n, "squeeze", {"dim": None}, [randn(G(n), 3, 1, 2, 1)])
    n = "squeeze_dim"; case(n, "squeeze", {"dim": 1}, [randn(G(n), 3, 1, 2, 1)])
    n = "unsqueeze"; case(n, "unsqueeze", {"dim": -1}, [randn(G(n), 3, 2)])
    n = "expand"; case(n, "expand", {"shape": [2, 3, 4]}, [randn(G(n), 3, 1)])
    n = "expand_keep"; case(n, "expand", {"shape": [2, -1, 4]}, [randn(G(n), 3, 1)])
    n = "flatten_1_2"; case(n, "flatten", {"start": 1, "end": 2}, [x3(n)])
    n = "mT"; case(n, "mT", {}, [x3(n)])
    n = "t"; case(n, "t", {}, [randn(G(n), 3, 4)])
    n = "contiguous_of_transposed"; case(n, "contiguous", {}, [In(randn(G(n), 4, 3), transpose=(0, 1))])
    n = "copy"; case(n, "copy", {}, [In(randn(G(n), 4, 3), transpose=(0, 1))])
    # --- type conversion: to float64 and back, with exp in float64 between
    n = "toType_float64_and_back"; case(n, "toType_roundtrip", {}, [randn(G(n), 3, 4)])


def main():
    define_cases()
    names = [c[0] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    entries = []
    for name, op, args, inputs in CASES:
        for dtype in ("float64", "float32"):
            entries.append(run(name, op, args, inputs, dtype))
    text = ('{"torch_version":%s,\n"generator":"scripts/torch_fixtures.py",\n"count":%d,\n"cases":[\n'
            % (json.dumps(torch.__version__), len(entries))) + ",\n".join(entries) + "\n]}\n"
    json.loads(text)  # well-formed, strict JSON
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    print("wrote %d cases (%d bytes) to %s" % (len(entries), len(text), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
