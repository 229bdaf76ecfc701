package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Gradcheck;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossesTest {
    private static final Tensor X = Tensor.of(new double[] {0.5, -1.0, 2.0, 3.0});
    private static final Tensor Y = Tensor.of(new double[] {1.0, -0.5, 2.5, 0.0});

    @Test
    void regressionLossesByHand() {
        // d = x − y = (−0.5, −0.5, −0.5, 3)
        assertEquals((3 * 0.25 + 9) / 4, Losses.mseLoss(X, Y).item(), 1e-15);
        assertEquals(2.4375, Losses.mseLoss(X, Y).item(), 1e-15);
        assertEquals(9.75, Losses.mseLoss(X, Y, Reduction.SUM).item(), 1e-15);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 9}, Losses.mseLoss(X, Y, Reduction.NONE).toDoubleArray(), 1e-15);
        assertEquals(1.125, Losses.l1Loss(X, Y).item(), 1e-15);
        assertEquals(4.5, Losses.l1Loss(X, Y, Reduction.SUM).item(), 1e-15);
        // Huber, delta 1: ½·0.25 three times, then 1·(3 − ½)
        assertEquals((3 * 0.125 + 2.5) / 4, Losses.huberLoss(X, Y).item(), 1e-15);
        // delta 2: ½·0.25 three times, then 2·(3 − 1)
        assertEquals((3 * 0.125 + 4) / 4, Losses.huberLoss(X, Y, 2.0).item(), 1e-15);
        assertArrayEquals(new double[] {0.125, 0.125, 0.125, 4}, Losses.huberLoss(X, Y, 2.0, Reduction.NONE).toDoubleArray(), 1e-15);
        assertEquals(DType.FLOAT32, Losses.mseLoss(Tensor.ones(3), Tensor.zeros(3)).dtype());
    }

    @Test
    void binaryCrossEntropyByHand() {
        double[] p = {0.9, 0.2, 0.6, 0.5}, t = {1, 0, 0, 1};
        double expected = 0;
        for (int i = 0; i < 4; i++) expected -= t[i] * Math.log(p[i]) + (1 - t[i]) * Math.log(1 - p[i]);
        assertEquals(expected / 4, Losses.binaryCrossEntropy(Tensor.of(p), Tensor.of(t)).item(), 1e-15);
        assertEquals(expected, Losses.binaryCrossEntropy(Tensor.of(p), Tensor.of(t), Reduction.SUM).item(), 1e-15);
        // soft targets
        assertEquals(-(0.3 * Math.log(0.6) + 0.7 * Math.log(0.4)),
                Losses.binaryCrossEntropy(Tensor.of(new double[] {0.6}), Tensor.of(new double[] {0.3})).item(), 1e-15);
    }

    @Test
    void binaryCrossEntropyIsFiniteAtZeroAndOne() {
        Tensor p = Tensor.of(new double[] {0.0, 1.0, 0.0, 1.0, 0.5}).requiresGrad(true);
        Tensor t = Tensor.of(new double[] {1.0, 0.0, 0.0, 1.0, 1.0});
        Tensor loss = Losses.binaryCrossEntropy(p, t, Reduction.NONE);
        assertArrayEquals(new double[] {100, 100, 0, 0, Math.log(2)}, loss.toDoubleArray(), 1e-12);
        loss.sum().backward();
        for (double g : p.grad().toDoubleArray()) assertTrue(Double.isFinite(g), "gradient " + g);
        Tensor p32 = Tensor.of(new float[] {0f, 1f}).requiresGrad(true);
        Tensor l32 = Losses.binaryCrossEntropy(p32, Tensor.of(new float[] {1f, 0f}));
        assertEquals(100.0, l32.item(), 1e-4);
        l32.backward();
        for (float g : p32.grad().toFloatArray()) assertTrue(Float.isFinite(g));
        // NaN is passed on (for stop-on-NaN), not hidden
        assertTrue(Double.isNaN(Losses.binaryCrossEntropy(Tensor.of(new double[] {Double.NaN}), Tensor.of(new double[] {1})).item()));
    }

    @Test
    void binaryCrossEntropyWithLogitsIsStable() {
        double[] z = {2.0, -1.0, 0.0, 30.0, -30.0, 800, -800}, t = {1, 0, 1, 0, 0.25, 1, 0};
        double expected = 0;
        for (int i = 0; i < z.length; i++) expected += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
        Tensor x = Tensor.of(z).requiresGrad(true);
        Tensor loss = Losses.binaryCrossEntropyWithLogits(x, Tensor.of(t));
        assertEquals(expected / z.length, loss.item(), 1e-13);
        loss.backward();
        double[] g = x.grad().toDoubleArray();
        for (int i = 0; i < z.length; i++) {
            assertEquals((1 / (1 + Math.exp(-z[i])) - t[i]) / z.length, g[i], 1e-15, "gradient at " + z[i]); // σ(x) − y, also at 0
        }
        // agrees with BCE on σ(x) where σ(x) is not saturated
        Tensor moderate = Tensor.of(new double[] {-3, -0.5, 0.1, 2.5});
        Tensor target = Tensor.of(new double[] {0, 1, 1, 0});
        assertEquals(Losses.binaryCrossEntropy(moderate.sigmoid(), target).item(),
                Losses.binaryCrossEntropyWithLogits(moderate, target).item(), 1e-14);
        // multi-label: one loss per label
        Tensor logits = Tensor.of(new double[][] {{1, -2, 0.5}, {0, 3, -1}});
        Tensor labels = Tensor.of(new double[][] {{1, 0, 1}, {0, 1, 1}});
        assertArrayEquals(new int[] {2, 3}, Losses.binaryCrossEntropyWithLogits(logits, labels, Reduction.NONE).shape());
    }

    @Test
    void courseCrossEntropyFigures() {
        // y = (1, 0, 0); ŷ = (0.1, 0.4, 0.5) gives 2.302585, ŷ' = (0.6, 0.3, 0.1) gives 0.510826 (natural log)
        Tensor probs = Tensor.of(new double[][] {{0.1, 0.4, 0.5}, {0.6, 0.3, 0.1}});
        Tensor labels = Tensor.of(new long[] {0, 0});
        Tensor oneHot = Tensor.of(new double[][] {{1, 0, 0}, {1, 0, 0}});
        double[] expected = {-Math.log(0.1), -Math.log(0.6)};
        assertEquals(2.302585, expected[0], 1e-6);
        assertEquals(0.510826, expected[1], 1e-6);

        // from logits: log ŷ are logits whose softmax is ŷ
        Tensor logits = probs.log();
        assertArrayEquals(expected, Losses.crossEntropy(logits, labels, Reduction.NONE).toDoubleArray(), 1e-15);
        assertArrayEquals(expected, Losses.crossEntropy(logits, oneHot, Reduction.NONE).toDoubleArray(), 1e-15);
        assertEquals((expected[0] + expected[1]) / 2, Losses.crossEntropy(logits, labels).item(), 1e-15);
        assertEquals(expected[0] + expected[1], Losses.crossEntropy(logits, labels, Reduction.SUM).item(), 1e-15);
        // softmax is shift-invariant: logits + 1000 give the same loss
        assertEquals(expected[0], Losses.crossEntropy(logits.select(0, 0).add(1000), Tensor.of(new long[] {0}).reshape()).item(), 1e-12);
        // from log-probabilities and from probabilities
        assertArrayEquals(expected, Losses.nllLoss(probs.log(), labels, Reduction.NONE).toDoubleArray(), 1e-15);
        assertArrayEquals(expected, Losses.categoricalCrossEntropy(probs, labels, Reduction.NONE).toDoubleArray(), 1e-15);
        assertArrayEquals(expected, Losses.categoricalCrossEntropy(probs, oneHot, Reduction.NONE).toDoubleArray(), 1e-15);
        // float32 too
        assertEquals(2.302585, Losses.crossEntropy(Tensor.of(new float[] {0.1f, 0.4f, 0.5f}).log(), Tensor.of(new long[] {0}).reshape()).item(), 1e-6);
        // a probability of exactly 0 for the true class: finite (clamped at −100), never NaN
        Tensor zero = Tensor.of(new double[][] {{0.0, 0.5, 0.5}}).requiresGrad(true);
        Tensor l = Losses.categoricalCrossEntropy(zero, Tensor.of(new long[] {0}));
        assertEquals(100.0, l.item(), 1e-12);
        l.backward();
        for (double g : zero.grad().toDoubleArray()) assertTrue(Double.isFinite(g));
    }

    @Test
    void crossEntropyWithSpatialDims() {
        Tensor logits = Tensor.randn(new Generator(1), DType.FLOAT64, 2, 3, 4); // [N, C, d]
        Tensor labels = Tensor.of(new long[] {0, 1, 2, 1, 2, 2, 0, 1}, 2, 4);
        Tensor l = Losses.crossEntropy(logits, labels, Reduction.NONE);
        assertArrayEquals(new int[] {2, 4}, l.shape());
        double expected = -logits.logSoftmax(1).get(1, 2, 0);
        assertEquals(expected, l.get(1, 0), 1e-15);
    }

    @Test
    void errorsNameTheLossAndShapes() {
        var shape = assertThrows(IllegalArgumentException.class, () -> Losses.mseLoss(Tensor.zeros(32, 1), Tensor.zeros(32)));
        assertTrue(shape.getMessage().startsWith("mseLoss: input of shape [32, 1] and target of shape [32] differ"), shape.getMessage());
        var ints = assertThrows(IllegalArgumentException.class, () -> Losses.l1Loss(Tensor.zeros(3), Tensor.of(new long[] {1, 2, 3})));
        assertTrue(ints.getMessage().contains("l1Loss: the target is int64"), ints.getMessage());
        var range = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(Tensor.zeros(4, 3), Tensor.of(new long[] {0, 1, 3, 2})));
        assertTrue(range.getMessage().contains("crossEntropy: label 3 at position 2 is outside [0, 3)"), range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.nllLoss(Tensor.zeros(2, 3), Tensor.of(new long[] {-1, 0})));
        var floatLabels = assertThrows(IllegalArgumentException.class, () -> Losses.nllLoss(Tensor.zeros(2, 3), Tensor.zeros(2)));
        assertTrue(floatLabels.getMessage().contains("nllLoss: the labels are float32 of shape [2]; class labels must be int64"),
                floatLabels.getMessage());
        var labelShape = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(Tensor.zeros(4, 3), Tensor.of(new long[] {0, 1, 2, 0}, 4, 1)));
        assertTrue(labelShape.getMessage().contains("needs labels of shape [4], got [4, 1]"), labelShape.getMessage());
        var probShape = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.zeros(4, 3), Tensor.zeros(4, 2)));
        assertTrue(probShape.getMessage().contains("crossEntropy: logits of shape [4, 3] and probability target of shape [4, 2]"),
                probShape.getMessage());
        var notProb = assertThrows(IllegalArgumentException.class,
                () -> Losses.binaryCrossEntropy(Tensor.of(new float[] {0.5f, 1.5f}), Tensor.zeros(2)));
        assertTrue(notProb.getMessage().contains("binaryCrossEntropy") && notProb.getMessage().contains("outside [0, 1]"),
                notProb.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.huberLoss(Tensor.zeros(2), Tensor.zeros(2), 0.0));
    }

    // ---------------------------------------------------------------- gradchecks (float64)

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), DType.FLOAT64, shape).requiresGrad(true);
    }

    private static Tensor uniform(long seed, double lo, double hi, int... shape) {
        return Tensor.uniform(new Generator(seed), DType.FLOAT64, lo, hi, shape).requiresGrad(true);
    }

    @Test
    void gradcheckRegressionLosses() {
        Tensor x = randn(1, 4, 3), y = randn(2, 4, 3);
        for (Reduction r : Reduction.values()) {
            Gradcheck.assertGradients(xs -> Losses.mseLoss(xs.get(0), xs.get(1), r), List.of(x, y), true);
            Gradcheck.assertGradients(xs -> Losses.l1Loss(xs.get(0), xs.get(1), r), List.of(x, y), false);
            Gradcheck.assertGradients(xs -> Losses.huberLoss(xs.get(0), xs.get(1), 0.7, r), List.of(x, y), true);
        }
    }

    @Test
    void gradcheckBinaryLosses() {
        Tensor p = uniform(3, 0.05, 0.95, 5, 2), t = uniform(4, 0, 1, 5, 2), z = randn(5, 5, 2);
        Tensor zBig = Tensor.of(new double[] {-40, -3, 0.3, 12, 40}).requiresGrad(true);
        Tensor tBig = Tensor.of(new double[] {0, 1, 0.5, 0, 1}).requiresGrad(true);
        for (Reduction r : Reduction.values()) {
            Gradcheck.assertGradients(xs -> Losses.binaryCrossEntropy(xs.get(0), xs.get(1), r), List.of(p, t), true);
            Gradcheck.assertGradients(xs -> Losses.binaryCrossEntropyWithLogits(xs.get(0), xs.get(1), r), List.of(z, t), true);
            Gradcheck.assertGradients(xs -> Losses.binaryCrossEntropyWithLogits(xs.get(0), xs.get(1), r), List.of(zBig, tBig), true);
        }
    }

    @Test
    void gradcheckClassificationLosses() {
        Tensor logits = randn(6, 4, 5);
        Tensor labels = Tensor.of(new long[] {4, 0, 2, 2});
        Tensor soft = Tensor.randn(new Generator(7), DType.FLOAT64, 4, 5).softmax(1).requiresGrad(true);
        Tensor probs = Tensor.uniform(new Generator(8), DType.FLOAT64, 0.1, 1, 4, 5).requiresGrad(true);
        Tensor logProbs = Tensor.randn(new Generator(9), DType.FLOAT64, 4, 5).logSoftmax(1).detach().requiresGrad(true);
        for (Reduction r : Reduction.values()) {
            Gradcheck.assertGradients(xs -> Losses.crossEntropy(xs.get(0), labels, r), List.of(logits), true);
            Gradcheck.assertGradients(xs -> Losses.crossEntropy(xs.get(0), xs.get(1), r), List.of(logits, soft), true);
            Gradcheck.assertGradients(xs -> Losses.nllLoss(xs.get(0), labels, r), List.of(logProbs), true);
            Gradcheck.assertGradients(xs -> Losses.categoricalCrossEntropy(xs.get(0), labels, r), List.of(probs), true);
            Gradcheck.assertGradients(xs -> Losses.categoricalCrossEntropy(xs.get(0), xs.get(1), r), List.of(probs, soft), true);
        }
        Tensor single = randn(10, 5);
        Gradcheck.assertGradients(xs -> Losses.crossEntropy(xs.get(0), Tensor.of(new long[] {3}).reshape()), List.of(single), true);
    }
}
