package dev.nabla.bench;

import dev.nabla.Nabla;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Pointwise;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * nabla's side of {@code bench/run}: runs one protocol in this JVM, which {@link Bench} starts for
 * that protocol alone (so that the peak RSS, VmHWM, is the protocol's own, as each rival's is), and
 * prints its figures as one JSON line, the same line the rival scripts print:
 * {@code {"ok": true, "name": "nabla", "threads": 2, "peak_rss_mib": ..., "thread_round_trip_ns": [start, end],
 * "figures": [...]}}.
 *
 * <pre>
 *   NablaProtocols gemm|elementwise|reduce|copy|runge|mlp|cnn|dcgan|vgg16 [--quick]
 * </pre>
 */
final class NablaProtocols {
    static final int THREADS = 2;

    private NablaProtocols() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2 || args.length == 2 && !args[1].equals("--quick")) {
            System.err.println("usage: NablaProtocols PROTOCOL [--quick]");
            System.exit(2);
        }
        Plan plan = args.length == 2 ? Plan.QUICK : Plan.FULL;
        Nabla.setThreads(THREADS);
        double roundTripBefore = threadRoundTripNs();
        List<Map<String, Object>> figures = new ArrayList<>();
        for (Figure f : run(args[0], plan)) figures.add(f.toJson());
        double roundTripAfter = threadRoundTripNs();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("name", "nabla");
        out.put("threads", Nabla.threads());
        out.put("peak_rss_mib", peakRssMiB());
        out.put("thread_round_trip_ns", List.of(roundTripBefore, roundTripAfter));
        out.put("figures", figures);
        System.out.println(Json.write(out).replaceAll("\\s*\n\\s*", " "));
    }

    static List<Figure> run(String protocol, Plan plan) {
        return switch (protocol) {
            case "gemm" -> gemm(plan);
            case "elementwise" -> elementwise(plan);
            case "reduce" -> List.of(new Figure("reduce", "GB/s", reduce(plan)));
            case "copy" -> List.of(new Figure("copy", "GB/s", copy(plan)));
            case "runge" -> RungeBench.run(plan);
            case "mlp" -> List.of(new Figure("mlp", "s/epoch", MlpBench.secondsPerEpoch(plan)));
            case "cnn" -> List.of(new Figure("cnn", "samples/s", CnnBench.cnnSamplesPerSecond(plan)));
            case "dcgan" -> List.of(new Figure("dcgan", "samples/s", CnnBench.dcganSamplesPerSecond(plan)));
            case "vgg16" -> List.of(new Figure("vgg16", "s", CnnBench.vgg16Seconds(plan)));
            default -> throw new IllegalArgumentException("unknown protocol '" + protocol + "'; known: " + Bench.PROTOCOLS + ", copy");
        };
    }

    /**
     * Best wall time in seconds of plan.reps() calls, after a warm-up of at least 3 calls and warmSeconds.
     * Each result is dropped before the next call, as the rivals' Python drops theirs: held until the
     * next one returned, the elementwise protocol's 64 MB result was live during each call.
     */
    static double bestTime(Plan plan, Supplier<Object> op, double warmSeconds) {
        warmUp(op, warmSeconds);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < plan.reps(); r++) best = Math.min(best, nanos(op));
        return best / 1e9;
    }

    /** At least 3 calls and warmSeconds of them. */
    static void warmUp(Supplier<Object> op, double warmSeconds) {
        long start = System.nanoTime();
        for (int warm = 0; warm < 3 || System.nanoTime() - start < warmSeconds * 1e9; warm++) returned(op.get());
    }

    // one timed call, its result dropped with this frame
    private static long nanos(Supplier<Object> op) {
        long t0 = System.nanoTime();
        Object result = op.get();
        long t = System.nanoTime() - t0;
        returned(result);
        return t;
    }

    private static void returned(Object result) {
        if (result == null) throw new IllegalStateException("benchmark op returned nothing");
    }

    /**
     * C = A·B, square float32, on 2 then 1 threads; GFLOP/s = 2n³/t, best of plan.reps(). Each timed
     * product comes right after a measure of the threads' FMA peak ({@link FmaPeak}); the figure's
     * fraction of the peak is the median over the products of their rate over that peak.
     */
    static List<Figure> gemm(Plan plan) {
        // C2 takes a few seconds to compile the kernels (longer on a busy machine): warm them up
        // once before the first timed size
        Generator gen = new Generator(0);
        Tensor a0 = Tensor.rand(gen, 512, 512), b0 = Tensor.rand(gen, 512, 512);
        warmUp(() -> a0.matmul(b0), plan.quick() ? 0 : 3.0);
        if (!plan.quick()) FmaPeak.warmUp(THREADS);
        List<Figure> out = new ArrayList<>();
        for (int threads : new int[] {THREADS, 1}) {
            Nabla.setThreads(threads);
            for (int n : plan.gemmSizes()) {
                Generator g = new Generator(1);
                Tensor a = Tensor.rand(g, n, n), b = Tensor.rand(g, n, n);
                double flop = 2.0 * n * n * n;
                warmUp(() -> a.matmul(b), 1.0);
                long best = Long.MAX_VALUE;
                double[] ofPeak = new double[plan.reps()];
                for (int r = 0; r < ofPeak.length; r++) {
                    double peak = FmaPeak.gflops(threads);
                    long t = nanos(() -> a.matmul(b));
                    best = Math.min(best, t);
                    ofPeak[r] = flop / t / peak;
                }
                out.add(new Figure("gemm n=" + n + " threads=" + threads, "GFLOP/s", flop / best, null, RungeBench.median(ofPeak)));
            }
        }
        Nabla.setThreads(THREADS);
        return out;
    }

    /**
     * y = (x·a + b).tanh()·c on float32 vectors, fused in one pass ({@link Pointwise}, as JAX's jit
     * fuses it) and op by op (as PyTorch runs it); GB/s counts 5·4·N bytes (4 inputs read, y written).
     */
    static List<Figure> elementwise(Plan plan) {
        int n = plan.elementwiseN();
        Generator g = new Generator(2);
        Tensor x = Tensor.rand(g, n), a = Tensor.rand(g, n), b = Tensor.rand(g, n), c = Tensor.rand(g, n);
        Pointwise chain = Pointwise.of(4, v -> v[0].mul(v[1]).add(v[2]).tanh().mul(v[3]));
        double bytes = 5.0 * 4 * n;
        return List.of(new Figure("elementwise", "GB/s", bytes / bestTime(plan, () -> chain.apply(x, a, b, c), 1.0) / 1e9),
                new Figure("elementwise op by op", "GB/s", bytes / bestTime(plan, () -> x.mul(a).add(b).tanh().mul(c), 1.0) / 1e9));
    }

    /** x.sum() over float32; GB/s counts the 4·N bytes read. */
    static double reduce(Plan plan) {
        int n = plan.reduceN();
        Tensor x = Tensor.rand(new Generator(3), n);
        return 4.0 * n / bestTime(plan, x::sum, 1.0) / 1e9;
    }

    /**
     * The machine's yardstick for elementwise and reduce: a plain copy of a float[] by 2 threads, each
     * copying its half with System.arraycopy (vector moves); GB/s counts 4·N bytes read and 4·N written.
     */
    static double copy(Plan plan) {
        int n = plan.copyN(), half = n / 2;
        float[] src = new float[n], dst = new float[n];
        for (int i = 0; i < n; i++) src[i] = i;
        return 8.0 * n / bestTime(plan, () -> {
            Thread other = Thread.ofPlatform().start(() -> System.arraycopy(src, half, dst, half, n - half));
            System.arraycopy(src, 0, dst, 0, half);
            try {
                other.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while copying", e);
            }
            return dst;
        }, 1.0) / 1e9;
    }

    /** A volatile the two threads of {@link #threadRoundTripNs} hand back and forth. */
    private static volatile long baton;

    /**
     * How long a cache line takes to go from this thread to another and back (median of 5 runs of
     * 20,000 round trips, ns), or NaN with fewer than 2 processors. Two threads on one L3 cache take
     * about 70 ns here, on two about 330: the host decides which, per process and over time, and
     * work that two threads share slows down on two caches.
     */
    static double threadRoundTripNs() {
        if (Runtime.getRuntime().availableProcessors() < 2) return Double.NaN;
        final int trips = 20_000;
        double[] runs = new double[5];
        for (int r = 0; r < runs.length; r++) {
            baton = 0;
            Thread other = Thread.ofPlatform().start(() -> {
                for (long i = 1; i < 2L * trips; i += 2) {
                    while (baton != i) Thread.onSpinWait();
                    baton = i + 1;
                }
            });
            long t0 = System.nanoTime();
            for (long i = 0; i < 2L * trips; i += 2) {
                baton = i + 1;
                while (baton != i + 2) Thread.onSpinWait();
            }
            runs[r] = (System.nanoTime() - t0) / (double) trips;
            try {
                other.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
        }
        return RungeBench.median(runs);
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
