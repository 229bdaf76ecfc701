package dev.nabla.kernel;

import java.util.Arrays;

/**
 * The loops of training-mode batch normalization over a contiguous [n, c, s] layout (s = the
 * product of the dims after the channels, 1 for [N, C]): per-channel statistics and gradient sums
 * in float64, a channel's planes summed in one call of the {@link Elementwise} kernels (SIMD for
 * float32 when available, the scalar loops for float64), and the elementwise passes with per-channel constants. Composed of generic tensor
 * ops, a forward and backward took more than twenty passes over the activations (each reduction
 * over N, H, W copying a permuted tensor first) and as many temporaries; these take five.
 * Reductions split by channel, each summed in a fixed order, so results do not depend on the
 * thread count.
 */
public final class BatchNormKernel {
    /** Elements per parallel chunk of the elementwise passes. */
    private static final int GRAIN = 1 << 15;

    private final Elementwise ew;

    BatchNormKernel(Elementwise ew) {
        this.ew = ew;
    }

    /** mean[ch] and the biased variance var[ch] of x: two passes (no cancellation), float64 sums. */
    public void stats(float[] x, int xo, int n, int c, int s, double[] mean, double[] var) {
        double count = (double) n * s;
        if (s == 1) { // [N, C]: rows of channels, each channel summed in batch order as below
            Parallel.forRange(c, rowGrain(n), (c0, c1) -> {
                Arrays.fill(mean, c0, c1, 0);
                Arrays.fill(var, c0, c1, 0);
                for (int i = 0; i < n; i++) {
                    for (int ch = c0, at = xo + i * c + c0; ch < c1; ch++, at++) mean[ch] += x[at];
                }
                for (int ch = c0; ch < c1; ch++) mean[ch] /= count;
                for (int i = 0; i < n; i++) {
                    for (int ch = c0, at = xo + i * c + c0; ch < c1; ch++, at++) {
                        float d = x[at] - (float) mean[ch];
                        var[ch] += d * d;
                    }
                }
                for (int ch = c0; ch < c1; ch++) var[ch] /= count;
            });
            return;
        }
        Parallel.forRange(c, 1, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                int at = xo + ch * s;
                double m = ew.sumPlanes(x, at, n, c * s, s) / count;
                float mf = (float) m;
                mean[ch] = m;
                var[ch] = ew.centeredDotPlanes(x, at, mf, x, at, mf, n, c * s, s) / count;
            }
        });
    }

    /** As {@link #stats(float[], int, int, int, int, double[], double[])} in float64. */
    public void stats(double[] x, int xo, int n, int c, int s, double[] mean, double[] var) {
        double count = (double) n * s;
        Parallel.forRange(c, 1, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                int at = xo + ch * s;
                double m = ew.sumPlanes(x, at, n, c * s, s) / count;
                mean[ch] = m;
                var[ch] = ew.centeredDotPlanes(x, at, m, x, at, m, n, c * s, s) / count;
            }
        });
    }

    // Channels per parallel chunk of the [N, C] passes: about GRAIN elements.
    private static int rowGrain(int n) {
        return Math.max(1, GRAIN / Math.max(1, n));
    }

    /** A pass over the row of an [N, C] array that starts at element r. */
    @FunctionalInterface
    private interface RowBody {
        void run(int r);
    }

    /**
     * Runs body over the rows of an [n, c] array in parallel chunks of about GRAIN elements. The
     * elementwise passes of [N, C] went element by element through p % c and two float64
     * constants: 8 ns an element, 1.6 ms for the dcgan generator's BatchNorm1d(6272) at batch 32.
     */
    private static void forRows(int n, int c, RowBody body) {
        Parallel.forRange(n, Math.max(1, GRAIN / Math.max(1, c)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) body.run(r * c);
        });
    }

    /** The first c values as float32, as the passes use them. */
    private static float[] floats(double[] v, int c) {
        float[] f = new float[c];
        for (int i = 0; i < c; i++) f[i] = (float) v[i];
        return f;
    }

    /** y = x·scale[ch] + shift[ch] (y contiguous from 0), PyTorch's order of operations. */
    public void affine(float[] x, int xo, int n, int c, int s, double[] scale, double[] shift, float[] y) {
        if (s == 1) { // [N, C]: row by row against the constants as float arrays
            float[] a = floats(scale, c), b = floats(shift, c);
            forRows(n, c, r -> ew.affineRow(x, xo + r, a, b, y, r, c));
            return;
        }
        Parallel.forRange(n * c, Math.max(1, GRAIN / s), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                float a = (float) scale[p % c], b = (float) shift[p % c];
                for (int i = p * s, e = i + s; i < e; i++) y[i] = x[xo + i] * a + b;
            }
        });
    }

    /** As {@link #affine(float[], int, int, int, int, double[], double[], float[])} in float64. */
    public void affine(double[] x, int xo, int n, int c, int s, double[] scale, double[] shift, double[] y) {
        Parallel.forRange(n * c, Math.max(1, GRAIN / s), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                double a = scale[p % c], b = shift[p % c];
                for (int i = p * s, e = i + s; i < e; i++) y[i] = x[xo + i] * a + b;
            }
        });
    }

    /** sumG[ch] = Σ g and sumGC[ch] = Σ g·(x − mean[ch]) over the channel, for the backward pass. */
    public void gradSums(float[] g, int go, float[] x, int xo, int n, int c, int s, double[] mean,
                                double[] sumG, double[] sumGC) {
        if (s == 1) { // [N, C], as in stats
            Parallel.forRange(c, rowGrain(n), (c0, c1) -> {
                Arrays.fill(sumG, c0, c1, 0);
                Arrays.fill(sumGC, c0, c1, 0);
                for (int i = 0; i < n; i++) {
                    for (int ch = c0, at = i * c + c0; ch < c1; ch++, at++) {
                        float gv = g[go + at];
                        sumG[ch] += gv;
                        sumGC[ch] += gv * (x[xo + at] - (float) mean[ch]);
                    }
                }
            });
            return;
        }
        Parallel.forRange(c, 1, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                sumG[ch] = ew.sumPlanes(g, go + ch * s, n, c * s, s);
                sumGC[ch] = ew.centeredDotPlanes(g, go + ch * s, 0f, x, xo + ch * s, (float) mean[ch], n, c * s, s);
            }
        });
    }

    /** As {@link #gradSums(float[], int, float[], int, int, int, int, double[], double[], double[])} in float64. */
    public void gradSums(double[] g, int go, double[] x, int xo, int n, int c, int s, double[] mean,
                                double[] sumG, double[] sumGC) {
        Parallel.forRange(c, 1, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                sumG[ch] = ew.sumPlanes(g, go + ch * s, n, c * s, s);
                sumGC[ch] = ew.centeredDotPlanes(g, go + ch * s, 0, x, xo + ch * s, mean[ch], n, c * s, s);
            }
        });
    }

    /**
     * The input gradient dx = (g − gMean[ch] − (x − mean[ch])·proj[ch])·k[ch] (dx contiguous from
     * 0), where gMean = Σg/m, proj = Σg·(x − mean)/m·invstd² and k = γ·invstd.
     */
    public void inputGrad(float[] g, int go, float[] x, int xo, int n, int c, int s, double[] mean,
                                 double[] gMean, double[] proj, double[] k, float[] dx) {
        if (s == 1) { // [N, C], as in affine
            float[] m = floats(mean, c), gm = floats(gMean, c), pr = floats(proj, c), kk = floats(k, c);
            forRows(n, c, r -> ew.batchNormGradRow(g, go + r, x, xo + r, gm, m, pr, kk, dx, r, c));
            return;
        }
        Parallel.forRange(n * c, Math.max(1, GRAIN / s), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ch = p % c;
                float m = (float) mean[ch], gm = (float) gMean[ch], pr = (float) proj[ch], kk = (float) k[ch];
                for (int i = p * s, e = i + s; i < e; i++) dx[i] = (g[go + i] - gm - (x[xo + i] - m) * pr) * kk;
            }
        });
    }

    /** As {@link #inputGrad(float[], int, float[], int, int, int, int, double[], double[], double[], double[], float[])} in float64. */
    public void inputGrad(double[] g, int go, double[] x, int xo, int n, int c, int s, double[] mean,
                                 double[] gMean, double[] proj, double[] k, double[] dx) {
        Parallel.forRange(n * c, Math.max(1, GRAIN / s), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ch = p % c;
                double m = mean[ch], gm = gMean[ch], pr = proj[ch], kk = k[ch];
                for (int i = p * s, e = i + s; i < e; i++) dx[i] = (g[go + i] - gm - (x[xo + i] - m) * pr) * kk;
            }
        });
    }
}
