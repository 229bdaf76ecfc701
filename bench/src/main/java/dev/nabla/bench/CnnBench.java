package dev.nabla.bench;

import dev.nabla.Nabla;
import dev.nabla.data.Batch;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.Init;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Tanh;
import dev.nabla.nn.Unflatten;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Vgg;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.GanStep;
import dev.nabla.train.StepContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The convolutional benchmarks of BENCH.md, side by side with PyTorch ({@code bench/torch_cnn.py}
 * runs the same protocols; this class starts it with OpenBLAS as BENCH.md says, and refuses to
 * print a ratio when torch's one-thread float32 GEMM at n = 1024 is below 50 GFLOP/s).
 *
 * <ul>
 *   <li>{@code cnn}: Conv2d(1,32,3,pad 1)-ReLU-MaxPool2 → Conv2d(32,64,3,pad 1)-ReLU-MaxPool2 →
 *       Flatten → Linear(3136,128)-ReLU → Linear(128,10); cross-entropy, Adam lr 1e-3, batch 128,
 *       random data of Fashion-MNIST's shape (60,000 × 1×28×28 in [0, 1], 10 classes), shuffled.
 *       20 warm-up steps (after 5, the JIT was still compiling: the next steps ran 20% slow), then
 *       5 repetitions of 20 steps; the median gives samples/s and seconds per epoch.
 *   <li>{@code dcgan}: the training step of examples/dcgan-fashion.json ({@link GanStep}: D on real
 *       and detached generated images, then G with the non-saturating loss; Linear(100 → 6272) →
 *       BN → ReLU → ConvTranspose(128→64, 4, 2, 1) → BN → ReLU → ConvTranspose(64→1) → tanh against
 *       Conv(1→64, 4, 2, 1) → LeakyReLU → Conv(64→128) → BN → LeakyReLU → Linear(6272 → 1)), batch
 *       128 of random images in [−1, 1], Adam 2e-4: 3 warm-up steps, then 3 repetitions of 5 steps, against both
 *       PyTorch 1.13 (Debian, OpenBLAS) and PyTorch 2.x (/opt/venv/bin/python, or $NABLA_TORCH2_PYTHON).
 *   <li>{@code vgg16}: VGG16 (configuration D, 2 classes, no dropout) on 224×224×3, batch 2: one
 *       forward + backward pass, median of 3 after one warm-up; also the peak RSS, to show that it
 *       fits a 24 GiB machine.
 * </ul>
 *
 * Usage (from the repository root): {@code bench/cnn [cnn] [vgg16] [--no-torch] [--threads N]}; the
 * repetitions alternate between nabla and torch, so that on a shared machine both see the same load.
 * The same protocols also run in {@link Bench}'s table ({@code bench/run cnn vgg16}), torch first and
 * nabla after, as the other protocols there.
 * Float32, 2 threads by default.
 */
public final class CnnBench {
    static final int WARM = 20, STEPS = 20, REPS = 5, BATCH = 128, TRAIN = 60_000;
    /** The DCGAN step is ~40x the cnn's work: fewer steps (the same in torch_cnn.py). */
    static final int DCGAN_WARM = 3, DCGAN_STEPS = 5, DCGAN_REPS = 3;

    private CnnBench() {}

    public static void main(String[] args) throws Exception {
        List<String> benches = new ArrayList<>();
        boolean withTorch = true;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "cnn", "dcgan", "vgg16" -> benches.add(args[i]);
                case "--no-torch" -> withTorch = false;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench/cnn [cnn] [dcgan] [vgg16] [--no-torch] [--threads N]");
                    System.exit(2);
                }
            }
        }
        if (benches.isEmpty()) benches = List.of("cnn", "vgg16");
        Nabla.setThreads(threads);
        System.out.println("nabla: " + Nabla.kernels() + ", " + Nabla.threads() + " threads, Java "
                + Runtime.version() + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
        Torch torch = withTorch ? Torch.start(threads) : null;
        try {
            for (String b : benches) {
                switch (b) {
                    case "cnn" -> cnn(torch);
                    case "dcgan" -> dcgan(torch, withTorch ? Torch.start(threads, torch2Python()) : null);
                    default -> vgg16(torch);
                }
            }
        } finally {
            if (torch != null) torch.close();
        }
    }

    // ---------------------------------------------------------------- the protocols

    static Sequential cnnModel(Generator g) {
        return new Sequential(Conv2d.builder(1, 32, 3).padding(1).generator(g).build(), new ReLU(), new MaxPool2d(2),
                Conv2d.builder(32, 64, 3).padding(1).generator(g).build(), new ReLU(), new MaxPool2d(2), new Flatten(),
                new Linear(3136, 128, g), new ReLU(), new Linear(128, 10, g));
    }

    /** A training step set up once: {@link #warm} then {@link #rep} (the mean ms per step over a repetition). */
    abstract static class Stepped {
        private final int warmSteps, steps;
        Runnable step;

        Stepped(int warmSteps, int steps) {
            this.warmSteps = warmSteps;
            this.steps = steps;
        }

        void warm() {
            for (int i = 0; i < warmSteps; i++) step.run();
        }

        double rep() {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) step.run();
            return (System.nanoTime() - t0) / 1e6 / steps;
        }
    }

    /** The indices of the next batch of a shuffled epoch (perm), from pos[0] on, wrapping around. */
    static Tensor nextBatch(long[] perm, int[] pos) {
        if (pos[0] + BATCH > TRAIN) pos[0] = 0;
        Tensor idx = Tensor.of(Arrays.copyOfRange(perm, pos[0], pos[0] + BATCH));
        pos[0] += BATCH;
        return idx;
    }

    /** The cnn protocol's training step. */
    static final class Cnn extends Stepped {
        Cnn() {
            super(WARM, STEPS);
            Generator g = new Generator(0);
            Sequential model = cnnModel(g);
            Adam adam = new Adam(model.parameters(), 1e-3);
            Tensor x = Tensor.rand(g, TRAIN, 1, 28, 28);
            Tensor y = Tensor.randint(g, 0, 10, TRAIN);
            long[] perm = Tensor.randperm(g, TRAIN).toLongArray();
            int[] pos = {0};
            step = () -> {
                Tensor idx = nextBatch(perm, pos);
                adam.zeroGrad();
                Tensor loss = Losses.crossEntropy(model.forward(x.indexSelect(0, idx)), y.indexSelect(0, idx));
                loss.backward();
                adam.step();
            };
        }
    }

    /** The dcgan protocol's training step (as examples/dcgan-fashion.json), driven as fit drives it. */
    static final class Dcgan extends Stepped {
        Dcgan() {
            super(DCGAN_WARM, DCGAN_STEPS);
            Generator g = new Generator(0);
            Sequential gen = new Sequential(new Linear(100, 6272, false, g), new BatchNorm1d(6272), new ReLU(),
                    new Unflatten(128, 7, 7), ConvTranspose2d.builder(128, 64, 4).stride(2).padding(1).bias(false).generator(g).build(),
                    new BatchNorm2d(64), new ReLU(), ConvTranspose2d.builder(64, 1, 4).stride(2).padding(1).generator(g).build(),
                    new Tanh());
            Sequential disc = new Sequential(Conv2d.builder(1, 64, 4).stride(2).padding(1).generator(g).build(), new LeakyReLU(0.2),
                    Conv2d.builder(64, 128, 4).stride(2).padding(1).bias(false).generator(g).build(), new BatchNorm2d(128),
                    new LeakyReLU(0.2), new Flatten(), new Linear(6272, 1, g));
            for (Layer l : List.of(gen, disc)) {
                for (Layer m : l.namedLayers().values()) {
                    if (!m.hasParameter("weight")) continue;
                    Init.normal(m.parameter("weight"), m.typeName().startsWith("BatchNorm") ? 1 : 0, 0.02, g);
                    if (m.hasParameter("bias")) Init.zeros(m.parameter("bias"));
                }
            }
            GanStep gan = new GanStep(gen, disc, new Adam(gen.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false),
                    new Adam(disc.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false), 100, new Generator(1));
            StepContext context = new StepContext(gan, Double.POSITIVE_INFINITY);
            Tensor x = Tensor.rand(g, TRAIN, 1, 28, 28).mul(2).sub(1);
            long[] perm = Tensor.randperm(g, TRAIN).toLongArray();
            int[] pos = {0};
            step = () -> {
                Tensor idx = nextBatch(perm, pos);
                gan.trainStep(new Batch(x.indexSelect(0, idx), null), context);
            };
        }
    }

    /** The vgg16 protocol: one forward + backward of VGG16 (no dropout) at batch 2; {@link #rep} in seconds. */
    static final class Vgg16 {
        private final Runnable step;

        Vgg16() {
            Generator g = new Generator(0);
            Layer model = Vgg.builder("D").classes(2).dropout(0).generator(g).build();
            Tensor x = Tensor.rand(g, 2, 3, 224, 224);
            Tensor y = Tensor.of(new long[] {0, 1});
            step = () -> {
                model.zeroGrad();
                Losses.crossEntropy(model.forward(x), y).backward();
            };
        }

        void warm() {
            step.run();
        }

        double rep() {
            long t0 = System.nanoTime();
            step.run();
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** nabla's samples/s on the cnn protocol (median of the repetitions), for {@link Bench}. */
    static double cnnSamplesPerSecond() {
        Cnn c = new Cnn();
        c.warm();
        double[] ms = new double[REPS];
        for (int r = 0; r < REPS; r++) ms[r] = c.rep();
        return BATCH * 1e3 / median(ms);
    }

    /** nabla's seconds for the vgg16 protocol (median of 3 after a warm-up), for {@link Bench}. */
    static double vgg16Seconds() {
        Vgg16 v = new Vgg16();
        v.warm();
        return median(new double[] {v.rep(), v.rep(), v.rep()});
    }

    /** The cnn protocol; repetitions alternate between nabla and torch. */
    static void cnn(Torch torch) throws IOException {
        Cnn c = new Cnn();
        c.warm();
        if (torch != null) torch.ask("cnn warm");
        double[] ours = new double[REPS], theirs = new double[REPS];
        for (int r = 0; r < REPS; r++) {
            ours[r] = c.rep();
            if (torch != null) theirs[r] = number(torch.ask("cnn rep"), "step_ms");
        }
        double rss = peakRssMb();
        report("cnn", BATCH * 1e3 / median(ours), "samples/s", String.format(Locale.ROOT, "step %.1f ms, epoch %.1f s, steps %s ms, peak RSS %.0f MB",
                median(ours), TRAIN * median(ours) / 1e3 / BATCH, fmt(ours), rss), torch, BATCH * 1e3 / median(theirs),
                torch == null ? "" : String.format(Locale.ROOT, "step %.1f ms, epoch %.1f s, steps %s ms, peak RSS %.0f MB",
                        median(theirs), TRAIN * median(theirs) / 1e3 / BATCH, fmt(theirs), number(torch.ask("rss"), "peak_rss_mb")));
    }

    private static String torch2Python() {
        String p = System.getenv("NABLA_TORCH2_PYTHON");
        return p != null && !p.isEmpty() ? p : "/opt/venv/bin/python";
    }

    /** The dcgan protocol; repetitions alternate between nabla, torch 1.13 and torch 2.x (either may be null). */
    static void dcgan(Torch torch1, Torch torch2) throws IOException {
        try {
            Dcgan d = new Dcgan();
            d.warm();
            List<Torch> rivals = new ArrayList<>();
            for (Torch t : new Torch[] {torch1, torch2}) if (t != null) rivals.add(t);
            for (Torch t : rivals) t.ask("dcgan warm");
            double[] ours = new double[DCGAN_REPS];
            double[][] theirs = new double[rivals.size()][DCGAN_REPS];
            for (int r = 0; r < DCGAN_REPS; r++) {
                ours[r] = d.rep();
                for (int k = 0; k < rivals.size(); k++) theirs[k][r] = number(rivals.get(k).ask("dcgan rep"), "step_ms");
            }
            double rss = peakRssMb();
            String ourDetail = String.format(Locale.ROOT, "step %.1f ms, epoch %.1f s, steps %s ms, peak RSS %.0f MB",
                    median(ours), TRAIN * median(ours) / 1e3 / BATCH, fmt(ours), rss);
            report("dcgan", BATCH * 1e3 / median(ours), "samples/s", ourDetail, null, 0, "");
            for (int k = 0; k < rivals.size(); k++) {
                Torch t = rivals.get(k);
                rival("dcgan", BATCH * 1e3 / median(ours), "samples/s", t, BATCH * 1e3 / median(theirs[k]),
                        String.format(Locale.ROOT, "torch %s: step %.1f ms, epoch %.1f s, steps %s ms, peak RSS %.0f MB", t.version,
                                median(theirs[k]), TRAIN * median(theirs[k]) / 1e3 / BATCH, fmt(theirs[k]),
                                number(t.ask("rss"), "peak_rss_mb")));
            }
        } finally {
            if (torch2 != null) torch2.close();
        }
    }

    /** The vgg16 protocol: one forward + backward of VGG16 at batch 2; repetitions alternate. */
    static void vgg16(Torch torch) throws IOException {
        Vgg16 v = new Vgg16();
        v.warm();
        if (torch != null) torch.ask("vgg16 warm");
        double[] ours = new double[3], theirs = new double[3];
        for (int r = 0; r < 3; r++) {
            ours[r] = v.rep();
            if (torch != null) theirs[r] = number(torch.ask("vgg16 rep"), "s");
        }
        double rss = peakRssMb();
        report("vgg16", median(ours), "s", String.format(Locale.ROOT, "runs %s s, peak RSS %.0f MB", fmt(ours), rss), torch,
                median(theirs), torch == null ? "" : String.format(Locale.ROOT, "runs %s s, peak RSS %.0f MB (both benches)",
                        fmt(theirs), number(torch.ask("rss"), "peak_rss_mb")));
    }

    private static void report(String bench, double ours, String unit, String detail, Torch torch, double theirs, String theirDetail) {
        System.out.printf(Locale.ROOT, "nabla  %-6s %10.2f %-9s %s%n", bench, ours, unit, detail);
        if (torch != null) rival(bench, ours, unit, torch, theirs, theirDetail);
    }

    private static void rival(String bench, double ours, String unit, Torch torch, double theirs, String theirDetail) {
        System.out.printf(Locale.ROOT, "torch  %-6s %10.2f %-9s %s%n", bench, theirs, unit, theirDetail);
        if (torch.gemmCheck < 50) {
            System.out.printf(Locale.ROOT, "ratio  %-6s refused: torch's float32 gemm check (n=1024, 1 thread) gave %.0f GFLOP/s < 50:"
                    + " a crippled rival (install libopenblas0-openmp, see BENCH.md) or a loaded machine%n", bench, torch.gemmCheck);
            return;
        }
        // nabla's speed over torch's: samples/s divide one way, seconds the other
        double ratio = unit.equals("s") ? theirs / ours : ours / theirs;
        System.out.printf(Locale.ROOT, "ratio  %-6s %10.2fx PyTorch%n", bench, ratio);
    }

    /** bench/torch_cnn.py in serve mode: one command line in, one JSON line out. */
    static final class Torch implements AutoCloseable {
        private final Process process;
        private final java.io.BufferedReader out;
        private final java.io.PrintWriter in;
        final double gemmCheck;
        final String version;

        private Torch(Process p, String header) {
            this.process = p;
            this.out = p.inputReader(StandardCharsets.UTF_8);
            this.in = new java.io.PrintWriter(p.outputWriter(StandardCharsets.UTF_8), true);
            this.gemmCheck = number(header, "check_gemm_1024_1thread");
            this.version = string(header, "torch");
        }

        static Torch start(int threads) throws IOException {
            return start(threads, "/usr/bin/python3");
        }

        /** Starts the script with the given Python (Debian's /usr/bin/python3 gets OpenBLAS, as BENCH.md says). */
        static Torch start(int threads, String python) throws IOException {
            Path script = Path.of("bench", "torch_cnn.py");
            if (!Files.isRegularFile(script)) {
                System.out.println("torch: " + script.toAbsolutePath() + " not found; run from the repository root");
                return null;
            }
            List<String> cmd = List.of(python, script.toString(), "--serve", String.valueOf(threads));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            String openblas = "/usr/lib/x86_64-linux-gnu/openblas-openmp";
            if (python.equals("/usr/bin/python3") && Files.isDirectory(Path.of(openblas))) pb.environment().put("LD_LIBRARY_PATH", openblas);
            Process p = pb.start();
            String header = p.inputReader(StandardCharsets.UTF_8).readLine();
            if (header == null || !header.contains("\"ok\": true")) {
                System.out.println("torch: not run: " + (header == null ? "no output from " + cmd : header));
                p.destroy();
                return null;
            }
            Torch t = new Torch(p, header);
            System.out.println("torch: " + string(header, "torch") + ", " + threads + " threads, BLAS "
                    + header.replaceAll(".*\"blas\": \\[([^]]*)].*", "$1")
                    + String.format(Locale.ROOT, "; float32 gemm n=1024 on 1 thread: %.0f GFLOP/s", t.gemmCheck));
            return t;
        }

        String ask(String command) throws IOException {
            in.println(command);
            String line = out.readLine();
            if (line == null) throw new IOException("torch_cnn.py stopped answering (command: " + command + ")");
            return line;
        }

        @Override
        public void close() {
            in.println("quit");
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, v[i] < 10 ? "%.3f" : "%.1f", v[i]));
        return sb.append(']').toString();
    }

    /** The process's peak resident set (VmHWM), in MB, or NaN where /proc is missing. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return Double.NaN;
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (-?[0-9.eE+-]+)").matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static String string(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": \"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "?";
    }
}
