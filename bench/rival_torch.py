#!/usr/bin/env python3
"""PyTorch, a rival of bench/run: BENCH.md's protocols as a PyTorch user writes them (eager mode,
torch.optim.Adam, torch.set_num_threads(2)); one protocol per process (see rival_common.py).

bench/run runs it twice: with /opt/venv/bin/python (PyTorch 2.x, MKL + oneDNN) and with Debian's
/usr/bin/python3 (PyTorch 1.13) and LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp.
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rival_common as rc  # noqa: E402 (after the path)


def load():
    import torch
    torch.set_num_threads(rc.THREADS)
    return torch


def name(torch):
    return "torch-" + ".".join(torch.__version__.split(".")[:2])


def gflops(torch, n, threads):
    torch.set_num_threads(threads)
    a, b = torch.rand(n, n), torch.rand(n, n)
    t = rc.best_time(lambda: torch.mm(a, b))
    torch.set_num_threads(rc.THREADS)
    return 2.0 * n ** 3 / t / 1e9


def check(torch):
    """The wheel links MKL statically (its BLAS_INFO says so); Debian's maps OpenBLAS's libblas.so.3. NumPy's own
    OpenBLAS (numpy.libs) is mapped too but is not torch's."""
    blas_info = [w for w in torch.__config__.show().replace(",", " ").split() if w.startswith("BLAS_INFO=")]
    return {"version": torch.__version__,
            "blas": blas_info + [p for p in rc.mapped_libraries("blas", "lapack", "mkl") if "/numpy" not in p],
            "mkl": torch.backends.mkl.is_available(), "mkldnn": torch.backends.mkldnn.is_available(),
            "check_gemm_1024_1thread": gflops(torch, 1024, 1)}


def gemm(torch):
    return rc.gemm_figures(lambda n, t: gflops(torch, n, t))


def elementwise(torch):
    """Eager PyTorch runs the chain op by op: one measurement, both rows."""
    x, a, b, c = (torch.rand(rc.EW_N) for _ in range(4))
    gbps = rc.elementwise_gbps(rc.best_time(lambda: (x * a + b).tanh() * c))
    return [rc.figure("elementwise", "GB/s", gbps), rc.figure("elementwise op by op", "GB/s", gbps)]


def reduce(torch):
    x = torch.rand(rc.REDUCE_N)
    return [rc.figure("reduce", "GB/s", rc.reduce_gbps(rc.best_time(lambda: x.sum())))]


def linear_stack(torch, sizes, activations):
    """Linear layers sizes[0] -> ... -> sizes[-1] with activations[i] after layer i (None: none)."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(activations) and activations[i] is not None:
            layers.append(activations[i]())
    return torch.nn.Sequential(*layers)


def train_epoch(torch, model, opt, loss_fn, x, y, batch):
    """One epoch of shuffled batches: zero_grad, forward, loss, backward, step, loss.item() (as nabla's loop reads it)."""
    order = torch.randperm(len(x))
    for i in range(0, len(x), batch):
        idx = order[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        loss.item()


def runge(torch):
    """300 epochs of Adam on batches of 39 with a validation pass each epoch (as nabla's fit); median over
    seeds of the wall time and of the test MSE, after one warm-up run."""
    nn = torch.nn
    out = []
    for lr in rc.RUNGE_LRS:
        times, mses = [], []
        for seed in range(-1, rc.RUNGE_SEEDS):  # seed -1 is the warm-up
            xt, yt, xv, yv, xg, yg = (torch.from_numpy(a) for a in rc.runge_data(max(seed, 0)))
            torch.manual_seed(max(seed, 0))
            model = linear_stack(torch, [1, 20, 10, 20, 10, 1], [nn.Tanh, nn.Sigmoid, nn.Tanh, nn.Sigmoid])
            opt = torch.optim.Adam(model.parameters(), lr=lr)
            loss_fn = nn.MSELoss()
            t0 = time.perf_counter()
            for _ in range(rc.RUNGE_EPOCHS):
                train_epoch(torch, model, opt, loss_fn, xt, yt, rc.RUNGE_BATCH)
                with torch.no_grad():
                    loss_fn(model(xv), yv).item()
            elapsed = time.perf_counter() - t0
            with torch.no_grad():
                mse = loss_fn(model(xg), yg).item()
            if seed >= 0:
                times.append(elapsed)
                mses.append(mse)
        out.append(rc.figure("runge lr=%g" % lr, "s", statistics.median(times), test_mse=statistics.median(mses)))
    return out


def mlp(torch):
    """784-256-128-10 ReLU, cross-entropy, Adam 1e-3, batch 128, shuffled; median s/epoch after a warm-up epoch."""
    import numpy as np
    torch.manual_seed(0)
    x, y, what = rc.fashion_mnist(np.random.default_rng(0))
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model = linear_stack(torch, [784, 256, 128, 10], [torch.nn.ReLU, torch.nn.ReLU])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for epoch in range(-1, rc.MLP_EPOCHS):  # -1: the warm-up
        t0 = time.perf_counter()
        train_epoch(torch, model, opt, loss_fn, x, y, rc.MLP_BATCH)
        if epoch >= 0:
            times.append(time.perf_counter() - t0)
    return [rc.figure("mlp", "s/epoch", statistics.median(times), data=what)]


def batches(torch, x):
    """Endless batches of BATCH rows of x in a shuffled order."""
    perm, pos = torch.randperm(len(x)), 0
    while True:
        if pos + rc.BATCH > len(x):
            pos = 0
        yield perm[pos:pos + rc.BATCH]
        pos += rc.BATCH


def cnn(torch):
    """Conv(1,32,3,pad 1)-ReLU-MaxPool2 -> Conv(32,64,3,pad 1)-ReLU-MaxPool2 -> Linear(3136,128)-ReLU ->
    Linear(128,10); cross-entropy, Adam 1e-3, batch 128 of random 1x28x28 images; samples/s."""
    nn = torch.nn
    torch.manual_seed(0)
    model = cnn_model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.rand(rc.TRAIN, 1, 28, 28), torch.randint(0, 10, (rc.TRAIN,))
    order = batches(torch, x)

    def step():
        idx = next(order)
        opt.zero_grad()
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()

    return [rc.figure("cnn", "samples/s", rc.BATCH * 1e3 / rc.timed_steps(step, rc.CNN_WARM, rc.CNN_STEPS, rc.CNN_REPS))]


def cnn_model(torch):
    """The cnn protocol's net (also bench/torch_layers.py's)."""
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def dcgan_models(torch):
    """The dcgan protocol's generator and discriminator, weights N(0, 0.02), BatchNorm scales N(1, 0.02)."""
    nn = torch.nn
    torch.manual_seed(0)
    g = nn.Sequential(nn.Linear(100, 6272, bias=False), nn.BatchNorm1d(6272), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
                      nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
    d = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1, bias=False),
                      nn.BatchNorm2d(128), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(6272, 1))
    for m in list(g.modules()) + list(d.modules()):
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0 if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) else 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return g, d


def dcgan(torch):
    """The DCGAN step of examples/dcgan-fashion.json (nabla's GanStep): D on real and detached G(z), then G
    with the non-saturating loss; weights N(0, 0.02), BatchNorm scales N(1, 0.02); Adam 2e-4, betas (0.5,
    0.999) for both; BCE with logits; batch 128 of random images in [-1, 1]; samples/s."""
    nn = torch.nn
    g, d = dcgan_models(torch)
    og = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loss = nn.BCEWithLogitsLoss()
    x = torch.rand(rc.TRAIN, 1, 28, 28) * 2 - 1
    order = batches(torch, x)

    def step():
        real = x[next(order)]
        fake = g(torch.randn(rc.BATCH, 100))
        on_real, on_fake = d(real).view(-1), d(fake.detach()).view(-1)
        d_loss = loss(on_real, torch.ones_like(on_real)) + loss(on_fake, torch.zeros_like(on_fake))
        od.zero_grad()
        d_loss.backward()
        od.step()
        judged = d(fake).view(-1)
        og.zero_grad()
        loss(judged, torch.ones_like(judged)).backward()
        og.step()

    return [rc.figure("dcgan", "samples/s",
                      rc.BATCH * 1e3 / rc.timed_steps(step, rc.DCGAN_WARM, rc.DCGAN_STEPS, rc.DCGAN_REPS))]


def vgg16_model(torch):
    """VGG16, configuration D, 2 classes, no dropout, as one flat Sequential (nabla's Vgg layout)."""
    nn = torch.nn
    layers, c = [], 3
    for v in rc.VGG16_D:
        layers += [nn.MaxPool2d(2)] if v == "M" else [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
        c = c if v == "M" else v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
                         nn.Linear(4096, 2))


def vgg16(torch):
    """VGG16 (configuration D, 2 classes, no dropout), 224x224x3, batch 2: one forward + backward pass
    (cross-entropy), median of VGG_REPS after a warm-up (one pass and at least WARM_SECONDS); seconds."""
    nn = torch.nn
    torch.manual_seed(0)
    model = vgg16_model(torch)
    x, y = torch.rand(2, 3, 224, 224), torch.tensor([0, 1])
    loss_fn = nn.CrossEntropyLoss()

    def step():
        model.zero_grad()
        loss_fn(model(x), y).backward()

    return [rc.figure("vgg16", "s", rc.timed_steps(step, 1, 1, rc.VGG_REPS) / 1e3)]


if __name__ == "__main__":
    rc.serve(name, load, check, {"gemm": gemm, "elementwise": elementwise, "reduce": reduce, "runge": runge, "mlp": mlp,
                                 "cnn": cnn, "dcgan": dcgan, "vgg16": vgg16}, lambda torch: torch.get_num_threads())
