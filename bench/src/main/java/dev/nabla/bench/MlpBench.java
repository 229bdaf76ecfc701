package dev.nabla.bench;

import dev.nabla.Nabla;
import dev.nabla.data.Batch;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.data.FashionMnist;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BENCH.md's "mlp" protocol in nabla: Fashion-MNIST's 60,000 training images from
 * /usr/share/datasets/fashion-mnist (random data of that shape, 60,000 × 784 in [0, 1] with 10
 * classes, when it is not installed), 784-256-128-10 ReLU, cross-entropy, Adam lr 1e-3, batch
 * 128, reshuffled every epoch, 2 threads: the PyTorch-style loop (zero_grad, forward, loss,
 * backward, step, loss.item()) that {@code torch_bench.py} times too. One warm-up epoch, then
 * the median of {@value #EPOCHS} timed epochs.
 *
 * <p>It runs in a child JVM ({@link #main}) so that its peak RSS is its own, not that of the
 * GEMM benchmark before it. Real data is preferred to random: on random labels the ReLU units
 * die, 99.8% of the gradients are exactly 0 and Adam's moments decay into subnormal floats,
 * which slows both nabla and PyTorch in a way real training does not.
 */
final class MlpBench {
    static final int N = 60_000, FEATURES = 784, CLASSES = 10, BATCH = 128, EPOCHS = 3, THREADS = 2;

    private MlpBench() {}

    /** The figures of the child JVM: s_per_epoch, samples_per_s, peak_rss_mib, and the data used. */
    record Result(double secondsPerEpoch, double samplesPerSecond, double peakRssMiB, String data) {}

    /** Runs the protocol in a child JVM with this JVM's options and class path. */
    static Result runInChild() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-XX:StartFlightRecording")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MlpBench.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        Map<String, String> r = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("result ")) {
                    String[] kv = line.split(" ", 3);
                    r.put(kv[1], kv[2]);
                } else {
                    System.err.println("bench mlp: " + line);
                }
            }
        }
        if (p.waitFor() != 0 || !r.containsKey("s_per_epoch")) {
            throw new IOException("the mlp benchmark's JVM failed (exit " + p.exitValue() + "): " + String.join(" ", cmd));
        }
        return new Result(Double.parseDouble(r.get("s_per_epoch")), Double.parseDouble(r.get("samples_per_s")),
                Double.parseDouble(r.get("peak_rss_mib")), r.get("data"));
    }

    /** The child: runs the protocol and prints "result KEY VALUE" lines. */
    public static void main(String[] args) throws IOException {
        Nabla.setThreads(THREADS);
        Generator g = new Generator(0);
        Dataset data;
        String what;
        if (Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            data = FashionMnist.train(FashionMnist.DEFAULT_DIR).flattened();
            what = "Fashion-MNIST";
        } else {
            data = new TensorDataset(Tensor.rand(g, N, FEATURES), Tensor.randint(g, 0, CLASSES, N));
            what = "random";
        }
        Layer model = new Sequential(new Linear(FEATURES, 256, g), new ReLU(), new Linear(256, 128, g), new ReLU(),
                new Linear(128, CLASSES, g));
        Adam adam = new Adam(model.parameters(), 1e-3);
        DataLoader loader = new DataLoader(data, BATCH, true, false, 1);
        double[] times = new double[EPOCHS];
        for (int e = -1; e < EPOCHS; e++) { // epoch −1: the warm-up
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
            System.out.printf(Locale.ROOT, "%s epoch: %.3f s, last loss %.4f%n", e < 0 ? "warm-up" : "timed", s, last);
        }
        Arrays.sort(times);
        double perEpoch = times[EPOCHS / 2];
        System.out.println("result s_per_epoch " + perEpoch);
        System.out.println("result samples_per_s " + N / perEpoch);
        System.out.println("result peak_rss_mib " + peakRssMiB());
        System.out.println("result data " + what);
    }

    /** Peak resident set size of this process (VmHWM) in MiB, or NaN off Linux. */
    static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return Double.NaN;
    }
}
