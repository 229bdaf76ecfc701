#!/usr/bin/env python3
"""PyTorch's run of examples/dcgan-fashion.json, the outside truth for the DCGAN score (issue 11).

Trains the spec's exact recipe: the same generator and discriminator, weights N(0, 0.02) with zero
biases and BatchNorm scales N(1, 0.02), Adam (lr, betas from the spec), images scaled to [-1, 1],
BCE with logits, the non-saturating generator loss, the discriminator on every batch and the
generator every k-th (the spec's discriminatorSteps), batches of the spec's size, 2 threads. After
every epoch it scores 10,000 generated images with nabla's own score classifier (its model file,
loaded into the same network in PyTorch): exp(E[KL(p(y|x) || p(y))]), as dev.nabla.train.InceptionScore,
on the generator's tanh output mapped to [0, 1] as GanTraining does, and prints the class histogram.

Recipe experiments: --batch, --lr-g and --lr-d override the spec; --smooth T trains D to give real
images the target T (one-sided label smoothing, Salimans et al. 2016); --ema D also scores an exponential
moving average of G's weights (decay D, buffers copied, as nabla's ExponentialMovingAverage);
--decay-from E lowers both learning rates linearly, batch by batch, from epoch E to 0 at the end (as the
spec's training.lrDecayFrom, nabla's LinearDecay);
--save-dir keeps G after every epoch, to score it later with another classifier; --threads.

--score-generator FILE scores a generator saved by `nabla train` (nabla.model file) the same way,
in eval mode (running BatchNorm statistics, as nabla samples) and in train mode (batch statistics),
so nabla's score can be checked against PyTorch's arithmetic.

  /opt/venv/bin/python scripts/torch_dcgan_reference.py --classifier out/dcgan-fashion/classifier.safetensors --epochs 2
"""
import argparse
import gzip
import json
import math
import pathlib
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

ROOT = pathlib.Path(__file__).resolve().parent.parent


def idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, h, w = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, h, w).astype(np.float32) / 255


def generator(latent):
    return nn.Sequential(
        nn.Linear(latent, 128 * 7 * 7, bias=False), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1))


def classifier():
    """GanTraining.CLASSIFIER with the same state-dict names (nabla's layer indices)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


def dcgan_init(model, gen):
    """GanSpec's "init": normal: weights N(0, std), biases 0, BatchNorm scales N(1, std), shifts 0."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm1d, nn.BatchNorm2d)):
            norm = isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))
            with torch.no_grad():
                m.weight.normal_(1.0 if norm else 0.0, 0.02, generator=gen)
                if m.bias is not None:
                    m.bias.zero_()


def load_nabla(model, file):
    state = load_file(str(file))
    model.load_state_dict(state, strict=True)
    return model


def inception_score(probs):
    """dev.nabla.train.InceptionScore.of, in float64."""
    p = probs.double()
    marginal = p.mean(0, keepdim=True)
    kl = torch.where(p > 0, p * torch.log(p / marginal), torch.zeros_like(p)).sum(1).mean()
    return math.exp(kl.item()), torch.bincount(p.argmax(1), minlength=p.shape[1]).tolist()


@torch.no_grad()
def score(clf, images01):
    clf.eval()
    probs = torch.cat([F.softmax(clf(images01[i:i + 500]), 1) for i in range(0, len(images01), 500)])
    return inception_score(probs)


@torch.no_grad()
def generate(g, n, latent, seed, train_mode=False):
    """n images in [0, 1] from the generator, in batches of 500 (as GanTraining.generate)."""
    g.train(train_mode)
    gen = torch.Generator().manual_seed(seed)
    parts = [g(torch.randn(min(500, n - i), latent, generator=gen)) for i in range(0, n, 500)]
    g.train()
    return ((torch.cat(parts) + 1) * 0.5).clamp(0, 1)


def report(what, result):
    s, counts = result
    print(f"score ({what}): {s:.3f}   (predicted classes: {' '.join(map(str, counts))})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", default=str(ROOT / "examples" / "dcgan-fashion.json"))
    ap.add_argument("--classifier", required=True, help="nabla's score classifier (classifier.safetensors of a nabla train run)")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--score-images", type=int, default=10000)
    ap.add_argument("--score-generator", help="only score this nabla generator file (eval and train mode)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, help="overrides the spec's batch size")
    ap.add_argument("--lr-g", type=float, help="overrides the generator's learning rate")
    ap.add_argument("--lr-d", type=float, help="overrides the discriminator's learning rate")
    ap.add_argument("--save-dir", help="save the generator after every epoch there (safetensors, nabla's names)")
    ap.add_argument("--ema", type=float, help="also score an exponential moving average of the generator's weights")
    ap.add_argument("--smooth", type=float, default=1.0, help="one-sided label smoothing: D's target for real images")
    ap.add_argument("--decay-from", type=float, help="both learning rates fall linearly from this epoch (a fraction of one"
                    " counts) to 0 at the end of the last epoch, batch by batch")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    spec = json.loads(pathlib.Path(a.spec).read_text())
    latent = spec["latentSize"]
    clf = load_nabla(classifier(), a.classifier)
    test = torch.from_numpy(idx_images(pathlib.Path(a.data) / "t10k-images-idx3-ubyte.gz"))
    report("real", score(clf, test))

    if a.score_generator:
        g = load_nabla(generator(latent), a.score_generator)
        report("nabla's generator, eval mode", score(clf, generate(g, a.score_images, latent, a.seed)))
        report("nabla's generator, train mode", score(clf, generate(g, a.score_images, latent, a.seed, True)))
        return

    t, go, do = spec["training"], spec["generatorOptimizer"], spec["discriminatorOptimizer"]
    batch, k = a.batch or t["batchSize"], t.get("discriminatorSteps", 1)
    go, do = dict(go, lr=a.lr_g or go["lr"]), dict(do, lr=a.lr_d or do["lr"])
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    g, d = generator(latent), discriminator()
    dcgan_init(g, gen)
    dcgan_init(d, gen)
    ema = None
    if a.ema:
        import copy
        ema = copy.deepcopy(g)
    opt_g = torch.optim.Adam(g.parameters(), lr=go["lr"], betas=tuple(go["betas"]))
    opt_d = torch.optim.Adam(d.parameters(), lr=do["lr"], betas=tuple(do["betas"]))
    train = torch.from_numpy(idx_images(pathlib.Path(a.data) / "train-images-idx3-ubyte.gz")) * 2 - 1
    bce = F.binary_cross_entropy_with_logits
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads; batch {batch}, k {k},"
          f" G {go}, D {do}, real target {a.smooth}", flush=True)
    for epoch in range(a.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(train), generator=gen)
        sums = {"d_loss": 0.0, "g_loss": 0.0, "D(x)": 0.0, "D(G(z))": 0.0}
        batches = g_batches = 0
        steps = (len(train) + batch - 1) // batch
        for b, i in enumerate(range(0, len(train), batch)):
            if a.decay_from is not None:
                at = epoch + b / steps  # epochs done before this batch
                factor = min(1.0, (a.epochs - at) / (a.epochs - a.decay_from))
                for opt, lr in ((opt_g, go["lr"]), (opt_d, do["lr"])):
                    for group in opt.param_groups:
                        group["lr"] = lr * factor
            real = train[order[i:i + batch]]
            n = len(real)
            z = torch.randn(n, latent, generator=gen)
            train_g = (b + 1) % k == 0
            fake = g(z) if train_g else g(z).detach()
            on_real, on_fake = d(real).view(-1), d(fake.detach()).view(-1)
            d_loss = bce(on_real, torch.full((n,), a.smooth)) + bce(on_fake, torch.zeros(n))
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            if train_g:
                judged = d(fake).view(-1)
                g_loss = bce(judged, torch.ones(n))
                opt_g.zero_grad()
                g_loss.backward()
                opt_g.step()
                if ema is not None:
                    with torch.no_grad():
                        for pe, pg in zip(ema.parameters(), g.parameters()):
                            pe.mul_(a.ema).add_(pg, alpha=1 - a.ema)
                        for be, bg in zip(ema.buffers(), g.buffers()):
                            be.copy_(bg)
                sums["g_loss"] += g_loss.item()
                g_batches += 1
            sums["d_loss"] += d_loss.item()
            sums["D(x)"] += torch.sigmoid(on_real).mean().item()
            sums["D(G(z))"] += torch.sigmoid(on_fake).mean().item()
            batches += 1
        seconds = time.perf_counter() - start
        print(f"epoch {epoch + 1}: {seconds:.1f} s  " + "  ".join(f"{key} {v / (g_batches if key == 'g_loss' else batches):.4f}" for key, v in sums.items()),
              flush=True)
        if a.save_dir:
            from safetensors.torch import save_file
            pathlib.Path(a.save_dir).mkdir(parents=True, exist_ok=True)
            save_file({k: v.contiguous() for k, v in g.state_dict().items()}, f"{a.save_dir}/g-{epoch + 1}.safetensors")
        report(f"generated, epoch {epoch + 1}, eval mode", score(clf, generate(g, a.score_images, latent, a.seed + 8)))
        if ema is not None:
            report(f"generated, epoch {epoch + 1}, EMA {a.ema}, eval mode", score(clf, generate(ema, a.score_images, latent, a.seed + 8)))
            report(f"generated, epoch {epoch + 1}, EMA {a.ema}, train mode", score(clf, generate(ema, a.score_images, latent, a.seed + 8, True)))
        else:
            report(f"generated, epoch {epoch + 1}, train mode", score(clf, generate(g, a.score_images, latent, a.seed + 8, True)))


if __name__ == "__main__":
    main()
