package dev.nabla.bench;

import dev.nabla.Nabla;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where the DCGAN step's time goes: each layer of the dcgan protocol's generator and discriminator
 * alone, on the input it gets in the step, at the recipe's batch (32), on 2 threads: the median
 * time of its forward pass (no tape) and of forward + backward (the gradients of its parameters and
 * of its input; the generator's first layer has no input gradient, as z needs none). One line per
 * layer, "G.3 ConvTranspose2d fwd_ms fwdbwd_ms"; bench/dcgan-layers prints it beside PyTorch's
 * (bench/torch_dcgan_layers.py).
 * <pre>
 *   DcganLayers [BATCH [REPS]]
 * </pre>
 */
final class DcganLayers {
    private DcganLayers() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32, reps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Nabla.setThreads(NablaProtocols.THREADS);
        Generator g = new Generator(0);
        Sequential generator = CnnBench.dcganGenerator(g), discriminator = CnnBench.dcganDiscriminator(g);
        Tensor z = Tensor.randn(g, batch, 100);
        // the first pass only warms up: C2 compiles the kernels over many layers' calls, and the
        // generator's first layers, timed first, took 2-8 times as long as in the second pass
        for (boolean print : new boolean[] {false, true}) {
            Tensor images = walk("G", generator, z, false, reps, g, print);
            walk("D", discriminator, images, true, reps, g, print);
        }
    }

    // Times each layer on its input, then passes the input on through it; returns the model's output.
    private static Tensor walk(String model, Sequential layers, Tensor x, boolean firstInputGrad, int reps, Generator g,
                               boolean print) {
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Tensor in = x.detach().requiresGrad(i > 0 || firstInputGrad);
            Tensor gy;
            try (var s = GradMode.noGrad()) {
                x = layer.forward(in);
                gy = Tensor.randn(g, x.shape());
            }
            double fwd = median(() -> {
                try (var s = GradMode.noGrad()) {
                    layer.forward(in);
                }
            }, reps);
            double fwdBwd = median(() -> {
                layer.zeroGrad();
                in.setGrad(null);
                layer.forward(in).backward(gy);
            }, reps);
            if (print) System.out.printf(Locale.ROOT, "%s.%d %s %.4f %.4f%n", model, i, layer.typeName(), fwd, fwdBwd);
        }
        return x;
    }

    // Median ms of reps calls after 30 warm-up calls (the kernels compiled; a layer alone warms fast).
    private static double median(Runnable op, int reps) {
        for (int i = 0; i < 30; i++) op.run();
        double[] ms = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            op.run();
            ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }
}
