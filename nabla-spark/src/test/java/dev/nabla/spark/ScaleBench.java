package dev.nabla.spark;

import dev.nabla.data.Dataset;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Loss;
import dev.nabla.train.Metric;
import dev.nabla.train.MicroBatches;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The measured half of nabla-spark's scale table (bench/spark): for the Fashion MLP and the CNN
 * of BENCH.md at batch 128, the step's compute time in one JVM, the gradient's size, and the time
 * a synchronous Spark step takes on local[1] and local[2] with 2 micro-batches; and for a one-weight
 * model Spark's fixed cost per step (broadcast, two tasks, collect). Prints a table and the
 * predicted speedup for W workers on a 10 Gbit/s network (see the README's Spark section).
 */
public final class ScaleBench {
    private ScaleBench() {}

    /** The benchmark's job: one of the two networks, on random data of Fashion-MNIST's shape. */
    record Job(String net) implements TrainingJob {
        @Override
        public String key() {
            return "scale-" + net;
        }

        @Override
        public Layer model() {
            Generator g = new Generator(0);
            return switch (net) {
                case "mlp" -> new Sequential(new Flatten(), new Linear(784, 256, g), new ReLU(), new Linear(256, 128, g), new ReLU(),
                        new Linear(128, 10, g));
                case "cnn" -> new Sequential(new Conv2d(1, 32, 3, 1, 1, g), new ReLU(), new MaxPool2d(2),
                        new Conv2d(32, 64, 3, 1, 1, g), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(3136, 128, g),
                        new ReLU(), new Linear(128, 10, g));
                default -> new Sequential(new Flatten(), new Linear(784, 1, g)); // "tiny": Spark's own cost
            };
        }

        @Override
        public Dataset trainingData() {
            Generator g = new Generator(1);
            long[] y = new long[512];
            for (int i = 0; i < y.length; i++) y[i] = g.nextLong(net.equals("tiny") ? 1 : 10);
            return new TensorDataset(Tensor.rand(g, 512, 1, 28, 28), Tensor.of(y, 512));
        }

        @Override
        public Loss loss() {
            return Losses::crossEntropy;
        }

        @Override
        public List<Metric> metrics() {
            return List.of();
        }

        @Override
        public Optimizer optimizer(List<Tensor> params) {
            return new Adam(params, 1e-3);
        }
    }

    private static double medianStepMs(Job job, MicroBatches.Engine engine, Dataset data, Layer model, int m, int steps) {
        double[] t = new double[steps];
        int[] batch = new int[128];
        for (int s = -5; s < steps; s++) {
            for (int i = 0; i < batch.length; i++) batch[i] = Math.floorMod(s * 128 + i, data.size());
            long t0 = System.nanoTime();
            MicroBatches.Part p = engine.run(model, job.loss(), job.metrics(), data, MicroBatches.split(batch, m), batch.length, 0,
                    Math.max(s, 0));
            MicroBatches.install(model, p);
            if (s >= 0) t[s] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[steps / 2];
    }


    /** Prints the table; arguments: the steps to time per figure (default 20). */
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String[] nets = {"tiny", "mlp", "cnn"};
        double[][] ms = new double[nets.length][3]; // one JVM, local[1], local[2]
        long[] params = new long[nets.length];
        for (int n = 0; n < nets.length; n++) {
            Job job = new Job(nets[n]);
            Dataset data = job.trainingData();
            Layer model = job.model();
            params[n] = model.parameterCount();
            ms[n][0] = medianStepMs(job, MicroBatches.LOCAL, data, model, 2, steps);
        }
        for (int c = 1; c <= 2; c++) {
            try (JavaSparkContext sc = LocalSpark.context("local[" + c + "]")) {
                for (int n = 0; n < nets.length; n++) {
                    Job job = new Job(nets[n]);
                    Dataset data = job.trainingData();
                    ms[n][c] = medianStepMs(job, new SparkEngine(sc, job, data, 2), data, job.model(), 2, steps);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-5s %10s %12s %14s %14s %14s%n", "net", "params", "gradient MB", "1 JVM ms/step",
                "local[1] ms", "local[2] ms");
        for (int n = 0; n < nets.length; n++) {
            System.out.printf(Locale.ROOT, "%-5s %,10d %12.2f %14.2f %14.2f %14.2f%n", nets[n], params[n], params[n] * 4 / 1e6, ms[n][0],
                    ms[n][1], ms[n][2]);
        }
        double fixed = ms[0][2] - ms[0][0];
        double bandwidth = 10e9 / 8 / 1e3; // bytes per ms on 10 Gbit/s
        System.out.printf(Locale.ROOT, "%nSpark's fixed cost per step (tiny net, local[2] minus one JVM): %.1f ms%n", fixed);
        if (fixed <= 0) {
            System.out.println("The fixed cost came out negative: the machine was too busy for these figures; run again on a quiet one.");
            return;
        }
        System.out.println("Predicted speedup of a synchronous step over one JVM, W workers each computing 1/W of the batch,"
                + " plus the fixed cost, the weights broadcast once and W gradients collected over 10 Gbit/s:");
        System.out.printf(Locale.ROOT, "%-5s", "net");
        int[] workers = {2, 4, 8, 16, 64};
        for (int w : workers) System.out.printf(Locale.ROOT, " %8s", "W=" + w);
        System.out.println();
        for (int n = 1; n < nets.length; n++) {
            System.out.printf(Locale.ROOT, "%-5s", nets[n]);
            for (int w : workers) {
                double comm = params[n] * 4.0 * (1 + w) / bandwidth;
                System.out.printf(Locale.ROOT, " %8.2f", ms[n][0] / (ms[n][0] / w + fixed + comm));
            }
            System.out.println();
        }
    }
}
