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
 * Where a protocol's step spends its time: each layer of the cnn protocol's net (batch 128), of the
 * dcgan protocol's generator and discriminator (batch 32 by default, the recipe's) or of the vgg16
 * protocol's VGG16 (batch 2) alone, on the input it gets in the step, on 2 threads: the median time of its forward pass (no
 * tape) and of forward + backward (the gradients of its parameters and of its input; a model's
 * first layer has no input gradient, as z and the images need none, except the discriminator's).
 * One line per layer, "G.3 ConvTranspose2d fwd_ms fwdbwd_ms"; bench/layers prints it beside
 * PyTorch's (bench/torch_layers.py).
 * <pre>
 *   ProtocolLayers cnn|dcgan|vgg16 [BATCH [REPS]]
 * </pre>
 */
final class ProtocolLayers {
    private ProtocolLayers() {}

    public static void main(String[] args) {
        Usage.main(args, ProtocolLayers::run);
    }

    /** The tool on its arguments; a bad command line throws {@link Usage}. */
    static void run(String[] args) {
        String model = args.length > 0 ? args[0] : "";
        // batch, reps and calls before the timed ones (C2 compiles the kernels; a layer alone warms
        // fast), fewer for VGG16's layers, which take up to a tenth of a second each
        int[] defaults = switch (model) {
            case "cnn" -> new int[] {128, 50, 10};
            case "dcgan" -> new int[] {32, 200, 30};
            case "vgg16" -> new int[] {2, 5, 3};
            default -> null;
        };
        if (defaults == null || args.length > 3) {
            throw new Usage("usage: ProtocolLayers cnn|dcgan|vgg16 [BATCH [REPS]] (got " + String.join(" ", args) + ")");
        }
        int batch = positive(args, 1, "BATCH", defaults[0]), reps = positive(args, 2, "REPS", defaults[1]);
        int warm = Math.min(reps, defaults[2]);
        Nabla.setThreads(NablaProtocols.THREADS);
        Generator g = new Generator(0);
        // the first pass only warms up: C2 compiles the kernels over many layers' calls, and the
        // generator's first layers, timed first, took 2-8 times as long as in the second pass
        if (model.equals("cnn")) {
            Sequential net = CnnBench.cnnModel(g);
            Tensor x = Tensor.rand(g, batch, 1, 28, 28);
            for (boolean print : new boolean[] {false, true}) walk("C", net, x, false, warm, reps, g, print);
        } else if (model.equals("dcgan")) {
            Sequential generator = CnnBench.dcganGenerator(g), discriminator = CnnBench.dcganDiscriminator(g);
            Tensor z = Tensor.randn(g, batch, 100);
            for (boolean print : new boolean[] {false, true}) {
                Tensor images = walk("G", generator, z, false, warm, reps, g, print);
                walk("D", discriminator, images, true, warm, reps, g, print);
            }
        } else {
            Sequential vgg = CnnBench.vgg16(g);
            Tensor x = Tensor.rand(g, batch, 3, 224, 224);
            for (boolean print : new boolean[] {false, true}) walk("V", vgg, x, false, warm, reps, g, print);
        }
    }

    // args[i] as a whole number >= 1, or fallback when absent
    private static int positive(String[] args, int i, String name, int fallback) {
        if (args.length <= i) return fallback;
        try {
            int v = Integer.parseInt(args[i]);
            if (v >= 1) return v;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new Usage("ProtocolLayers: " + name + " " + args[i] + " is not a whole number >= 1");
    }

    // Times each layer on its input, then passes the input on through it; returns the model's output.
    private static Tensor walk(String model, Sequential layers, Tensor x, boolean firstInputGrad, int warm, int reps,
                               Generator g, boolean print) {
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
            }, warm, reps);
            double fwdBwd = median(() -> {
                layer.zeroGrad();
                in.setGrad(null);
                layer.forward(in).backward(gy);
            }, warm, reps);
            if (print) System.out.printf(Locale.ROOT, "%s.%d %s %.4f %.4f%n", model, i, layer.typeName(), fwd, fwdBwd);
        }
        return x;
    }

    // Median ms of reps calls after warm ones.
    private static double median(Runnable op, int warm, int reps) {
        for (int i = 0; i < warm; i++) op.run();
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
