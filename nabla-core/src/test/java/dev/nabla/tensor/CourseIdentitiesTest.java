package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Autograd;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The identities and worked numbers of COURSE.md (Activations, losses, backpropagation, gradient
 * descent, Newton), checked numerically with nabla's ops and autograd, in float64.
 */
class CourseIdentitiesTest {
    private static final DType F64 = DType.FLOAT64;

    /** linspace(−20, 20) plus random points in the same range, float64. */
    private static Tensor xs() {
        Tensor grid = Tensor.linspace(F64, -20, 20, 4001);
        Tensor rnd = Tensor.uniform(new Generator(7), F64, -20, 20, 2000);
        return Tensor.cat(List.of(grid, rnd), 0);
    }

    private static void assertClose(Tensor expected, Tensor actual, double atol, String what) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what + ": length");
        for (int i = 0; i < e.length; i++) {
            double tol = atol + 1e-12 * Math.abs(e[i]);
            if (!(Math.abs(e[i] - a[i]) <= tol)) {
                throw new AssertionError(what + " at element " + i + ": expected " + e[i] + " got " + a[i]);
            }
        }
    }

    /** d/dx of sum(f(x)) by autograd: the elementwise derivative f'(x). */
    private static Tensor derivative(UnaryOperator<Tensor> f, Tensor x) {
        Tensor at = x.detach().requiresGrad(true);
        f.apply(at).sum().backward();
        return at.grad();
    }

    @Test
    void sigmoidIsSymmetric() {
        Tensor x = xs();
        assertClose(x.sigmoid().rsub(1), x.neg().sigmoid(), 1e-15, "σ(−x) = 1 − σ(x)");
    }

    @Test
    void tanhIsAScaledSigmoid() {
        Tensor x = xs();
        assertClose(x.tanh(), x.mul(2).sigmoid().mul(2).sub(1), 1e-15, "tanh(x) = 2σ(2x) − 1");
        // and the converse used to turn a sigmoid net into a tanh net: σ(a) = (1 + tanh(a/2))/2
        assertClose(x.sigmoid(), x.div(2).tanh().add(1).div(2), 1e-15, "σ(x) = (1 + tanh(x/2))/2");
    }

    @Test
    void sigmoidDerivativeByAutograd() {
        Tensor x = xs();
        Tensor d = derivative(Tensor::sigmoid, x);
        Tensor s = x.sigmoid();
        assertClose(s.mul(s.rsub(1)), d, 1e-15, "σ'(x) = σ(x)(1 − σ(x))");
        assertClose(x.neg().sigmoid().mul(s), d, 1e-15, "σ'(x) = σ(−x)σ(x)");
        double[] v = d.toDoubleArray();
        for (double e : v) assertTrue(e > 0 && e <= 0.25, "0 < σ'(x) ≤ 1/4, got " + e);
        assertEquals(0.25, derivative(Tensor::sigmoid, Tensor.scalar(F64, 0)).item(), 0.0, "σ'(0)");
    }

    @Test
    void tanhDerivativeByAutograd() {
        Tensor x = xs();
        Tensor d = derivative(Tensor::tanh, x);
        Tensor s2 = x.mul(2).sigmoid();
        assertClose(s2.rsub(1).mul(s2).mul(4), d, 1e-15, "tanh'(x) = 4(1 − σ(2x))σ(2x)");
        // tanh(x) rounds to ±1 beyond |x| ≈ 18.7 in float64, so tanh' is exactly 0 there.
        Tensor inner = Tensor.linspace(F64, -15, 15, 3001);
        for (double e : derivative(Tensor::tanh, inner).toDoubleArray()) {
            assertTrue(e > 0 && e <= 1, "0 < tanh'(x) ≤ 1, got " + e);
        }
        assertEquals(1.0, derivative(Tensor::tanh, Tensor.scalar(F64, 0)).item(), 0.0, "tanh'(0)");
    }

    @Test
    void softmaxIsShiftInvariant() {
        Generator gen = new Generator(11);
        Tensor y = Tensor.randn(gen, F64, 8, 10).mul(5);
        Tensor p = y.softmax(1);
        for (double c : new double[] {-50, -1, 0.5, 3, 100, 700}) {
            assertClose(p, y.add(c).softmax(1), 1e-15, "softmax(y + " + c + ")");
        }
        Tensor perRow = Tensor.randn(gen, F64, 8, 1).mul(30);
        assertClose(p, y.add(perRow).softmax(1), 1e-15, "softmax(y + c·1) per row");
        assertClose(Tensor.ones(F64, 8), p.sum(1, false), 1e-15, "rows sum to 1");
    }

    @Test
    void softmaxOfLargeLogitsIsFinite() {
        double[] expected = {0.0900306, 0.2447285, 0.6652410};
        for (DType dt : new DType[] {DType.FLOAT32, F64}) {
            Tensor y = Tensor.of(new double[] {1000, 1001, 1002}).toType(dt);
            double[] p = y.softmax(0).toDoubleArray();
            assertEquals(dt, y.softmax(0).dtype());
            for (int i = 0; i < 3; i++) {
                assertTrue(Double.isFinite(p[i]), dt + ": softmax must be finite");
                assertEquals(expected[i], p[i], 1e-7, dt + ": softmax(1000, 1001, 1002)[" + i + "]");
            }
        }
    }

    @Test
    void crossEntropyWithNaturalLog() {
        Tensor y = Tensor.of(new double[] {1, 0, 0});
        Tensor yHat = Tensor.of(new double[] {0.1, 0.4, 0.5});
        Tensor yHat2 = Tensor.of(new double[] {0.6, 0.3, 0.1});
        assertEquals(2.302585, y.mul(yHat.log()).sum().neg().item(), 1e-6);
        assertEquals(0.510826, y.mul(yHat2.log()).sum().neg().item(), 1e-6);
        // the midterm's answers used log base 10
        double ln10 = Math.log(10);
        assertEquals(1.0, y.mul(yHat.log().div(ln10)).sum().neg().item(), 1e-12);
        assertEquals(0.2218, y.mul(yHat2.log().div(ln10)).sum().neg().item(), 1e-4);
        // not symmetric: H(ŷ, ŷ') ≠ H(ŷ', ŷ)
        double h12 = yHat.mul(yHat2.log()).sum().neg().item();
        double h21 = yHat2.mul(yHat.log()).sum().neg().item();
        assertTrue(Math.abs(h12 - h21) > 1e-3, "cross-entropy is not symmetric");
    }

    @Test
    void manualBackpropTwoLayerNet() {
        Tensor x = Tensor.scalar(F64, 1.0);
        Tensor w1 = Tensor.scalar(F64, 0.5).requiresGrad(true);
        Tensor w2 = Tensor.scalar(F64, -1.0).requiresGrad(true);
        double target = 0.5, lr = 0.1;
        Tensor h = w1.mul(x).sigmoid();
        Tensor yHat = w2.mul(h).sigmoid();
        Tensor loss = yHat.rsub(target).square().mul(0.5);
        assertEquals(0.6224593312, h.item(), 1e-10, "h");
        assertEquals(0.3492223218, yHat.item(), 1e-10, "ŷ");
        assertEquals(0.0113669541, loss.item(), 1e-10, "loss");
        loss.backward();
        assertEquals(-0.0213295983, w2.grad().item(), 1e-10, "∂L/∂w2");
        assertEquals(0.0080527908, w1.grad().item(), 1e-10, "∂L/∂w1");
        try (var s = GradMode.noGrad()) {
            w1.subInPlace(w1.grad().mul(lr));
            w2.subInPlace(w2.grad().mul(lr));
        }
        assertEquals(0.4991947209, w1.item(), 1e-10, "w1 after the step");
        assertEquals(-0.9978670402, w2.item(), 1e-10, "w2 after the step");
    }

    private static double sig(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void inputGradientOfTwoLayerSigmoidNet() {
        Generator gen = new Generator(3);
        int n0 = 3, n1 = 4, n2 = 2;
        Tensor w1 = Tensor.randn(gen, F64, n1, n0), b1 = Tensor.randn(gen, F64, n1);
        Tensor w2 = Tensor.randn(gen, F64, n2, n1), b2 = Tensor.randn(gen, F64, n2);
        Tensor x0 = Tensor.randn(gen, F64, n0);
        UnaryOperator<Tensor> net = x -> w2.matmul(w1.matmul(x).add(b1).sigmoid()).add(b2).sigmoid();

        // σ'(Z2) W2 diag(σ'(Z1)) W1, in plain Java
        double[][] W1 = rows(w1), W2 = rows(w2);
        double[] x = x0.toDoubleArray(), bb1 = b1.toDoubleArray(), bb2 = b2.toDoubleArray();
        double[] z1 = new double[n1], a1 = new double[n1], z2 = new double[n2];
        for (int i = 0; i < n1; i++) {
            z1[i] = bb1[i];
            for (int j = 0; j < n0; j++) z1[i] += W1[i][j] * x[j];
            a1[i] = sig(z1[i]);
        }
        for (int i = 0; i < n2; i++) {
            z2[i] = bb2[i];
            for (int j = 0; j < n1; j++) z2[i] += W2[i][j] * a1[j];
        }
        double[][] jac = new double[n2][n0];
        for (int i = 0; i < n2; i++) {
            double s2 = sig(z2[i]) * (1 - sig(z2[i]));
            for (int j = 0; j < n0; j++) {
                double acc = 0;
                for (int h = 0; h < n1; h++) acc += W2[i][h] * sig(z1[h]) * (1 - sig(z1[h])) * W1[h][j];
                jac[i][j] = s2 * acc;
            }
        }
        for (int i = 0; i < n2; i++) {
            Tensor in = x0.detach().requiresGrad(true);
            Tensor g = Autograd.grad(net.apply(in).select(0, i), in, false);
            assertArrayEquals(jac[i], g.toDoubleArray(), 1e-14, "row " + i + " of ∇ₓa[L]");
        }
        Tensor jAll = Autograd.jacobian(net, x0);
        assertArrayEquals(new int[] {n2, n0}, jAll.shape());
        for (int i = 0; i < n2; i++) assertArrayEquals(jac[i], jAll.select(0, i).toDoubleArray(), 1e-14);
    }

    /**
     * The report's formula for any depth: with a^[l] = σ(W^[l] a^[l−1] + b^[l]),
     * ∇ₓa^[L] = diag(σ'(Z^[L])) W^[L] diag(σ'(Z^[L−1])) W^[L−1] … diag(σ'(Z^[1])) W^[1],
     * multiplied out as plain matrices and compared with autograd's Jacobian (4 layers).
     */
    @Test
    void inputGradientOfADeepSigmoidNetIsTheProductOfWAndDiagSigmaPrime() {
        Generator gen = new Generator(8);
        int[] widths = {3, 5, 4, 6, 2};
        int layers = widths.length - 1;
        Tensor[] w = new Tensor[layers], b = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            w[l] = Tensor.randn(gen, F64, widths[l + 1], widths[l]);
            b[l] = Tensor.randn(gen, F64, widths[l + 1]).mul(0.5);
        }
        Tensor x0 = Tensor.randn(gen, F64, widths[0]);
        UnaryOperator<Tensor> net = x -> {
            Tensor a = x;
            for (int l = 0; l < layers; l++) a = w[l].matmul(a).add(b[l]).sigmoid();
            return a;
        };
        // forward in plain Java, keeping σ'(Z^[l])
        double[] a = x0.toDoubleArray();
        double[][] sp = new double[layers][];
        for (int l = 0; l < layers; l++) {
            double[][] wl = rows(w[l]);
            double[] bl = b[l].toDoubleArray(), next = new double[wl.length];
            sp[l] = new double[wl.length];
            for (int i = 0; i < wl.length; i++) {
                double z = bl[i];
                for (int j = 0; j < a.length; j++) z += wl[i][j] * a[j];
                next[i] = sig(z);
                sp[l][i] = sig(z) * (1 - sig(z));
            }
            a = next;
        }
        // J = diag(σ'(Z^[1])) W^[1], then J ← diag(σ'(Z^[l])) W^[l] J for l = 2..L
        double[][] jac = null;
        for (int l = 0; l < layers; l++) {
            double[][] wl = rows(w[l]);
            double[][] m = new double[wl.length][];
            for (int i = 0; i < wl.length; i++) {
                double[] row = new double[widths[0]];
                for (int j = 0; j < widths[0]; j++) {
                    if (jac == null) {
                        row[j] = wl[i][j];
                    } else {
                        for (int k = 0; k < wl[i].length; k++) row[j] += wl[i][k] * jac[k][j];
                    }
                    row[j] *= sp[l][i];
                }
                m[i] = row;
            }
            jac = m;
        }
        Tensor auto = Autograd.jacobian(net, x0);
        assertArrayEquals(new int[] {widths[layers], widths[0]}, auto.shape());
        for (int i = 0; i < jac.length; i++) {
            assertArrayEquals(jac[i], auto.select(0, i).toDoubleArray(), 1e-15, "row " + i + " of ∇ₓa[L]");
        }
        // and through backward(): the gradient of output i with respect to the input is row i
        for (int i = 0; i < jac.length; i++) {
            Tensor in = x0.detach().requiresGrad(true);
            net.apply(in).select(0, i).backward();
            assertArrayEquals(jac[i], in.grad().toDoubleArray(), 1e-15, "x.grad for output " + i);
        }
    }

    private static double[][] rows(Tensor m) {
        double[][] r = new double[m.size(0)][];
        for (int i = 0; i < r.length; i++) r[i] = m.select(0, i).toDoubleArray();
        return r;
    }

    @Test
    void logisticRegressionGradient() {
        Generator gen = new Generator(5);
        int m = 20, d = 3;
        Tensor xm = Tensor.randn(gen, F64, m, d);
        Tensor y = Tensor.randint(gen, 0, 2, m).toType(F64);
        Tensor w = Tensor.randn(gen, F64, 1, d).requiresGrad(true);
        Tensor b = Tensor.randn(gen, F64, 1).requiresGrad(true);
        Tensor z = xm.matmul(w.t()).reshape(m).add(b);
        Tensor p = z.sigmoid();
        Tensor loss = y.mul(p.log()).add(y.rsub(1).mul(p.rsub(1).log())).sum().neg();
        loss.backward();

        double[] zz = z.toDoubleArray(), yy = y.toDoubleArray();
        double[] expectW = new double[d];
        double expectB = 0;
        for (int i = 0; i < m; i++) {
            double r = sig(zz[i]) - yy[i];
            for (int j = 0; j < d; j++) expectW[j] += r * xm.get(i, j);
            expectB += r;
        }
        assertArrayEquals(new int[] {1, d}, w.grad().shape());
        assertArrayEquals(expectW, w.grad().toDoubleArray(), 1e-12, "∂L/∂W = Σ(σ(zᵢ) − yᵢ)xᵢᵀ");
        assertEquals(expectB, b.grad().item(), 1e-12, "∂L/∂b = Σ(σ(zᵢ) − yᵢ)");
    }

    @Test
    void newtonConvergesInOneStepOnAQuadratic() {
        UnaryOperator<Tensor> f = x -> x.square().add(4).sum();
        Tensor x = Tensor.of(new double[] {10});
        Tensor g = Autograd.grad(f).apply(x);
        Tensor h = Autograd.hessian(f, x);
        assertArrayEquals(new int[] {1, 1}, h.shape());
        assertEquals(2.0, h.item(), 0.0, "f'' = 2");
        Tensor x1 = x.sub(g.div(h.reshape(1)));
        assertEquals(0.0, x1.item(), 1e-15, "Newton's step lands on the minimum");
        assertEquals(4.0, f.apply(x1).item(), 1e-15);

        // f = xᵀAx + bᵀx + c with A positive definite: one step reaches ∇f = 0
        Tensor a = Tensor.of(new double[][] {{3, 1}, {1, 2}});
        Tensor bv = Tensor.of(new double[] {1, -1});
        UnaryOperator<Tensor> q = v -> v.matmul(a.matmul(v)).add(bv.matmul(v)).add(7);
        Tensor v0 = Tensor.of(new double[] {5, -7});
        Tensor hq = Autograd.hessian(q, v0);
        assertTrue(hq.allClose(a.mul(2), 0, 1e-14), "Hessian = 2A, got " + hq);
        Tensor gq = Autograd.grad(q).apply(v0);
        double[][] hm = rows(hq);
        double det = hm[0][0] * hm[1][1] - hm[0][1] * hm[1][0];
        double[] gg = gq.toDoubleArray();
        Tensor step = Tensor.of(new double[] {
            (hm[1][1] * gg[0] - hm[0][1] * gg[1]) / det, (-hm[1][0] * gg[0] + hm[0][0] * gg[1]) / det});
        Tensor v1 = v0.sub(step);
        assertArrayEquals(new double[] {0, 0}, Autograd.grad(q).apply(v1).toDoubleArray(), 1e-13);
    }

    @Test
    void gradientDescentOnParabola() {
        Tensor x = Tensor.scalar(F64, 10);
        for (int k = 0; k < 30; k++) {
            Tensor at = x.detach().requiresGrad(true);
            Tensor fx = at.square().add(4);
            Tensor dfdx = Autograd.grad(fx, at, false);
            x = x.sub(dfdx.mul(0.1));
        }
        assertEquals(0.0123794004, x.item(), 1e-10, "x after 30 steps");
        assertEquals(10 * Math.pow(0.8, 30), x.item(), 1e-13, "x_k = 10·0.8^k");
        assertEquals(4.00015325, x.square().add(4).item(), 1e-8, "f after 30 steps");

        // lr = 1 oscillates between ±10; lr > 1 diverges
        UnaryOperator<Tensor> df = Autograd.grad(t -> t.square().add(4));
        Tensor y = Tensor.scalar(F64, 10), z = Tensor.scalar(F64, 10);
        for (int k = 1; k <= 6; k++) {
            y = y.sub(df.apply(y).mul(1.0));
            z = z.sub(df.apply(z).mul(1.1));
            assertEquals(k % 2 == 0 ? 10 : -10, y.item(), 0.0);
            assertEquals(10 * Math.pow(-1.2, k), z.item(), 1e-9);
        }
    }
}
