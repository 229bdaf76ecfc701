package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Dropout;
import dev.nabla.nn.Init;
import dev.nabla.nn.Linear;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.tensor.Generator;
import dev.nabla.train.BackpropTrace.LossKind;
import dev.nabla.train.BackpropTrace.Result;
import org.junit.jupiter.api.Test;

class BackpropTraceTest {

    @Test
    void theCourseExample() {
        Generator g = new Generator(0);
        Linear l1 = new Linear(1, 1, false, g), l2 = new Linear(1, 1, false, g);
        Init.constant(l1.weight(), 0.5);
        Init.constant(l2.weight(), -1.0);
        Result r = BackpropTrace.run(new Sequential(l1, new Sigmoid(), l2, new Sigmoid()), new double[] {1}, new double[] {0.5},
                LossKind.HALF_SQUARED_ERROR, 0.1);
        assertEquals(0.6224593312, r.layers().get(0).a()[0], 1e-10);
        assertEquals(0.3492223218, r.output()[0], 1e-10);
        assertEquals(0.0113669541, r.loss(), 1e-10);
        assertEquals(-0.0213295983, r.layers().get(1).gradW()[0][0], 1e-10);
        assertEquals(0.0080527908, r.layers().get(0).gradW()[0][0], 1e-10);
        assertEquals(0.4991947209, r.layers().get(0).newW()[0][0], 1e-10);
        assertEquals(-0.9978670402, r.layers().get(1).newW()[0][0], 1e-10);
        assertTrue(r.maxDifference() < 1e-16, "hand and autograd: " + r.maxDifference());
        // the model is not changed by the trace
        assertEquals(0.5, l1.weight().item(), 0.0);
    }

    @Test
    void aDeeperNetworkAgreesWithAutogradAndFiniteDifferences() {
        Generator g = new Generator(4);
        Sequential net = new Sequential(new Linear(3, 5, g), new Tanh(), new Linear(5, 4, g), new ReLU(),
                new Linear(4, 4, g), new Sigmoid(), new Linear(4, 2, g));
        double[] x = {0.3, -1.2, 0.7}, y = {0.5, -0.25};
        Result r = BackpropTrace.run(net, x, y, LossKind.MSE, 0.05);
        assertEquals(4, r.layers().size());
        assertEquals("identity", r.layers().get(3).activation());
        assertTrue(r.maxDifference() < 1e-14, "hand and autograd: " + r.maxDifference());
        for (var l : r.layers()) {
            assertArrayEquals(l.delta(), l.autogradDelta(), 1e-14);
            assertArrayEquals(l.gradB(), l.autogradB(), 1e-14);
        }
        // ∂L/∂x by central differences of the hand forward pass
        for (int j = 0; j < 3; j++) {
            double[] xp = x.clone(), xm = x.clone();
            xp[j] += 1e-6;
            xm[j] -= 1e-6;
            double num = (BackpropTrace.run(net, xp, y, LossKind.MSE, 0).loss() - BackpropTrace.run(net, xm, y, LossKind.MSE, 0).loss()) / 2e-6;
            assertEquals(num, r.inputGradient()[j], 1e-8, "∂L/∂x" + j);
        }
        // the update is W − lr·∂L/∂W
        var l2 = r.layers().get(1);
        assertEquals(l2.w()[2][3] - 0.05 * l2.gradW()[2][3], l2.newW()[2][3], 1e-15);
    }

    @Test
    void unsupportedLayersAndShapesAreRefused() {
        Generator g = new Generator(1);
        var e = assertThrows(IllegalArgumentException.class, () -> BackpropTrace.run(
                new Sequential(new Linear(2, 2, g), new Dropout(0.5, g)), new double[] {1, 2}, new double[] {0, 0}, LossKind.MSE, 0.1));
        assertTrue(e.getMessage().contains("Dropout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BackpropTrace.run(
                new Sequential(new Linear(2, 2, g)), new double[] {1, 2, 3}, new double[] {0, 0}, LossKind.MSE, 0.1));
        assertTrue(e.getMessage().contains("takes 2"), e.getMessage());
    }
}
