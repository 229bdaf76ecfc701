package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernels the convolution layers added (axpy, gather, scatterAdd, reluBackward, leakyRelu, 2×2 max pooling): the SIMD
 * versions agree bitwise with the scalar ones (or, for max pooling, with PyTorch's rule written
 * out), at every length around the vector width, including special values (±0, NaN, infinities).
 */
class ConvKernelsTest {
    private static final Elementwise SCALAR = KernelProvider.scalar().elementwise();
    private static final Elementwise SIMD = KernelProvider.panama().elementwise();
    private static final float[] SPECIAL = {0f, -0f, Float.NaN, -Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, 1f, -1f};

    private static float value(Random r) {
        return r.nextInt(4) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextGaussian();
    }

    @Test
    void maxPool2x2FollowsPyTorchsRuleInBothImplementations() {
        Random r = new Random(2);
        for (Pooling pooling : new Pooling[] {new ScalarPooling(), new VectorPooling()}) {
            for (int[] hw : new int[][] {{2, 2}, {4, 6}, {9, 7}, {28, 28}, {14, 15}, {8, 34}}) {
                int h = hw[0], w = hw[1], oh = h / 2, ow = w / 2, off = 3;
                float[] x = new float[off + h * w];
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(3) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : r.nextInt(3);
                PoolGeometry p = new PoolGeometry(1, 1, h, w, 2, 2, 2, 2, 0, 0, oh, ow, true);
                float[] y = new float[oh * ow];
                int[] arg = new int[oh * ow];
                pooling.maxPool(x, off, y, arg, p, 0, 1);
                for (int j = 0; j < oh * ow; j++) {
                    int at = 2 * (j / ow) * w + 2 * (j % ow);
                    int[] cand = {at, at + 1, at + w, at + w + 1};
                    float best = x[off + cand[0]];
                    int bi = cand[0];
                    for (int t = 1; t < 4; t++) {
                        float v = x[off + cand[t]];
                        if (v > best || Float.isNaN(v)) {
                            best = v;
                            bi = cand[t];
                        }
                    }
                    String where = pooling.getClass().getSimpleName() + " window " + j + " in " + h + "x" + w;
                    assertEquals(bi, arg[j], "argmax of " + where);
                    assertEquals(Float.floatToRawIntBits(best), Float.floatToRawIntBits(y[j]), "max of " + where);
                }
            }
        }
    }

    @Test
    void simdAgreesWithScalarBitwise() {
        Random r = new Random(1);
        for (int n = 0; n < 70; n++) {
            int off = r.nextInt(3);
            float[] x = new float[n + off], g = new float[n + off], y1 = new float[n + off], y2 = new float[n + off];
            double[] xd = new double[n + off], gd = new double[n + off], yd1 = new double[n + off], yd2 = new double[n + off];
            for (int i = 0; i < n + off; i++) {
                x[i] = value(r);
                g[i] = value(r);
                y1[i] = y2[i] = (float) r.nextGaussian();
                xd[i] = x[i];
                gd[i] = g[i];
                yd1[i] = yd2[i] = y1[i];
            }
            float a = (float) r.nextGaussian();
            SCALAR.axpy(a, g, off, y1, off, n);
            SIMD.axpy(a, g, off, y2, off, n);
            SCALAR.axpy((double) a, gd, off, yd1, off, n);
            SIMD.axpy((double) a, gd, off, yd2, off, n);
            for (int i = 0; i < n + off; i++) {
                assertEquals(Float.floatToRawIntBits(y1[i]), Float.floatToRawIntBits(y2[i]), "axpy float n=" + n + " i=" + i);
                assertEquals(Double.doubleToRawLongBits(yd1[i]), Double.doubleToRawLongBits(yd2[i]), "axpy double n=" + n);
            }
            SCALAR.reluBackward(x, off, g, off, y1, 0, n);
            SIMD.reluBackward(x, off, g, off, y2, 0, n);
            SCALAR.reluBackward(xd, off, gd, off, yd1, 0, n);
            SIMD.reluBackward(xd, off, gd, off, yd2, 0, n);
            for (int i = 0; i < n; i++) {
                float m = x[off + i];
                float expected = m <= 0 ? 0f : g[off + i]; // a NaN mask passes the gradient, as PyTorch
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y1[i]), "scalar reluBackward mask " + m);
                assertEquals(Float.floatToRawIntBits(y1[i]), Float.floatToRawIntBits(y2[i]), "reluBackward float n=" + n + " i=" + i);
                assertEquals(Double.doubleToRawLongBits(yd1[i]), Double.doubleToRawLongBits(yd2[i]), "reluBackward double n=" + n);
            }
            int io = r.nextInt(3);
            int[] idx = new int[io + n];
            for (int i = 0; i < n; i++) idx[io + i] = i; // a permutation of [0, n): distinct targets
            for (int i = n - 1; i > 0; i--) {
                int k = r.nextInt(i + 1), t = idx[io + i];
                idx[io + i] = idx[io + k];
                idx[io + k] = t;
            }
            for (Elementwise ew : new Elementwise[] {SCALAR, SIMD}) {
                float[] gf = new float[n];
                double[] gdd = new double[n];
                ew.gather(x, off, idx, io, gf, 0, n);
                ew.gather(xd, off, idx, io, gdd, 0, n);
                float[] sf = y1.clone();
                double[] sd = yd1.clone();
                ew.scatterAdd(g, off, idx, io, sf, off, n);
                ew.scatterAdd(gd, off, idx, io, sd, off, n);
                for (int i = 0; i < n; i++) {
                    String where = ew.name() + " n=" + n + " i=" + i;
                    assertEquals(Float.floatToRawIntBits(x[off + idx[io + i]]), Float.floatToRawIntBits(gf[i]), "gather float " + where);
                    assertEquals(Double.doubleToRawLongBits(xd[off + idx[io + i]]), Double.doubleToRawLongBits(gdd[i]), "gather double " + where);
                    int to = off + idx[io + i];
                    assertEquals(Float.floatToRawIntBits(y1[to] + g[off + i]), Float.floatToRawIntBits(sf[to]), "scatterAdd float " + where);
                    assertEquals(Double.doubleToRawLongBits(yd1[to] + gd[off + i]), Double.doubleToRawLongBits(sd[to]), "scatterAdd double " + where);
                }
            }
            float slope = 0.2f;
            SCALAR.leakyRelu(x, off, g, off, slope, y1, 0, n);
            SIMD.leakyRelu(x, off, g, off, slope, y2, 0, n);
            SCALAR.leakyRelu(xd, off, gd, off, slope, yd1, 0, n);
            SIMD.leakyRelu(xd, off, gd, off, slope, yd2, 0, n);
            for (int i = 0; i < n; i++) {
                float m = x[off + i], expected = m > 0 ? g[off + i] : g[off + i] * slope; // a NaN x takes the slope side
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y1[i]), "scalar leakyRelu x " + m);
                assertEquals(Float.floatToRawIntBits(y1[i]), Float.floatToRawIntBits(y2[i]), "leakyRelu float n=" + n + " i=" + i);
                assertEquals(Double.doubleToRawLongBits(yd1[i]), Double.doubleToRawLongBits(yd2[i]), "leakyRelu double n=" + n);
            }
        }
    }
}
