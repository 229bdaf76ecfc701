package dev.nabla.bench;

import dev.nabla.Nabla;
import dev.nabla.kernel.Gemm;
import dev.nabla.kernel.KernelProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * float32 GEMM rates by shape on 1 and 2 threads, with the two threads' cache-line round trip
 * measured after each shape ({@link NablaProtocols#threadRoundTripNs}): the shapes of the mlp,
 * cnn and VGG16 layers beside the square ones of the gemm protocol. Two threads share a GEMM's
 * work differently from one shape to another, and on this host run at up to half speed when
 * they sit on two L3 caches (a round trip of ~330 ns instead of ~70), so the figure beside each
 * row says which case it measured. One line per shape: "MxNxK[tA][tB] gflops_1 gflops_2
 * round_trip_ns of_peak_1 of_peak_2", the best of 5 timed runs of about 0.2 s each after a
 * warm-up, and the median of the runs' rates over the FMA peak of their threads measured just
 * before each ({@link FmaPeak}: the host's cores change speed in spells).
 * <pre>
 *   GemmShapes [--quick] [SHAPE...]      SHAPE: 128x256x784tB (op(A) is M×K, op(B) K×N)
 * </pre>
 */
final class GemmShapes {
    /** The mlp's layers at batch 128, the cnn's fc1, VGG16's classifier gradient, and squares. */
    static final List<String> DEFAULT = List.of("128x256x784tB", "256x784x128tA", "128x128x256tB", "128x128x3136tB",
            "64x1024x512", "128x1024x784", "256x256x256", "384x384x384", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "4096x4096x2tA");
    private static final Pattern SHAPE = Pattern.compile("(\\d+)x(\\d+)x(\\d+)(tA)?(tB)?");

    private GemmShapes() {}

    record Shape(String name, int m, int n, int k, boolean tA, boolean tB) {
        static Shape parse(String s) {
            Matcher mt = SHAPE.matcher(s);
            if (!mt.matches()) throw new Usage("GemmShapes: shape '" + s + "' is not MxNxK[tA][tB] (e.g. 128x256x784tB)");
            long m = size(mt.group(1)), n = size(mt.group(2)), k = size(mt.group(3));
            if (m < 1 || n < 1 || k < 1 || m * k > 1 << 28 || k * n > 1 << 28 || m * n > 1 << 28) {
                throw new Usage("GemmShapes: shape '" + s + "' needs sizes of at least 1 and matrices of at most 2^28 elements");
            }
            return new Shape(s, (int) m, (int) n, (int) k, mt.group(4) != null, mt.group(5) != null);
        }

        // digits as a size; beyond a long it is too large anyway
        private static long size(String digits) {
            return digits.length() > 12 ? Long.MAX_VALUE / 4 : Long.parseLong(digits);
        }
    }

    public static void main(String[] args) {
        Usage.main(args, GemmShapes::run);
    }

    /** The tool on its arguments; a shape not of the form throws {@link Usage}. */
    static void run(String[] args) {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        List<String> names = new ArrayList<>(Arrays.asList(args).subList(quick ? 1 : 0, args.length));
        if (names.isEmpty()) names.addAll(DEFAULT);
        List<Shape> shapes = names.stream().map(Shape::parse).toList();
        Gemm gemm = KernelProvider.get().gemm();
        if (!quick) FmaPeak.warmUp(NablaProtocols.THREADS);
        for (Shape s : shapes) {
            double[] one = gflops(gemm, s, 1, quick), two = gflops(gemm, s, NablaProtocols.THREADS, quick);
            System.out.printf(Locale.ROOT, "%s %.4g %.4g %.0f %.4g %.4g%n", s.name(), one[0], two[0], NablaProtocols.threadRoundTripNs(),
                    one[1], two[1]);
        }
        Nabla.setThreads(NablaProtocols.THREADS);
    }

    /** {GFLOP/s, the median fraction of the FMA peak} on that many threads. */
    private static double[] gflops(Gemm gemm, Shape s, int threads, boolean quick) {
        Nabla.setThreads(threads);
        float[] a = fill(s.m() * s.k()), b = fill(s.k() * s.n()), c = new float[s.m() * s.n()];
        int lda = s.tA() ? s.m() : s.k(), ldb = s.tB() ? s.k() : s.n();
        Runnable product = () -> gemm.sgemm(1, s.tA(), s.tB(), s.m(), s.n(), s.k(), a, 0, 0, lda, b, 0, 0, ldb, 0f, c, 0, 0, s.n());
        double flop = 2.0 * s.m() * s.n() * s.k();
        // calls per timed run: about 0.2 s at 100 GFLOP/s
        int calls = quick ? 1 : (int) Math.max(1, Math.min(100_000, 2e10 / flop));
        long warmUntil = System.nanoTime() + (quick ? 0 : 500_000_000L);
        do {
            product.run();
        } while (System.nanoTime() < warmUntil);
        long best = Long.MAX_VALUE;
        double[] ofPeak = new double[quick ? 1 : 5];
        for (int r = 0; r < ofPeak.length; r++) {
            double peak = FmaPeak.gflops(threads);
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) product.run();
            long t = System.nanoTime() - t0;
            best = Math.min(best, t);
            ofPeak[r] = flop * calls / t / peak;
        }
        return new double[] {flop * calls / best, RungeBench.median(ofPeak)};
    }

    private static float[] fill(int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (i % 17) * 0.0625f - 0.5f;
        return x;
    }
}
