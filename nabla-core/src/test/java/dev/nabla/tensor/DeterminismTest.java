package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.kernel.Elementwise;
import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Reduce;
import dev.nabla.kernel.Elementwise.Unary;
import dev.nabla.kernel.Gemm;
import dev.nabla.kernel.Parallel;
import dev.nabla.kernel.ScalarElementwise;
import dev.nabla.kernel.ScalarGemm;
import dev.nabla.kernel.VectorElementwise;
import dev.nabla.kernel.VectorGemm;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same program: bitwise the same numbers on 1 or 2 threads; and the scalar kernels
 * agree with the SIMD ones.
 */
class DeterminismTest {
    private static final int[] THREADS = {1, 2};

    private static List<Tensor> withThreads(int n, Supplier<List<Tensor>> f) {
        int old = Parallel.threads();
        try {
            Parallel.setThreads(n);
            return f.get();
        } finally {
            Parallel.setThreads(old);
        }
    }

    /** Runs the computation on each thread count and asserts bitwise-equal results. */
    private static void sameOnAnyThreadCount(String what, Supplier<List<Tensor>> computation) {
        List<Tensor> ref = withThreads(THREADS[0], computation);
        for (int i = 1; i < THREADS.length; i++) {
            List<Tensor> got = withThreads(THREADS[i], computation);
            assertEquals(ref.size(), got.size());
            for (int j = 0; j < ref.size(); j++) {
                Tensor a = ref.get(j), b = got.get(j);
                assertEquals(a.dtype(), b.dtype());
                assertArrayEquals(a.shape(), b.shape());
                String msg = what + ", result " + j + ": 1 thread vs " + THREADS[i];
                if (a.dtype() == DType.FLOAT32) {
                    float[] x = a.toFloatArray(), y = b.toFloatArray();
                    for (int k = 0; k < x.length; k++) {
                        if (Float.floatToIntBits(x[k]) != Float.floatToIntBits(y[k])) {
                            throw new AssertionError(msg + " differ at " + k + ": " + x[k] + " vs " + y[k]);
                        }
                    }
                } else {
                    assertTrue(a.contentEquals(b), msg);
                }
            }
        }
    }

    @Test
    void largeMatmul() {
        sameOnAnyThreadCount("matmul", () -> {
            Generator gen = new Generator(1);
            Tensor a = Tensor.randn(gen, 300, 500), b = Tensor.randn(gen, 500, 200);
            Tensor ad = Tensor.randn(gen, DType.FLOAT64, 130, 260), bd = Tensor.randn(gen, DType.FLOAT64, 260, 90);
            Tensor a3 = Tensor.randn(gen, 8, 64, 128), b3 = Tensor.randn(gen, 8, 128, 96);
            return List.of(a.matmul(b), b.t().matmul(a.t()), ad.matmul(bd), a3.matmul(b3));
        });
    }

    @Test
    void largeElementwiseChains() {
        sameOnAnyThreadCount("elementwise", () -> {
            Generator gen = new Generator(2);
            Tensor x = Tensor.randn(gen, 1024, 1024);
            Tensor row = Tensor.randn(gen, 1024), col = Tensor.randn(gen, 1024, 1);
            Tensor y = x.exp().mul(row).add(x.tanh()).sub(x.sigmoid().mul(col)).div(x.abs().add(1));
            Tensor z = x.t().mul(x).add(col.t()).relu().sqrt(); // strided operands
            Tensor xd = Tensor.randn(gen, DType.FLOAT64, 500, 1000);
            Tensor yd = xd.sigmoid().mul(xd.tanh()).add(xd.exp().mul(0.5)).sub(Tensor.randn(gen, DType.FLOAT64, 1000));
            return List.of(y, z, yd);
        });
    }

    @Test
    void reductions() {
        sameOnAnyThreadCount("reductions", () -> {
            Generator gen = new Generator(3);
            Tensor big = Tensor.randn(gen, 3_000_000);
            Tensor m = Tensor.randn(gen, 4096, 1000);
            Tensor bigD = Tensor.randn(gen, DType.FLOAT64, 1_000_000);
            return List.of(big.sum(), big.mean(), big.max(), m.sum(0, false), m.sum(1, true), m.sum(),
                    m.t().sum(0, false), m.amax(new int[] {0}, false), m.var(0, false), bigD.sum(),
                    m.reshape(64, 64, 1000).sum(new int[] {0, 2}, false));
        });
    }

    @Test
    void softmax() {
        sameOnAnyThreadCount("softmax", () -> {
            Generator gen = new Generator(4);
            Tensor x = Tensor.randn(gen, 1024, 1000).mul(3);
            return List.of(x.softmax(1), x.logSoftmax(1), x.softmax(0), x.logsumexp(1, false));
        });
    }

    @Test
    void mlpForwardAndBackward() {
        sameOnAnyThreadCount("MLP", () -> {
            Generator gen = new Generator(5);
            int batch = 512, in = 64, hidden = 256, classes = 10;
            Tensor x = Tensor.randn(gen, batch, in);
            Tensor labels = Tensor.randint(gen, 0, classes, batch, 1);
            Tensor w1 = Tensor.randn(gen, in, hidden).mul(0.1).requiresGrad(true);
            Tensor b1 = Tensor.zeros(hidden).requiresGrad(true);
            Tensor w2 = Tensor.randn(gen, hidden, hidden).mul(0.05).requiresGrad(true);
            Tensor b2 = Tensor.zeros(hidden).requiresGrad(true);
            Tensor w3 = Tensor.randn(gen, hidden, classes).mul(0.1).requiresGrad(true);
            Tensor h1 = x.matmul(w1).add(b1).relu();
            Tensor h2 = h1.matmul(w2).add(b2).tanh();
            Tensor logits = h2.matmul(w3);
            Tensor loss = logits.logSoftmax(1).gather(1, labels).mean().neg();
            loss.backward();
            return List.of(loss, logits, w1.grad(), b1.grad(), w2.grad(), b2.grad(), w3.grad());
        });
    }

    // ---------------------------------------------------------------- scalar vs SIMD kernels

    private static final Elementwise SCALAR = new ScalarElementwise();
    private static final Elementwise SIMD = new VectorElementwise();

    private static int[] lengths() {
        int[] n = new int[41];
        for (int i = 0; i < 40; i++) n[i] = i + 1;
        n[40] = 1_000_003;
        return n;
    }

    /** Random values in [−3, 3], with ±0, ±∞ and NaN sprinkled in when {@code specials}. */
    private static double[] data(Random rnd, int len, boolean specials) {
        double[] v = new double[len];
        double[] special = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1.0};
        for (int i = 0; i < len; i++) {
            v[i] = specials && rnd.nextInt(10) == 0 ? special[rnd.nextInt(special.length)] : 6 * rnd.nextDouble() - 3;
        }
        return v;
    }

    private static float[] toF(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private static void sameBits(float[] a, float[] b, String what) {
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                throw new AssertionError(what + " differs at " + i + ": scalar " + a[i] + ", SIMD " + b[i]);
            }
        }
    }

    private static void sameBits(double[] a, double[] b, String what) {
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToLongBits(a[i]) != Double.doubleToLongBits(b[i])) {
                throw new AssertionError(what + " differs at " + i + ": scalar " + a[i] + ", SIMD " + b[i]);
            }
        }
    }

    // {input stride, output stride}: unit, strided and broadcast (0) runs
    private static final int[][] UNARY_STRIDES = {{1, 1}, {2, 1}, {1, 2}, {3, 2}, {0, 1}};
    // {a stride, b stride, output stride}
    private static final int[][] BINARY_STRIDES = {{1, 1, 1}, {0, 1, 1}, {1, 0, 1}, {0, 0, 1}, {2, 1, 1}, {1, 3, 1}, {1, 1, 2}};

    @Test
    void elementwiseKernelsAgree() {
        Random rnd = new Random(6);
        for (int n : lengths()) {
            boolean big = n > 1000;
            for (int[] s : UNARY_STRIDES) {
                if (big && s[0] != 1 && s[1] != 1) continue;
                int xo = rnd.nextInt(3), yo = rnd.nextInt(3);
                double[] x = data(rnd, xo + Math.max(0, (n - 1) * s[0]) + 1, true);
                float[] xf = toF(x);
                for (Unary op : Unary.values()) {
                    if (big && op != Unary.EXP && op != Unary.SQRT && op != Unary.RELU && op != Unary.NEG) continue;
                    String what = op + " n=" + n + " strides " + s[0] + "," + s[1];
                    int len = yo + (n - 1) * s[1] + 1;
                    float[] yf1 = new float[len], yf2 = new float[len];
                    SCALAR.unary(op, xf, xo, s[0], yf1, yo, s[1], n);
                    SIMD.unary(op, xf, xo, s[0], yf2, yo, s[1], n);
                    sameBits(yf1, yf2, "float " + what);
                    double[] yd1 = new double[len], yd2 = new double[len];
                    SCALAR.unary(op, x, xo, s[0], yd1, yo, s[1], n);
                    SIMD.unary(op, x, xo, s[0], yd2, yo, s[1], n);
                    sameBits(yd1, yd2, "double " + what);
                }
            }
            for (int[] s : BINARY_STRIDES) {
                if (big && (s[0] > 1 || s[1] > 1 || s[2] > 1)) continue;
                int ao = rnd.nextInt(3), bo = rnd.nextInt(3), yo = rnd.nextInt(3);
                double[] a = data(rnd, ao + (n - 1) * s[0] + 1, true), b = data(rnd, bo + (n - 1) * s[1] + 1, true);
                float[] af = toF(a), bf = toF(b);
                for (Binary op : Binary.values()) {
                    if (big && op != Binary.ADD && op != Binary.MUL && op != Binary.MAX && op != Binary.GT) continue;
                    String what = op + " n=" + n + " strides " + s[0] + "," + s[1] + "," + s[2];
                    int len = yo + (n - 1) * s[2] + 1;
                    float[] yf1 = new float[len], yf2 = new float[len];
                    SCALAR.binary(op, af, ao, s[0], bf, bo, s[1], yf1, yo, s[2], n);
                    SIMD.binary(op, af, ao, s[0], bf, bo, s[1], yf2, yo, s[2], n);
                    sameBits(yf1, yf2, "float " + what);
                    double[] yd1 = new double[len], yd2 = new double[len];
                    SCALAR.binary(op, a, ao, s[0], b, bo, s[1], yd1, yo, s[2], n);
                    SIMD.binary(op, a, ao, s[0], b, bo, s[1], yd2, yo, s[2], n);
                    sameBits(yd1, yd2, "double " + what);
                }
            }
        }
    }

    /** A bias added to every row: widths below, at and above the vector length and the pattern's limit, strided bias. */
    @Test
    void addToRowsAgrees() {
        Random rnd = new Random(7);
        for (int cols = 1; cols <= 40; cols++) {
            for (int rows : new int[] {1, 2, 3, 39, 100}) {
                for (int bs : new int[] {1, 2}) {
                    int yo = rnd.nextInt(3), bo = rnd.nextInt(3);
                    double[] y = data(rnd, yo + rows * cols + 2, true), b = data(rnd, bo + (cols - 1) * bs + 1, true);
                    float[] y0 = toF(y), yf1 = y0.clone(), yf2 = y0.clone(), bf = toF(b);
                    String what = "addToRows " + rows + "x" + cols + " bias stride " + bs;
                    SCALAR.addToRows(yf1, yo, rows, cols, bf, bo, bs);
                    SIMD.addToRows(yf2, yo, rows, cols, bf, bo, bs);
                    sameBits(yf1, yf2, "float " + what);
                    for (int i = 0; i < rows * cols; i++) {
                        float expected = y0[yo + i] + bf[bo + i % cols * bs];
                        if (Float.floatToIntBits(yf1[yo + i]) != Float.floatToIntBits(expected)) throw new AssertionError(what + " at " + i);
                    }
                    double[] yd1 = y.clone(), yd2 = y.clone();
                    SCALAR.addToRows(yd1, yo, rows, cols, b, bo, bs);
                    SIMD.addToRows(yd2, yo, rows, cols, b, bo, bs);
                    sameBits(yd1, yd2, "double " + what);
                }
            }
        }
    }

    @Test
    void sumRowsAgreesAndAddsInRowOrder() {
        Random rnd = new Random(8);
        for (int cols = 1; cols <= 40; cols++) {
            for (int rows : new int[] {1, 2, 3, 39, 100}) {
                for (int tail : new int[] {0, 5, 17}) { // elements after the block: the last rows' vectors fit or not
                    int xo = rnd.nextInt(3), yo = rnd.nextInt(3);
                    float[] x = toF(data(rnd, xo + rows * cols + tail, true));
                    float[] y1 = new float[yo + cols], y2 = new float[yo + cols];
                    String what = "sumRows " + rows + "x" + cols + " with " + tail + " after";
                    SCALAR.sumRows(x, xo, rows, cols, y1, yo);
                    SIMD.sumRows(x, xo, rows, cols, y2, yo);
                    sameBits(y1, y2, what);
                    for (int c = 0; c < cols; c++) {
                        float expected = x[xo + c];
                        for (int r = 1; r < rows; r++) expected += x[xo + r * cols + c];
                        if (Float.floatToIntBits(y1[yo + c]) != Float.floatToIntBits(expected)) throw new AssertionError(what + " at " + c);
                    }
                }
            }
        }
    }

    @Test
    void reductionKernelsAgree() {
        Random rnd = new Random(7);
        for (int n : lengths()) {
            for (int stride : new int[] {1, 2, 3}) {
                if (n > 1000 && stride == 3) continue;
                int off = rnd.nextInt(4);
                double[] x = data(rnd, off + (n - 1) * stride + 1, false);
                float[] xf = toF(x);
                double absSum = 0;
                for (int i = 0; i < n; i++) absSum += Math.abs(x[off + i * stride]);
                String what = " n=" + n + " stride " + stride;
                assertEquals(SCALAR.reduce(Reduce.SUM, xf, off, stride, n), SIMD.reduce(Reduce.SUM, xf, off, stride, n),
                        1e-6 * absSum + 1e-6, "float SUM" + what);
                assertEquals(SCALAR.reduce(Reduce.SUM, x, off, stride, n), SIMD.reduce(Reduce.SUM, x, off, stride, n),
                        1e-14 * absSum, "double SUM" + what);
                double exact = 0;
                for (int i = 0; i < n; i++) exact += xf[off + i * stride];
                assertEquals(exact, SIMD.reduce(Reduce.SUM, xf, off, stride, n), 1e-6 * absSum + 1e-6, "float SUM vs double" + what);
                // with specials: NaN must win, as in the scalar kernel
                double[] sp = data(rnd, off + (n - 1) * stride + 1, true);
                float[] spf = toF(sp);
                for (Reduce op : Reduce.values()) {
                    float r1 = SCALAR.reduce(op, spf, off, stride, n), r2 = SIMD.reduce(op, spf, off, stride, n);
                    if (op == Reduce.SUM) {
                        assertEquals(Float.isNaN(r1), Float.isNaN(r2), "NaN in float SUM" + what);
                    } else {
                        assertEquals(Float.floatToIntBits(r1), Float.floatToIntBits(r2), "float " + op + what);
                        assertEquals(Double.doubleToLongBits(SCALAR.reduce(op, sp, off, stride, n)),
                                Double.doubleToLongBits(SIMD.reduce(op, sp, off, stride, n)), "double " + op + what);
                    }
                }
            }
        }
        assertEquals(0f, SIMD.reduce(Reduce.SUM, new float[0], 0, 1, 0), "empty SUM is 0");
    }

    @Test
    void gemmKernelsAgree() {
        Gemm scalar = new ScalarGemm(), simd = new VectorGemm();
        Random rnd = new Random(8);
        int[][] sizes = {{1, 1, 1}, {1, 17, 3}, {5, 1, 9}, {7, 13, 5}, {12, 32, 17}, {13, 33, 40}, {25, 31, 64},
            {50, 70, 300}, {100, 129, 257}};
        List<String> failures = new ArrayList<>();
        for (int[] s : sizes) {
            int m = s[0], n = s[1], k = s[2];
            for (int flags = 0; flags < 4; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
                int batch = flags == 3 ? 2 : 1;
                double[] a = data(rnd, batch * m * k, false), b = data(rnd, batch * k * n, false);
                int lda = ta ? m : k, ldb = tb ? k : n;
                float[] c1 = new float[batch * m * n], c2 = new float[batch * m * n];
                scalar.sgemm(batch, ta, tb, m, n, k, toF(a), 0, m * k, lda, toF(b), 0, k * n, ldb, 0f, c1, 0, m * n, n);
                simd.sgemm(batch, ta, tb, m, n, k, toF(a), 0, m * k, lda, toF(b), 0, k * n, ldb, 0f, c2, 0, m * n, n);
                double[] d1 = new double[batch * m * n], d2 = new double[batch * m * n];
                scalar.dgemm(batch, ta, tb, m, n, k, a, 0, m * k, lda, b, 0, k * n, ldb, 0, d1, 0, m * n, n);
                simd.dgemm(batch, ta, tb, m, n, k, a, 0, m * k, lda, b, 0, k * n, ldb, 0, d2, 0, m * n, n);
                // entries are sums of k products of values in [−3, 3]
                double tolF = 1e-6 * 9 * k + 1e-6, tolD = 1e-14 * 9 * k;
                for (int i = 0; i < c1.length; i++) {
                    if (!(Math.abs(c1[i] - c2[i]) <= tolF) || !(Math.abs(d1[i] - d2[i]) <= tolD)) {
                        failures.add(m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " at " + i + ": float " + c1[i]
                                + " vs " + c2[i] + ", double " + d1[i] + " vs " + d2[i]);
                        break;
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
