#!/usr/bin/python3
"""Reference values from PyTorch for nabla's Embedding and its row-sparse gradient.

Regenerate (from the repository root; Debian's python3-torch or /opt/venv/bin/python):

    /usr/bin/python3 scripts/torch_embedding_fixtures.py

It writes nabla-core/src/test/resources/fixtures/torch_embedding.json, read by
nabla-core/src/test/java/dev/nabla/nn/EmbeddingTest.java. Deterministic. Value format: that of
torch_fixtures.py ({"shape": [...], "values": [...]}, full precision).

"lookup" cases: F.embedding(indices, weight, padding_idx, max_norm) in float64, the output, the
weight after the call (max_norm renormalizes it in place) and the dense gradient of the weight
for L = sum(out * w). "steps" cases: nn.Embedding(sparse=True) trained for three steps on fixed
index batches by SGD or SparseAdam (float32, as training runs), the weight after each step.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_fixtures import gen, randn, tensor_json  # noqa: E402  (the shared value format)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "nabla-core", "src", "test", "resources", "fixtures", "torch_embedding.json")
torch.set_num_threads(1)


def lookup(name, rows, dim, indices, padding_idx=None, max_norm=None, norm_type=2.0):
    g = gen(name)
    weight = randn(g, rows, dim)
    if padding_idx is not None:
        weight[padding_idx] = 0
    idx = torch.tensor(indices, dtype=torch.int64)
    w_in = weight.clone()
    weight.requires_grad_(True)
    out = F.embedding(idx, weight, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type)
    w = randn(g, *out.shape)
    (out * w).sum().backward()
    return ('{"name":%s,"kind":"lookup","padding_idx":%d,"max_norm":%s,"norm_type":%s,"weight":%s,"indices":%s,'
            '"w":%s,"out":%s,"weight_after":%s,"grad":%s}') % (
        json.dumps(name), -1 if padding_idx is None else padding_idx, repr(float(max_norm or 0)), repr(norm_type),
        tensor_json(w_in, "float64"), tensor_json(idx, "int64"), tensor_json(w, "float64"),
        tensor_json(out.detach(), "float64"), tensor_json(weight.detach(), "float64"),
        tensor_json(weight.grad, "float64"))


def steps(name, optimizer, rows, dim, batches, padding_idx=None, lr=0.1):
    g = gen(name)
    emb = torch.nn.Embedding(rows, dim, padding_idx=padding_idx, sparse=True)
    with torch.no_grad():
        emb.weight.copy_(randn(g, rows, dim).float())
        if padding_idx is not None:
            emb.weight[padding_idx] = 0
    w_in = emb.weight.detach().clone()
    opt = torch.optim.SGD(emb.parameters(), lr=lr) if optimizer == "sgd" else torch.optim.SparseAdam(emb.parameters(), lr=lr)
    ws, afters = [], []
    for b in batches:
        idx = torch.tensor(b, dtype=torch.int64)
        w = randn(g, *idx.shape, dim).float()
        opt.zero_grad()
        (emb(idx) * w).sum().backward()
        assert emb.weight.grad.is_sparse
        opt.step()
        ws.append(tensor_json(w, "float32"))
        afters.append(tensor_json(emb.weight.detach(), "float32"))
    return ('{"name":%s,"kind":"steps","optimizer":%s,"lr":%s,"padding_idx":%d,"weight":%s,"batches":[%s],"w":[%s],'
            '"after":[%s]}') % (
        json.dumps(name), json.dumps(optimizer), repr(lr), -1 if padding_idx is None else padding_idx,
        tensor_json(w_in, "float32"), ",".join(tensor_json(torch.tensor(b, dtype=torch.int64), "int64") for b in batches),
        ",".join(ws), ",".join(afters))


cases = [
    lookup("lookup_1d", 7, 3, [4, 0, 6, 4]),
    lookup("lookup_2d_repeats", 6, 4, [[1, 2, 1], [5, 5, 0]]),
    lookup("lookup_3d", 5, 2, [[[0, 1], [2, 3]], [[4, 4], [1, 0]]]),
    lookup("lookup_scalar", 4, 3, 2),
    lookup("padding", 6, 3, [[2, 0, 3], [0, 0, 5]], padding_idx=0),
    lookup("max_norm", 6, 4, [[1, 3, 1], [4, 0, 2]], max_norm=1.5),
    lookup("max_norm_p1", 5, 3, [0, 2, 4, 2], max_norm=1.0, norm_type=1.0),
    steps("sparse_sgd", "sgd", 8, 3, [[1, 4, 1], [0, 7, 7], [4, 2, 5]]),
    steps("sparse_adam", "adam", 8, 3, [[1, 4, 1], [0, 7, 7], [4, 2, 5]]),
    steps("sparse_adam_2d_padding", "adam", 9, 4, [[[1, 0], [3, 1]], [[0, 0], [8, 2]], [[3, 3], [1, 6]]], padding_idx=0),
]
text = '{"torch":%s,"count":%d,"cases":[\n%s\n]}\n' % (json.dumps(torch.__version__), len(cases), ",\n".join(cases))
with open(OUT, "w") as f:
    f.write(text)
print("wrote", OUT, len(cases), "cases")
