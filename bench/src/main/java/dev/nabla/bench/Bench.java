package dev.nabla.bench;

import dev.nabla.Nabla;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code bench/run} command: BENCH.md's protocols for nabla and its rivals (PyTorch 2.x from
 * the virtual environment, JAX with jit, Debian's PyTorch 1.13 on OpenBLAS), in the same run, one
 * process per participant and protocol, one after the other so that none competes for the cores;
 * prints one table with nabla's speed against the fastest rival of each row and every peak RSS,
 * and with {@code --json FILE} writes the same figures as JSON.
 *
 * <pre>
 *   Bench [gemm|elementwise|reduce|runge|mlp|cnn|dcgan|vgg16|all]... [--json FILE] [--rivals LIST|--no-rivals]
 *         [--rounds N] [--min-gflops G] [--quick]
 * </pre>
 *
 * <p>{@code --rounds N} runs the whole list N times over, each round every protocol for every
 * participant in turn (so a slow spell of the shared host falls on all of them), and reports each
 * figure as the median of its rounds, with the lowest and highest "vs best" of a round.
 *
 * <p>The rival scripts are {@code rival_torch.py} and {@code rival_jax.py} in the directory of the
 * system property {@code nabla.bench.dir} (bench/run sets it). elementwise and reduce are also
 * given as a fraction of the machine's copy bandwidth (a 2-thread Java copy and NumPy's copy).
 */
public final class Bench {
    static final List<String> PROTOCOLS = List.of("gemm", "elementwise", "reduce", "runge", "mlp", "cnn", "dcgan", "vgg16");
    static final List<String> DEFAULT = List.of("gemm", "elementwise", "reduce", "runge", "mlp");
    static final String USAGE = "usage: bench/run [" + String.join("|", PROTOCOLS) + "|all]... [--json FILE]"
            + " [--rivals torch2,torch1,jax | --no-rivals] [--rounds N] [--min-gflops G] [--quick]";

    private Bench() {}

    public static void main(String[] args) throws Exception {
        Set<String> which = new LinkedHashSet<>();
        Path json = null;
        boolean quick = false;
        Set<String> wanted = null;
        double minGflops = Double.NaN;
        int rounds = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (PROTOCOLS.contains(a)) {
                which.add(a);
            } else if (a.equals("all")) {
                which.addAll(PROTOCOLS);
            } else if (a.equals("--json") && i + 1 < args.length) {
                json = Path.of(args[++i]);
            } else if (a.equals("--rivals") && i + 1 < args.length) {
                wanted = new LinkedHashSet<>(List.of(args[++i].split(",")));
            } else if (a.equals("--no-rivals")) {
                wanted = Set.of();
            } else if (a.equals("--quick")) {
                quick = true;
            } else if (a.equals("--rounds") && i + 1 < args.length) {
                rounds = parseRounds(args[++i]);
            } else if (a.equals("--min-gflops") && i + 1 < args.length) {
                minGflops = parseNonNegative(args[++i], "--min-gflops");
            } else if (a.equals("-h") || a.equals("--help")) {
                System.out.println(USAGE);
                return;
            } else {
                System.err.println("bench: unknown argument '" + a + "' (or a missing value after it). " + USAGE);
                System.exit(2);
            }
        }
        if (which.isEmpty()) which.addAll(DEFAULT);
        // a smoke test runs every rival whatever its speed
        if (Double.isNaN(minGflops)) minGflops = quick ? 0 : Rival.MIN_GFLOPS;
        Path dir = Path.of(System.getProperty("nabla.bench.dir", "bench")).toAbsolutePath();
        List<Rival> rivals = new ArrayList<>();
        for (Rival r : Rival.defaults(dir)) if (wanted == null || wanted.contains(r.label())) rivals.add(r);
        if (wanted != null) {
            for (String w : wanted) {
                if (rivals.stream().noneMatch(r -> r.label().equals(w))) {
                    System.err.println("bench: unknown rival '" + w + "'; known: torch2, torch1, jax. " + USAGE);
                    System.exit(2);
                }
            }
        }

        Report report = new Report();
        report.quick = quick;
        Map<Rival, String> names = checkRivals(rivals, report, minGflops);
        boolean failed = false;
        for (int round = 0; round < rounds; round++) {
            report.round = round;
            if (rounds > 1) System.err.println("bench: round " + (round + 1) + " of " + rounds);
            failed |= !measure(which, names, report, quick, json);
        }
        System.out.println("nabla bench: " + Nabla.kernels() + "; Java " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, " + NablaProtocols.THREADS + " threads" + loadAverage()
                + (quick ? "; --quick: a smoke test, the figures mean nothing" : ""));
        report.rivals.forEach((n, d) -> System.out.println(n + ": " + d));
        if (minGflops != Rival.MIN_GFLOPS) {
            System.out.println("rivals accepted with a one-thread gemm check of at least " + Report.plain(minGflops)
                    + " GFLOP/s, not BENCH.md's " + Report.plain(Rival.MIN_GFLOPS));
        }
        System.out.println();
        report.print(System.out);
        if (json != null) System.out.println("figures written to " + json);
        if (failed) System.exit(1);
    }

    /** One round: the copy (for elementwise and reduce), then each protocol for every rival and nabla; false when nabla failed. */
    private static boolean measure(Set<String> which, Map<Rival, String> names, Report report, boolean quick, Path json) throws IOException {
        boolean failed = false;
        if (which.contains("elementwise") || which.contains("reduce")) {
            failed |= !measureCopy(report, quick);
        }
        for (String protocol : which) {
            for (Map.Entry<Rival, String> r : names.entrySet()) {
                String name = r.getValue();
                try {
                    Map<String, Object> run = runForJson(r.getKey().command(protocol, quick), r.getKey().env());
                    String why = Rival.refusalOfRun(run);
                    if (why != null) report.refuse(protocol, name, why);
                    else report.add(protocol, name, figures(run), number(run, "peak_rss_mib"));
                } catch (IOException e) {
                    report.refuse(protocol, name, e.getMessage());
                }
            }
            try {
                Map<String, Object> run = runForJson(nablaCommand(protocol, quick), Map.of());
                report.add(protocol, "nabla", figures(run), number(run, "peak_rss_mib"));
                if (run.get("thread_round_trip_ns") instanceof List<?> rt && rt.size() == 2
                        && rt.get(0) instanceof Number start && rt.get(1) instanceof Number end) {
                    report.roundTrip(protocol, start.doubleValue(), end.doubleValue());
                }
            } catch (IOException e) {
                System.err.println("bench: nabla's " + protocol + " failed: " + e.getMessage());
                failed = true;
            }
            report.finish();
            // after each protocol, so that a long run stopped midway keeps the protocols it finished
            if (json != null) writeAtomically(json, Json.write(report.toJson()) + "\n");
        }
        return !failed;
    }

    /** Checks each rival once: accepted ones get their measured name (torch-2.13), refused ones a line in the report. */
    static Map<Rival, String> checkRivals(List<Rival> rivals, Report report, double minGflops) {
        Map<Rival, String> names = new LinkedHashMap<>();
        for (Rival r : rivals) {
            Map<String, Object> check;
            try {
                check = r.check();
            } catch (IOException e) {
                report.refusedRivals.put(r.label(), e.getMessage());
                continue;
            }
            String why = r.refusal(check, minGflops);
            if (why != null) {
                report.refusedRivals.put(r.label(), why);
                continue;
            }
            String name = String.valueOf(check.get("name"));
            if (names.containsValue(name)) name += " (" + r.python() + ")"; // two Pythons with the same version
            names.put(r, name);
            report.rivals.put(name, Rival.describe(check));
        }
        return names;
    }

    /** The copy bandwidth, in Java (nabla's process) and in NumPy: false when nabla's copy failed. */
    static boolean measureCopy(Report report, boolean quick) {
        try {
            Map<String, Object> run = runForJson(nablaCommand("copy", quick), Map.of());
            report.addCopy("java", figures(run).getFirst().value());
        } catch (IOException e) {
            System.err.println("bench: the Java copy failed: " + e.getMessage());
            return false;
        }
        Path common = Path.of(System.getProperty("nabla.bench.dir", "bench")).toAbsolutePath().resolve("rival_common.py");
        for (String python : List.of(System.getenv().getOrDefault("NABLA_VENV_PYTHON", "/opt/venv/bin/python"), "/usr/bin/python3")) {
            if (!Files.isExecutable(Path.of(python))) continue;
            List<String> cmd = new ArrayList<>(List.of(python, common.toString(), "copy"));
            if (quick) cmd.add("--quick");
            try {
                report.addCopy("numpy", figures(runForJson(cmd, Map.of())).getFirst().value());
                break;
            } catch (IOException e) {
                System.err.println("bench: NumPy's copy with " + python + " failed: " + e.getMessage());
            }
        }
        return true;
    }

    /** The command of a child JVM like this one (options, class path) running one protocol of nabla's. */
    static List<String> nablaCommand(String protocol, boolean quick) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-XX:StartFlightRecording")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NablaProtocols.class.getName(), protocol));
        if (quick) cmd.add("--quick");
        return cmd;
    }

    /**
     * Runs a participant's process (stderr passes through, stdout lines other than its report go to
     * stderr as progress) and returns its report: the last stdout line that is a JSON object.
     */
    static Map<String, Object> runForJson(List<String> cmd, Map<String, String> env) throws IOException {
        System.err.println("bench: " + String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        // the rivals' variables are search paths (LD_LIBRARY_PATH): put in front of an inherited value
        env.forEach((k, v) -> pb.environment().merge(k, v, (old, add) -> old.isEmpty() ? add : add + ":" + old));
        Process p = pb.start();
        // a bench/run stopped midway (Ctrl-C) stops the participant it was running too
        Thread stop = new Thread(p::destroy);
        Runtime.getRuntime().addShutdownHook(stop);
        String last = null;
        try {
            p.getOutputStream().close();
            try (BufferedReader in = p.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("{")) last = line;
                    else System.err.println(line);
                }
            }
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 30 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs
            }
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " exited with status " + p.exitValue());
        if (last == null) throw new IOException(String.join(" ", cmd) + " printed no JSON report");
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.parse(last);
            return m;
        } catch (RuntimeException e) {
            throw new IOException("cannot read the report of " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
    }

    private static int parseRounds(String s) {
        try {
            int v = Integer.parseInt(s);
            if (v >= 1) return v;
        } catch (NumberFormatException e) {
            // below
        }
        System.err.println("bench: --rounds takes a whole number >= 1, got '" + s + "'");
        System.exit(2);
        return 1;
    }

    private static double parseNonNegative(String s, String option) {
        try {
            double v = Double.parseDouble(s);
            if (v >= 0) return v;
        } catch (NumberFormatException e) {
            // below
        }
        System.err.println("bench: " + option + " takes a number >= 0, got '" + s + "'");
        System.exit(2);
        return 0;
    }

    static List<Figure> figures(Map<String, Object> run) {
        List<Figure> out = new ArrayList<>();
        for (Object o : (List<?>) run.getOrDefault("figures", List.of())) out.add(Figure.fromJson((Map<?, ?>) o));
        return out;
    }

    static double number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Writes the file whole or not at all: a temporary file beside it, then an atomic rename. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** "; 1-minute load average 1.23 at the end" from /proc/loadavg (other work on the machine skews figures), or "". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "; 1-minute load average " + f[0] + " at the end (this run accounts for up to "
                    + Math.min(2, Runtime.getRuntime().availableProcessors()) + "; more means other processes competed for the cores)";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
