#!/usr/bin/env python3
"""JAX, a rival of bench/run: BENCH.md's protocols with jax.jit over the whole training step
(value_and_grad + optax Adam), compiled outside the timing; one protocol per process (see rival_common.py).

CPU only, 2 threads: XLA sizes its CPU thread pool by the process's affinity mask, so rival_common
confines the process to 2 CPUs (1 for the health check) before JAX starts, and XLA_FLAGS asks for
multi-threaded Eigen. Layers are written with jax.lax as PyTorch defines them (PyTorch's default
initialization: U(+-1/sqrt(fan_in)) for weights and biases), NCHW layout as in nabla and PyTorch.
Differences from the PyTorch script, all in JAX's favour or neutral: the training loops do not wait
for the loss after every step (jax's asynchronous dispatch runs ahead; an epoch or repetition ends
with block_until_ready), and the DCGAN's BatchNorm keeps no running statistics (they do not affect a
training step). gemm has no 1-thread figures: XLA's pool is sized once per process.
"""
import math
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rival_common as rc  # noqa: E402 (after the path)


def load():
    os.environ["JAX_PLATFORMS"] = "cpu"
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=true").strip()
    import jax
    import optax  # noqa: F401 (fails here, not mid-protocol, when missing)
    return jax


def name(jax):
    return "jax-" + ".".join(jax.__version__.split(".")[:2])


def threads(jax):
    return len(os.sched_getaffinity(0))


def gflops(jax, n):
    a, b = (jax.random.uniform(k, (n, n)) for k in jax.random.split(jax.random.key(0)))
    mm = jax.jit(jax.numpy.dot)
    t = rc.best_time(lambda: mm(a, b).block_until_ready())
    return 2.0 * n ** 3 / t / 1e9


def check(jax):
    import jaxlib
    return {"version": jax.__version__, "jaxlib": jaxlib.__version__, "devices": [str(d) for d in jax.devices()],
            "blas": [], "mkl": False, "check_gemm_1024_1thread": gflops(jax, 1024)}


def gemm(jax):
    return rc.gemm_figures(lambda n, t: gflops(jax, n), thread_counts=(rc.THREADS,))


def elementwise(jax):
    x, a, b, c = (jax.random.uniform(k, (rc.EW_N,)) for k in jax.random.split(jax.random.key(0), 4))
    def chain(x, a, b, c):
        return jax.numpy.tanh(x * a + b) * c
    fused = jax.jit(chain)
    return [rc.figure("elementwise", "GB/s",
                      rc.elementwise_gbps(rc.best_time(lambda: fused(x, a, b, c).block_until_ready()))),
            rc.figure("elementwise op by op", "GB/s",  # without jit: one dispatch and one array per op
                      rc.elementwise_gbps(rc.best_time(lambda: chain(x, a, b, c).block_until_ready())))]


def reduce(jax):
    x = jax.random.uniform(jax.random.key(0), (rc.REDUCE_N,))
    total = jax.jit(jax.numpy.sum)
    return [rc.figure("reduce", "GB/s", rc.reduce_gbps(rc.best_time(lambda: total(x).block_until_ready())))]


# ---------------------------------------------------------------- layers, as PyTorch defines them

def uniform(jax, key, shape, fan_in):
    bound = 1 / math.sqrt(fan_in)
    return jax.random.uniform(key, shape, minval=-bound, maxval=bound)


def dense_init(jax, key, n_in, n_out):
    kw, kb = jax.random.split(key)
    return {"w": uniform(jax, kw, (n_in, n_out), n_in), "b": uniform(jax, kb, (n_out,), n_in)}


def dense(p, x):
    return x @ p["w"] + p["b"] if "b" in p else x @ p["w"]


def conv_init(jax, key, c_in, c_out, k):
    kw, kb = jax.random.split(key)
    return {"w": uniform(jax, kw, (c_out, c_in, k, k), c_in * k * k), "b": uniform(jax, kb, (c_out,), c_in * k * k)}


def conv(jax, p, x, stride=1, pad=1):
    y = jax.lax.conv_general_dilated(x, p["w"], (stride, stride), [(pad, pad)] * 2,
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + p["b"][None, :, None, None] if "b" in p else y


def conv_transpose(jax, p, x, stride, pad):
    """PyTorch's ConvTranspose2d (weight in, out, kh, kw): the input dilated by the stride and convolved
    with the flipped, transposed kernel."""
    w = jax.numpy.flip(p["w"], (2, 3)).transpose(1, 0, 2, 3)
    k = w.shape[2]
    y = jax.lax.conv_general_dilated(x, w, (1, 1), [(k - 1 - pad, k - 1 - pad)] * 2, lhs_dilation=(stride, stride),
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + p["b"][None, :, None, None] if "b" in p else y


def max_pool2(jax, x):
    return jax.lax.reduce_window(x, -jax.numpy.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def batch_norm(jax, p, x, axes):
    """BatchNorm in training mode: batch statistics (biased variance), eps 1e-5."""
    mean = x.mean(axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axes, keepdims=True)
    shape = [1, -1] + [1] * (x.ndim - 2)
    return (x - mean) / jax.numpy.sqrt(var + 1e-5) * p["g"].reshape(shape) + p["b"].reshape(shape)


def mlp_forward(jax, params, x, activations):
    for i, p in enumerate(params):
        x = dense(p, x)
        if i < len(activations):
            x = activations[i](x)
    return x


def adam_step(jax, loss_fn, lr, b1=0.9, b2=0.999):
    """The compiled training step: (params, opt_state, *batch) -> (params, opt_state, loss), and the optimizer."""
    import optax
    opt = optax.adam(lr, b1=b1, b2=b2)

    @jax.jit
    def step(params, state, *batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    return step, opt


def cross_entropy(logits, y):
    import optax
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


# ---------------------------------------------------------------- the training protocols

def runge(jax):
    """300 epochs of the jitted Adam step on batches of 39 and a validation loss each epoch (read, as fit
    reads it); median over seeds of the wall time and of the test MSE, after one warm-up run (which compiles)."""
    import numpy as np
    jnp = jax.numpy
    acts = [jnp.tanh, jax.nn.sigmoid, jnp.tanh, jax.nn.sigmoid]

    def mse(params, x, y):
        return ((mlp_forward(jax, params, x, acts) - y) ** 2).mean()

    evaluate = jax.jit(mse)
    out = []
    for lr in rc.RUNGE_LRS:
        step, opt = adam_step(jax, lambda p, x, y, idx: mse(p, x[idx], y[idx]), lr)
        times, mses = [], []
        for seed in range(-1, rc.RUNGE_SEEDS):  # seed -1 is the warm-up
            s = max(seed, 0)
            xt, yt, xv, yv, xg, yg = (jnp.asarray(a) for a in rc.runge_data(s))
            keys = jax.random.split(jax.random.key(s), 5)
            sizes = [1, 20, 10, 20, 10, 1]
            params = [dense_init(jax, keys[i], sizes[i], sizes[i + 1]) for i in range(5)]
            state = opt.init(params)
            rng = np.random.default_rng(s)
            t0 = time.perf_counter()
            for _ in range(rc.RUNGE_EPOCHS):
                order = rng.permutation(len(xt))
                for i in range(0, len(xt), rc.RUNGE_BATCH):
                    params, state, _ = step(params, state, xt, yt, order[i:i + rc.RUNGE_BATCH])
                float(evaluate(params, xv, yv))
            elapsed = time.perf_counter() - t0
            if seed >= 0:
                times.append(elapsed)
                mses.append(float(evaluate(params, xg, yg)))
        out.append(rc.figure("runge lr=%g" % lr, "s", statistics.median(times), test_mse=statistics.median(mses)))
    return out


def mlp(jax):
    """784-256-128-10 ReLU, cross-entropy, Adam 1e-3, batch 128, shuffled; median s/epoch after a warm-up
    epoch (which compiles both batch shapes)."""
    import numpy as np
    rng = np.random.default_rng(0)
    x, y, what = rc.fashion_mnist(rng)
    x, y = jax.numpy.asarray(x), jax.numpy.asarray(y)
    keys = jax.random.split(jax.random.key(0), 3)
    params = [dense_init(jax, keys[i], n_in, n_out) for i, (n_in, n_out) in enumerate([(784, 256), (256, 128), (128, 10)])]
    step, opt = adam_step(jax, lambda p, x, y, idx: cross_entropy(
        mlp_forward(jax, p, x[idx], [jax.nn.relu, jax.nn.relu]), y[idx]), 1e-3)
    state = opt.init(params)
    times = []
    for epoch in range(-1, rc.MLP_EPOCHS):  # -1: the warm-up
        t0 = time.perf_counter()
        order = rng.permutation(len(x))
        for i in range(0, len(x), rc.MLP_BATCH):
            params, state, loss = step(params, state, x, y, order[i:i + rc.MLP_BATCH])
        loss.block_until_ready()
        if epoch >= 0:
            times.append(time.perf_counter() - t0)
    return [rc.figure("mlp", "s/epoch", statistics.median(times), data=what)]


def timed_jit_steps(jax, train, carry, warm, steps, reps):
    """Median ms per step of a jitted train(carry) -> carry, waiting for the carry at each repetition's end."""
    box = [carry]

    def step():
        box[0] = train(box[0])

    return rc.timed_steps(step, warm, steps, reps, sync=lambda: jax.block_until_ready(box[0]))


def shuffled(n):
    """Endless batches of BATCH indices of a shuffled order of n rows (NumPy, as the PyTorch script's batches)."""
    import numpy as np
    rng, pos, perm = np.random.default_rng(0), n, None
    while True:
        if pos + rc.BATCH > n:
            perm, pos = rng.permutation(n), 0
        yield perm[pos:pos + rc.BATCH]
        pos += rc.BATCH


def cnn(jax):
    """The cnn protocol (see rival_torch.cnn) with a jitted Adam step; samples/s."""
    k = jax.random.split(jax.random.key(0), 6)
    params = {"c1": conv_init(jax, k[0], 1, 32, 3), "c2": conv_init(jax, k[1], 32, 64, 3),
              "l1": dense_init(jax, k[2], 3136, 128), "l2": dense_init(jax, k[3], 128, 10)}
    x = jax.random.uniform(k[4], (rc.TRAIN, 1, 28, 28))
    y = jax.random.randint(k[5], (rc.TRAIN,), 0, 10)

    def loss(p, x, y, idx):
        h = max_pool2(jax, jax.nn.relu(conv(jax, p["c1"], x[idx])))
        h = max_pool2(jax, jax.nn.relu(conv(jax, p["c2"], h)))
        h = jax.nn.relu(dense(p["l1"], h.reshape(h.shape[0], -1)))
        return cross_entropy(dense(p["l2"], h), y[idx])

    step, opt = adam_step(jax, loss, 1e-3)
    order = shuffled(rc.TRAIN)
    ms = timed_jit_steps(jax, lambda c: step(c[0], c[1], x, y, next(order)), (params, opt.init(params), None),
                         rc.CNN_WARM, rc.CNN_STEPS, rc.CNN_REPS)
    return [rc.figure("cnn", "samples/s", rc.BATCH * 1e3 / ms)]


def dcgan(jax):
    """The DCGAN step (see rival_torch.dcgan) compiled whole: D's Adam update on real and stop_gradient(G(z)),
    then G's on the non-saturating loss through the updated D; samples/s."""
    import optax
    jnp = jax.numpy
    k = iter(jax.random.split(jax.random.key(0), 16))

    def normal(shape, mean=0.0):
        return mean + 0.02 * jax.random.normal(next(k), shape)

    gen = {"l": {"w": normal((100, 6272))}, "bn1": {"g": normal((6272,), 1.0), "b": jnp.zeros(6272)},
           "t1": {"w": normal((128, 64, 4, 4))}, "bn2": {"g": normal((64,), 1.0), "b": jnp.zeros(64)},
           "t2": {"w": normal((64, 1, 4, 4)), "b": jnp.zeros(1)}}
    disc = {"c1": {"w": normal((64, 1, 4, 4)), "b": jnp.zeros(64)}, "c2": {"w": normal((128, 64, 4, 4))},
            "bn": {"g": normal((128,), 1.0), "b": jnp.zeros(128)}, "l": {"w": normal((6272, 1)), "b": jnp.zeros(1)}}
    x = jax.random.uniform(next(k), (rc.TRAIN, 1, 28, 28)) * 2 - 1

    def G(p, z):
        h = jax.nn.relu(batch_norm(jax, p["bn1"], dense(p["l"], z), (0,))).reshape(-1, 128, 7, 7)
        h = jax.nn.relu(batch_norm(jax, p["bn2"], conv_transpose(jax, p["t1"], h, 2, 1), (0, 2, 3)))
        return jnp.tanh(conv_transpose(jax, p["t2"], h, 2, 1))

    def D(p, img):
        h = jax.nn.leaky_relu(conv(jax, p["c1"], img, 2, 1), 0.2)
        h = jax.nn.leaky_relu(batch_norm(jax, p["bn"], conv(jax, p["c2"], h, 2, 1), (0, 2, 3)), 0.2)
        return dense(p["l"], h.reshape(h.shape[0], -1)).reshape(-1)

    def bce(logits, label):
        return optax.sigmoid_binary_cross_entropy(logits, jnp.full_like(logits, label)).mean()

    opt = optax.adam(2e-4, b1=0.5, b2=0.999)

    @jax.jit
    def step(gp, dp, gs, ds, x, idx, key):
        z = jax.random.normal(key, (rc.BATCH, 100))
        fake = jax.lax.stop_gradient(G(gp, z))
        grads = jax.grad(lambda p: bce(D(p, x[idx]), 1.0) + bce(D(p, fake), 0.0))(dp)
        updates, ds = opt.update(grads, ds, dp)
        dp = optax.apply_updates(dp, updates)
        grads = jax.grad(lambda p: bce(D(dp, G(p, z)), 1.0))(gp)
        updates, gs = opt.update(grads, gs, gp)
        return optax.apply_updates(gp, updates), dp, gs, ds

    order, keys = shuffled(rc.TRAIN), iter(jax.random.split(jax.random.key(1), 10_000))
    ms = timed_jit_steps(jax, lambda c: step(*c, x, next(order), next(keys)), (gen, disc, opt.init(gen), opt.init(disc)),
                         rc.DCGAN_WARM, rc.DCGAN_STEPS, rc.DCGAN_REPS)
    return [rc.figure("dcgan", "samples/s", rc.BATCH * 1e3 / ms)]


def vgg16(jax):
    """VGG16 (configuration D, 2 classes, no dropout), 224x224x3, batch 2: one jitted forward + backward
    pass (the gradients of the cross-entropy), median of VGG_REPS after a warm-up (one pass, which
    compiles, and at least WARM_SECONDS); seconds."""
    keys = iter(jax.random.split(jax.random.key(0), 20))
    convs, c = [], 3
    for v in rc.VGG16_D:
        if v != "M":
            convs.append(conv_init(jax, next(keys), c, v, 3))
            c = v
    params = {"convs": convs, "dense": [dense_init(jax, next(keys), a, b) for a, b in [(25088, 4096), (4096, 4096), (4096, 2)]]}
    x, y = jax.random.uniform(next(keys), (2, 3, 224, 224)), jax.numpy.array([0, 1])

    def loss(p, x, y):
        h, i = x, 0
        for v in rc.VGG16_D:
            if v == "M":
                h = max_pool2(jax, h)
            else:
                h = jax.nn.relu(conv(jax, p["convs"][i], h))
                i += 1
        return cross_entropy(mlp_forward(jax, p["dense"], h.reshape(2, -1), [jax.nn.relu, jax.nn.relu]), y)

    grad = jax.jit(jax.grad(loss))
    ms = timed_jit_steps(jax, lambda g: grad(params, x, y), None, 1, 1, rc.VGG_REPS)
    return [rc.figure("vgg16", "s", ms / 1e3)]


if __name__ == "__main__":
    rc.serve(name, load, check, {"gemm": gemm, "elementwise": elementwise, "reduce": reduce, "runge": runge, "mlp": mlp,
                                 "cnn": cnn, "dcgan": dcgan, "vgg16": vgg16}, threads)
