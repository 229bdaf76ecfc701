"""PyTorch's side of bench/dcgan-layers: each layer of the dcgan protocol's generator and discriminator
(bench/rival_torch.py's) alone, on the input it gets in the step, at batch BATCH, on 2 threads: median
ms of its forward (no_grad) and of forward + backward (parameter and input gradients; none for z).
One line per layer, "G.3 ConvTranspose2d fwd_ms fwdbwd_ms", as dev.nabla.bench.DcganLayers prints.
    python bench/torch_dcgan_layers.py [BATCH [REPS]]"""
import sys
import time

import torch

import rival_torch


def median(op, reps):
    for _ in range(30):
        op()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        op()
        ms.append((time.perf_counter() - t0) * 1e3)
    ms.sort()
    return ms[reps // 2]


def walk(name, layers, x, first_input_grad, reps):
    for i, layer in enumerate(layers):
        inp = x.detach().requires_grad_(i > 0 or first_input_grad)
        with torch.no_grad():
            x = layer(inp)
        gy = torch.randn_like(x)

        def forward():
            with torch.no_grad():
                layer(inp)

        def forward_backward():
            layer.zero_grad(set_to_none=True)
            inp.grad = None
            layer(inp).backward(gy)
        print(f"{name}.{i} {type(layer).__name__} {median(forward, reps):.4f} {median(forward_backward, reps):.4f}",
              flush=True)
    return x


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    torch.set_num_threads(2)
    g, d = rival_torch.dcgan_models(torch)
    images = walk("G", g, torch.randn(batch, 100), False, reps)
    walk("D", d, images, True, reps)


if __name__ == "__main__":
    main()
