package dev.nabla.tensor;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** matmulInto writes matmul's values into the caller's tensor, and refuses what it cannot do safely. */
class MatmulIntoTest {
    @Test
    void matrixProductsGoStraightIntoOutAsMatmulComputesThem() {
        Generator g = new Generator(1);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] mkn : new int[][] {{1, 1, 1}, {3, 0, 4}, {5, 7, 3}, {64, 128, 96}, {300, 200, 100}}) {
                Tensor x = Tensor.randn(g, dt, mkn[0], mkn[1]), y = Tensor.randn(g, dt, mkn[1], mkn[2]);
                Tensor out = Tensor.randn(g, dt, mkn[0], mkn[2]); // stale values: every element is written
                assertSame(out, x.matmulInto(y, out));
                assertContentEquals(x.matmul(y), out, dt + " " + java.util.Arrays.toString(mkn));
                Tensor yt = Tensor.randn(g, dt, mkn[2], mkn[1]).t(); // a transposed operand, as weight.t()
                assertContentEquals(x.matmul(yt), x.matmulInto(yt, out));
            }
        }
    }

    @Test
    void aRowBlockOfABiggerTensorIsWrittenAndTheRestLeftAsItWas() {
        Generator g = new Generator(2);
        Tensor big = Tensor.randn(g, 3, 20, 30), before = big.copy();
        Tensor x = Tensor.randn(g, 20, 40), y = Tensor.randn(g, 40, 30);
        Tensor middle = big.slice(0, 1, 2, 1).reshape(20, 30); // contiguous, at offset 600
        x.matmulInto(y, middle);
        assertContentEquals(x.matmul(y), big.slice(0, 1, 2, 1).reshape(20, 30));
        assertContentEquals(before.slice(0, 0, 1, 1), big.slice(0, 0, 1, 1));
        assertContentEquals(before.slice(0, 2, 3, 1), big.slice(0, 2, 3, 1));
    }

    @Test
    void otherShapesAreMultipliedThenCopied() {
        Generator g = new Generator(3);
        Tensor a = Tensor.randn(g, 4, 5, 6), b = Tensor.randn(g, 6, 7), c = Tensor.randn(g, 4, 6, 7), v = Tensor.randn(g, 6);
        assertContentEquals(a.matmul(b), a.matmulInto(b, Tensor.zeros(4, 5, 7)));
        assertContentEquals(a.matmul(c), a.matmulInto(c, Tensor.zeros(4, 5, 7)));
        assertContentEquals(a.matmul(v), a.matmulInto(v, Tensor.zeros(4, 5)));
        Tensor strided = Tensor.zeros(7, 5);
        a.slice(0, 0, 1, 1).reshape(5, 6).matmulInto(b, strided.t()); // a transposed out: written element by element
        assertContentEquals(a.slice(0, 0, 1, 1).reshape(5, 6).matmul(b).t(), strided);
    }

    @Test
    void badUseIsRefusedWithTheReason() {
        Generator g = new Generator(4);
        Tensor x = Tensor.randn(g, 3, 4), y = Tensor.randn(g, 4, 5);
        var shape = assertThrows(IllegalArgumentException.class, () -> x.matmulInto(y, Tensor.zeros(5, 3)));
        assertEquals("matmulInto: out is float32 [5, 3], [3, 4] @ [4, 5] is float32 [3, 5]", shape.getMessage());
        var type = assertThrows(IllegalArgumentException.class, () -> x.matmulInto(y, Tensor.zeros(DType.FLOAT64, 3, 5)));
        assertTrue(type.getMessage().contains("out is float64 [3, 5]"), type.getMessage());
        var inner = assertThrows(IllegalArgumentException.class, () -> x.matmulInto(x, Tensor.zeros(3, 4)));
        assertTrue(inner.getMessage().contains("inner dimensions 4 and 3 differ"), inner.getMessage());
        Tensor square = Tensor.randn(g, 4, 4);
        var alias = assertThrows(IllegalArgumentException.class, () -> square.matmulInto(square, square));
        assertTrue(alias.getMessage().contains("shares memory with an operand"), alias.getMessage());
        var expanded = assertThrows(IllegalStateException.class, () -> x.matmulInto(y, Tensor.zeros(1, 5).expand(3, 5)));
        assertTrue(expanded.getMessage().contains("expanded view"), expanded.getMessage());
        Tensor w = Tensor.randn(g, 4, 5).requiresGrad(true);
        var grad = assertThrows(IllegalStateException.class, () -> x.matmulInto(w, Tensor.zeros(3, 5)));
        assertTrue(grad.getMessage().contains("requires grad"), grad.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> x.matmulInto(y, null));
        assertEquals("matmulInto: out is null", none.getMessage());
        try (var s = GradMode.noGrad()) { // not recording: allowed
            assertContentEquals(x.matmul(w), x.matmulInto(w, Tensor.zeros(3, 5)));
        }
    }

    @Test
    void aTensorTheTapeSavedAndMatmulIntoOverwroteFailsBackward() {
        Generator g = new Generator(5);
        Tensor w = Tensor.randn(g, 4).requiresGrad(true), h = Tensor.randn(g, 4);
        Tensor loss = h.mul(w).sum(); // the product saves h for w's gradient
        Tensor.randn(g, 1, 3).matmulInto(Tensor.randn(g, 3, 4), h.reshape(1, 4));
        var stale = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(stale.getMessage().contains("modified in place"), stale.getMessage());
    }
}
