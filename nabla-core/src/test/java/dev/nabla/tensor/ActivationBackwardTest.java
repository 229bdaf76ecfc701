package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * tanh's and sigmoid's fused backward (one kernel from the output y) gives bitwise the composite
 * it replaced, g·(1 − y·y) and g·(y·(1 − y)) as separate tensor ops, in float32 and float64, for
 * lengths around the vector width, strided and broadcast operands, and through backward.
 */
class ActivationBackwardTest {
    private static final int[] LENGTHS = {1, 7, 16, 17, 100, 1000, 4099};

    @Test
    void tanhBackwardIsTheCompositeBitwise() {
        check(Tensor::tanh, UnaryOps::tanhBackward, (g, y) -> g.mul(y.mul(y).rsub(1)));
    }

    @Test
    void sigmoidBackwardIsTheCompositeBitwise() {
        check(Tensor::sigmoid, UnaryOps::sigmoidBackward, (g, y) -> g.mul(y.mul(y.rsub(1))));
    }

    private static void check(UnaryOperator<Tensor> f, BinaryOperator<Tensor> fused,
                              BinaryOperator<Tensor> composite) {
        Generator gen = new Generator(11);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n : LENGTHS) {
                Tensor x = Tensor.randn(gen, n).mul(3).toType(dt), g = Tensor.randn(gen, n).toType(dt);
                Tensor y = f.apply(x);
                same(composite.apply(g, y), fused.apply(g, y), dt + " n=" + n);
                // through backward: x's gradient for the seed g
                Tensor xg = x.detach().requiresGrad(true);
                f.apply(xg).backward(g);
                same(composite.apply(g, y), xg.grad(), dt + " backward n=" + n);
                // a strided g (a transposed matrix) and a broadcast one
                Tensor gm = Tensor.randn(gen, 3, n).toType(dt), ym = f.apply(Tensor.randn(gen, n, 3).toType(dt)).t();
                same(composite.apply(gm, ym), fused.apply(gm, ym), dt + " strided n=" + n);
                Tensor g1 = Tensor.randn(gen, 1).toType(dt);
                same(composite.apply(g1, y), fused.apply(g1, y), dt + " broadcast n=" + n);
            }
        }
    }

    // the same shape, type and bits
    private static void same(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        assertEquals(want.dtype(), got.dtype(), what);
        double[] w = want.toDoubleArray(), a = got.toDoubleArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(Double.doubleToRawLongBits(w[i]), Double.doubleToRawLongBits(a[i]), what + " at " + i);
        }
    }
}
