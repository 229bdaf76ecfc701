package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

class UnflattenTest {
    @Test
    void undoesFlattenAndRefusesAMismatchedSize() {
        Tensor x = Tensor.arange(2 * 12).reshape(2, 3, 2, 2);
        Layer u = new Unflatten(3, 2, 2);
        Tensor back = u.forward(new Flatten().forward(x));
        assertArrayEquals(x.shape(), back.shape());
        assertArrayEquals(x.toDoubleArray(), back.toDoubleArray());
        assertArrayEquals(new int[] {5, 3, 2, 2}, u.outputShape(new int[] {5, 12}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> u.forward(Tensor.zeros(2, 10)));
        assertTrue(e.getMessage().contains("[n, 12]") && e.getMessage().contains("[2, 10]"), e.getMessage());
    }
}
