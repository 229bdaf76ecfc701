package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LrFinderTest {
    /** y = 3x₁ − 2x₂ + 1 with a little noise. */
    private static TensorDataset linearData() {
        Generator g = new Generator(2);
        Tensor x = Tensor.randn(g, 512, 2);
        Tensor y = x.matmul(Tensor.of(new float[] {3, -2}, 2, 1)).add(1).add(Tensor.randn(g, 512, 1).mul(0.1));
        return new TensorDataset(x, y);
    }

    @Test
    void sweepsExponentiallyStopsWhenTheLossExplodesAndRestoresEverything() {
        Generator g = new Generator(3);
        Sequential net = new Sequential(new Linear(2, 16, g), new Tanh(), new Linear(16, 1, g));
        Adam adam = new Adam(net.parameters(), 1e-3);
        // some optimizer state to restore
        adam.zeroGrad();
        Losses.mseLoss(net.forward(linearData().inputs()), linearData().targets()).backward();
        adam.step();
        Map<String, Tensor> before = net.stateDict();
        Map<String, Tensor> weights = new java.util.LinkedHashMap<>();
        for (var e : before.entrySet()) weights.put(e.getKey(), e.getValue().copy());
        Map<String, Tensor> optBefore = adam.stateDict();

        LrFinder finder = new LrFinder(net, adam, Losses::mseLoss).batchSize(32);
        assertEquals(1e-7, finder.lrAt(0), 1e-20);
        assertEquals(10, finder.lrAt(99), 1e-12);
        assertEquals(Math.sqrt(1e-7 * 10), finder.lrAt(99) * Math.pow(1e-8, 0.5), 1e-12);
        LrFinder.Result r = finder.run(linearData());
        assertTrue(r.steps() > 10 && r.steps() <= 100, "steps " + r.steps());
        for (int i = 1; i < r.steps(); i++) assertEquals(r.lrs()[i - 1] * Math.pow(1e8, 1.0 / 99), r.lrs()[i], 1e-9 * r.lrs()[i]);
        assertTrue(r.suggestion() > 1e-4 && r.suggestion() < 1, "suggestion " + r.suggestion());
        assertTrue(r.suggestion() <= r.minLr());
        assertEquals(r.minLr() / 10, r.minDiv10(), 0.0);
        assertTrue(r.smoothed()[r.suggestionIndex()] < r.smoothed()[0], "the loss falls at the suggestion");

        for (var e : net.stateDict().entrySet()) {
            assertArrayEquals(weights.get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), "weights " + e.getKey() + " restored");
        }
        Map<String, Tensor> optAfter = adam.stateDict();
        assertEquals(optBefore.keySet(), optAfter.keySet());
        for (var e : optBefore.entrySet()) {
            assertArrayEquals(e.getValue().toDoubleArray(), optAfter.get(e.getKey()).toDoubleArray(), "optimizer " + e.getKey());
        }
        assertEquals(1e-3, adam.lr(), 0.0);
    }

    @Test
    void plainSgdOnALinearModelDivergesAndStopsEarly() {
        Generator g = new Generator(4);
        Linear lin = new Linear(2, 1, g);
        LrFinder.Result r = new LrFinder(lin, new SGD(lin.parameters(), 0.01), Losses::mseLoss).run(linearData());
        assertTrue(r.stoppedEarly(), "SGD at lr 10 on this problem diverges");
        double last = r.movingAverage()[r.steps() - 1];
        double best = java.util.Arrays.stream(r.movingAverage()).min().orElseThrow();
        assertTrue(last > 4 * best, last + " vs best " + best);
        // the curvature of this loss is 2·E[x²] ≈ 2: SGD diverges above lr ≈ 1, so the suggestion is below
        assertTrue(r.suggestion() > 1e-3 && r.suggestion() < 1, "suggestion " + r.suggestion());
    }

    @Test
    void theSteepestDescentOfAKnownCurve() {
        int n = 50;
        double[] lr = new double[n], loss = new double[n];
        for (int i = 0; i < n; i++) {
            lr[i] = Math.pow(10, -6 + 6.0 * i / (n - 1));
            double l = Math.log10(lr[i]);
            loss[i] = 2 - Math.tanh(2 * (l + 3)) + (i > 44 ? 10 : 0); // steepest at lr = 1e-3, then a blow-up
        }
        LrFinder.Result r = LrFinder.result(lr, loss, loss, true);
        assertEquals(3, r.smoothed()[0], 0.01);
        assertEquals(1e-3, r.suggestion(), 1e-3 * 0.2);
        // the running median (±3 steps) reaches its minimum 3 steps before the blow-up
        assertEquals(lr[41], r.minLr(), 0.0);
    }

    @Test
    void aSweepWhoseLossNeverClearlyFallsIsInconclusive() {
        double[] lrs = new double[20], flat = new double[20], falling = new double[20];
        for (int i = 0; i < 20; i++) {
            lrs[i] = 1e-6 * Math.pow(10, i / 4.0);
            flat[i] = 1.0 - 0.004 * i + 0.01 * (i % 2); // wobbles, ends 7.6% down: noise, not a fall
            falling[i] = i < 10 ? 1.0 - 0.05 * i : 0.55 + 0.2 * (i - 10);
        }
        assertFalse(LrFinder.result(lrs, flat, flat, false).conclusive());
        LrFinder.Result r = LrFinder.result(lrs, falling, falling, false);
        assertTrue(r.conclusive());
        assertTrue(r.suggestion() < r.minLr(), r.suggestion() + " before the minimum " + r.minLr());
    }
}
