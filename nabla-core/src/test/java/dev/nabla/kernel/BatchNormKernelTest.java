package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch norm's kernels: centeredDot (scalar and SIMD) at every length around the vector width, and
 * the per-channel statistics of a [n, c, s] layout, against float64 sums written out.
 */
class BatchNormKernelTest {
    @Test
    void centeredDotIsTheSumOfProductsOfDeviationsInBothImplementations() {
        Random r = new Random(3);
        for (Elementwise ew : new Elementwise[] {KernelProvider.scalar().elementwise(), KernelProvider.panama().elementwise()}) {
            for (int n = 0; n < 100; n++) {
                int ao = r.nextInt(3), bo = r.nextInt(3);
                float[] a = new float[ao + n], b = new float[bo + n];
                for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() + 2);
                for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                float ma = 2.1f, mb = -0.3f;
                double expected = 0, scale = 0;
                for (int i = 0; i < n; i++) {
                    expected += ((double) a[ao + i] - ma) * ((double) b[bo + i] - mb);
                    scale += Math.abs(((double) a[ao + i] - ma) * ((double) b[bo + i] - mb));
                }
                assertEquals(expected, ew.centeredDot(a, ao, ma, b, bo, mb, n), 1e-6 * Math.max(1, scale), ew.name() + " n=" + n);
            }
        }
    }

    @Test
    void statsAreThePerChannelMeanAndBiasedVariance() {
        Random r = new Random(4);
        int n = 5, c = 3, s = 37, xo = 2;
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
}
