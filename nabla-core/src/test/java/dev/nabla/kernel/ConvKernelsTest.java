package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernels the convolution layers added (axpy, copy, gather, scatterAdd, reluBackward, leakyRelu, 2×2 max pooling,
 * Winograd's tile columns): the SIMD versions agree bitwise with the scalar ones (or, for max pooling, with PyTorch's rule written
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
    void copyMovesExactlyTheRunAtEveryLength() {
        Random r = new Random(5);
        for (Elementwise ew : new Elementwise[] {SCALAR, SIMD}) {
            for (int n = 0; n <= 40; n++) {
                int xo = r.nextInt(3), yo = r.nextInt(3);
                float[] x = new float[xo + n + 2], y = new float[yo + n + 2];
                double[] xd = new double[x.length], yd = new double[y.length];
                for (int i = 0; i < x.length; i++) xd[i] = x[i] = value(r);
                for (int i = 0; i < y.length; i++) yd[i] = y[i] = value(r);
                float[] expected = y.clone();
                System.arraycopy(x, xo, expected, yo, n);
                ew.copy(x, xo, y, yo, n);
                ew.copy(xd, xo, yd, yo, n);
                for (int i = 0; i < y.length; i++) {
                    String where = ew.name() + " n=" + n + " i=" + i;
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(y[i]), "copy float " + where);
                    assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(yd[i]), "copy double " + where);
                }
            }
        }
    }

    @Test
    void maxPool2x2FollowsPyTorchsRuleInBothImplementations() {
        Random r = new Random(2);
        for (Pooling pooling : new Pooling[] {new ScalarPooling(), new VectorPooling()}) {
            // widths around one and two output rows per vector (4, 8 or 16 lanes), odd sizes, planes after the first
            for (int[] hw : new int[][] {{2, 2}, {4, 6}, {9, 7}, {28, 28}, {14, 15}, {8, 34}, {7, 7}, {5, 16}, {6, 17},
                    {3, 18}, {4, 30}, {5, 33}, {6, 35}, {4, 64}, {3, 66}, {2, 98}, {4, 4}, {5, 5}, {9, 8}, {5, 9}, {3, 8},
                    {7, 16}, {16, 16}}) {
                int h = hw[0], w = hw[1], oh = h / 2, ow = w / 2, off = 3, planes = 4, ohw = oh * ow;
                float[] x = new float[off + planes * h * w];
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(3) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : r.nextInt(3);
                PoolGeometry p = new PoolGeometry(planes, 1, h, w, 2, 2, 2, 2, 0, 0, oh, ow, true);
                float[] y = new float[planes * ohw];
                int[] arg = new int[planes * ohw];
                // a chunk of planes writes none of the outputs of the next chunk's (another thread's)
                pooling.maxPool(x, off, y, arg, p, 1, planes - 1);
                for (int j = (planes - 1) * ohw; j < planes * ohw; j++) {
                    assertEquals(0, Float.floatToRawIntBits(y[j]), "the last plane is outside the range");
                    assertEquals(0, arg[j], "the last plane is outside the range");
                }
                pooling.maxPool(x, off, y, arg, p, planes - 1, planes);
                for (int pl = 1; pl < planes; pl++) {
                    for (int j = 0; j < oh * ow; j++) {
                        int at = 2 * (j / ow) * w + 2 * (j % ow), xb = off + pl * h * w;
                        int[] cand = {at, at + 1, at + w, at + w + 1};
                        float best = x[xb + cand[0]];
                        int bi = cand[0];
                        for (int t = 1; t < 4; t++) {
                            float v = x[xb + cand[t]];
                            if (v > best || Float.isNaN(v)) {
                                best = v;
                                bi = cand[t];
                            }
                        }
                        String where = pooling.getClass().getSimpleName() + " window " + j + " of plane " + pl + " in " + h + "x" + w;
                        assertEquals(bi, arg[pl * oh * ow + j], "argmax of " + where);
                        assertEquals(Float.floatToRawIntBits(best), Float.floatToRawIntBits(y[pl * oh * ow + j]), "max of " + where);
                    }
                }
                for (int j = 0; j < ohw; j++) assertEquals(0, arg[j], "plane 0 is outside the range");
            }
        }
    }

    @Test
    void winogradTransformsAgreeBitwiseInBothImplementations() {
        Random r = new Random(5);
        for (int n : new int[] {0, 1, 7, 8, 9, 17, 64, 250, 256}) {
            int stride = n + 3, at = 2, len = 36 * stride + at + n;
            float[][] a = new float[36][n], b = new float[36][n];
            float[] v1 = new float[len], v2 = new float[len], m = new float[len];
            for (int i = 0; i < 36; i++) {
                for (int k = 0; k < n; k++) a[i][k] = b[i][k] = value(r);
            }
            for (int i = 0; i < len; i++) m[i] = value(r);
            SCALAR.winogradInput(a, n, v1, at, stride);
            SIMD.winogradInput(b, n, v2, at, stride);
            assertBitwise(v1, v2, "winogradInput, " + n + " tiles");
            for (int i = 0; i < 36; i++) assertBitwise(a[i], b[i], "winogradInput's scratch row " + i + ", " + n + " tiles");
            for (int i = 0; i < 36; i++) {
                for (int k = 0; k < n; k++) a[i][k] = b[i][k] = value(r);
            }
            SCALAR.winogradGrad(a, n, v1, at, stride);
            SIMD.winogradGrad(b, n, v2, at, stride);
            assertBitwise(v1, v2, "winogradGrad, " + n + " tiles");
            for (int i = 0; i < 36; i++) assertBitwise(a[i], b[i], "winogradGrad's scratch row " + i + ", " + n + " tiles");
            SCALAR.winogradOutputColumns(m, at, stride, a, n);
            SIMD.winogradOutputColumns(m, at, stride, b, n);
            float bias = value(r);
            for (int row = 0; row < 4; row++) {
                SCALAR.winogradOutputRow(a, row, n, bias);
                SIMD.winogradOutputRow(b, row, n, bias);
                for (int i = 0; i < 36; i++) assertBitwise(a[i], b[i], "winogradOutput row " + row + ", array " + i + ", " + n + " tiles");
            }
        }
    }

    // The same bits, signed zeros included; a NaN matches any NaN (x86 passes on one operand's NaN,
    // and the JIT may swap the operands of a scalar sum or product)
    private static void assertBitwise(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), what + " at " + i);
        }
    }

    @Test
    void tileColumnsCopyEveryFourthElementInBothImplementations() {
        Random r = new Random(4);
        for (int cols : new int[] {4, 6}) {
            for (int n = 0; n <= 40; n++) {
                int at = r.nextInt(5), pos = r.nextInt(3);
                float[] x = new float[at + 4 * n + cols];
                for (int i = 0; i < x.length; i++) x[i] = value(r);
                for (Elementwise ew : new Elementwise[] {SCALAR, SIMD}) {
                    float[][] out = new float[cols + 1][pos + n + 1];
                    ew.tileColumns(x, at, n, cols, out, 1, pos);
                    for (int j = 0; j < cols; j++) {
                        for (int k = 0; k < n; k++) {
                            assertEquals(Float.floatToRawIntBits(x[at + 4 * k + j]), Float.floatToRawIntBits(out[1 + j][pos + k]),
                                    ew.getClass().getSimpleName() + " column " + j + " of tile " + k + " of " + n + " (" + cols + " columns)");
                        }
                        assertEquals(0f, out[1 + j][pos + n], "nothing past the n tiles");
                    }
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
            for (int stride = 1; stride <= 3 && n > 0; stride++) { // n elements as rows of 1..n columns, often at the array's end
                int cols = 1 + r.nextInt(n), rows = n / cols, rowStep = (cols - 1) * stride + 1 + r.nextInt(3);
                int xo = r.nextInt(3);
                float[] p = new float[xo + (rows - 1) * rowStep + (cols - 1) * stride + 1 + r.nextInt(2)];
                double[] pd = new double[p.length];
                for (int i = 0; i < p.length; i++) pd[i] = p[i] = value(r);
                for (Elementwise ew : new Elementwise[] {SCALAR, SIMD}) {
                    float[] gf = new float[rows * cols + off];
                    double[] gdd = new double[rows * cols + off];
                    ew.gatherStrided(p, xo, rowStep, stride, rows, cols, gf, off);
                    ew.gatherStrided(pd, xo, rowStep, stride, rows, cols, gdd, off);
                    float[] sf = p.clone();
                    double[] sd = pd.clone();
                    ew.scatterAddStrided(g, 0, rowStep, stride, rows, cols, sf, xo);
                    ew.scatterAddStrided(gd, 0, rowStep, stride, rows, cols, sd, xo);
                    float[] ef = p.clone();
                    double[] ed = pd.clone();
                    for (int row = 0; row < rows; row++) {
                        for (int q = 0; q < cols; q++) {
                            int at = xo + row * rowStep + q * stride, k = row * cols + q;
                            String where = ew.name() + " stride " + stride + " " + rows + "x" + cols + " at " + row + "," + q;
                            assertEquals(Float.floatToRawIntBits(p[at]), Float.floatToRawIntBits(gf[off + k]), "gatherStrided float " + where);
                            assertEquals(Double.doubleToRawLongBits(pd[at]), Double.doubleToRawLongBits(gdd[off + k]), "gatherStrided double " + where);
                            ef[at] += g[k];
                            ed[at] += gd[k];
                        }
                    }
                    for (int i = 0; i < off; i++) assertEquals(0f, gf[i], "gatherStrided writes nothing before its output");
                    for (int i = 0; i < p.length; i++) { // untouched entries stay as they were
                        assertEquals(Float.floatToRawIntBits(ef[i]), Float.floatToRawIntBits(sf[i]), "scatterAddStrided float " + ew.name() + " i=" + i);
                        assertEquals(Double.doubleToRawLongBits(ed[i]), Double.doubleToRawLongBits(sd[i]), "scatterAddStrided double " + ew.name() + " i=" + i);
                    }
                }
            }
            if (n > 0) { // two stride-2 taps at once: bitwise the two single-tap calls
                int cols = 1 + r.nextInt(Math.min(n, 40)), rows = 1 + r.nextInt(4), rowStep = 2 * cols + r.nextInt(3), xo = r.nextInt(3);
                float[] p = new float[xo + (rows - 1) * rowStep + 2 * cols]; // the odd tap's last element ends the array
                float[] cf = new float[2 * rows * cols + off];
                for (int i = 0; i < p.length; i++) p[i] = value(r);
                for (int i = 0; i < cf.length; i++) cf[i] = value(r);
                double[] pd = new double[p.length], cd = new double[cf.length];
                for (int i = 0; i < p.length; i++) pd[i] = p[i];
                for (int i = 0; i < cf.length; i++) cd[i] = cf[i];
                int yo1 = off + rows * cols;
                float[] ef = new float[cf.length], ep = p.clone();
                double[] ed = new double[cd.length], edp = pd.clone();
                SCALAR.gatherStrided(p, xo, rowStep, 2, rows, cols, ef, off);
                SCALAR.gatherStrided(p, xo + 1, rowStep, 2, rows, cols, ef, yo1);
                SCALAR.gatherStrided(pd, xo, rowStep, 2, rows, cols, ed, off);
                SCALAR.gatherStrided(pd, xo + 1, rowStep, 2, rows, cols, ed, yo1);
                SCALAR.scatterAddStrided(cf, off, rowStep, 2, rows, cols, ep, xo);
                SCALAR.scatterAddStrided(cf, yo1, rowStep, 2, rows, cols, ep, xo + 1);
                SCALAR.scatterAddStrided(cd, off, rowStep, 2, rows, cols, edp, xo);
                SCALAR.scatterAddStrided(cd, yo1, rowStep, 2, rows, cols, edp, xo + 1);
                for (Elementwise ew : new Elementwise[] {SCALAR, SIMD}) {
                    String where = ew.name() + " pair " + rows + "x" + cols + " rowStep " + rowStep;
                    float[] gf = new float[cf.length], sf = p.clone();
                    double[] gd2 = new double[cd.length], sd = pd.clone();
                    ew.gatherStridedPair(p, xo, rowStep, rows, cols, gf, off, yo1);
                    ew.gatherStridedPair(pd, xo, rowStep, rows, cols, gd2, off, yo1);
                    ew.scatterAddStridedPair(cf, off, yo1, rowStep, rows, cols, sf, xo);
                    ew.scatterAddStridedPair(cd, off, yo1, rowStep, rows, cols, sd, xo);
                    for (int i = 0; i < cf.length; i++) {
                        assertEquals(Float.floatToRawIntBits(ef[i]), Float.floatToRawIntBits(gf[i]), "gatherStridedPair float " + where + " i=" + i);
                        assertEquals(Double.doubleToRawLongBits(ed[i]), Double.doubleToRawLongBits(gd2[i]), "gatherStridedPair double " + where);
                    }
                    for (int i = 0; i < p.length; i++) {
                        assertEquals(Float.floatToRawIntBits(ep[i]), Float.floatToRawIntBits(sf[i]), "scatterAddStridedPair float " + where + " i=" + i);
                        assertEquals(Double.doubleToRawLongBits(edp[i]), Double.doubleToRawLongBits(sd[i]), "scatterAddStridedPair double " + where);
                    }
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
