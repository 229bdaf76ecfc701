#!/usr/bin/env python3
"""Times in PyTorch what dev.nabla.bench.CnnBench times in nabla.

CnnBench starts it as BENCH.md says and drives it over stdin, so that nabla's and torch's
repetitions alternate (on a shared, loaded machine both then see the same load):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_cnn.py --serve THREADS
It first prints one JSON line {"ok": true, "torch": ..., "blas": [...], "check_gemm_1024_1thread": GFLOP/s}
(or {"ok": false, "reason": ...}), then answers each command line with one JSON line:
    cnn warm | cnn rep   ->  {"step_ms": ...}       (rep: STEPS steps, the mean step time)
    dcgan warm | dcgan rep -> {"step_ms": ...}      (the same for the DCGAN step)
    vgg16 warm | vgg16 rep -> {"s": ...}            (one forward + backward pass)
    rss                   ->  {"peak_rss_mb": ...}  (VmHWM of this process)
    quit
Run alone (no --serve), it prints the header with the medians of the same protocol:
    ... bench/torch_cnn.py [cnn] [vgg16]

Protocols (BENCH.md), float32, the same as in CnnBench.java:
  cnn    Conv2d(1,32,3,pad 1)-ReLU-MaxPool2 -> Conv2d(32,64,3,pad 1)-ReLU-MaxPool2 -> Flatten ->
         Linear(3136,128)-ReLU -> Linear(128,10); cross-entropy, Adam lr 1e-3, batch 128, random
         data of Fashion-MNIST's shape (60,000 x 1x28x28 in [0,1], 10 classes), shuffled batches.
  dcgan  the DCGAN training step of examples/dcgan-fashion.json (see Dcgan), batch 128.
  vgg16  VGG16 (configuration D, 2 classes, no dropout), 224x224x3, batch 2: one forward + backward
         pass (cross-entropy).
"""
import json
import statistics
import sys
import time

WARM, STEPS, REPS = 20, 20, 5
DCGAN_WARM, DCGAN_STEPS = 3, 5  # the DCGAN step is ~40x the cnn's work (as CnnBench.java)
BATCH, TRAIN = 128, 60000


def blas_libraries():
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                name = line.split()[-1].rsplit("/", 1)[-1]
                if "blas" in name or "lapack" in name or "mkl" in name:
                    libs.add(line.split()[-1])
    except OSError:
        pass
    return sorted(libs)


def peak_rss_mb():
    """VmHWM (getrusage's ru_maxrss would include the parent's RSS before exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def gemm_check(torch):
    """The rival's health check: float32 gemm n=1024 on one thread, best of 5 (about 100 GFLOP/s with OpenBLAS)."""
    torch.set_num_threads(1)
    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    for _ in range(3):
        torch.mm(a, b)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * 1024 ** 3 / best / 1e9


class Stepped:
    """A training step (self.step) timed as WARM warm-up steps, then the mean ms over STEPS steps."""
    WARM, STEPS = WARM, STEPS

    def warm(self):
        for _ in range(self.WARM):
            self.step()

    def rep(self):
        t0 = time.perf_counter()
        for _ in range(self.STEPS):
            self.step()
        return (time.perf_counter() - t0) / self.STEPS * 1e3


class Cnn(Stepped):
    def __init__(self, torch, nn):
        torch.manual_seed(0)
        self.model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                   nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                   nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.x = torch.rand(TRAIN, 1, 28, 28)
        self.y = torch.randint(0, 10, (TRAIN,))
        self.loss = nn.CrossEntropyLoss()
        self.perm = torch.randperm(TRAIN)
        self.pos = 0

    def step(self):
        if self.pos + BATCH > TRAIN:
            self.pos = 0
        idx = self.perm[self.pos:self.pos + BATCH]
        self.pos += BATCH
        self.opt.zero_grad()
        self.loss(self.model(self.x[idx]), self.y[idx]).backward()
        self.opt.step()


class Dcgan(Stepped):
    """The DCGAN step of examples/dcgan-fashion.json (GanStep): D on real and detached G(z), then G
    with the non-saturating loss; weights N(0, 0.02), BatchNorm scales N(1, 0.02); Adam 2e-4,
    betas (0.5, 0.999) for both; BCE with logits; batch 128 of random images in [-1, 1]."""
    WARM, STEPS = DCGAN_WARM, DCGAN_STEPS

    def __init__(self, torch, nn):
        torch.manual_seed(0)
        self.torch = torch
        self.g = nn.Sequential(nn.Linear(100, 6272, bias=False), nn.BatchNorm1d(6272), nn.ReLU(),
                               nn.Unflatten(1, (128, 7, 7)),
                               nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                               nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
        self.d = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
                               nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
                               nn.Flatten(), nn.Linear(6272, 1))
        for m in list(self.g.modules()) + list(self.d.modules()):
            if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)
        self.og = torch.optim.Adam(self.g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.od = torch.optim.Adam(self.d.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.loss = nn.BCEWithLogitsLoss()
        self.x = torch.rand(TRAIN, 1, 28, 28) * 2 - 1
        self.perm = torch.randperm(TRAIN)
        self.pos = 0

    def step(self):
        torch = self.torch
        if self.pos + BATCH > TRAIN:
            self.pos = 0
        real = self.x[self.perm[self.pos:self.pos + BATCH]]
        self.pos += BATCH
        fake = self.g(torch.randn(BATCH, 100))
        on_real, on_fake = self.d(real).view(-1), self.d(fake.detach()).view(-1)
        d_loss = self.loss(on_real, torch.ones_like(on_real)) + self.loss(on_fake, torch.zeros_like(on_fake))
        self.od.zero_grad()
        d_loss.backward()
        self.od.step()
        judged = self.d(fake).view(-1)
        g_loss = self.loss(judged, torch.ones_like(judged))
        self.og.zero_grad()
        g_loss.backward()
        self.og.step()


class Vgg16:
    def __init__(self, torch, nn):
        torch.manual_seed(0)
        cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
        layers, c = [], 3
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
                c = v
        self.model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(), nn.Linear(4096, 4096),
                                   nn.ReLU(), nn.Linear(4096, 2))
        self.x = torch.rand(2, 3, 224, 224)
        self.y = torch.tensor([0, 1])
        self.loss = nn.CrossEntropyLoss()

    def warm(self):
        self.rep()

    def rep(self):
        t0 = time.perf_counter()
        self.model.zero_grad()
        self.loss(self.model(self.x), self.y).backward()
        return time.perf_counter() - t0


def main(argv):
    serve = "--serve" in argv
    args = [a for a in argv if a != "--serve"]
    threads = int(args.pop(0)) if serve and args else 2
    try:
        import torch
        import torch.nn as nn
    except Exception as e:  # ImportError, or a broken install
        print(json.dumps({"ok": False, "reason": "cannot import torch with %s: %s" % (sys.executable, e)}), flush=True)
        return
    header = {"ok": True, "torch": torch.__version__, "python": sys.executable, "blas": blas_libraries(),
              "check_gemm_1024_1thread": gemm_check(torch), "threads": threads}
    torch.set_num_threads(threads)
    benches = {}

    def get(name):
        if name not in benches:
            benches[name] = {"cnn": Cnn, "dcgan": Dcgan, "vgg16": Vgg16}[name](torch, nn)
        return benches[name]

    if not serve:
        results = []
        if "cnn" in (args or ["cnn"]):
            b = get("cnn")
            b.warm()
            ms = [b.rep() for _ in range(REPS)]
            results.append({"bench": "cnn", "step_ms": statistics.median(ms), "samples_per_s": BATCH / statistics.median(ms) * 1e3,
                            "peak_rss_mb": peak_rss_mb()})
        if "vgg16" in (args or ["vgg16"]):
            b = get("vgg16")
            b.warm()
            results.append({"bench": "vgg16", "s": statistics.median([b.rep() for _ in range(3)]), "peak_rss_mb": peak_rss_mb()})
        header["results"] = results
        print(json.dumps(header))
        return
    print(json.dumps(header), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        if cmd[0] == "rss":
            print(json.dumps({"peak_rss_mb": peak_rss_mb()}), flush=True)
        elif cmd[1] == "warm":
            get(cmd[0]).warm()
            print("{}", flush=True)
        else:
            v = get(cmd[0]).rep()
            print(json.dumps({"s": v} if cmd[0] == "vgg16" else {"step_ms": v}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
