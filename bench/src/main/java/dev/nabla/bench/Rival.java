package dev.nabla.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A rival framework of {@code bench/run}: a Python interpreter, a rival script of bench/ and its
 * environment. It is checked once ({@code script check}: imports, version, BLAS, float32 gemm at
 * n = 1024 on one thread) and refused with the reason when misconfigured; then each protocol runs
 * in a new process of its own ({@code script PROTOCOL}), whose report is refused too when it did
 * not run on {@value NablaProtocols#THREADS} threads.
 *
 * @param label what the rival is called before it reports its version (and when it is refused)
 * @param needsMkl whether the check requires PyTorch built with MKL (the PyTorch wheel; Debian's
 *     PyTorch runs on OpenBLAS, which only the gemm check can tell from reference BLAS)
 * @param hint what to look at when its gemm check is too slow
 */
record Rival(String label, String python, Path script, Map<String, String> env, boolean needsMkl, String hint) {
    /** BENCH.md: a rival whose one-thread float32 gemm at n = 1024 is below this is crippled. */
    static final double MIN_GFLOPS = 50;
    static final String OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

    /**
     * The rivals of BENCH.md: PyTorch 2.x from the virtual environment (MKL + oneDNN), JAX with jit
     * from the same, Debian's PyTorch 1.13 on OpenBLAS. $NABLA_VENV_PYTHON replaces /opt/venv/bin/python.
     */
    static List<Rival> defaults(Path benchDir) {
        String venv = System.getenv().getOrDefault("NABLA_VENV_PYTHON", "/opt/venv/bin/python");
        Path torch = benchDir.resolve("rival_torch.py"), jax = benchDir.resolve("rival_jax.py");
        return List.of(new Rival("torch2", venv, torch, Map.of(), true, "is it the MKL wheel, pip install torch==2.13.0+cpu?"),
                new Rival("torch1", "/usr/bin/python3", torch, Map.of("LD_LIBRARY_PATH", OPENBLAS_DIR), false,
                        "Debian's PyTorch needs libopenblas0-openmp in " + OPENBLAS_DIR + ", BENCH.md"),
                new Rival("jax", venv, jax, Map.of(), false, "is jaxlib built for this CPU?"));
    }

    /** The command of one run of the script: check, or a protocol. */
    List<String> command(String what, boolean quick) {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), what));
        if (quick) cmd.add("--quick");
        return cmd;
    }

    /** Runs the check: its report, or an IOException saying why there is none (no such Python...). */
    Map<String, Object> check() throws IOException {
        if (!Files.isExecutable(Path.of(python))) throw new IOException(python + " not found");
        return Bench.runForJson(command("check", false), env);
    }

    /**
     * Why this rival's check report refuses it, or null when it is fit to race: its one-thread gemm
     * must reach minGflops ({@link #MIN_GFLOPS} by BENCH.md; bench/run --min-gflops lowers it on a
     * loaded machine, where every participant slows down).
     */
    String refusal(Map<String, Object> check, double minGflops) {
        if (!Boolean.TRUE.equals(check.get("ok"))) return String.valueOf(check.get("reason"));
        if (needsMkl && !Boolean.TRUE.equals(check.get("mkl"))) {
            return "PyTorch " + check.get("version") + " was built without MKL (torch.backends.mkl.is_available() is false):"
                    + " not the PyTorch wheel a user installs (pip install torch==2.13.0+cpu)";
        }
        Object g = check.get("check_gemm_1024_1thread");
        double gflops = g instanceof Number n ? n.doubleValue() : Double.NaN;
        if (!(gflops >= minGflops)) {
            return String.format(Locale.ROOT, "float32 gemm n=1024 on one thread ran at %.1f GFLOP/s, below %s: a crippled BLAS"
                    + " (%s) or a loaded machine (then see --min-gflops)", gflops, Report.plain(minGflops), hint);
        }
        return null;
    }

    /** Why a protocol's report is refused (it did not run on the protocol's thread count), or null. */
    static String refusalOfRun(Map<String, Object> run) {
        if (!Boolean.TRUE.equals(run.get("ok"))) return String.valueOf(run.get("reason"));
        for (String k : new String[] {"threads", "cpus"}) {
            Object v = run.get(k);
            if (v != null && ((Number) v).intValue() != NablaProtocols.THREADS) {
                return "ran with " + k + " = " + v + ", not " + NablaProtocols.THREADS;
            }
        }
        return null;
    }

    /** One line on a checked rival: its Python, version and BLAS, and its gemm check. */
    static String describe(Map<String, Object> check) {
        Object blas = check.get("blas");
        String libs = blas instanceof List<?> l && !l.isEmpty()
                ? String.join(", ", l.stream().map(o -> Path.of(String.valueOf(o)).getFileName().toString()).toList())
                : "-";
        return String.format(Locale.ROOT, "%s %s; BLAS libraries: %s; float32 gemm n=1024 on 1 thread: %.1f GFLOP/s",
                check.get("python"), check.get("version"), libs, ((Number) check.get("check_gemm_1024_1thread")).doubleValue());
    }
}
