package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(4×4, 3×3) (forward, input and weight gradients) against the convolution written out in
 * float64, on geometries that cut tiles and blocks unevenly (odd planes, channels not multiples of
 * anything, padding 0, 1, 2 and asymmetric, batch 1 to 3, one block or several), with both
 * providers' GEMMs; and bitwise the same on 1 and 2 threads.
 *
 * <p>Tolerance: every output is within 1e-5 of the sum of |w·x| over its window and channels (plus
 * |bias|), about 170 float32 ulps of that sum (the transforms combine up to 36 terms, with factors
 * up to 5 and 8, on each side of the GEMM, whose own sum over the channels rounds as im2col's
 * does); every weight gradient within 2e-5 of the sum of |gy·x| over its terms.
 */
class WinogradTest {
    /** Forward and input gradient: 1e-5 of Σ|terms| (measured up to 2.8e-6 forward, 5.4e-6 input gradient; F(2×2, 3×3) 2.8e-7). */
    private static final double TOLERANCE = 1e-5;
    /** Weight gradient: 2e-5 (measured up to 7.2e-6: Gᵀ dU G recombines 36 sums over all tiles, with cancellation). */
    private static final double WEIGHT_TOLERANCE = 2e-5;

    // n, c, o, h, w, pad top, pad left (bottom and right padding as top and left)
    private static final int[][] GEOMETRIES = {
            {1, 16, 16, 5, 5, 1, 1}, {2, 17, 19, 7, 6, 0, 0}, {3, 16, 33, 9, 11, 1, 1}, {1, 20, 16, 4, 4, 1, 1},
            {2, 16, 18, 3, 3, 0, 0}, {1, 31, 16, 13, 8, 2, 2}, {2, 16, 16, 6, 9, 0, 1}, {1, 64, 48, 14, 14, 1, 1},
            {2, 130, 128, 10, 9, 1, 1}, {1, 16, 140, 13, 12, 0, 1}, {3, 16, 17, 40, 41, 1, 1}, // the last: 2 blocks
    };

    private static ConvGeometry geometry(int[] s) {
        int n = s[0], c = s[1], o = s[2], h = s[3], w = s[4], pt = s[5], pl = s[6];
        return new ConvGeometry(n, c, h, w, o, 3, 3, 1, 1, pt, pl, 1, 1, 1, h + 2 * pt - 2, w + 2 * pl - 2);
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** Each multiply-add of the convolution: flat indices into y [n, o, oh, ow], x [n, c, h, w] and w [o, c, 3, 3]. */
    @FunctionalInterface
    private interface Term {
        void add(int yAt, int xAt, int wAt);
    }

    private static void forEachTerm(ConvGeometry g, Term term) {
        for (int s = 0; s < g.n(); s++) {
            for (int o = 0; o < g.o(); o++) {
                for (int i = 0; i < g.oh(); i++) {
                    for (int j = 0; j < g.ow(); j++) {
                        for (int c = 0; c < g.c(); c++) {
                            for (int u = 0; u < 3; u++) {
                                for (int v = 0; v < 3; v++) {
                                    int ih = i - g.pt() + u, iw = j - g.pl() + v;
                                    if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) continue;
                                    term.add(((s * g.o() + o) * g.oh() + i) * g.ow() + j, ((s * g.c() + c) * g.h() + ih) * g.w() + iw,
                                            ((o * g.c() + c) * 3 + u) * 3 + v);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * In float64, {Σ a·b, Σ|a·b|} into a result of the given length, over the terms of g: each
     * term's a and b are a[aAt], b[bAt] and its destination at, picked from (yAt, xAt, wAt) by pick.
     */
    private static double[][] reference(ConvGeometry g, int length, float[] a, float[] b, int[] pick) {
        double[] sum = new double[length], abs = new double[length];
        forEachTerm(g, (yAt, xAt, wAt) -> {
            int[] at = {yAt, xAt, wAt};
            double p = (double) a[at[pick[0]]] * b[at[pick[1]]];
            sum[at[pick[2]]] += p;
            abs[at[pick[2]]] += Math.abs(p);
        });
        return new double[][] {sum, abs};
    }

    private static final int Y = 0, X = 1, W = 2;

    private static void assertClose(double[][] ref, float[] got, double tolerance, String what) {
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs(got[i] - ref[0][i]);
            assertTrue(err <= tolerance * ref[1][i] + Float.MIN_NORMAL,
                    what + " at " + i + ": " + got[i] + " vs float64 " + ref[0][i] + " (error " + err + ", Σ|terms| " + ref[1][i] + ")");
        }
    }

    @Test
    void forwardAndBothGradientsMatchFloat64OnBothProviders() {
        for (KernelProvider provider : new KernelProvider[] {KernelProvider.scalar(), KernelProvider.panama()}) {
            Winograd winograd = new Winograd(provider.gemm(), provider.elementwise());
            Random r = new Random(12);
            for (int[] s : GEOMETRIES) {
                ConvGeometry g = geometry(s);
                int off = 3;
                float[] x = gaussian(r, off + g.n() * g.c() * g.h() * g.w()), w = gaussian(r, off + g.o() * g.c() * 9);
                float[] bias = gaussian(r, g.o()), gy = gaussian(r, off + g.n() * g.o() * g.ohw());
                float[] y = new float[g.n() * g.o() * g.ohw()], dx = new float[g.n() * g.c() * g.h() * g.w()];
                float[] dw = new float[g.o() * g.c() * 9];
                winograd.forward(x, off, w, off, bias, 0, y, g);
                winograd.inputGrad(gy, off, w, off, dx, g);
                winograd.weightGrad(x, off, gy, off, dw, g);
                String where = provider.name() + " " + g;
                float[] xs = Arrays.copyOfRange(x, off, x.length), ws = Arrays.copyOfRange(w, off, w.length);
                float[] gys = Arrays.copyOfRange(gy, off, gy.length);
                double[][] forward = reference(g, y.length, ws, xs, new int[] {W, X, Y});
                for (int i = 0; i < y.length; i++) { // + bias
                    int o = i / g.ohw() % g.o();
                    forward[0][i] += bias[o];
                    forward[1][i] += Math.abs(bias[o]);
                }
                assertClose(forward, y, TOLERANCE, "forward " + where);
                assertClose(reference(g, dx.length, gys, ws, new int[] {Y, W, X}), dx, TOLERANCE, "input gradient " + where);
                assertClose(reference(g, dw.length, gys, xs, new int[] {Y, X, W}), dw, WEIGHT_TOLERANCE, "weight gradient " + where);
            }
        }
    }

    @Test
    void sameBitsOnOneAndTwoThreads() {
        // 2 × 40 × 70 × 70 has 648 tiles: blocks of 256, the last one short
        ConvGeometry g = geometry(new int[] {2, 40, 24, 70, 70, 1, 1});
        Random r = new Random(3);
        float[] x = gaussian(r, g.n() * g.c() * g.h() * g.w()), w = gaussian(r, g.o() * g.c() * 9), gy = gaussian(r, g.n() * g.o() * g.ohw());
        Winograd winograd = new Winograd(KernelProvider.get().gemm(), KernelProvider.get().elementwise());
        int before = Parallel.threads();
        float[][] y = new float[2][], dx = new float[2][], dw = new float[2][];
        try {
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                y[t - 1] = new float[g.n() * g.o() * g.ohw()];
                dx[t - 1] = new float[x.length];
                winograd.forward(x, 0, w, 0, null, 0, y[t - 1], g);
                winograd.inputGrad(gy, 0, w, 0, dx[t - 1], g);
                dw[t - 1] = new float[w.length];
                winograd.weightGrad(x, 0, gy, 0, dw[t - 1], g);
            }
        } finally {
            Parallel.setThreads(before);
        }
        assertArrayEquals(y[0], y[1]);
        assertArrayEquals(dx[0], dx[1]);
        assertArrayEquals(dw[0], dw[1]);
        assertTrue(g.n() * ((g.oh() + 3) / 4) * ((g.ow() + 3) / 4) > 2 * Winograd.BLOCK, "the test needs several blocks");
    }

    @Test
    void appliesOnlyTo3x3Stride1SingleGroupWithEnoughChannelsAndTiles() {
        assertFalse(Winograd.applies(new ConvGeometry(1, 16, 8, 8, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 4, 4)), "stride 2");
        assertFalse(Winograd.applies(new ConvGeometry(1, 16, 8, 8, 16, 3, 3, 1, 1, 2, 2, 2, 2, 1, 8, 8)), "dilation 2");
        assertFalse(Winograd.applies(new ConvGeometry(1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 2, 8, 8)), "2 groups");
        assertFalse(Winograd.applies(new ConvGeometry(1, 3, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 8, 8)), "3 input channels");
        assertFalse(Winograd.applies(new ConvGeometry(1, 16, 8, 8, 16, 5, 5, 1, 1, 2, 2, 1, 1, 1, 8, 8)), "5x5");
        assertFalse(Winograd.applies(new ConvGeometry(128, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14)), "14 wide");
        assertFalse(Winograd.applies(new ConvGeometry(1, 64, 2, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2, 64)), "16 tiles");
        assertTrue(Winograd.applies(new ConvGeometry(2, 256, 56, 56, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 56, 56)), "VGG16's 56x56");
        assertTrue(Winograd.applies(new ConvGeometry(2, 512, 28, 28, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28)), "VGG16's 28x28");
        assertFalse(Winograd.applies(new ConvGeometry(2, 512, 14, 14, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14)), "VGG16's 14x14");
    }
}
