package dev.nabla.nn;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Gradcheck;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LayersTest {
    // ---------------------------------------------------------------- Linear

    @Test
    void linearComputesXWTransposedPlusB() {
        Linear lin = new Linear(3, 2, new Generator(0));
        double[][] w = {{1, -2, 0.5}, {0.25, 3, -1}};
        double[] b = {0.1, -0.2};
        try (var s = GradMode.noGrad()) {
            lin.weight().copyFrom(Tensor.of(w));
            lin.bias().copyFrom(Tensor.of(b));
        }
        double[][] x = {{1, 2, 3}, {-1, 0.5, 4}, {0, 0, 0}, {2, -3, 1}};
        double[] y = lin.forward(Tensor.of(x)).toDoubleArray();
        assertEquals(8, y.length);
        for (int i = 0; i < 4; i++) {
            for (int o = 0; o < 2; o++) {
                double expected = b[o];
                for (int k = 0; k < 3; k++) expected += x[i][k] * w[o][k];
                assertEquals(expected, y[i * 2 + o], 1e-5, "row " + i + " out " + o);
            }
        }
        assertArrayEquals(new int[] {5, 7, 2}, lin.forward(Tensor.zeros(5, 7, 3)).shape());
        assertArrayEquals(new int[] {2}, lin.forward(Tensor.zeros(3)).shape());
        Linear noBias = new Linear(3, 2, false, new Generator(0));
        assertEquals(1, noBias.parameters().size());
        assertEquals(null, noBias.bias());
    }

    @Test
    void linearDefaultInitIsPyTorchs() {
        int in = 400, out = 300;
        Linear lin = new Linear(in, out, new Generator(7));
        double bound = 1 / Math.sqrt(in);
        double[] w = lin.weight().toDoubleArray(), b = lin.bias().toDoubleArray();
        double max = 0, sumSq = 0;
        for (double v : w) {
            assertTrue(Math.abs(v) <= bound, "weight " + v + " beyond " + bound);
            max = Math.max(max, Math.abs(v));
            sumSq += v * v;
        }
        for (double v : b) assertTrue(Math.abs(v) <= bound);
        assertTrue(max > 0.999 * bound);
        assertEquals(bound * bound / 3, sumSq / w.length, 0.02 * bound * bound / 3); // variance of U(−b, b)
        assertContentEquals(new Linear(in, out, new Generator(7)).weight(), lin.weight());
        assertFalse(new Linear(in, out, new Generator(8)).weight().contentEquals(lin.weight()));
    }

    @Test
    void linearRejectsWrongFeatureCount() {
        Linear lin = new Linear(20, 10);
        var e = assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.zeros(4, 10)));
        assertTrue(e.getMessage().startsWith("Linear(in_features=20, out_features=10, bias=True): input of shape [4, 10]"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 20"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
    }

    // ---------------------------------------------------------------- Dropout

    @Test
    void dropoutIsIdentityInEval() {
        Dropout d = new Dropout(0.5, new Generator(1));
        d.eval();
        Tensor x = Tensor.randn(new Generator(2), 10, 10);
        assertSame(x, d.forward(x));
        assertSame(x, new Dropout(0.0).forward(x));
    }

    @Test
    void dropoutZeroesAFractionPAndScalesTheRest() {
        double p = 0.3;
        int n = 1_000_000;
        Dropout d = new Dropout(p, new Generator(3));
        Tensor x = Tensor.full(2.0, n);
        double[] y = d.forward(x).toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            if (v == 0) zeros++;
            else assertEquals(2.0 / (1 - p), v, 1e-5);
        }
        // binomial: std of the fraction = √(p(1−p)/n) ≈ 4.6e-4; 5e-3 is > 10 sigma
        assertEquals(p, zeros / (double) n, 5e-3);
        // the mean is preserved
        double mean = 0;
        for (double v : y) mean += v;
        assertEquals(2.0, mean / n, 0.02);
    }

    @Test
    void dropoutIsDeterministicWithASeedAndItsGradientIsTheMask() {
        Tensor x = Tensor.randn(new Generator(4), 50, 20);
        Tensor a = new Dropout(0.4, new Generator(9)).forward(x);
        Tensor b = new Dropout(0.4, new Generator(9)).forward(x);
        assertContentEquals(a, b);
        assertFalse(a.contentEquals(new Dropout(0.4, new Generator(10)).forward(x)));
        Generator.seedGlobal(123);
        Tensor g1 = new Dropout(0.4).forward(x);
        Generator.seedGlobal(123);
        assertContentEquals(g1, new Dropout(0.4).forward(x));

        Tensor xv = Tensor.ones(1000).requiresGrad(true);
        Tensor out = new Dropout(0.25, new Generator(5)).forward(xv);
        out.sum().backward();
        assertContentEquals(out.detach(), xv.grad()); // x = 1, so the output is the scaled mask, which is the gradient
    }

    @Test
    void dropoutValidatesP() {
        for (double p : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Dropout(p));
            assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- shape layers

    @Test
    void flattenAndIdentity() {
        Tensor x = Tensor.randn(new Generator(1), 2, 3, 4);
        Tensor f = new Flatten().forward(x);
        assertArrayEquals(new int[] {2, 12}, f.shape());
        assertArrayEquals(x.toFloatArray(), f.toFloatArray());
        assertArrayEquals(new int[] {2, 3, 4}, new Flatten(1, 1).forward(x).shape());
        assertArrayEquals(new int[] {6, 4}, new Flatten(0, 1).forward(x).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> new Flatten().forward(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        assertSame(x, new Identity().forward(x));
    }

    // ---------------------------------------------------------------- activations

    private static final double[] XS = {-4, -1.5, -0.3, 0.2, 0.9, 3};

    private static double[] apply(Layer m, double[] xs) {
        return m.forward(Tensor.of(xs)).toDoubleArray();
    }

    @Test
    void activationValues() {
        double[] sig = apply(new Sigmoid(), XS), tanh = apply(new Tanh(), XS), relu = apply(new ReLU(), XS);
        double[] leaky = apply(new LeakyReLU(0.1), XS), elu = apply(new ELU(0.7), XS), leakyDefault = apply(new LeakyReLU(), XS);
        for (int i = 0; i < XS.length; i++) {
            double x = XS[i];
            assertEquals(1 / (1 + Math.exp(-x)), sig[i], 1e-15);
            assertEquals(Math.tanh(x), tanh[i], 1e-15);
            assertEquals(Math.max(x, 0), relu[i], 0);
            assertEquals(x > 0 ? x : 0.1 * x, leaky[i], 1e-15);
            assertEquals(x > 0 ? x : 0.01 * x, leakyDefault[i], 1e-15);
            assertEquals(x > 0 ? x : 0.7 * Math.expm1(x), elu[i], 1e-15);
        }
        // ELU never overflows in its unused branch
        Tensor big = Tensor.of(new double[] {1000, -1000}).requiresGrad(true);
        Tensor e = new ELU().forward(big);
        e.sum().backward();
        assertArrayEquals(new double[] {1000, -1}, e.toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 0}, big.grad().toDoubleArray(), 0);
    }

    @Test
    void geluMatchesPyTorchsExactAndTanhForms() {
        double[] xs = {-3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.0, 4.0};
        // x·Φ(x) from mpmath (40 digits), rounded to double
        double[] exact = {-0.0040496940948902835, -0.15865525393145705, -0.10032341857926907, 0.0, 0.34573123063700656,
                0.8413447460685429, 1.9544997361036416, 3.9998733150326675};
        double[] y = apply(new GELU(), xs);
        double[] approx = apply(new GELU(true), xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(exact[i], y[i], 2e-16 + 1e-15 * Math.abs(exact[i]), "gelu(" + xs[i] + ")");
            double x = xs[i];
            double tanhForm = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            assertEquals(tanhForm, approx[i], 1e-15);
            assertEquals(exact[i], approx[i], 1e-3); // the approximation is close, not exact
        }
        float[] y32 = new GELU().forward(Tensor.of(new float[] {-1, 0.5f, 2})).toFloatArray();
        assertEquals(-0.15865525393145705, y32[0], 1e-6);
        assertEquals(0.34573123063700656, y32[1], 1e-6);
        assertEquals(1.9544997361036416, y32[2], 1e-6);
    }

    // erf at selected points, from Python's math.erf
    private static final double[] ERF_X = {-6.0, -3.5, -2.0, -1.3, -0.9, -0.5, -1e-3, 0.0, 1e-8, 0.2, 0.7, 0.84375, 1.0, 1.25,
            1.9, 2.5, 2.857, 3.3, 4.0, 5.0, 5.9, 7.0, 10.0, 27.0};
    private static final double[] ERF_Y = {-1.0, -0.9999992569016276, -0.9953222650189527, -0.9340079449406524,
            -0.7969082124228322, -0.5204998778130465, -0.0011283787909692365, 0.0, 1.1283791670955126e-08, 0.22270258921047847,
            0.6778011938374184, 0.7672256612323416, 0.8427007929497149, 0.9229001282564582, 0.9927904292352575,
            0.999593047982555, 0.9999466417399131, 0.9999969422902035, 0.9999999845827421, 0.9999999999984626,
            0.9999999999999999, 1.0, 1.0, 1.0};

    /**
     * An independent erf: the series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (positive terms, no
     * cancellation) for |x| ≤ 3, the continued fraction of erfc beyond; error about 1e-15.
     */
    static double erfReference(double x) {
        double a = Math.abs(x);
        double r;
        if (a <= 3) {
            double term = a, sum = a, z = a * a;
            for (int n = 1; n < 300; n++) {
                term *= 2 * z / (2 * n + 1);
                sum += term;
            }
            r = 2 / Math.sqrt(Math.PI) * Math.exp(-z) * sum;
        } else {
            // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail
            double f = a;
            for (int k = 400; k >= 1; k--) f = a + (k / 2.0) / f;
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return Math.copySign(r, x);
    }

    @Test
    void erfIsAccurateInFloat64() {
        double[] y = Functional.erf(Tensor.of(ERF_X)).toDoubleArray();
        for (int i = 0; i < ERF_X.length; i++) assertEquals(ERF_Y[i], y[i], 1e-15, "erf(" + ERF_X[i] + ")");
        int n = 20001;
        Tensor grid = Tensor.linspace(DType.FLOAT64, -7, 7, n);
        double[] xs = grid.toDoubleArray(), e = Functional.erf(grid).toDoubleArray();
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(e[i] - erfReference(xs[i])));
        assertTrue(worst < 2e-15, "max |erf − reference| " + worst + " (the promise is ≤ 1e-7; the reference itself is good to ~1e-15)");
        double[] inf = Functional.erf(Tensor.of(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN}))
                .toDoubleArray();
        assertEquals(1.0, inf[0]);
        assertEquals(-1.0, inf[1]);
        assertTrue(Double.isNaN(inf[2]));
        float[] e32 = Functional.erf(Tensor.of(new float[] {-2f, 0.5f, 1f, 3f})).toFloatArray();
        assertEquals(-0.9953222650189527, e32[0], 3e-7);
        assertEquals(0.5204998778130465, e32[1], 3e-7);
        assertEquals(0.8427007929497149, e32[2], 3e-7);
        assertEquals(0.9999779095030014, e32[3], 3e-7);
    }

    @Test
    void erfDerivativeIsTwoOverRootPiTimesGaussian() {
        Tensor x = Tensor.linspace(DType.FLOAT64, -6, 6, 2401).requiresGrad(true);
        Functional.erf(x).sum().backward();
        double[] xs = x.detach().toDoubleArray(), g = x.grad().toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            double expected = 2 / Math.sqrt(Math.PI) * Math.exp(-xs[i] * xs[i]);
            assertEquals(expected, g[i], 1e-13, "erf'(" + xs[i] + ")");
        }
    }

    @Test
    void softmaxAndLogSoftmax() {
        double[] p = apply(new Softmax(), new double[] {1000, 1001, 1002});
        assertArrayEquals(new double[] {0.0900306, 0.2447285, 0.6652410}, p, 5e-8);
        Tensor x = Tensor.randn(new Generator(3), DType.FLOAT64, 4, 5);
        double[] rows = new Softmax(1).forward(x).sum(1, false).toDoubleArray();
        for (double r : rows) assertEquals(1.0, r, 1e-15);
        double[] cols = new Softmax(0).forward(x).sum(0, false).toDoubleArray();
        for (double c : cols) assertEquals(1.0, c, 1e-15);
        assertTrue(new LogSoftmax(1).forward(x).allClose(new Softmax(1).forward(x).log(), 1e-12, 1e-12));
    }

    // ---------------------------------------------------------------- gradchecks (float64)

    private static void gradcheck(Layer m, Tensor x, boolean secondOrder) {
        m.toType(DType.FLOAT64);
        List<Tensor> inputs = new java.util.ArrayList<>();
        inputs.add(x);
        inputs.addAll(m.parameters());
        Gradcheck.assertGradients(xs -> m.forward(xs.get(0)), inputs, secondOrder);
    }

    private static Tensor input(long seed, int... shape) {
        // standard normal, kept away from 0 (the kink of ReLU-like functions) by at least 0.05
        Tensor x = Tensor.randn(new Generator(seed), DType.FLOAT64, shape);
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) if (Math.abs(v[i]) < 0.05) v[i] = Math.copySign(0.05 + Math.abs(v[i]), v[i]);
        return Tensor.of(v, shape).requiresGrad(true);
    }

    @Test
    void gradcheckLinear() {
        gradcheck(new Linear(3, 4, new Generator(1)), input(2, 5, 3), true);
        gradcheck(new Linear(3, 2, false, new Generator(1)), input(3, 2, 3), false);
    }

    @Test
    void gradcheckActivations() {
        List<Supplier<Layer>> modules = List.of(Sigmoid::new, Tanh::new, ReLU::new, () -> new LeakyReLU(0.1), () -> new ELU(0.8),
                GELU::new, () -> new GELU(true), () -> new Softmax(1), () -> new LogSoftmax(1), Flatten::new, Identity::new);
        for (Supplier<Layer> s : modules) {
            Layer m = s.get();
            try {
                gradcheck(m, input(11, 3, 4), true);
            } catch (AssertionError e) {
                throw new AssertionError(m + ": " + e.getMessage(), e);
            }
        }
        // GELU's gradient at 0 (where erf's |x| is taken) and far out
        Tensor x = Tensor.of(new double[] {0.0, -8, 8, 1e-9}).requiresGrad(true);
        Gradcheck.assertGradients(xs -> new GELU().forward(xs.get(0)), List.of(x), true);
    }

    @Test
    void gradcheckDropoutWithAFixedMask() {
        Tensor x = input(5, 6, 4);
        Gradcheck.assertGradients(xs -> new Dropout(0.5, new Generator(3)).forward(xs.get(0)), List.of(x), true);
    }

    @Test
    void gradcheckSequential() {
        Sequential net = new Sequential(new Linear(2, 5, new Generator(1)), new Tanh(), new Linear(5, 3, new Generator(2)),
                new Sigmoid(), new Linear(3, 1, new Generator(3)));
        gradcheck(net, input(4, 4, 2), true);
    }
}
