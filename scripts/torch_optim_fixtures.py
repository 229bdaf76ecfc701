#!/usr/bin/python3
"""Reference values from PyTorch for nabla's optimizers, LR schedules and gradient clipping.

Regenerate (from the repository root; needs Debian's python3-torch, PyTorch 1.13):

    /usr/bin/python3 scripts/torch_optim_fixtures.py

It writes nabla-core/src/test/resources/fixtures/torch_optim.json, read by
nabla-core/src/test/java/dev/nabla/optim/OptimizerTorchTest.java. The output is deterministic:
running it twice gives the identical file. All numbers are Python reprs of float64 values
(float32 results are stored as the float64 of the float32 value, so they parse back exactly).

Layout:
  params      shapes, init (flat row-major float64 initial values of the two parameters) and
              grads[step][param] (flat float64 gradients for 3 steps)
  optimizers  [{name, optimizer, options (nabla's option names), dtype, skip ([step, param]
              pairs whose grad is None), steps[step][param] (parameters after each step)}]
  schedulers  [{name, scheduler, options, base_lr, metrics (ReduceLROnPlateau only),
              lrs (the lr at epoch 0, then after each of 20 scheduler steps)}]
  clip        [{name, kind ("norm" or "value"), options, dtype, grads (null: no grad),
              total_norm (kind "norm"), clipped}]
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "nabla-core", "src", "test", "resources", "fixtures", "torch_optim.json")

torch.set_num_threads(1)

SHAPES = [[3, 4], [4]]
STEPS = 3
GRAD_SCALES = [1.0, 0.5, 0.02]  # a shrinking last gradient makes amsgrad's max matter


def rounded(t, decimals=4):
    return torch.round(t * 10 ** decimals) / 10 ** decimals


def make_values(seed, scale=1.0, offset=0.0):
    g = torch.Generator()
    g.manual_seed(seed)
    return [rounded(torch.randn(tuple(s), generator=g, dtype=torch.float64) * scale + offset) for s in SHAPES]


INIT = make_values(1234)
GRADS = [make_values(100 + k, scale=GRAD_SCALES[k]) for k in range(STEPS)]


def flat(t):
    return [float(x) for x in t.detach().to(torch.float64).reshape(-1).tolist()]


# ------------------------------------------------------------------ optimizers

def torch_optimizer(kind, params, o):
    if kind == "SGD":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o.get("momentum", 0), dampening=o.get("dampening", 0),
                               weight_decay=o.get("weightDecay", 0), nesterov=o.get("nesterov", False))
    if kind == "Adagrad":
        kw = dict(lr=o.get("lr", 1e-2), lr_decay=o.get("lrDecay", 0), weight_decay=o.get("weightDecay", 0),
                  initial_accumulator_value=o.get("initialAccumulatorValue", 0), eps=o.get("eps", 1e-10))
        return torch.optim.Adagrad(params, **kw)
    if kind == "RMSprop":
        return torch.optim.RMSprop(params, lr=o.get("lr", 1e-2), alpha=o.get("alpha", 0.99), eps=o.get("eps", 1e-8),
                                   weight_decay=o.get("weightDecay", 0), momentum=o.get("momentum", 0),
                                   centered=o.get("centered", False))
    if kind in ("Adam", "AdamW"):
        cls = torch.optim.Adam if kind == "Adam" else torch.optim.AdamW
        return cls(params, lr=o.get("lr", 1e-3), betas=tuple(o.get("betas", (0.9, 0.999))), eps=o.get("eps", 1e-8),
                   weight_decay=o.get("weightDecay", 0 if kind == "Adam" else 1e-2), amsgrad=o.get("amsgrad", False))
    raise ValueError(kind)


OPTIMIZERS = [
    ("sgd", "SGD", {"lr": 0.1}),
    ("sgd_momentum", "SGD", {"lr": 0.1, "momentum": 0.9}),
    ("sgd_momentum_dampening", "SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("sgd_nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd_weight_decay", "SGD", {"lr": 0.1, "weightDecay": 0.05}),
    ("sgd_nesterov_weight_decay", "SGD", {"lr": 0.02, "momentum": 0.7, "nesterov": True, "weightDecay": 0.1}),
    ("adagrad", "Adagrad", {}),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lrDecay": 0.5}),
    ("adagrad_weight_decay_init", "Adagrad", {"lr": 0.05, "weightDecay": 0.1, "initialAccumulatorValue": 0.3,
                                              "eps": 1e-6}),
    ("rmsprop", "RMSprop", {}),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
    ("rmsprop_centered_momentum_wd", "RMSprop", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5,
                                                 "centered": True, "weightDecay": 0.1}),
    ("adam", "Adam", {}),
    ("adam_lr_betas", "Adam", {"lr": 0.01, "betas": [0.8, 0.9], "eps": 1e-6}),
    ("adam_weight_decay", "Adam", {"lr": 0.01, "weightDecay": 0.1}),
    ("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}),
    ("adam_amsgrad_betas_wd", "Adam", {"lr": 0.02, "betas": [0.5, 0.6], "amsgrad": True, "weightDecay": 0.05}),
    ("adamw", "AdamW", {}),
    ("adamw_weight_decay", "AdamW", {"lr": 0.01, "weightDecay": 0.5}),
    ("adamw_amsgrad", "AdamW", {"lr": 0.02, "betas": [0.5, 0.6], "amsgrad": True}),
]

# Parameter 1 has no gradient at step 2 (index 1): it must be skipped, its state untouched.
SKIPS = {"sgd_momentum": [[1, 1]], "adagrad_lr_decay": [[1, 1]], "rmsprop_centered_momentum_wd": [[1, 1]],
         "adam_amsgrad": [[1, 1]], "adamw_weight_decay": [[1, 1]]}


def run_optimizer(kind, options, dtype, skip):
    params = [p.clone().to(dtype).requires_grad_(True) for p in INIT]
    opt = torch_optimizer(kind, params, options)
    steps = []
    for k in range(STEPS):
        opt.zero_grad(set_to_none=True)
        for i, p in enumerate(params):
            if [k, i] not in skip:
                p.grad = GRADS[k][i].clone().to(dtype)
        opt.step()
        steps.append([flat(p) for p in params])
    return steps


def optimizer_cases():
    cases = []
    for name, kind, options in OPTIMIZERS:
        for dtype, suffix in ((torch.float64, "f64"), (torch.float32, "f32")):
            skip = SKIPS.get(name, [])
            cases.append({"name": name + "_" + suffix, "optimizer": kind, "options": options,
                          "dtype": "float64" if dtype == torch.float64 else "float32", "skip": skip,
                          "steps": run_optimizer(kind, options, dtype, skip)})
    return cases


# ------------------------------------------------------------------ LR schedules

BASE_LR = 0.1
EPOCHS = 20
LOSSES = [1.0, 0.8, 0.7, 0.69995, 0.71, 0.72, 0.65, 0.66, 0.66, 0.66,
          0.66, 0.64, 0.64, 0.64, 0.64, 0.64, 0.5, 0.5, 0.5, 0.5]
FLAT = [1.0, 0.9] + [0.9] * 18  # 18 bad epochs: the default patience of 10 runs out once
ACCURACIES = [0.5, 0.6, 0.605, 0.61, 0.7, 0.7, 0.7, 0.7, 0.75, 0.75,
              0.751, 0.752, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 0.9, 0.9]

SCHEDULERS = [
    ("step_lr", "StepLR", {"stepSize": 3, "gamma": 0.5}, None),
    ("step_lr_default_gamma", "StepLR", {"stepSize": 5}, None),
    ("exponential_lr", "ExponentialLR", {"gamma": 0.9}, None),
    ("cosine_lr", "CosineAnnealingLR", {"tMax": 7, "etaMin": 0.001}, None),
    ("cosine_lr_to_zero", "CosineAnnealingLR", {"tMax": 10}, None),
    ("plateau", "ReduceLROnPlateau", {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 1e-4,
                                      "thresholdMode": "rel", "cooldown": 1, "minLr": 0.01}, LOSSES),
    ("plateau_defaults", "ReduceLROnPlateau", {}, FLAT),
    ("plateau_max_abs", "ReduceLROnPlateau", {"mode": "max", "factor": 0.3, "patience": 1, "threshold": 0.01,
                                              "thresholdMode": "abs", "cooldown": 2, "minLr": 0.005}, ACCURACIES),
]


def torch_scheduler(kind, opt, o):
    s = torch.optim.lr_scheduler
    if kind == "StepLR":
        return s.StepLR(opt, step_size=o["stepSize"], gamma=o.get("gamma", 0.1))
    if kind == "ExponentialLR":
        return s.ExponentialLR(opt, gamma=o["gamma"])
    if kind == "CosineAnnealingLR":
        return s.CosineAnnealingLR(opt, T_max=o["tMax"], eta_min=o.get("etaMin", 0))
    if kind == "ReduceLROnPlateau":
        return s.ReduceLROnPlateau(opt, mode=o.get("mode", "min"), factor=o.get("factor", 0.1),
                                   patience=o.get("patience", 10), threshold=o.get("threshold", 1e-4),
                                   threshold_mode=o.get("thresholdMode", "rel"), cooldown=o.get("cooldown", 0),
                                   min_lr=o.get("minLr", 0))
    raise ValueError(kind)


def scheduler_cases():
    cases = []
    for name, kind, options, metrics in SCHEDULERS:
        p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=BASE_LR)
        sched = torch_scheduler(kind, opt, options)
        lrs = [opt.param_groups[0]["lr"]]
        for e in range(EPOCHS):
            opt.step()  # no gradient: nothing changes, but the call order is PyTorch's
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[e])
            lrs.append(float(opt.param_groups[0]["lr"]))
        case = {"name": name, "scheduler": kind, "options": options, "base_lr": BASE_LR}
        if metrics is not None:
            case["metrics"] = metrics
        case["lrs"] = lrs
        cases.append(case)
    return cases


# ------------------------------------------------------------------ clipping

CLIP_GRADS = make_values(777, scale=2.0)

CLIPS = [
    ("norm2", "norm", {"maxNorm": 1.0, "normType": 2.0}, torch.float64, False),
    ("norm2_no_clip", "norm", {"maxNorm": 100.0, "normType": 2.0}, torch.float64, False),
    ("norm_inf", "norm", {"maxNorm": 0.5, "normType": float("inf")}, torch.float64, False),
    ("norm1", "norm", {"maxNorm": 2.0, "normType": 1.0}, torch.float64, False),
    ("norm3", "norm", {"maxNorm": 1.0, "normType": 3.0}, torch.float64, False),
    ("norm2_one_grad_missing", "norm", {"maxNorm": 1.0, "normType": 2.0}, torch.float64, True),
    ("norm2_f32", "norm", {"maxNorm": 1.0, "normType": 2.0}, torch.float32, False),
    ("value", "value", {"clip": 0.5}, torch.float64, False),
    ("value_f32", "value", {"clip": 0.5}, torch.float32, False),
]


def clip_cases():
    cases = []
    for name, kind, options, dtype, missing in CLIPS:
        params = [p.clone().to(dtype).requires_grad_(True) for p in INIT]
        for i, p in enumerate(params):
            if not (missing and i == 1):
                p.grad = CLIP_GRADS[i].clone().to(dtype)
        grads = [None if p.grad is None else flat(p.grad) for p in params]
        case = {"name": name, "kind": kind, "options": options,
                "dtype": "float64" if dtype == torch.float64 else "float32", "grads": grads}
        if kind == "norm":
            total = torch.nn.utils.clip_grad_norm_(params, options["maxNorm"], options["normType"])
            case["total_norm"] = float(total)
        else:
            torch.nn.utils.clip_grad_value_(params, options["clip"])
        case["clipped"] = [None if p.grad is None else flat(p.grad) for p in params]
        cases.append(case)
    return cases


def main():
    data = {
        "torch_version": torch.__version__,
        "params": {"shapes": SHAPES, "init": [flat(p) for p in INIT],
                   "grads": [[flat(g) for g in step] for step in GRADS]},
        "optimizers": optimizer_cases(),
        "schedulers": scheduler_cases(),
        "clip": clip_cases(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1, allow_nan=True)
        f.write("\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
