package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Numerical stability of the saturating and exponential ops in float32 and float64: exact
 * saturation, and no NaN or infinity wherever the true value (or gradient) is finite.
 */
class StabilityTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    private static Tensor t(DType dt, double... v) {
        return Tensor.of(v).toType(dt);
    }

    private static Tensor rows(DType dt, double[][] v) {
        return Tensor.of(v).toType(dt);
    }

    private static void assertFinite(Tensor t, String what) {
        for (double v : t.toDoubleArray()) assertTrue(Double.isFinite(v), what + " must be finite: " + t);
    }

    /** Elementwise |e − a| ≤ 1e-6·|e| + atol (infinities must match exactly). */
    private static void assertValues(double[] expected, Tensor actual, double atol, String what) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what);
        for (int i = 0; i < a.length; i++) {
            if (expected[i] == a[i]) continue;
            assertTrue(Math.abs(expected[i] - a[i]) <= 1e-6 * Math.abs(expected[i]) + atol,
                    what + "[" + i + "]: expected " + expected[i] + ", got " + a[i] + " in " + actual);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void sigmoidAndTanhSaturateExactly(DType dt) {
        Tensor x = t(dt, 1000, -1000, 100, -100, 0).requiresGrad(true);
        Tensor s = x.sigmoid();
        assertEquals(1.0, s.get(0), 0.0, "σ(1000)");
        assertEquals(0.0, s.get(1), 0.0, "σ(−1000)");
        assertEquals(0.5, s.get(4), 0.0, "σ(0)");
        s.sum().backward();
        assertFinite(x.grad(), "σ' at ±1000");
        assertEquals(0.0, x.grad().get(0), 0.0);
        assertEquals(0.0, x.grad().get(1), 0.0);
        assertEquals(0.25, x.grad().get(4), 0.0);

        Tensor y = t(dt, 1000, -1000, 0).requiresGrad(true);
        Tensor th = y.tanh();
        assertValues(new double[] {1, -1, 0}, th, 0, "tanh");
        th.sum().backward();
        assertValues(new double[] {0, 0, 1}, y.grad(), 0, "tanh'");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void logSoftmaxOfHugeLogits(DType dt) {
        for (double big : new double[] {1e4, 1e30}) {
            Tensor x = rows(dt, new double[][] {{big, -big, 0}, {big, big, -big}, {-big, -big, -big}})
                    .requiresGrad(true);
            Tensor ls = x.logSoftmax(1);
            assertFinite(ls, "log_softmax of ±" + big);
            double ln2 = Math.log(2), ln3 = Math.log(3);
            assertValues(new double[] {0, -2 * big, -big, -ln2, -ln2, -2 * big - ln2, -ln3, -ln3, -ln3}, ls, 1e-6,
                    "log_softmax of ±" + big);
            // NLL of class 0: gradient softmax − onehot, finite
            ls.select(1, 0).sum().backward();
            assertFinite(x.grad(), "gradient of log_softmax of ±" + big);
            assertValues(new double[] {0, 0, 0, 0.5, -0.5, 0, 2.0 / 3, -1.0 / 3, -1.0 / 3}, x.grad(), 1e-6,
                    "gradient of log_softmax of ±" + big);
            Tensor p = x.detach().softmax(1);
            assertFinite(p, "softmax of ±" + big);
            assertValues(new double[] {1, 0, 0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3}, p, 1e-7, "softmax");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void logSoftmaxOfTinyLogits(DType dt) {
        double tiny = dt == DType.FLOAT32 ? 1e-40 : 1e-310; // subnormal
        for (double eps : new double[] {1e-30, tiny}) {
            Tensor x = t(dt, eps, -eps, 0, 2 * eps).requiresGrad(true);
            Tensor ls = x.logSoftmax(0);
            double l4 = -Math.log(4);
            assertValues(new double[] {l4, l4, l4, l4}, ls, 1e-6, "log_softmax of tiny logits");
            ls.select(0, 1).backward();
            assertValues(new double[] {-0.25, 0.75, -0.25, -0.25}, x.grad(), 1e-6, "its gradient");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void randomHugeLogitsStayFinite(DType dt) {
        Generator gen = new Generator(1);
        for (double scale : new double[] {1e4, 1e30}) {
            Tensor x = Tensor.randn(gen, dt, 16, 10).mul(scale).requiresGrad(true);
            Tensor ls = x.logSoftmax(1);
            assertFinite(ls, "log_softmax");
            for (double v : ls.toDoubleArray()) assertTrue(v <= 0, "log_softmax ≤ 0");
            Tensor p = x.softmax(1);
            assertFinite(p, "softmax");
            assertValues(new double[16], p.sum(1, false).sub(1), 1e-6, "softmax rows sum to 1");
            Tensor lse = x.logsumexp(1, false);
            assertFinite(lse, "logsumexp");
            // logsumexp lies in [max, max + log n]
            double[] mx = x.amax(new int[] {1}, false).toDoubleArray(), l = lse.toDoubleArray();
            for (int i = 0; i < 16; i++) {
                assertTrue(l[i] >= mx[i] - 1e-6 * Math.abs(mx[i]) - 1e-6 && l[i] <= mx[i] + Math.log(10) + 1e-6 * Math.abs(mx[i]),
                        "logsumexp " + l[i] + " vs max " + mx[i]);
            }
            ls.select(1, 3).sum().add(lse.sum().div(scale)).backward();
            assertFinite(x.grad(), "gradient through log_softmax and logsumexp");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void logsumexpOfHugeAndInfiniteValues(DType dt) {
        double ln2 = Math.log(2);
        Tensor x = rows(dt, new double[][] {
            {1e30, 1e30}, {1000, 1000}, {1e4, -1e4}, {-1e30, -1e30}, {-INF, 0}, {-INF, -INF}, {INF, 0}});
        Tensor lse = x.logsumexp(1, false);
        assertValues(new double[] {1e30, 1000 + ln2, 1e4, -1e30, 0, -INF, INF}, lse, 1e-6, "logsumexp");
        assertEquals(-INF, lse.get(5), "logsumexp of all −∞ is −∞, not NaN");
        // keepdim and the other dim
        assertEquals(-INF, t(dt, -INF, -INF, -INF).logsumexp(0, true).get(0));
        Tensor y = t(dt, 1e30, 1e30).requiresGrad(true);
        y.logsumexp(0, false).backward();
        assertValues(new double[] {0.5, 0.5}, y.grad(), 1e-7, "gradient of logsumexp(1e30, 1e30)");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void softmaxWithMinusInfinityEntries(DType dt) {
        Tensor x = rows(dt, new double[][] {{-INF, 0, Math.log(3), -INF}, {1, -INF, 1, 1}}).requiresGrad(true);
        Tensor p = x.softmax(1);
        assertFinite(p, "softmax with −∞ entries");
        assertValues(new double[] {0, 0.25, 0.75, 0, 1.0 / 3, 0, 1.0 / 3, 1.0 / 3}, p, 1e-7, "softmax");
        p.select(1, 2).sum().backward();
        assertFinite(x.grad(), "gradient of softmax with −∞ entries");
        // d p_2 / d x_j = p_2 (δ_2j − p_j)
        assertValues(new double[] {0, -0.1875, 0.1875, 0, -1.0 / 9, 0, 2.0 / 9, -1.0 / 9}, x.grad(), 1e-7,
                "gradient");

        Tensor z = rows(dt, new double[][] {{-INF, 0, 1}}).requiresGrad(true);
        Tensor ls = z.logSoftmax(1);
        assertEquals(-INF, ls.get(0, 0), "log_softmax of −∞ is −∞");
        assertTrue(Double.isFinite(ls.get(0, 1)) && Double.isFinite(ls.get(0, 2)));
        ls.select(1, 2).sum().backward();
        assertFinite(z.grad(), "gradient of log_softmax with a −∞ entry");

        // float32 extremes: the difference overflows to −∞, which exp takes to exactly 0
        Tensor w = t(dt, 3e38, -3e38, 0);
        assertValues(new double[] {1, 0, 0}, w.softmax(0), 0, "softmax(3e38, −3e38, 0)");
    }
}
