package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks both {@link Gemm} implementations against a naive triple loop summed in double: many
 * shapes (tails of every blocking), the four transpose combinations, offsets, padded leading
 * dimensions, batches with shared operands, and beta = 0 (C holds garbage) or 1 (accumulate).
 * Elements of the arrays outside the matrices must not be touched.
 */
class GemmTest {
    private static final float SENTINEL_F = 12345.5f;
    private static final double SENTINEL_D = 12345.5;

    /** ScalarGemm always; VectorGemm when jdk.incubator.vector is present (it is in the build). */
    static List<Gemm> impls() {
        List<Gemm> list = new ArrayList<>();
        list.add(new ScalarGemm());
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                list.add((Gemm) Class.forName("dev.nabla.kernel.VectorGemm").getDeclaredConstructor().newInstance());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        } else {
            System.err.println("GemmTest: jdk.incubator.vector absent, VectorGemm not tested");
        }
        return list;
    }

    /** One randomly laid-out problem: operands with offsets, padding and batch strides. */
    private static final class Layout {
        final int batch, m, n, k, aOff, aBs, lda, bOff, bBs, ldb, cOff, cBs, ldc, aLen, bLen, cLen;
        final boolean tA, tB;

        Layout(Random rnd, int batch, boolean tA, boolean tB, int m, int n, int k, boolean shareA, boolean shareB) {
            this.batch = batch;
            this.tA = tA;
            this.tB = tB;
            this.m = m;
            this.n = n;
            this.k = k;
            int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
            lda = aCols + (rnd.nextBoolean() ? 0 : rnd.nextInt(4));
            ldb = bCols + (rnd.nextBoolean() ? 0 : rnd.nextInt(4));
            ldc = n + (rnd.nextBoolean() ? 0 : rnd.nextInt(4));
            aOff = rnd.nextInt(5);
            bOff = rnd.nextInt(5);
            cOff = rnd.nextInt(5);
            aBs = shareA ? 0 : aRows * lda + rnd.nextInt(3);
            bBs = shareB ? 0 : bRows * ldb + rnd.nextInt(3);
            cBs = m * ldc + rnd.nextInt(3);
            aLen = aOff + Math.max(batch - 1, 0) * aBs + aRows * lda + rnd.nextInt(3);
            bLen = bOff + Math.max(batch - 1, 0) * bBs + bRows * ldb + rnd.nextInt(3);
            cLen = cOff + Math.max(batch - 1, 0) * cBs + m * ldc + rnd.nextInt(3);
        }

        int ai(int p, int i, int l) {
            return aOff + p * aBs + (tA ? l * lda + i : i * lda + l);
        }

        int bi(int p, int l, int j) {
            return bOff + p * bBs + (tB ? j * ldb + l : l * ldb + j);
        }

        int ci(int p, int i, int j) {
            return cOff + p * cBs + i * ldc + j;
        }

        boolean inC(int idx) {
            if (m == 0 || n == 0) return false;
            for (int p = 0; p < batch; p++) {
                int r = idx - cOff - p * cBs;
                if (r >= 0 && r / ldc < m && r % ldc < n) return true;
            }
            return false;
        }

        @Override
        public String toString() {
            return "batch=" + batch + " " + (tA ? "Aᵀ" : "A") + (tB ? "Bᵀ" : "B") + " m=" + m + " n=" + n + " k=" + k
                    + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc + " offs=" + aOff + "," + bOff + "," + cOff
                    + " strides=" + aBs + "," + bBs + "," + cBs;
        }
    }

    private static void checkFloat(Gemm g, Random rnd, int batch, boolean tA, boolean tB, int m, int n, int k,
                                   boolean shareA, boolean shareB, float beta) {
        Layout s = new Layout(rnd, batch, tA, tB, m, n, k, shareA, shareB);
        float[] a = new float[s.aLen], b = new float[s.bLen], c = new float[s.cLen];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < c.length; i++) {
            c[i] = !s.inC(i) ? SENTINEL_F : beta == 0f ? Float.NaN : rnd.nextFloat() * 2 - 1;
        }
        float[] c0 = c.clone();
        g.sgemm(batch, tA, tB, m, n, k, a, s.aOff, s.aBs, s.lda, b, s.bOff, s.bBs, s.ldb,
                beta, c, s.cOff, s.cBs, s.ldc);
        for (int idx = 0; idx < c.length; idx++) {
            if (!s.inC(idx) && c[idx] != SENTINEL_F) fail(g.getClass().getSimpleName() + " " + s + ": wrote outside C at " + idx);
        }
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = beta == 0f ? 0 : beta * (double) c0[s.ci(p, i, j)];
                    double bound = Math.abs(want);
                    for (int l = 0; l < k; l++) {
                        double t = (double) a[s.ai(p, i, l)] * b[s.bi(p, l, j)];
                        want += t;
                        bound += Math.abs(t);
                    }
                    double got = c[s.ci(p, i, j)];
                    if (!(Math.abs(got - want) <= 1e-4 * bound + 1e-30)) {
                        fail(g.getClass().getSimpleName() + " " + s + " beta=" + beta + ": C[" + p + "][" + i + "][" + j
                                + "] = " + got + ", want " + want);
                    }
                }
            }
        }
    }

    private static void checkDouble(Gemm g, Random rnd, int batch, boolean tA, boolean tB, int m, int n, int k,
                                    boolean shareA, boolean shareB, double beta) {
        Layout s = new Layout(rnd, batch, tA, tB, m, n, k, shareA, shareB);
        double[] a = new double[s.aLen], b = new double[s.bLen], c = new double[s.cLen];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextDouble() * 2 - 1;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextDouble() * 2 - 1;
        for (int i = 0; i < c.length; i++) {
            c[i] = !s.inC(i) ? SENTINEL_D : beta == 0 ? Double.NaN : rnd.nextDouble() * 2 - 1;
        }
        double[] c0 = c.clone();
        g.dgemm(batch, tA, tB, m, n, k, a, s.aOff, s.aBs, s.lda, b, s.bOff, s.bBs, s.ldb,
                beta, c, s.cOff, s.cBs, s.ldc);
        for (int idx = 0; idx < c.length; idx++) {
            if (!s.inC(idx) && c[idx] != SENTINEL_D) fail(g.getClass().getSimpleName() + " " + s + ": wrote outside C at " + idx);
        }
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = beta == 0 ? 0 : beta * c0[s.ci(p, i, j)];
                    double bound = Math.abs(want);
                    for (int l = 0; l < k; l++) {
                        double t = a[s.ai(p, i, l)] * b[s.bi(p, l, j)];
                        want += t;
                        bound += Math.abs(t);
                    }
                    double got = c[s.ci(p, i, j)];
                    if (!(Math.abs(got - want) <= 1e-12 * bound + 1e-300)) {
                        fail(g.getClass().getSimpleName() + " " + s + " beta=" + beta + ": C[" + p + "][" + i + "][" + j
                                + "] = " + got + ", want " + want);
                    }
                }
            }
        }
    }

    /** Shapes around every block boundary, beyond the small-matrix threshold and k blocks. */
    private static final int[][] LARGE = {
        {17, 33, 97}, {97, 17, 33}, {33, 97, 17},
        {13, 1100, 40}, {1, 700, 300}, {700, 1, 300}, {300, 300, 1}, {145, 64, 513}, {48, 64, 64},
        {65, 47, 100}, {37, 70, 130}, {121, 40, 64}, {6, 300, 200}, {200, 17, 200}, {3, 1100, 400}, {2, 45, 7000},
        {1500, 1, 3000}, // a matrix times a vector split across threads
        {4, 3001, 1403}, // a few rows times a large B: streamed, across threads, k not a multiple of 4
        {32, 9, 784}, {67, 13, 1030}, // few columns, deep k: dot products when B is transposed
        {39, 1, 10}, {39, 1, 17}, {20, 1, 39}, {39, 17, 20}, // one short or long column; two vectors, the second of one lane (16 lanes)
    };

    private static final int[][] BIG = {{131, 257, 300}, {300, 131, 257}, {257, 99, 300}, {99, 257, 513}};

    private static void forAllShapes(Gemm g, long seed, boolean dbl) {
        Random rnd = new Random(seed);
        for (int tr = 0; tr < 4; tr++) {
            boolean tA = (tr & 1) != 0, tB = (tr & 2) != 0;
            check(g, rnd, dbl, 1, tA, tB, 1, 1, 1, false, false, 0f);
            check(g, rnd, dbl, 1, tA, tB, 1, 1, 1, false, false, 1f);
            for (int t = 0; t < 40; t++) {
                int m = 1 + rnd.nextInt(40), n = 1 + rnd.nextInt(40), k = 1 + rnd.nextInt(40);
                check(g, rnd, dbl, 1, tA, tB, m, n, k, false, false, rnd.nextBoolean() ? 0f : 1f);
            }
            for (int[] s : LARGE) {
                check(g, rnd, dbl, 1, tA, tB, s[0], s[1], s[2], false, false, rnd.nextBoolean() ? 0f : 1f);
            }
            // one of the big ones per transpose combination (several k blocks, all edges)
            int[] big = BIG[tr];
            check(g, rnd, dbl, 1, tA, tB, big[0], big[1], big[2], false, false, tr % 2 == 0 ? 1f : 0f);
        }
    }

    private static void check(Gemm g, Random rnd, boolean dbl, int batch, boolean tA, boolean tB, int m, int n, int k,
                              boolean shareA, boolean shareB, float beta) {
        if (dbl) checkDouble(g, rnd, batch, tA, tB, m, n, k, shareA, shareB, beta);
        else checkFloat(g, rnd, batch, tA, tB, m, n, k, shareA, shareB, beta);
    }

    @Test
    void floatShapes() {
        for (Gemm g : impls()) forAllShapes(g, 1, false);
    }

    @Test
    void doubleShapes() {
        for (Gemm g : impls()) forAllShapes(g, 2, true);
    }

    @Test
    void emptyAndZeroK() {
        for (Gemm g : impls()) {
            Random rnd = new Random(3);
            for (boolean dbl : new boolean[] {false, true}) {
                check(g, rnd, dbl, 2, false, false, 3, 4, 0, false, false, 0f);  // C = 0
                check(g, rnd, dbl, 2, true, false, 3, 4, 0, false, false, 1f);   // C unchanged
                check(g, rnd, dbl, 1, false, true, 0, 4, 5, false, false, 0f);
                check(g, rnd, dbl, 1, false, false, 3, 0, 5, false, false, 1f);
                check(g, rnd, dbl, 0, false, false, 3, 4, 5, false, false, 0f);
            }
        }
    }

    @Test
    void batches() {
        int[][] shapes = {{1, 1, 1}, {39, 10, 20}, {5, 7, 3}, {20, 39, 10}, {70, 65, 80}, {33, 17, 129}};
        for (Gemm g : impls()) {
            Random rnd = new Random(4);
            for (boolean dbl : new boolean[] {false, true}) {
                for (int[] s : shapes) {
                    for (int share = 0; share < 3; share++) {
                        int tr = rnd.nextInt(4);
                        check(g, rnd, dbl, 2 + rnd.nextInt(9), (tr & 1) != 0, (tr & 2) != 0, s[0], s[1], s[2],
                                share == 1, share == 2, rnd.nextBoolean() ? 0f : 1f);
                    }
                }
                // many small matrices in one call, and a batch of large ones (A shared and transposed)
                check(g, rnd, dbl, 64, false, true, 12, 9, 16, false, true, 1f);
                check(g, rnd, dbl, 2, true, false, 256, 256, 256, true, false, 0f);
            }
        }
    }

    /**
     * A batch whose items share A packs A once for all of them: each item's result must be bitwise
     * the one the item gives alone (packed shapes, A plain or transposed, a partial row panel,
     * several k blocks, items small enough to be spread over threads and large ones).
     */
    @Test
    void sharedAEqualsItemsOneByOne() {
        int[][] shapes = {{128, 49, 1024}, {1024, 49, 128}, {29, 70, 300}, {64, 40, 16}};
        for (Gemm g : impls()) {
            for (int[] s : shapes) {
                for (boolean tA : new boolean[] {false, true}) {
                    int m = s[0], n = s[1], k = s[2], batch = 3;
                    Random rnd = new Random(7);
                    float[] a = new float[m * k + 1], b = new float[batch * k * n];
                    for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
                    for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() * 2 - 1;
                    float[] c = new float[batch * m * n], one = new float[batch * m * n];
                    int lda = tA ? m : k;
                    g.sgemm(batch, tA, false, m, n, k, a, 1, 0, lda, b, 0, k * n, n, 0f, c, 0, m * n, n);
                    for (int p = 0; p < batch; p++) {
                        g.sgemm(1, tA, false, m, n, k, a, 1, 0, lda, b, p * k * n, 0, n, 0f, one, p * m * n, 0, n);
                    }
                    assertArrayEquals(one, c, g.getClass().getSimpleName() + " " + m + "×" + n + "×" + k + (tA ? " Aᵀ" : "")
                            + ": a batch sharing A differs from its items one by one");
                    // A packed once (shareA) for products made one at a time, the last one accumulated
                    Gemm.SharedA shared = g.shareA(tA, m, k, a, 1, lda);
                    float[] viaShared = new float[batch * m * n];
                    for (int p = 0; p < batch; p++) g.gemm(shared, false, n, b, p * k * n, n, false, viaShared, p * m * n, n);
                    assertArrayEquals(one, viaShared, g.getClass().getSimpleName() + " " + m + "×" + n + "×" + k
                            + (tA ? " Aᵀ" : "") + ": products with a shared A differ from the plain ones");
                    g.sgemm(1, tA, false, m, n, k, a, 1, 0, lda, b, 0, 0, n, 1f, one, 0, 0, n);
                    g.gemm(shared, false, n, b, 0, n, true, viaShared, 0, n);
                    assertArrayEquals(one, viaShared, g.getClass().getSimpleName() + ": accumulating with a shared A");
                }
            }
            double[] a = new double[128 * 1024], b = new double[1024 * 60], c = new double[128 * 60], viaShared = new double[128 * 60];
            Random rnd = new Random(8);
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextDouble() - 0.5;
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextDouble() - 0.5;
            g.dgemm(1, false, false, 128, 60, 1024, a, 0, 0, 1024, b, 0, 0, 60, 0d, c, 0, 0, 60);
            g.gemm(g.shareA(false, 128, 1024, a, 0, 1024), false, 60, b, 0, 60, false, viaShared, 0, 60);
            assertArrayEquals(c, viaShared, g.getClass().getSimpleName() + ": float64 products with a shared A");
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        int saved = Parallel.threads();
        // (m, n, k, batch): tiles cut by rows (each thread packing all of B), few rows and many
        // columns (tiles cut by columns, each thread packing all of A), B too large to pack per
        // thread (packed once for all), one thread, batch items in parallel, direct path in
        // parallel, tiny, dot path (m ≤ 4, B transposed; or few columns of a transposed B, 8192 x
        // 10 x 840) and streaming path (m ≤ 4, B as it is) in parallel
        int[][] shapes = {{300, 257, 513, 1}, {128, 300, 784, 1}, {300, 1100, 960, 1}, {7, 1100, 300, 1}, {512, 64, 33, 40}, {8192, 10, 840, 1}, {39, 10, 20, 5},
            {3, 2000, 6001, 1}, {2, 5003, 1001, 1}};
        try {
            for (Gemm g : impls()) {
                for (int[] s : shapes) {
                    {
                        int m = s[0], n = s[1], k = s[2], batch = s[3];
                        Random rnd = new Random(5);
                        float[] a = new float[batch * m * k], b = new float[k * n], c0 = new float[batch * m * n];
                        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
                        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() * 2 - 1;
                        for (int i = 0; i < c0.length; i++) c0[i] = rnd.nextFloat() * 2 - 1;
                        float[][] out = new float[2][];
                        for (int threads = 1; threads <= 2; threads++) {
                            Parallel.setThreads(threads);
                            float[] c = c0.clone();
                            g.sgemm(batch, false, false, m, n, k, a, 0, m * k, k, b, 0, 0, n, 1f, c, 0, m * n, n);
                            g.sgemm(batch, true, true, m, n, k, a, 0, m * k, m, b, 0, 0, k, 1f, c, 0, m * n, n);
                            g.sgemm(batch, false, true, m, n, k, a, 0, m * k, k, b, 0, 0, k, 1f, c, 0, m * n, n);
                            out[threads - 1] = c;
                        }
                        assertArrayEquals(out[0], out[1], g.getClass().getSimpleName() + " " + m + "×" + n + "×" + k
                                + " batch " + batch + ": 1 and 2 threads differ");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * An element's sum must not depend on whether its tile was full or at an edge of C (the
     * edge kernels for the last rows or columns, the narrow one for at most 4 columns): a corner of a product, computed as its own
     * product with edge tiles everywhere, equals the same corner of the larger product bitwise.
     */
    @Test
    void edgeTilesSumAsFullTiles() {
        int k = 600, bigM = 48, bigN = 96;  // k·m·n above the direct path's threshold
        Random rnd = new Random(6);
        float[] a = new float[bigM * k], b = new float[k * bigN];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() * 2 - 1;
        for (Gemm g : impls()) {
            float[] full = new float[bigM * bigN];
            g.sgemm(1, false, false, bigM, bigN, k, a, 0, 0, k, b, 0, 0, bigN, 0f, full, 0, 0, bigN);
            for (int[] mn : new int[][] {{13, 40}, {26, 64}, {36, 71}, {40, 96}, {48, 33}, {48, 36}, {24, 66}}) {
                int m = mn[0], n = mn[1];
                float[] part = new float[m * bigN];
                g.sgemm(1, false, false, m, n, k, a, 0, 0, k, b, 0, 0, bigN, 0f, part, 0, 0, bigN);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        if (Float.floatToIntBits(part[i * bigN + j]) != Float.floatToIntBits(full[i * bigN + j])) {
                            fail(g.getClass().getSimpleName() + " " + m + "×" + n + "×" + k + ": C[" + i + "][" + j + "] = "
                                    + part[i * bigN + j] + " but " + full[i * bigN + j] + " as part of " + bigM + "×" + bigN);
                        }
                    }
                }
            }
        }
    }

    /**
     * The same for the direct path (small products), whose last pair of vectors overlaps the one
     * before it when fewer than two vectors of columns are left: the first n columns of a product
     * equal those of the 32-column product bitwise, C added to (beta 1) once, and nothing is written
     * past column n. 9 rows: the 4-row kernels and the 1-row one.
     */
    @Test
    void directEdgeColumnsSumAsWholeVectors() {
        int m = 9, k = 20, bigN = 32;
        Random rnd = new Random(7);
        float[] a = new float[m * k], b = new float[k * bigN], c0 = new float[m * bigN];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < c0.length; i++) c0[i] = rnd.nextFloat() * 2 - 1;
        for (Gemm g : impls()) {
            for (int flags = 0; flags < 8; flags++) {
                boolean tA = (flags & 1) != 0, tB = (flags & 2) != 0;
                float beta = (flags & 4) != 0 ? 1f : 0f;
                int lda = tA ? m : k, ldb = tB ? k : bigN;  // a transposed B: its bigN rows of k
                float[] full = c0.clone();
                g.sgemm(1, tA, tB, m, bigN, k, a, 0, 0, lda, b, 0, 0, ldb, beta, full, 0, 0, bigN);
                for (int n = 9; n < bigN; n++) {
                    float[] part = c0.clone();
                    for (int i = 0; i < m; i++) Arrays.fill(part, i * bigN + n, (i + 1) * bigN, SENTINEL_F);
                    g.sgemm(1, tA, tB, m, n, k, a, 0, 0, lda, b, 0, 0, ldb, beta, part, 0, 0, bigN);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < bigN; j++) {
                            float want = j < n ? full[i * bigN + j] : SENTINEL_F;
                            if (Float.floatToIntBits(part[i * bigN + j]) != Float.floatToIntBits(want)) {
                                fail(g.getClass().getSimpleName() + " " + m + "×" + n + "×" + k + " tA=" + tA + " tB=" + tB
                                        + " beta=" + beta + ": C[" + i + "][" + j + "] = " + part[i * bigN + j] + ", want " + want);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheShapes() {
        for (Gemm g : impls()) {
            float[] a = new float[6], b = new float[6], c = new float[4];
            assertThrows(IllegalArgumentException.class,
                    () -> g.sgemm(1, false, false, 2, 2, 3, a, 0, 0, 2, b, 0, 0, 2, 0f, c, 0, 0, 2));  // lda < k
            assertThrows(IllegalArgumentException.class,
                    () -> g.sgemm(1, false, false, 2, 2, 3, a, 1, 0, 3, b, 0, 0, 2, 0f, c, 0, 0, 2));  // A too short
            assertThrows(IllegalArgumentException.class,
                    () -> g.sgemm(2, false, false, 2, 2, 3, a, 0, 0, 3, b, 0, 0, 2, 0f, c, 0, 0, 2));  // C stride 0
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.shareA(false, 2, 3, a, 1, 3));
            assertTrue(e.getMessage().startsWith("shareA(") && e.getMessage().contains("A is stored as 2×3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> g.shareA(false, 2, 3, new int[6], 0, 3));
            assertTrue(e.getMessage().contains("must be a float[] or a double[], not int[]"), e.getMessage());
        }
    }
}
