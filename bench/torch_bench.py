#!/usr/bin/env python3
"""Times in PyTorch what dev.nabla.bench.Bench times in nabla, and prints one JSON object.

Run it as BENCH.md says (Bench does this itself):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_bench.py gemm ...

Output: {"ok": true, "torch": ..., "blas": [...], "check_gemm_1024_1thread": GFLOP/s,
         "results": [{"bench": "gemm", "size": 1024, "threads": 2, "value": ..., "unit": "GFLOP/s"}, ...]}
or {"ok": false, "reason": "..."} when torch cannot be imported.
The protocols (sizes, best of 5 after warm-up, how bytes are counted) are the same as in Bench.java.
"""
import json
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
    wanted = set(argv) or {"all"}
    if "all" in wanted:
        wanted = {"gemm", "elementwise", "reduce"}
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

    print(json.dumps({"ok": True, "torch": torch.__version__, "python": sys.executable,
                      "blas": blas_libraries(), "check_gemm_1024_1thread": check, "results": results}))


if __name__ == "__main__":
    main(sys.argv[1:])
