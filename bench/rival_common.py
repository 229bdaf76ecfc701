"""What every rival of bench/run shares: BENCH.md's protocol constants, timing, the data, the
process figures (peak RSS, cores used) and the one-JSON-line protocol that dev.nabla.bench.Bench reads.

A rival script (rival_torch.py, rival_jax.py) is run once per protocol, each time in a new process,
so that its peak RSS (VmHWM) is that protocol's alone:
    python bench/rival_X.py check            -> {"ok": true, "name": "torch-2.13", "version": ..., "blas": [...],
                                                  "mkl": ..., "check_gemm_1024_1thread": GFLOP/s}
    python bench/rival_X.py PROTOCOL [--quick] -> {"ok": true, "name": ..., "threads": 2, "cpus": 2, "peak_rss_mib": ...,
                                                  "figures": [{"name", "unit", "value"[, "test_mse"]}]}
or {"ok": false, "reason": "..."} when the framework cannot be imported. Everything else goes to stderr.
--quick shrinks every protocol to a smoke test (its figures mean nothing).
    python bench/rival_common.py copy [--quick]   -> NumPy's copy bandwidth, the machine's yardstick.
"""
import gzip
import json
import os
import statistics
import sys
import time

THREADS = 2
GEMM_SIZES = [256, 512, 1024, 2048]
EW_N = 16 * 1024 * 1024       # elementwise chain y = tanh(x*a + b) * c, float32
REDUCE_N = 64 * 1024 * 1024   # sum of float32
COPY_N = 64 * 1024 * 1024     # plain copy of float32, the yardstick of elementwise and reduce
REPS = 5
FASHION = "/usr/share/datasets/fashion-mnist"
MLP_N, MLP_EPOCHS, MLP_BATCH = 60_000, 3, 128
RUNGE_LRS, RUNGE_SEEDS, RUNGE_EPOCHS, RUNGE_BATCH = (1e-2, 1e-3), 5, 300, 39
CNN_WARM, CNN_STEPS, CNN_REPS, BATCH, TRAIN = 20, 20, 5, 128, 60_000
DCGAN_WARM, DCGAN_STEPS, DCGAN_REPS = 3, 5, 3  # the DCGAN step is ~40x the cnn's work
VGG_REPS = 3
WARM_SECONDS = 20             # the least warm-up of cnn, dcgan and vgg16, for every participant (see CnnBench.java)
VGG16_D = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]  # "M": max pool


def quick():
    """Shrinks the protocols to a smoke test (bench/run --quick): the same code paths, meaningless figures."""
    g = globals()
    g.update(GEMM_SIZES=[256], EW_N=1 << 20, REDUCE_N=1 << 22, COPY_N=1 << 22, REPS=2, MLP_N=6_000, MLP_EPOCHS=1,
             RUNGE_LRS=(1e-2,), RUNGE_SEEDS=1, RUNGE_EPOCHS=10, CNN_WARM=2, CNN_STEPS=2, CNN_REPS=1, TRAIN=1_024,
             DCGAN_WARM=1, DCGAN_STEPS=1, DCGAN_REPS=1, VGG_REPS=1, WARM_SECONDS=0)


def limit_cpus(n):
    """Confines this process to n of the CPUs it may use, before the framework starts its thread pools
    (XLA sizes its pool by the affinity mask; a hard limit for every framework)."""
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, cpus[:n])


def best_time(fn, reps=None, min_warm_seconds=0.3):
    """Best wall time of reps calls of fn (which must wait for its result) after a warm-up of at least
    two calls and min_warm_seconds."""
    reps = reps or REPS
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


def timed_steps(step, warm, steps, reps, sync=lambda: None):
    """A training step: warm calls and at least WARM_SECONDS (as nabla's CnnBench.timedSteps), then reps
    repetitions of steps calls; the median ms per step. sync() waits for the work queued so far (JAX
    dispatches asynchronously)."""
    start, done = time.perf_counter(), 0
    while done < warm or time.perf_counter() - start < WARM_SECONDS:
        step()
        sync()
        done += 1
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        ms.append((time.perf_counter() - t0) / steps * 1e3)
    return statistics.median(ms)


def fashion_mnist(rng):
    """Fashion-MNIST's MLP_N training images as float32 [0, 1] rows of 784 and int labels, as NumPy arrays;
    random data of that shape when it is not installed. Returns (x, y, what)."""
    import numpy as np
    if os.path.isdir(FASHION):
        def idx(name, header):
            with gzip.open(os.path.join(FASHION, name), "rb") as f:
                return np.frombuffer(f.read()[header:], dtype=np.uint8)
        x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784)[:MLP_N].astype(np.float32) / 255
        return x, idx("train-labels-idx1-ubyte.gz", 8)[:MLP_N].astype(np.int64), "Fashion-MNIST"
    return rng.random((MLP_N, 784), dtype=np.float32), rng.integers(0, 10, MLP_N), "random"


def runge_data(seed):
    """The runge protocol's data for a seed: 200 points of 1/(1+25x^2) in [-1, 1] split 140 train / 60
    validation, and the 100-point test grid; NumPy float32 column vectors (xt, yt, xv, yv, xg, yg)."""
    import numpy as np
    rng = np.random.default_rng(1000 + seed)
    x = (rng.random((200, 1)) * 2 - 1).astype(np.float32)
    y = 1 / (1 + 25 * x * x)
    perm = rng.permutation(200)
    xg = np.linspace(-1, 1, 100, dtype=np.float32).reshape(100, 1)
    return x[perm[60:]], y[perm[60:]], x[perm[:60]], y[perm[:60]], xg, 1 / (1 + 25 * xg * xg)


def gemm_figures(gflops, thread_counts=(2, 1)):
    """The gemm protocol's figures; gflops(n, threads) measures one."""
    return [figure("gemm n=%d threads=%d" % (n, t), "GFLOP/s", gflops(n, t)) for t in thread_counts for n in GEMM_SIZES]


def figure(name, unit, value, **extra):
    return dict(name=name, unit=unit, value=value, **extra)


def elementwise_gbps(seconds):
    """GB/s of the elementwise chain: x, a, b, c read once and y written once (5 * 4 * N bytes)."""
    return 5 * 4 * EW_N / seconds / 1e9


def reduce_gbps(seconds):
    return 4 * REDUCE_N / seconds / 1e9


def peak_rss_mib():
    """VmHWM (getrusage's ru_maxrss would include the parent JVM's RSS before exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def mapped_libraries(*words):
    """The shared libraries mapped into this process whose name contains one of words (which BLAS is used)."""
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if any(w in path.rsplit("/", 1)[-1] for w in words):
                    libs.add(path)
    except OSError:
        pass
    return sorted(libs)


def emit(obj):
    print(json.dumps(obj), flush=True)


def serve(name, load, check, protocols, threads):
    """The command line of a rival script. name(framework) gives "torch-2.13"; load() imports the framework
    (raising when it cannot); check(framework) -> dict of the health check (one-thread gemm n=1024, BLAS);
    protocols: {protocol: fn(framework) -> [figure]}; threads(framework) -> the intra-op threads it runs."""
    args = sys.argv[1:]
    if "--quick" in args:
        quick()
        args.remove("--quick")
    if len(args) != 1 or args[0] not in ["check"] + list(protocols):
        sys.exit("usage: %s check|%s [--quick]" % (sys.argv[0], "|".join(protocols)))
    what = args[0]
    limit_cpus(1 if what == "check" else THREADS)
    try:
        fw = load()
    except Exception as e:  # ImportError, or a broken install
        emit({"ok": False, "reason": "cannot import it with %s: %s" % (sys.executable, e)})
        return
    if what == "check":
        emit(dict(ok=True, name=name(fw), python=sys.executable, **check(fw)))
        return
    figures = protocols[what](fw)
    emit({"ok": True, "name": name(fw), "threads": threads(fw), "cpus": len(os.sched_getaffinity(0)),
          "peak_rss_mib": peak_rss_mib(), "figures": figures})


def main():
    """python rival_common.py copy [--quick]: NumPy's float32 copy bandwidth (GB/s counts 4 bytes read and 4 written)."""
    import numpy as np
    if "--quick" in sys.argv:
        quick()
    limit_cpus(THREADS)
    src = np.random.default_rng(0).random(COPY_N, dtype=np.float32)
    dst = np.empty_like(src)
    t = best_time(lambda: np.copyto(dst, src))
    emit({"ok": True, "name": "numpy-" + np.__version__, "peak_rss_mib": peak_rss_mib(),
          "figures": [figure("copy", "GB/s", 8 * COPY_N / t / 1e9)]})


if __name__ == "__main__":
    main()
