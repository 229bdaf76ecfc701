#!/usr/bin/python3
"""Reference values from PyTorch for nabla's convolution, pooling and batch-norm ops and layers.

Regenerate (from the repository root; needs Debian's python3-torch):

    /usr/bin/python3 scripts/torch_conv_fixtures.py

It writes nabla-core/src/test/resources/fixtures/torch_conv.json, read by
nabla-core/src/test/java/dev/nabla/nn/TorchConvFixtureTest.java. Deterministic: running it twice
gives the identical file. The format is that of torch_fixtures.py (see its docstring; the value
helpers are imported from it), with one addition: a case may hold
  after     tensors the op changed in place, as they are after the forward pass (batch norm's
            running_mean and running_var in training)
Inputs that do not require grad (running statistics) have "requires_grad": false.

Every case is computed in float64 and in float32; the backward pass differentiates
L = sum(out * w) for a fixed random w.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_fixtures import f32_atol, gen, randn, tensor_json  # noqa: E402  (the shared value format)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "nabla-core", "src", "test", "resources", "fixtures", "torch_conv.json")

torch.set_num_threads(1)


def apply(op, a, xs):
    """The op on the inputs (mirrors the dispatch in TorchConvFixtureTest.java)."""
    if op == "conv2d":
        bias = xs[2] if len(xs) > 2 else None
        return F.conv2d(xs[0], xs[1], bias, stride=tuple(a["stride"]), padding=a["padding"] if isinstance(
            a["padding"], str) else tuple(a["padding"]), dilation=tuple(a["dilation"]), groups=a["groups"])
    if op == "conv_transpose2d":
        bias = xs[2] if len(xs) > 2 else None
        return F.conv_transpose2d(xs[0], xs[1], bias, stride=tuple(a["stride"]), padding=tuple(a["padding"]),
                                  output_padding=tuple(a["output_padding"]), groups=a["groups"],
                                  dilation=tuple(a["dilation"]))
    if op == "max_pool2d":
        v, i = F.max_pool2d(xs[0], tuple(a["kernel"]), tuple(a["stride"]), tuple(a["padding"]),
                            ceil_mode=a.get("ceil_mode", False), return_indices=True)
        return [v, i]
    if op == "avg_pool2d":
        return F.avg_pool2d(xs[0], tuple(a["kernel"]), tuple(a["stride"]), tuple(a["padding"]),
                            ceil_mode=a.get("ceil_mode", False), count_include_pad=a["count_include_pad"])
    if op == "global_avg_pool2d":
        return xs[0].mean(dim=(2, 3))
    if op == "batch_norm":
        # xs: x, weight (gamma), bias (beta), running_mean, running_var; the last two change in place
        return F.batch_norm(xs[0], xs[3], xs[4], xs[1], xs[2], training=a["training"], momentum=a["momentum"],
                            eps=a["eps"])
    raise ValueError("unknown op " + op)


CASES = []


def case(name, op, args, inputs, grads=None):
    """inputs: float64 tensors; grads: which of them require grad (default: all)."""
    CASES.append((name, op, args, inputs, grads if grads is not None else [True] * len(inputs)))


def forward_backward(name, op, args, inputs, grads, tdt, weights=None):
    leaves = [x.to(tdt).clone().requires_grad_(g) for x, g in zip(inputs, grads)]
    out = apply(op, args, leaves)
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
    gs = [None if not g else (x.grad if x.grad is not None else torch.zeros_like(x)) for x, g in zip(leaves, grads)]
    after = [leaves[3].detach().clone(), leaves[4].detach().clone()] if op == "batch_norm" and args["training"] else []
    return leaves, outs, weights, gs, after


def run(name, op, args, inputs, grads, dtype):
    tdt = torch.float64 if dtype == "float64" else torch.float32
    # the inputs before the op changes any of them in place
    originals = [x.to(tdt).clone() for x in inputs]
    leaves, outs, weights, gs, after = forward_backward(name, op, args, inputs, grads, tdt)
    if dtype == "float32":
        _, outs64, _, gs64, after64 = forward_backward(name, op, args, [o.double() for o in originals], grads,
                                                        torch.float64, weights)
    fmt = lambda t, ref: tensor_json(t, dtype, f32_atol(t, ref) if dtype == "float32" else "")
    lines = ['{"name":%s,"op":%s,"args":%s,"dtype":"%s",' % (
        json.dumps(name + ("_f64" if dtype == "float64" else "_f32")), json.dumps(op),
        json.dumps(args, sort_keys=True, separators=(",", ":")), dtype)]
    ins = ["  " + tensor_json(o, dtype, ',"requires_grad":%s' % ("true" if g else "false"))
           for o, g in zip(originals, grads)]
    lines.append(' "inputs":[\n' + ",\n".join(ins) + "],")
    os_ = []
    for k, o in enumerate(outs):
        os_.append("  " + (tensor_json(o, "int64") if not o.is_floating_point()
                           else fmt(o, outs64[k] if dtype == "float32" else None)))
    lines.append(' "outputs":[\n' + ",\n".join(os_) + "],")
    lines.append(' "weights":[\n' + ",\n".join("  " + ("null" if w is None else tensor_json(w, dtype))
                                              for w in weights) + "],")
    gl = ["  null" if g is None else "  " + fmt(g, gs64[k] if dtype == "float32" else None) for k, g in enumerate(gs)]
    lines.append(' "grads":[\n' + ",\n".join(gl) + "],")
    al = ["  " + fmt(t, after64[k] if dtype == "float32" else None) for k, t in enumerate(after)]
    lines.append(' "after":[' + ("\n" + ",\n".join(al) if al else "") + "]}")
    return "\n".join(lines)


def conv_args(stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    return {"stride": list(stride), "padding": padding if isinstance(padding, str) else list(padding),
            "dilation": list(dilation), "groups": groups}


def define_cases():
    G = gen

    def R(n, *s):
        return randn(G(n, "/" + "x".join(map(str, s))), *s)

    # --- conv2d
    n = "conv2d_bias"; case(n, "conv2d", conv_args(), [R(n, 2, 3, 6, 5), R(n, 4, 3, 3, 3), R(n, 4)])
    n = "conv2d_no_bias"; case(n, "conv2d", conv_args(), [R(n, 2, 3, 5, 5), R(n, 2, 3, 2, 2)])
    n = "conv2d_stride2_pad1"; case(n, "conv2d", conv_args((2, 2), (1, 1)), [R(n, 2, 3, 7, 6), R(n, 4, 3, 3, 3), R(n, 4)])
    n = "conv2d_dilation2_pad2"; case(n, "conv2d", conv_args((1, 1), (2, 2), (2, 2)), [R(n, 1, 2, 6, 7), R(n, 3, 2, 3, 3), R(n, 3)])
    n = "conv2d_mixed_stride_pad_dilation"
    case(n, "conv2d", conv_args((2, 1), (1, 0), (1, 2)), [R(n, 2, 2, 7, 8), R(n, 3, 2, 3, 2), R(n, 3)])
    n = "conv2d_groups2"; case(n, "conv2d", conv_args((1, 1), (1, 1), (1, 1), 2), [R(n, 2, 4, 5, 5), R(n, 6, 2, 3, 3), R(n, 6)])
    n = "conv2d_depthwise"; case(n, "conv2d", conv_args((1, 1), (1, 1), (1, 1), 3), [R(n, 2, 3, 5, 4), R(n, 3, 1, 3, 3), R(n, 3)])
    n = "conv2d_same_odd"; case(n, "conv2d", conv_args(padding="same"), [R(n, 2, 2, 5, 6), R(n, 3, 2, 3, 3), R(n, 3)])
    n = "conv2d_same_even_dilated"
    case(n, "conv2d", conv_args(padding="same", dilation=(1, 2)), [R(n, 1, 2, 5, 6), R(n, 2, 2, 2, 4), R(n, 2)])
    n = "conv2d_pointwise"; case(n, "conv2d", conv_args(), [R(n, 2, 4, 3, 5), R(n, 3, 4, 1, 1), R(n, 3)])
    n = "conv2d_stride3_kernel5"; case(n, "conv2d", conv_args((3, 3), (2, 2)), [R(n, 2, 2, 11, 10), R(n, 3, 2, 5, 5), R(n, 3)])

    # --- conv_transpose2d
    def ct_args(stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1), groups=1):
        return {"stride": list(stride), "padding": list(padding), "output_padding": list(output_padding),
                "dilation": list(dilation), "groups": groups}
    n = "conv_transpose2d_stride2_outpad1"
    case(n, "conv_transpose2d", ct_args((2, 2), (1, 1), (1, 1)), [R(n, 2, 3, 4, 3), R(n, 3, 2, 3, 3), R(n, 2)])
    n = "conv_transpose2d_groups_dilation"
    case(n, "conv_transpose2d", ct_args((1, 2), (0, 1), (0, 1), (2, 1), 2), [R(n, 1, 4, 3, 4), R(n, 4, 3, 2, 3), R(n, 6)])

    # --- pooling
    def pool(kernel, stride, padding):
        return {"kernel": list(kernel), "stride": list(stride), "padding": list(padding)}
    n = "max_pool2d_2"; case(n, "max_pool2d", pool((2, 2), (2, 2), (0, 0)), [R(n, 2, 3, 6, 7)])
    n = "max_pool2d_3_stride2_pad1"; case(n, "max_pool2d", pool((3, 3), (2, 2), (1, 1)), [R(n, 2, 2, 7, 6)])
    n = "max_pool2d_2x3_stride1x2"; case(n, "max_pool2d", pool((2, 3), (1, 2), (1, 1)), [R(n, 1, 2, 5, 7)])
    # ties: each window of 2x2 holds repeated maxima; PyTorch's gradient goes to the first one
    ties = torch.tensor([[1.0, 1.0, 0.0, 2.0], [1.0, 0.5, 2.0, 2.0], [-1.0, -1.0, 3.0, 0.0], [-1.0, -1.0, 0.0, 3.0]],
                        dtype=torch.float64).reshape(1, 1, 4, 4)
    case("max_pool2d_ties_first", "max_pool2d", pool((2, 2), (2, 2), (0, 0)), [ties])
    case("max_pool2d_overlapping_ties", "max_pool2d", pool((3, 3), (1, 1), (1, 1)), [ties])
    n = "avg_pool2d_2"; case(n, "avg_pool2d", dict(pool((2, 2), (2, 2), (0, 0)), count_include_pad=True), [R(n, 2, 3, 6, 7)])
    n = "avg_pool2d_3_stride2_pad1"
    case(n, "avg_pool2d", dict(pool((3, 3), (2, 2), (1, 1)), count_include_pad=True), [R(n, 2, 2, 7, 6)])
    n = "avg_pool2d_3_stride2_pad1_exclude_pad"
    case(n, "avg_pool2d", dict(pool((3, 3), (2, 2), (1, 1)), count_include_pad=False), [R(n, 2, 2, 7, 6)])
    n = "avg_pool2d_2x3_stride1x2_pad1"
    case(n, "avg_pool2d", dict(pool((2, 3), (1, 2), (1, 1)), count_include_pad=True), [R(n, 1, 2, 5, 7)])
    # ceil_mode: partial last windows (clipped), and the rule that drops a window starting in the right padding
    def ceil(kernel, stride, padding, **more):
        return dict(pool(kernel, stride, padding), ceil_mode=True, **more)
    n = "max_pool2d_3_stride2_ceil"; case(n, "max_pool2d", ceil((3, 3), (2, 2), (0, 0)), [R(n, 2, 2, 8, 7)])
    n = "max_pool2d_2_ceil_odd"; case(n, "max_pool2d", ceil((2, 2), (2, 2), (0, 0)), [R(n, 1, 3, 7, 5)])
    n = "max_pool2d_3_stride2_pad1_ceil"; case(n, "max_pool2d", ceil((3, 3), (2, 2), (1, 1)), [R(n, 2, 2, 6, 6)])
    n = "max_pool2d_2_pad1_ceil_dropped"; case(n, "max_pool2d", ceil((2, 2), (2, 2), (1, 1)), [R(n, 1, 1, 5, 5)])
    n = "avg_pool2d_3_stride2_pad1_ceil"
    case(n, "avg_pool2d", ceil((3, 3), (2, 2), (1, 1), count_include_pad=True), [R(n, 2, 2, 6, 7)])
    n = "avg_pool2d_3_stride2_pad1_ceil_exclude_pad"
    case(n, "avg_pool2d", ceil((3, 3), (2, 2), (1, 1), count_include_pad=False), [R(n, 2, 2, 6, 7)])
    n = "avg_pool2d_2_ceil_odd"; case(n, "avg_pool2d", ceil((2, 2), (2, 2), (0, 0), count_include_pad=True), [R(n, 1, 2, 7, 5)])
    n = "global_avg_pool2d"; case(n, "global_avg_pool2d", {}, [R(n, 3, 4, 5, 6)])

    # --- batch norm: x, gamma, beta, running_mean, running_var (the running stats do not require grad)
    def bn(training, momentum=0.1, eps=1e-5):
        return {"training": training, "momentum": momentum, "eps": eps}
    no_stats_grad = [True, True, True, False, False]

    def stats(n, c):
        g = G(n, "/stats")
        return [randn(g, c, scale=0.5), torch.rand(c, generator=g, dtype=torch.float64) + 0.5]
    for layer, shape in (("1d", (5, 4)), ("1d", (3, 4, 6)), ("2d", (3, 4, 5, 6))):
        rank = "x".join(map(str, shape))
        c = shape[1]
        n = "batch_norm%s_train_%s" % (layer, rank)
        case(n, "batch_norm", dict(bn(True), layer=layer),
             [R(n, *shape) * 2 + 1, R(n, c) * 0.5 + 1, R(n, c) * 0.5] + stats(n, c), no_stats_grad)
        n = "batch_norm%s_eval_%s" % (layer, rank)
        case(n, "batch_norm", dict(bn(False), layer=layer),
             [R(n, *shape) * 2 + 1, R(n, c) * 0.5 + 1, R(n, c) * 0.5] + stats(n, c), no_stats_grad)
    n = "batch_norm2d_train_momentum0.3_eps1e-3"
    case(n, "batch_norm", dict(bn(True, 0.3, 1e-3), layer="2d"),
         [R(n, 2, 3, 4, 4) - 3, R(n, 3) * 0.5 + 1, R(n, 3) * 0.5] + stats(n, 3), no_stats_grad)
    # two examples per channel: the smallest batch training accepts (unbiased variance divides by 1)
    n = "batch_norm1d_train_batch2"
    case(n, "batch_norm", dict(bn(True), layer="1d"), [R(n, 2, 3), R(n, 3) * 0.5 + 1, R(n, 3) * 0.5] + stats(n, 3),
         no_stats_grad)


def main():
    define_cases()
    names = [c[0] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    entries = []
    for name, op, args, inputs, grads in CASES:
        for dtype in ("float64", "float32"):
            entries.append(run(name, op, args, inputs, grads, dtype))
    text = ('{"torch_version":%s,\n"generator":"scripts/torch_conv_fixtures.py",\n"count":%d,\n"cases":[\n'
            % (json.dumps(torch.__version__), len(entries))) + ",\n".join(entries) + "\n]}\n"
    json.loads(text)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    print("wrote %d cases (%d bytes) to %s" % (len(entries), len(text), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
