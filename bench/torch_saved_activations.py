"""PyTorch's side of bench/saved-activations: the bytes of the tensors autograd saves for VGG16's
backward pass (configuration D as nabla's Vgg builds it: 2 classes, no dropout, ReLU(inplace=True)
as torchvision has it), parameters excluded, each storage counted once.

    python bench/torch_saved_activations.py [BATCH ...]
"""
import sys

import torch
import torch.nn as nn

CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def vgg16():
    layers, c = [], 3
    for v in CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
            c = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True),
                         nn.Linear(4096, 4096), nn.ReLU(True), nn.Linear(4096, 2))


def main():
    torch.manual_seed(0)
    for batch in [int(a) for a in sys.argv[1:]] or [2, 8]:
        model = vgg16()
        params = {p.untyped_storage().data_ptr() for p in model.parameters()}
        saved = {}

        def pack(t):
            s = t.untyped_storage()
            if s.data_ptr() not in params:
                saved[s.data_ptr()] = s.nbytes()
            return t

        x, y = torch.rand(batch, 3, 224, 224), torch.randint(0, 2, (batch,))
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        print("torch %s VGG16 batch %d: saved activations %.0f MB" % (torch.__version__, batch, sum(saved.values()) / 1e6))


if __name__ == "__main__":
    main()
