package dev.nabla.bench;

import dev.nabla.Nabla;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@code bench} command: times nabla's tensor ops and the same ops in PyTorch, in the same
 * run, and prints one table with how many times faster nabla is (protocols of BENCH.md).
 *
 * <pre>
 *   Bench [gemm|elementwise|reduce|runge|mlp|cnn|vgg16|all]... [--no-torch]
 * </pre>
 *
 * <p>PyTorch runs through {@code bench/torch_bench.py} (system property
 * {@code nabla.bench.torchScript}) with {@code /usr/bin/python3} (property
 * {@code nabla.bench.python}) and OpenBLAS's OpenMP build on {@code LD_LIBRARY_PATH}. No ratio is
 * printed when torch is missing or when its float32 gemm at n=1024 on one thread is below
 * {@value #TORCH_MIN_GFLOPS} GFLOP/s: a ratio against a crippled rival means nothing.
 */
public final class Bench {
    static final int[] GEMM_SIZES = {256, 512, 1024, 2048};
    static final int EW_N = 16 * 1024 * 1024;
    static final int REDUCE_N = 64 * 1024 * 1024;
    static final int REPS = 5;
    static final double TORCH_MIN_GFLOPS = 50;
    static final String OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

    private Bench() {}

    /** One figure of the table. */
    record Row(String bench, int size, int threads, String unit, double nabla, Double torch) {}

    public static void main(String[] args) throws Exception {
        Set<String> which = new LinkedHashSet<>();
        boolean useTorch = true;
        for (String a : args) {
            switch (a) {
                case "gemm", "elementwise", "reduce", "runge", "mlp", "cnn", "vgg16" -> which.add(a);
                case "all" -> which.addAll(List.of("gemm", "elementwise", "reduce", "runge", "mlp", "cnn", "vgg16"));
                case "--no-torch" -> useTorch = false;
                case "-h", "--help" -> {
                    System.out.println("usage: bench [gemm|elementwise|reduce|runge|mlp|cnn|vgg16|all]... [--no-torch]");
                    return;
                }
                default -> {
                    System.err.println("bench: unknown argument '" + a + "'; use gemm, elementwise, reduce, runge, mlp, cnn, vgg16, all or --no-torch");
                    System.exit(2);
                }
            }
        }
        if (which.isEmpty()) which.addAll(List.of("gemm", "elementwise", "reduce", "runge", "mlp"));

        // PyTorch first, in its own process, so that both never compete for the two cores.
        Torch torch = useTorch ? Torch.run(which) : Torch.absent("--no-torch was given");
        Map<String, Double> torchFigures = torch.figures;

        List<Row> rows = new ArrayList<>();
        int saved = Nabla.threads();
        try {
            if (which.contains("gemm")) {
                // C2 takes a few seconds to compile the kernels (longer on a busy machine):
                // warm them up once before the first timed size
                Nabla.setThreads(2);
                Generator gen = new Generator(0);
                Tensor a = Tensor.rand(gen, 512, 512), b = Tensor.rand(gen, 512, 512);
                bestTime(() -> a.matmul(b), 3.0);
                for (int threads : new int[] {2, 1}) {
                    Nabla.setThreads(threads);
                    for (int n : GEMM_SIZES) {
                        double g = gemm(n);
                        rows.add(new Row("gemm", n, threads, "GFLOP/s", g, torchFigures.get(key("gemm", n, threads))));
                    }
                }
            }
            Nabla.setThreads(2);
            if (which.contains("elementwise")) {
                double g = elementwise(EW_N);
                rows.add(new Row("elementwise", EW_N, 2, "GB/s", g, torchFigures.get(key("elementwise", EW_N, 2))));
            }
            if (which.contains("reduce")) {
                double g = reduce(REDUCE_N);
                rows.add(new Row("reduce", REDUCE_N, 2, "GB/s", g, torchFigures.get(key("reduce", REDUCE_N, 2))));
            }
            if (which.contains("runge")) {
                for (double lr : new double[] {1e-2, 1e-3}) {
                    double[] r = RungeBench.run(lr);
                    // the name as torch_bench.py writes it ("%g": 0.01, 0.001)
                    String name = "runge lr=" + java.math.BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString();
                    rows.add(new Row(name, RungeBench.EPOCHS, 2, "s", r[0], torchFigures.get(key(name, RungeBench.EPOCHS, 2))));
                    rows.add(new Row(name + " test MSE", RungeBench.EPOCHS, 2, "MSE", r[1],
                            torchFigures.get(key(name + " test MSE", RungeBench.EPOCHS, 2))));
                }
            }
            if (which.contains("mlp")) {
                MlpBench.Result r = MlpBench.runInChild();
                int n = MlpBench.N, t = MlpBench.THREADS;
                rows.add(new Row("mlp (" + r.data() + ")", n, t, "s/epoch", r.secondsPerEpoch(), torchFigures.get(key("mlp", n, t))));
                rows.add(new Row("mlp samples/s", n, t, "1/s", r.samplesPerSecond(), torchFigures.get(key("mlp samples/s", n, t))));
                rows.add(new Row("mlp peak RSS", n, t, "MiB", r.peakRssMiB(), torchFigures.get(key("mlp peak RSS", n, t))));
            }
            if (which.contains("cnn")) {
                double v = CnnBench.cnnSamplesPerSecond();
                rows.add(new Row("cnn", CnnBench.BATCH, 2, "samples/s", v, torchFigures.get(key("cnn", CnnBench.BATCH, 2))));
            }
            if (which.contains("vgg16")) {
                double v = CnnBench.vgg16Seconds();
                rows.add(new Row("vgg16", 2, 2, "s", v, torchFigures.get(key("vgg16", 2, 2))));
            }
        } finally {
            Nabla.setThreads(saved);
        }
        print(rows, torch, which);
    }

    static String key(String bench, int size, int threads) {
        return bench + "/" + size + "/" + threads;
    }

    // ------------------------------------------------------------------ nabla's side

    /** Best wall time in seconds of REPS calls, after a warm-up of at least 3 calls and 1 s. */
    static double bestTime(Supplier<Object> op) {
        return bestTime(op, 1.0);
    }

    static double bestTime(Supplier<Object> op, double warmSeconds) {
        long start = System.nanoTime();
        Object sink = null;
        for (int warm = 0; warm < 3 || System.nanoTime() - start < warmSeconds * 1e9; warm++) sink = op.get();
        long best = Long.MAX_VALUE;
        for (int r = 0; r < REPS; r++) {
            long t0 = System.nanoTime();
            sink = op.get();
            best = Math.min(best, System.nanoTime() - t0);
        }
        if (sink == null) throw new IllegalStateException("benchmark op returned nothing");
        return best / 1e9;
    }

    /** C = A·B, square float32; GFLOP/s = 2n³/t. */
    static double gemm(int n) {
        Generator g = new Generator(1);
        Tensor a = Tensor.rand(g, n, n), b = Tensor.rand(g, n, n);
        return 2.0 * n * n * n / bestTime(() -> a.matmul(b)) / 1e9;
    }

    /** y = (x·a + b).tanh()·c on float32 vectors; GB/s counts 5·4·N bytes (4 inputs read, y written). */
    static double elementwise(int n) {
        Generator g = new Generator(2);
        Tensor x = Tensor.rand(g, n), a = Tensor.rand(g, n), b = Tensor.rand(g, n), c = Tensor.rand(g, n);
        double t = bestTime(() -> x.mul(a).add(b).tanh().mul(c));
        return 5.0 * 4 * n / t / 1e9;
    }

    /** x.sum() over float32; GB/s counts the 4·N bytes read. */
    static double reduce(int n) {
        Generator g = new Generator(3);
        Tensor x = Tensor.rand(g, n);
        return 4.0 * n / bestTime(x::sum) / 1e9;
    }

    // ------------------------------------------------------------------ the table

    static void print(List<Row> rows, Torch torch, Set<String> which) {
        var out = System.out;
        out.println("nabla bench: " + Nabla.kernels() + "; Java " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores" + loadAverage());
        boolean ratios = torch.usable();
        if (torch.ok) {
            out.printf(Locale.ROOT, "torch %s (%s; BLAS: %s); torch float32 gemm n=1024 on 1 thread: %.1f GFLOP/s%n",
                    torch.version, torch.python, torch.blas.isEmpty() ? "none found in the process" : String.join(", ", torch.blas),
                    torch.check);
        }
        out.println();
        out.printf(Locale.ROOT, "%-24s %10s %8s %-8s %10s %10s %9s%n",
                "protocol", "size", "threads", "unit", "nabla", "torch", "speed x");
        for (Row r : rows) {
            String size = r.bench.equals("gemm") ? "n=" + r.size : r.bench.startsWith("mlp") ? r.size + " ex"
                    : r.bench.equals("cnn") || r.bench.equals("vgg16") ? "batch " + r.size
                    : r.size >= 1 << 20 ? (r.size >> 20) + "M" : r.size + " ep";
            String t = r.torch == null ? "-" : fmt(r.torch);
            out.printf(Locale.ROOT, "%-24s %10s %8d %-8s %10s %10s %9s%n", r.bench, size, r.threads, r.unit, fmt(r.nabla), t,
                    ratios ? speedUp(r) : "-");
        }
        out.println();
        if (which.contains("gemm")) {
            out.println("gemm: C = A·B, square float32 (Tensor.matmul / torch.mm), GFLOP/s = 2n³/t, best of " + REPS + " after warm-up.");
        }
        if (which.contains("elementwise")) {
            out.println("elementwise: y = (x*a + b).tanh() * c on float32 vectors of N elements; GB/s counts 5·4·N bytes"
                    + " (x, a, b, c read once, y written once; intermediates not counted); best of " + REPS + ".");
        }
        if (which.contains("reduce")) {
            out.println("reduce: x.sum() over N float32; GB/s counts the 4·N bytes read; best of " + REPS + ".");
        }
        if (which.contains("runge")) {
            out.println("runge: BENCH.md's protocol (200 points, 30% validation, 1-20-10-20-10-1 tanh/sigmoid, MSE, Adam, batch 39,"
                    + " 300 epochs with a validation pass each epoch): median over " + RungeBench.SEEDS
                    + " seeds of the wall time of the 300 epochs and of the test MSE on 100 grid points, after one warm-up run.");
        }
        if (which.contains("mlp")) {
            out.println("mlp: BENCH.md's protocol (Fashion-MNIST's 60,000 training images, or random data of that shape when it is"
                    + " not installed; 784-256-128-10 ReLU, cross-entropy, Adam 1e-3, batch 128, shuffled, 2 threads): median"
                    + " s/epoch of " + MlpBench.EPOCHS + " epochs after a warm-up one, each side in its own process (peak RSS = VmHWM).");
        }
        if (which.contains("cnn")) {
            out.println("cnn: BENCH.md's training step (Conv 32 3x3 - ReLU - MaxPool - Conv 64 3x3 - ReLU - MaxPool - Linear 128 - Linear 10,"
                    + " cross-entropy, Adam, batch 128 of 1x28x28 random images): median samples/s of " + CnnBench.REPS + " x "
                    + CnnBench.STEPS + " steps after " + CnnBench.WARM + " warm-up steps (bench/cnn alternates nabla and torch instead).");
        }
        if (which.contains("vgg16")) {
            out.println("vgg16: one forward + backward pass of VGG16 (configuration D, 2 classes) on 2 images of 224x224x3:"
                    + " median of 3 after one warm-up.");
        }
        out.println("speed x: how many times faster nabla is than torch (rate/rate, or torch's time/nabla's time); >1 is faster.");
        if (!ratios) {
            out.println();
            out.println("No ratio printed: " + torch.whyNot() + ".");
        }
    }

    /** A figure with 4 significant digits, in scientific notation when tiny (an MSE). */
    static String fmt(double v) {
        return Math.abs(v) < 1e-2 && v != 0 ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    /** How many times faster nabla is: rate / rate, or time / time inverted; "-" for a quality figure (MSE). */
    static String speedUp(Row r) {
        if (r.torch == null || r.torch <= 0 || r.nabla <= 0 || r.unit.equals("MSE") || r.unit.equals("MiB")) return "-";
        double x = r.unit.equals("s") || r.unit.equals("s/epoch") ? r.torch / r.nabla : r.nabla / r.torch;
        return String.format(Locale.ROOT, "%.2f", x);
    }

    /** "; load average 1.23 at the end" from /proc/loadavg (other work on the machine skews figures), or "". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "; 1-minute load average " + f[0] + " at the end (this run accounts for up to "
                    + Math.min(2, Runtime.getRuntime().availableProcessors()) + "; more means other processes competed for the cores)";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    // ------------------------------------------------------------------ PyTorch's side

    /** The outcome of bench/torch_bench.py. */
    static final class Torch {
        boolean ok;
        String reason = "";
        String version = "?", python = "?";
        List<String> blas = new ArrayList<>();
        double check;
        final Map<String, Double> figures = new LinkedHashMap<>();

        static Torch absent(String reason) {
            Torch t = new Torch();
            t.reason = reason;
            return t;
        }

        boolean usable() {
            return ok && check >= TORCH_MIN_GFLOPS;
        }

        String whyNot() {
            if (!ok) return "PyTorch was not measured (" + reason + ")";
            return String.format(Locale.ROOT, "torch's float32 gemm at n=1024 on one thread ran at %.1f GFLOP/s, below %.0f;"
                    + " it is probably on Debian's reference BLAS: install libopenblas0-openmp and run torch with"
                    + " LD_LIBRARY_PATH=%s (BENCH.md)", check, TORCH_MIN_GFLOPS, OPENBLAS_DIR);
        }

        static Torch run(Set<String> which) {
            Path script = findScript();
            if (script == null) {
                return absent("bench/torch_bench.py not found; set -Dnabla.bench.torchScript=PATH");
            }
            String python = System.getProperty("nabla.bench.python", "/usr/bin/python3");
            if (!Files.isExecutable(Path.of(python))) return absent(python + " not found");
            List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
            cmd.addAll(which);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            if (Files.isDirectory(Path.of(OPENBLAS_DIR))) {
                String old = pb.environment().get("LD_LIBRARY_PATH");
                pb.environment().put("LD_LIBRARY_PATH", OPENBLAS_DIR + (old == null || old.isEmpty() ? "" : ":" + old));
            }
            System.err.println("bench: timing PyTorch (" + String.join(" ", cmd) + ") ...");
            String stdout;
            try {
                Process p = pb.start();
                p.getOutputStream().close();
                stdout = readAll(p.getInputStream());
                if (!p.waitFor(30, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    return absent("torch_bench.py did not finish in 30 minutes");
                }
                if (p.exitValue() != 0) return absent("torch_bench.py exited with status " + p.exitValue());
            } catch (IOException e) {
                return absent("cannot run " + python + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return absent("interrupted");
            }
            String json = null;
            for (String line : stdout.split("\n")) if (line.startsWith("{")) json = line;
            if (json == null) return absent("torch_bench.py printed no JSON");
            return parse(json);
        }

        @SuppressWarnings("unchecked")
        static Torch parse(String json) {
            Map<String, Object> m;
            try {
                m = (Map<String, Object>) new Json(json).value();
            } catch (RuntimeException e) {
                return absent("cannot read torch_bench.py's output: " + e.getMessage());
            }
            Torch t = new Torch();
            t.ok = Boolean.TRUE.equals(m.get("ok"));
            t.reason = String.valueOf(m.getOrDefault("reason", ""));
            if (!t.ok) return t;
            t.version = String.valueOf(m.get("torch"));
            t.python = String.valueOf(m.get("python"));
            for (Object o : (List<Object>) m.getOrDefault("blas", List.of())) t.blas.add(String.valueOf(o));
            t.check = ((Number) m.get("check_gemm_1024_1thread")).doubleValue();
            for (Object o : (List<Object>) m.get("results")) {
                Map<String, Object> r = (Map<String, Object>) o;
                t.figures.put(key((String) r.get("bench"), ((Number) r.get("size")).intValue(), ((Number) r.get("threads")).intValue()),
                        ((Number) r.get("value")).doubleValue());
            }
            return t;
        }

        static Path findScript() {
            String prop = System.getProperty("nabla.bench.torchScript");
            if (prop != null) return Files.isRegularFile(Path.of(prop)) ? Path.of(prop) : null;
            for (String p : new String[] {"bench/torch_bench.py", "torch_bench.py", "../bench/torch_bench.py"}) {
                if (Files.isRegularFile(Path.of(p))) return Path.of(p).toAbsolutePath();
            }
            return null;
        }

        static String readAll(InputStream in) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        }
    }

    /** A minimal JSON reader (objects, arrays, strings, numbers, true/false/null), enough for torch_bench.py. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            if (i >= s.length()) throw new IllegalArgumentException("unexpected end of JSON");
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skip();
                    if (peek() == '}') {
                        i++;
                        return m;
                    }
                    while (true) {
                        skip();
                        String k = string();
                        skip();
                        expect(':');
                        m.put(k, value());
                        skip();
                        if (peek() == ',') {
                            i++;
                        } else {
                            expect('}');
                            return m;
                        }
                    }
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    skip();
                    if (peek() == ']') {
                        i++;
                        return l;
                    }
                    while (true) {
                        l.add(value());
                        skip();
                        if (peek() == ',') {
                            i++;
                        } else {
                            expect(']');
                            return l;
                        }
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (s.startsWith("true", i)) {
                        i += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", i)) {
                        i += 5;
                        return Boolean.FALSE;
                    }
                    if (s.startsWith("null", i)) {
                        i += 4;
                        return null;
                    }
                    int j = i;
                    while (i < s.length() && "+-0123456789.eEInfinityNa".indexOf(s.charAt(i)) >= 0) i++;
                    if (j == i) throw new IllegalArgumentException("unexpected '" + c + "' at " + j);
                    String num = s.substring(j, i);
                    return num.equals("Infinity") ? Double.POSITIVE_INFINITY : num.equals("NaN") ? Double.NaN : Double.parseDouble(num);
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            }
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
