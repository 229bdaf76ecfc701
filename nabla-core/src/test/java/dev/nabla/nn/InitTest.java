package dev.nabla.nn;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Init.FanMode;
import dev.nabla.nn.Init.Nonlinearity;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InitTest {
    private static double[] meanStd(Tensor t) {
        double[] v = t.toDoubleArray();
        double m = 0;
        for (double x : v) m += x;
        m /= v.length;
        double s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return new double[] {m, Math.sqrt(s / v.length)};
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double x : t.toDoubleArray()) m = Math.max(m, Math.abs(x));
        return m;
    }

    @Test
    void fansAsPyTorch() {
        assertArrayEquals(new int[] {30, 20}, Init.fans(Tensor.zeros(20, 30)));
        assertArrayEquals(new int[] {3 * 9, 64 * 9}, Init.fans(Tensor.zeros(64, 3, 3, 3)));
        var e = assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(Tensor.zeros(5)));
    }

    @Test
    void gainsAsPyTorch() {
        assertEquals(1.0, Init.calculateGain(Nonlinearity.LINEAR));
        assertEquals(1.0, Init.calculateGain(Nonlinearity.SIGMOID));
        assertEquals(5.0 / 3, Init.calculateGain(Nonlinearity.TANH));
        assertEquals(Math.sqrt(2), Init.calculateGain(Nonlinearity.RELU));
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.calculateGain(Nonlinearity.LEAKY_RELU));
        assertEquals(Math.sqrt(2 / 6.0), Init.calculateGain(Nonlinearity.LEAKY_RELU, Math.sqrt(5)), 1e-15);
        assertEquals(0.75, Init.calculateGain(Nonlinearity.SELU));
    }

    @Test
    void xavierUniformBoundAndSpread() {
        Tensor t = Tensor.zeros(300, 500);
        assertSame(t, Init.xavierUniform(t, 2.0, new Generator(1)));
        double bound = 2.0 * Math.sqrt(6.0 / 800);
        assertTrue(maxAbs(t) <= bound);
        assertTrue(maxAbs(t) > 0.999 * bound);
        double[] ms = meanStd(t);
        assertEquals(0, ms[0], 0.01 * bound);
        assertEquals(bound / Math.sqrt(3), ms[1], 0.01 * bound);
    }

    @Test
    void xavierNormalStd() {
        Tensor t = Init.xavierNormal(Tensor.zeros(DType.FLOAT64, 400, 600), 1.5, new Generator(2));
        double[] ms = meanStd(t);
        double std = 1.5 * Math.sqrt(2.0 / 1000);
        assertEquals(0, ms[0], 0.01 * std);
        assertEquals(std, ms[1], 0.01 * std);
    }

    @Test
    void kaimingStdForEachModeAndNonlinearity() {
        Tensor u = Init.kaimingUniform(Tensor.zeros(250, 1000), 0, FanMode.FAN_IN, Nonlinearity.RELU, new Generator(3));
        double std = Math.sqrt(2) / Math.sqrt(1000);
        assertEquals(std, meanStd(u)[1], 0.01 * std);
        assertTrue(maxAbs(u) <= Math.sqrt(3) * std);

        Tensor n = Init.kaimingNormal(Tensor.zeros(250, 1000), 0, FanMode.FAN_OUT, Nonlinearity.RELU, new Generator(4));
        double stdOut = Math.sqrt(2) / Math.sqrt(250);
        assertEquals(stdOut, meanStd(n)[1], 0.01 * stdOut);

        Tensor l = Init.kaimingNormal(Tensor.zeros(500, 500), 0.2, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, new Generator(5));
        double stdLeaky = Math.sqrt(2 / 1.04) / Math.sqrt(500);
        assertEquals(stdLeaky, meanStd(l)[1], 0.01 * stdLeaky);

        Tensor tanh = Init.kaimingUniform(Tensor.zeros(500, 500), 0, FanMode.FAN_IN, Nonlinearity.TANH, new Generator(6));
        double stdTanh = 5.0 / 3 / Math.sqrt(500);
        assertEquals(stdTanh, meanStd(tanh)[1], 0.01 * stdTanh);
        // defaults: a = 0, FAN_IN, LEAKY_RELU (gain √2)
        Generator.seedGlobal(7);
        Tensor d = Init.kaimingUniform(Tensor.zeros(500, 500));
        assertEquals(Math.sqrt(2) / Math.sqrt(500), meanStd(d)[1], 0.01 * Math.sqrt(2) / Math.sqrt(500));
    }

    @Test
    void plainInitializers() {
        Tensor p = Tensor.zeros(1000, 200).requiresGrad(true); // a parameter: init must work while grad mode is on
        Init.uniform(p, -2, 3, new Generator(1));
        double[] ms = meanStd(p);
        assertEquals(0.5, ms[0], 0.02);
        assertEquals(5 / Math.sqrt(12), ms[1], 0.01);
        assertTrue(p.isLeaf() && p.requiresGrad());
        Init.normal(p, 1.5, 0.5, new Generator(2));
        ms = meanStd(p);
        assertEquals(1.5, ms[0], 0.01);
        assertEquals(0.5, ms[1], 0.005);
        Init.constant(p, 0.3);
        for (double v : p.toDoubleArray()) assertEquals(0.3f, v);
        Init.zeros(p);
        assertEquals(0.0, maxAbs(p));
        Init.ones(p);
        assertEquals(1.0, meanStd(p)[0]);
        assertContentEquals(Init.uniform(Tensor.zeros(5), 0, 1, new Generator(9)), Init.uniform(Tensor.zeros(5), 0, 1, new Generator(9)));
        assertFalse(Init.normal(Tensor.zeros(5), 0, 1, new Generator(9)).contentEquals(Init.normal(Tensor.zeros(5), 0, 1, new Generator(10))));
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(Tensor.zeros(2), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Init.constant(Tensor.zeros(DType.INT64, 2), 1));
    }

    /** The course's weight-symmetry demo: with all weights equal, every hidden unit stays identical under training. */
    @Test
    void constantInitKeepsHiddenUnitsIdentical() {
        Sequential net = new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 1));
        net.apply(m -> {
            if (m instanceof Linear l) {
                Init.constant(l.weight(), 0.5);
                Init.constant(l.bias(), 0.1);
            }
        });
        Generator g = new Generator(1);
        Tensor x = Tensor.randn(g, 16, 3), y = Tensor.randn(g, 16, 1);
        for (int step = 0; step < 20; step++) {
            net.zeroGrad();
            Losses.mseLoss(net.forward(x), y).backward();
            try (var s = GradMode.noGrad()) {
                for (Tensor p : net.parameters()) p.subInPlace(p.grad().mul(0.1));
            }
        }
        Tensor w = ((Linear) net.get(0)).weight();
        for (int unit = 1; unit < 4; unit++) assertTrue(w.select(0, 0).allClose(w.select(0, unit), 0, 1e-7), "unit " + unit);
        assertNotEquals(0.5, w.get(0, 0)); // it did train
        // random init breaks the symmetry
        Tensor r = new Linear(3, 4, new Generator(2)).weight();
        assertFalse(r.select(0, 0).contentEquals(r.select(0, 1)));
    }
}
