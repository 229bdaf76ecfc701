package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch norm's kernels: the sums over a channel's planes (scalar and SIMD) at every length around the
 * vector width, and the per-channel statistics of a [n, c, s] layout, against float64 sums written out.
 */
class BatchNormKernelTest {
    @Test
    void planeSumsAreTheSumsOverEveryRunInBothImplementations() {
        Random r = new Random(3);
        for (Elementwise ew : new Elementwise[] {KernelProvider.scalar().elementwise(), KernelProvider.panama().elementwise()}) {
            // lengths around one and two vectors of doubles (8 and 16 on AVX-512), 1 to 3 runs
            for (int n = 0; n < 40; n++) {
                for (int planes = 1; planes <= 3; planes++) {
                    int ao = r.nextInt(3), bo = r.nextInt(3), stride = n + r.nextInt(5);
                    int len = (planes - 1) * stride + n;
                    float[] a = new float[ao + len + 2], b = new float[bo + len + 2];
                    for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() + 2);
                    for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                    double[] ad = new double[a.length], bd = new double[b.length];
                    for (int i = 0; i < a.length; i++) ad[i] = a[i];
                    for (int i = 0; i < b.length; i++) bd[i] = b[i];
                    float ma = 2.1f, mb = -0.3f;
                    double sum = 0, dot = 0, scale = 0;
                    for (int p = 0; p < planes; p++) {
                        for (int i = 0; i < n; i++) {
                            double x = a[ao + p * stride + i], d = (x - ma) * ((double) b[bo + p * stride + i] - mb);
                            sum += x;
                            dot += d;
                            scale += Math.abs(x) + Math.abs(d);
                        }
                    }
                    String where = ew.name() + " n=" + n + " planes=" + planes + " stride=" + stride;
                    // float32: within a run, float32 lanes (SIMD) or float64 (scalar)
                    assertEquals(sum, ew.sumPlanes(a, ao, planes, stride, n), 1e-6 * Math.max(1, scale), "sum " + where);
                    assertEquals(dot, ew.centeredDotPlanes(a, ao, ma, b, bo, mb, planes, stride, n), 1e-6 * Math.max(1, scale),
                            "centered dot " + where);
                    assertEquals(sum, ew.sumPlanes(ad, ao, planes, stride, n), 1e-13 * Math.max(1, scale), "float64 sum " + where);
                    assertEquals(dot, ew.centeredDotPlanes(ad, ao, ma, bd, bo, mb, planes, stride, n), 1e-13 * Math.max(1, scale),
                            "float64 centered dot " + where);
                }
            }
        }
    }

    @Test
    void statsAreThePerChannelMeanAndBiasedVariance() {
        Random r = new Random(4);
        for (int s : new int[] {37, 1}) statsOf(r, 5, 3, s);
    }

    private static void statsOf(Random r, int n, int c, int s) {
        int xo = 2;
        float[] x = new float[xo + n * c * s];
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) xd[i] = x[i] = (float) (r.nextGaussian() * 3 + 100);
        for (KernelProvider provider : new KernelProvider[] {KernelProvider.scalar(), KernelProvider.panama()}) {
            double[] mean = new double[c], var = new double[c], meanD = new double[c], varD = new double[c];
            provider.batchNorm().stats(x, xo, n, c, s, mean, var);
            provider.batchNorm().stats(xd, xo, n, c, s, meanD, varD);
            for (int ch = 0; ch < c; ch++) {
                double sum = 0, sq = 0;
                for (int i = 0; i < n; i++) for (int p = 0; p < s; p++) sum += xd[xo + (i * c + ch) * s + p];
                double m = sum / (n * s);
                for (int i = 0; i < n; i++) for (int p = 0; p < s; p++) sq += Math.pow(xd[xo + (i * c + ch) * s + p] - m, 2);
                assertEquals(m, meanD[ch], 1e-12 * m);
                assertEquals(sq / (n * s), varD[ch], 1e-12 * varD[ch]);
                assertEquals(m, mean[ch], 1e-6 * m);
                assertEquals(sq / (n * s), var[ch], 1e-5 * varD[ch]);
            }
        }
    }

    @Test
    void gradSumsAreThePerChannelSumsOfGAndOfGTimesTheDeviation() {
        Random r = new Random(5);
        for (int s : new int[] {37, 1}) {
            int n = 6, c = 4, go = 1, xo = 2;
            float[] g = new float[go + n * c * s], x = new float[xo + n * c * s];
            for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() + 1);
            double[] mean = {0.9, 1.1, 1.0, 0.8};
            for (KernelProvider provider : new KernelProvider[] {KernelProvider.scalar(), KernelProvider.panama()}) {
                double[] sumG = new double[c], sumGC = new double[c];
                provider.batchNorm().gradSums(g, go, x, xo, n, c, s, mean, sumG, sumGC);
                for (int ch = 0; ch < c; ch++) {
                    double sg = 0, sgc = 0, scale = 0; // float32 terms and plane sums: within 1e-6 of Σ|terms|
                    for (int i = 0; i < n; i++) {
                        for (int p = 0; p < s; p++) {
                            int at = (i * c + ch) * s + p;
                            double d = g[go + at] * ((double) x[xo + at] - (float) mean[ch]);
                            sg += g[go + at];
                            sgc += d;
                            scale += Math.abs(g[go + at]) + Math.abs(d);
                        }
                    }
                    String where = provider.name() + " s=" + s + " channel " + ch;
                    assertEquals(sg, sumG[ch], 1e-6 * scale, "Σg " + where);
                    assertEquals(sgc, sumGC[ch], 1e-6 * scale, "Σg·(x − mean) " + where);
                }
            }
        }
    }

    @Test
    void theElementwisePassesAreTheirFormulaInFloat32ElementByElement() {
        Random r = new Random(6);
        // s = 1 ([N, C]) takes a row-by-row path; 20 × 5000 spans several parallel chunks
        for (int[] size : new int[][] {{20, 5000, 1}, {3, 4, 37}, {1, 7, 1}}) {
            int n = size[0], c = size[1], s = size[2], len = n * c * s, xo = 3, go = 1;
            float[] x = new float[xo + len], g = new float[go + len];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
            double[] scale = new double[c], shift = new double[c], mean = new double[c], gMean = new double[c];
            double[] proj = new double[c], k = new double[c];
            for (int ch = 0; ch < c; ch++) {
                scale[ch] = r.nextGaussian();
                shift[ch] = r.nextGaussian();
                mean[ch] = r.nextGaussian();
                gMean[ch] = r.nextGaussian();
                proj[ch] = r.nextGaussian();
                k[ch] = r.nextGaussian();
            }
            for (KernelProvider provider : new KernelProvider[] {KernelProvider.scalar(), KernelProvider.panama()}) {
                float[] y = new float[len], dx = new float[len];
                provider.batchNorm().affine(x, xo, n, c, s, scale, shift, y);
                provider.batchNorm().inputGrad(g, go, x, xo, n, c, s, mean, gMean, proj, k, dx);
                for (int i = 0; i < len; i++) {
                    int ch = i / s % c;
                    String where = provider.name() + " " + n + "×" + c + "×" + s + " element " + i;
                    assertEquals(x[xo + i] * (float) scale[ch] + (float) shift[ch], y[i], 0f, "affine " + where);
                    float expected = (g[go + i] - (float) gMean[ch] - (x[xo + i] - (float) mean[ch]) * (float) proj[ch]) * (float) k[ch];
                    assertEquals(expected, dx[i], 0f, "input gradient " + where);
                }
            }
        }
    }
}
