package dev.nabla.bench;

import dev.nabla.data.Batch;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.data.FashionMnist;
import dev.nabla.data.Subset;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Locale;

/**
 * BENCH.md's "mlp" protocol in nabla: Fashion-MNIST's 60,000 training images from
 * /usr/share/datasets/fashion-mnist (random data of that shape, 60,000 × 784 in [0, 1] with 10
 * classes, when it is not installed), 784-256-128-10 ReLU, cross-entropy, Adam lr 1e-3, batch
 * 128, reshuffled every epoch, 2 threads: the PyTorch-style loop (zero_grad, forward, loss,
 * backward, step, loss.item()) that {@code rival_torch.py} times too. One warm-up epoch, then
 * the median of the timed epochs ({@link Plan#mlpEpochs}).
 *
 * <p>Real data is preferred to random: on random labels the ReLU units
 * die, 99.8% of the gradients are exactly 0 and Adam's moments decay into subnormal floats,
 * which slows both nabla and PyTorch in a way real training does not.
 */
final class MlpBench {
    static final int FEATURES = 784, CLASSES = 10, BATCH = 128;

    private MlpBench() {}

    /** The median seconds per epoch (progress on stderr). */
    static double secondsPerEpoch(Plan plan) {
        Generator g = new Generator(0);
        Dataset data;
        String what;
        if (Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            try {
                data = FashionMnist.train(FashionMnist.DEFAULT_DIR).flattened();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (plan.mlpN() < data.size()) data = new Subset(data, java.util.stream.IntStream.range(0, plan.mlpN()).toArray());
            what = "Fashion-MNIST";
        } else {
            data = new TensorDataset(Tensor.rand(g, plan.mlpN(), FEATURES), Tensor.randint(g, 0, CLASSES, plan.mlpN()));
            what = "random";
        }
        Layer model = new Sequential(new Linear(FEATURES, 256, g), new ReLU(), new Linear(256, 128, g), new ReLU(),
                new Linear(128, CLASSES, g));
        Adam adam = new Adam(model.parameters(), 1e-3);
        DataLoader loader = new DataLoader(data, BATCH, true, false, 1);
        double[] times = new double[plan.mlpEpochs()];
        for (int e = -1; e < times.length; e++) { // epoch −1: the warm-up
            long t0 = System.nanoTime();
            double last = 0;
            for (Batch b : loader) {
                adam.zeroGrad();
                Tensor loss = Losses.crossEntropy(model.forward(b.inputs()), b.targets());
                loss.backward();
                adam.step();
                last = loss.item();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (e >= 0) times[e] = s;
            System.err.printf(Locale.ROOT, "nabla mlp (%s): %s epoch: %.3f s, last loss %.4f%n", what, e < 0 ? "warm-up" : "timed", s, last);
        }
        return RungeBench.median(times);
    }
}
