package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Identity;
import dev.nabla.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    // logits whose argmax is the predicted class: one-hot rows
    private static Tensor predicted(int k, int... classes) {
        return Tensor.oneHot(Tensor.of(classes), k).toType(dev.nabla.tensor.DType.FLOAT32);
    }

    @Test
    void countsAccuracyAndPerClassAccuracy() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.add(predicted(3, 0, 0, 1, 2, 2), Tensor.of(new int[] {0, 1, 1, 2, 0}));
        cm.add(predicted(3, 1), Tensor.of(new int[] {1}));
        assertArrayEquals(new long[][] {{1, 0, 1}, {1, 2, 0}, {0, 0, 1}}, cm.counts());
        assertEquals(6, cm.total());
        assertEquals(4 / 6.0, cm.accuracy(), 1e-12);
        assertArrayEquals(new double[] {0.5, 2 / 3.0, 1.0}, cm.perClassAccuracy(), 1e-12);
        String text = cm.format(List.of("cat", "dog", "bird"));
        assertTrue(text.contains("0 cat") && text.contains("50.00%  (1/2)") && text.contains("66.67%  (2/3)")
                && text.contains("most often taken for 0 cat (1)") && text.contains("accuracy 66.67% (6 examples)"), text);
    }

    @Test
    void fromAModelOnADataset() {
        // the identity "model" predicts the argmax of its input
        Tensor x = predicted(4, 3, 2, 1, 0, 3, 3);
        ConfusionMatrix cm = ConfusionMatrix.of(new Identity(), new TensorDataset(x, Tensor.of(new int[] {3, 2, 1, 0, 0, 3})), 4, 4);
        assertEquals(1, cm.count(0, 3));
        assertEquals(5 / 6.0, cm.accuracy(), 1e-12);
        assertEquals(Double.NaN, new ConfusionMatrix(2).perClassAccuracy()[0]);
    }

    @Test
    void badShapesAreRefused() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        assertThrows(IllegalArgumentException.class, () -> cm.add(Tensor.zeros(2, 4), Tensor.of(new int[] {0, 1})));
        assertThrows(IllegalArgumentException.class, () -> cm.add(Tensor.zeros(2, 3), Tensor.of(new int[] {0})));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cm.add(Tensor.zeros(1, 3), Tensor.of(new int[] {5})));
        assertTrue(e.getMessage().contains("label 5"), e.getMessage());
    }
}
