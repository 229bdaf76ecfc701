#!/usr/bin/env python3
"""Times in PyTorch what dev.nabla.bench.Bench times in nabla, and prints one JSON object.

Run it as BENCH.md says (Bench does this itself):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_bench.py gemm ...

Output: {"ok": true, "torch": ..., "blas": [...], "check_gemm_1024_1thread": GFLOP/s,
         "results": [{"bench": "gemm", "size": 1024, "threads": 2, "value": ..., "unit": "GFLOP/s"}, ...]}
or {"ok": false, "reason": "..."} when torch cannot be imported.
The protocols (sizes, best of 5 after warm-up, how bytes are counted) are the same as in Bench.java.
"""
import gzip
import json
import os
import subprocess
import sys
import time

GEMM_SIZES = [256, 512, 1024, 2048]
EW_N = 16 * 1024 * 1024       # elementwise chain y = (x*a + b).tanh() * c, float32
REDUCE_N = 64 * 1024 * 1024   # sum of float32
REPS = 5


def best_time(fn, reps=REPS, min_warm_seconds=0.3):
    """Best wall time of reps calls after a warm-up of at least two calls and min_warm_seconds."""
    start = time.perf_counter()
    warm = 0
    while warm < 2 or time.perf_counter() - start < min_warm_seconds:
        fn()
        warm += 1
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def runge(torch, lrs=(1e-2, 1e-3), seeds=5, epochs=300, batch=39):
    """BENCH.md 'runge': 200 random points in [-1,1] (140 train, 60 validation), 100-point test grid,
    1-20 tanh-10 sigmoid-20 tanh-10 sigmoid-1, MSE, Adam, batch 39, 300 epochs with a validation pass
    each epoch (as nabla's fit). Median over seeds of the wall time of the 300 epochs and of the test MSE,
    after one warm-up run."""
    import statistics
    def f(x):
        return 1.0 / (1.0 + 25.0 * x * x)
    out = []
    for lr in lrs:
        times, mses = [], []
        for seed in range(-1, seeds):  # seed -1 is the warm-up
            g = torch.Generator().manual_seed(1000 + max(seed, 0))
            torch.manual_seed(max(seed, 0))
            x = torch.rand(200, 1, generator=g) * 2 - 1
            y = f(x)
            perm = torch.randperm(200, generator=g)
            xv, yv, xt, yt = x[perm[:60]], y[perm[:60]], x[perm[60:]], y[perm[60:]]
            xg = torch.linspace(-1, 1, 100).reshape(100, 1)
            yg = f(xg)
            model = torch.nn.Sequential(torch.nn.Linear(1, 20), torch.nn.Tanh(), torch.nn.Linear(20, 10), torch.nn.Sigmoid(),
                                        torch.nn.Linear(10, 20), torch.nn.Tanh(), torch.nn.Linear(20, 10), torch.nn.Sigmoid(),
                                        torch.nn.Linear(10, 1))
            opt = torch.optim.Adam(model.parameters(), lr=lr)
            loss_fn = torch.nn.MSELoss()
            t0 = time.perf_counter()
            for _ in range(epochs):
                model.train()
                order = torch.randperm(140, generator=g)
                for i in range(0, 140, batch):
                    idx = order[i:i + batch]
                    opt.zero_grad()
                    loss = loss_fn(model(xt[idx]), yt[idx])
                    loss.backward()
                    opt.step()
                model.eval()
                with torch.no_grad():
                    loss_fn(model(xv), yv).item()
            elapsed = time.perf_counter() - t0
            with torch.no_grad():
                mse = loss_fn(model(xg), yg).item()
            if seed >= 0:
                times.append(elapsed)
                mses.append(mse)
        out.append({"bench": "runge", "lr": lr, "seconds": statistics.median(times), "test_mse": statistics.median(mses)})
    return out


FASHION = "/usr/share/datasets/fashion-mnist"
MLP_N, MLP_EPOCHS = 60_000, 3


def mlp_child():
    """BENCH.md 'mlp', run in a child process (python torch_bench.py --mlp-child) so that its peak RSS is its own:
    Fashion-MNIST's training images (random data of that shape if not installed), 784-256-128-10 ReLU,
    cross-entropy, Adam 1e-3, batch 128, shuffled, 2 threads; median s/epoch of 3 epochs after a warm-up one."""
    import statistics
    import torch
    torch.set_num_threads(2)
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)

    def idx(name, header):
        with gzip.open(os.path.join(FASHION, name), "rb") as f:
            return torch.frombuffer(bytearray(f.read()[header:]), dtype=torch.uint8)

    if os.path.isdir(FASHION):
        x = idx("train-images-idx3-ubyte.gz", 16).reshape(MLP_N, 784).float().div(255)
        y = idx("train-labels-idx1-ubyte.gz", 8).long()
        data = "Fashion-MNIST"
    else:
        x = torch.rand(MLP_N, 784, generator=g)
        y = torch.randint(0, 10, (MLP_N,), generator=g)
        data = "random"
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for epoch in range(-1, MLP_EPOCHS):  # -1: the warm-up
        t0 = time.perf_counter()
        perm = torch.randperm(MLP_N, generator=g)
        for i in range(0, MLP_N, 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(x[b]), y[b])
            loss.backward()
            opt.step()
            loss.item()
        if epoch >= 0:
            times.append(time.perf_counter() - t0)
    rss = float("nan")
    with open("/proc/self/status") as f:  # VmHWM: getrusage's ru_maxrss would also count the parent JVM
        for line in f:
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1]) / 1024
    print(json.dumps({"seconds": statistics.median(times), "rss": rss, "data": data}))


def mlp():
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--mlp-child"], capture_output=True, text=True,
                         check=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    return [{"bench": "mlp", "size": MLP_N, "threads": 2, "value": r["seconds"], "unit": "s/epoch"},
            {"bench": "mlp samples/s", "size": MLP_N, "threads": 2, "value": MLP_N / r["seconds"], "unit": "1/s"},
            {"bench": "mlp peak RSS", "size": MLP_N, "threads": 2, "value": r["rss"], "unit": "MiB"}]


def blas_libraries():
    """The BLAS/LAPACK shared libraries mapped into this process (shows whether OpenBLAS is used)."""
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = path.rsplit("/", 1)[-1]
                if "blas" in name or "lapack" in name or "mkl" in name:
                    libs.add(path)
    except OSError:
        pass
    return sorted(libs)


def main(argv):
    if argv == ["--mlp-child"]:
        mlp_child()
        return
    wanted = set(argv) or {"all"}
    if "all" in wanted:
        wanted = {"gemm", "elementwise", "reduce", "runge", "mlp", "cnn", "vgg16"}
    try:
        import torch
    except Exception as e:  # ImportError, or a broken install
        print(json.dumps({"ok": False, "reason": "cannot import torch with %s: %s" % (sys.executable, e)}))
        return
    torch.manual_seed(0)
    results = []

    def gemm(n, threads):
        torch.set_num_threads(threads)
        a = torch.rand(n, n, dtype=torch.float32)
        b = torch.rand(n, n, dtype=torch.float32)
        t = best_time(lambda: torch.mm(a, b))
        return 2.0 * n ** 3 / t / 1e9

    # The rival's health check: float32 gemm n=1024 on one thread (about 100 GFLOP/s with OpenBLAS).
    check = gemm(1024, 1)

    if "gemm" in wanted:
        for threads in (2, 1):
            for n in GEMM_SIZES:
                results.append({"bench": "gemm", "size": n, "threads": threads,
                                "value": gemm(n, threads), "unit": "GFLOP/s"})

    torch.set_num_threads(2)
    if "elementwise" in wanted:
        x, a, b, c = (torch.rand(EW_N, dtype=torch.float32) for _ in range(4))
        t = best_time(lambda: (x * a + b).tanh() * c)
        results.append({"bench": "elementwise", "size": EW_N, "threads": 2,
                        "value": 5 * 4 * EW_N / t / 1e9, "unit": "GB/s"})
        del x, a, b, c
    if "reduce" in wanted:
        x = torch.rand(REDUCE_N, dtype=torch.float32)
        t = best_time(lambda: x.sum())
        results.append({"bench": "reduce", "size": REDUCE_N, "threads": 2,
                        "value": 4 * REDUCE_N / t / 1e9, "unit": "GB/s"})
        del x

    if "runge" in wanted:
        for r in runge(torch):
            lr = "%g" % r["lr"]
            results.append({"bench": "runge lr=" + lr, "size": 300, "threads": 2, "value": r["seconds"], "unit": "s"})
            results.append({"bench": "runge lr=" + lr + " test MSE", "size": 300, "threads": 2,
                            "value": r["test_mse"], "unit": "MSE"})

    if "mlp" in wanted:
        results.extend(mlp())
    # cnn and vgg16: the classes of torch_cnn.py (the same protocols as CnnBench.java)
    if "cnn" in wanted or "vgg16" in wanted:
        import statistics
        import torch_cnn
        torch.set_num_threads(2)
        if "cnn" in wanted:
            b = torch_cnn.Cnn(torch, torch.nn)
            b.warm()
            ms = statistics.median([b.rep() for _ in range(torch_cnn.REPS)])
            results.append({"bench": "cnn", "size": torch_cnn.BATCH, "threads": 2, "value": torch_cnn.BATCH / ms * 1e3,
                            "unit": "samples/s"})
            del b
        if "vgg16" in wanted:
            b = torch_cnn.Vgg16(torch, torch.nn)
            b.warm()
            results.append({"bench": "vgg16", "size": 2, "threads": 2, "value": statistics.median([b.rep() for _ in range(3)]),
                            "unit": "s"})
            del b

    print(json.dumps({"ok": True, "torch": torch.__version__, "python": sys.executable,
                      "blas": blas_libraries(), "check_gemm_1024_1thread": check, "results": results}))


if __name__ == "__main__":
    main(sys.argv[1:])
