"""PyTorch's side of bench/layers: each layer of the cnn protocol's net, of the dcgan protocol's generator
and discriminator or of the vgg16 protocol's VGG16 (bench/rival_torch.py's) alone, on the input it gets
in the step, at batch BATCH, on 2 threads: median ms of its forward (no_grad) and of forward + backward (parameter and input
gradients; none for z or the images the cnn and VGG16 get). One line per layer, "G.3 ConvTranspose2d fwd_ms
fwdbwd_ms", as dev.nabla.bench.ProtocolLayers prints.
    python bench/torch_layers.py cnn|dcgan|vgg16 [BATCH [REPS]]"""
import sys
import time

import torch

import rival_torch


def median(op, warm, reps):
    for _ in range(warm):
        op()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        op()
        ms.append((time.perf_counter() - t0) * 1e3)
    ms.sort()
    return ms[reps // 2]


def walk(name, layers, x, first_input_grad, warm, reps):
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
        print(f"{name}.{i} {type(layer).__name__} {median(forward, warm, reps):.4f} "
              f"{median(forward_backward, warm, reps):.4f}", flush=True)
    return x


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else ""
    if model not in ("cnn", "dcgan", "vgg16") or len(sys.argv) > 4:
        sys.exit("usage: torch_layers.py cnn|dcgan|vgg16 [BATCH [REPS]]")
    # as ProtocolLayers: batch, reps and warm-up calls by model
    batch, reps, warm = {"cnn": (128, 50, 10), "dcgan": (32, 200, 30), "vgg16": (2, 5, 3)}[model]
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else batch
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else reps
    warm = min(reps, warm)
    torch.set_num_threads(2)
    torch.manual_seed(0)
    if model == "cnn":
        walk("C", rival_torch.cnn_model(torch), torch.rand(batch, 1, 28, 28), False, warm, reps)
    elif model == "dcgan":
        g, d = rival_torch.dcgan_models(torch)
        images = walk("G", g, torch.randn(batch, 100), False, warm, reps)
        walk("D", d, images, True, warm, reps)
    else:
        walk("V", rival_torch.vgg16_model(torch), torch.rand(batch, 3, 224, 224), False, warm, reps)


if __name__ == "__main__":
    main()
