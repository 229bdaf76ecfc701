package dev.nabla.bench;

import dev.nabla.nn.ClassOutput;
import dev.nabla.nn.HierarchicalSoftmax;
import dev.nabla.nn.Layer;
import dev.nabla.nn.SoftmaxOutput;
import dev.nabla.nn.SoftmaxTree;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hsoftmax protocol of BENCH.md: one training step of the output layer alone (hidden 256 → V =
 * 100,000 words with Zipf counts, batch 128, targets drawn from the Zipf distribution; forward,
 * loss, backward into the hidden vectors too, Adam update) for nabla's hierarchical softmax
 * (Huffman tree, row-sparse gradients), nabla's full softmax, and PyTorch's full softmax and
 * AdaptiveLogSoftmaxWithLoss (cutoffs 2000, 10000, 50000; bench/torch_hsoftmax.py). Each variant
 * runs in its own process, one after the other in this run, so that each has its own peak RSS.
 * Run with {@code bench/hsoftmax}.
 */
public final class HsoftmaxBench {
    static final int V = 100_000, HIDDEN = 256, BATCH = 128, WARM = 5, STEPS = 20;

    private HsoftmaxBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child")) {
            child(args[1]);
            return;
        }
        String python = System.getProperty("nabla.bench.python", "/opt/venv/bin/python");
        String script = System.getProperty("nabla.bench.torchScript", "bench/torch_hsoftmax.py");
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> jvm = new ArrayList<>(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        List<Map<String, String>> rows = new ArrayList<>();
        for (String v : List.of("hs", "softmax")) {
            List<String> cmd = new ArrayList<>(List.of(javaBin));
            cmd.addAll(jvm);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HsoftmaxBench.class.getName(), "--child", v));
            rows.add(run(cmd));
        }
        for (String v : List.of("full", "adaptive")) {
            if (!Files.isExecutable(Path.of(python))) {
                System.out.println("PyTorch refused: " + python + " not found (set -Dnabla.bench.python)");
                break;
            }
            rows.add(run(List.of(python, script, v)));
        }
        double hs = Double.parseDouble(rows.get(0).get("ms_median"));
        System.out.printf(Locale.ROOT, "hsoftmax: output layer step, hidden %d -> V %,d (Zipf), batch %d, Adam; median of %d steps after %d;"
                + " 2 threads%n", HIDDEN, V, BATCH, STEPS, WARM);
        System.out.printf(Locale.ROOT, "%-34s %12s %16s %14s%n", "variant", "ms/step", "x nabla HS time", "peak RSS MB");
        for (Map<String, String> r : rows) {
            double ms = Double.parseDouble(r.get("ms_median"));
            System.out.printf(Locale.ROOT, "%-34s %12.2f %16.1f %14.0f%n", r.get("variant"), ms, ms / hs,
                    Double.parseDouble(r.get("peak_rss_mb")));
        }
    }

    private static Map<String, String> run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) if (line.startsWith("{")) last = line;
        }
        if (p.waitFor() != 0 || last == null) throw new IOException("hsoftmax: " + String.join(" ", cmd) + " failed");
        Map<String, String> m = new LinkedHashMap<>();
        Matcher f = Pattern.compile("\"(\\w+)\": ?(\"[^\"]*\"|[-0-9.eE]+)").matcher(last);
        while (f.find()) m.put(f.group(1), f.group(2).replace("\"", ""));
        return m;
    }

    /** Zipf counts: count(k) = ⌊10⁹ / (k + 1)⌋, word 0 the most frequent. */
    static long[] zipfCounts() {
        long[] c = new long[V];
        for (int k = 0; k < V; k++) c[k] = 1_000_000_000L / (k + 1);
        return c;
    }

    private static void child(String variant) {
        Generator g = new Generator(0);
        long[] counts = zipfCounts();
        double[] cdf = new double[V];
        double total = Arrays.stream(counts).sum(), acc = 0;
        for (int k = 0; k < V; k++) cdf[k] = (acc += counts[k]) / total;
        Layer layer = switch (variant) {
            case "hs" -> new HierarchicalSoftmax(HIDDEN, SoftmaxTree.huffman(counts), true, g);
            case "softmax" -> new SoftmaxOutput(HIDDEN, V, g);
            default -> throw new IllegalArgumentException("variant hs or softmax, got " + variant);
        };
        ClassOutput out = (ClassOutput) layer;
        Adam adam = new Adam(layer.parameters(), 1e-3);
        double[] ms = new double[STEPS];
        for (int step = 0; step < WARM + STEPS; step++) {
            Tensor h = Tensor.randn(g, BATCH, HIDDEN).requiresGrad(true);
            long[] t = new long[BATCH];
            for (int i = 0; i < BATCH; i++) {
                int k = Arrays.binarySearch(cdf, g.nextDouble());
                t[i] = Math.min(V - 1, k < 0 ? -k - 1 : k);
            }
            Tensor target = Tensor.of(t);
            long start = System.nanoTime();
            adam.zeroGrad();
            out.loss(h, target).backward();
            adam.step();
            if (step >= WARM) ms[step - WARM] = (System.nanoTime() - start) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "{\"variant\": \"nabla %s\", \"ms_median\": %.4f, \"peak_rss_mb\": %.1f}%n",
                variant.equals("hs") ? "hierarchical softmax" : "full softmax", (sorted[STEPS / 2 - 1] + sorted[STEPS / 2]) / 2,
                NablaProtocols.peakRssMiB());
    }
}
