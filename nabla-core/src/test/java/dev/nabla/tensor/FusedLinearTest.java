package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.Gradcheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fused linear op gives bitwise the output and gradients of the composite it stands for
 * ({@link LinearOp#reference}: x.matmul(W.t()).add(b)), on the shapes where the GEMM takes each
 * of its paths (one input feature, a batch of a few, wide and narrow layers, a strided x), with
 * and without a bias, in float32 and float64; its second derivatives pass a gradcheck.
 */
class FusedLinearTest {
    private static void assertSameBits(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]), what + " at " + i + ": " + e[i] + " vs " + a[i]);
        }
    }

    @Test
    void outputAndGradientsAreTheCompositesBits() {
        int[][] shapes = {{39, 1, 20}, {39, 20, 10}, {3, 7, 5}, {48, 600, 40}, {64, 300, 1}, {1, 16, 16}};
        Generator gen = new Generator(11);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] s : shapes) {
                for (boolean withBias : new boolean[] {true, false}) {
                    for (boolean strided : new boolean[] {false, true}) {
                        int batch = s[0], in = s[1], out = s[2];
                        Tensor x = strided ? Tensor.randn(gen, dt, in, batch).t() : Tensor.randn(gen, dt, batch, in);
                        x.requiresGrad(true);
                        Tensor w = Tensor.randn(gen, dt, out, in).requiresGrad(true);
                        Tensor b = withBias ? Tensor.randn(gen, dt, out).requiresGrad(true) : null;
                        Tensor up = Tensor.randn(gen, dt, batch, out);
                        List<Tensor> wrt = new ArrayList<>(List.of(x, w));
                        if (withBias) wrt.add(b);
                        String what = dt + " " + batch + "x" + in + "->" + out + (withBias ? " bias" : "") + (strided ? " strided" : "");
                        Tensor ref = LinearOp.reference(x, w, b), fused = LinearOp.forward(x, w, b);
                        assertEquals("linear", fused.gradFn(), what);
                        assertSameBits(ref, fused, what + " output");
                        List<Tensor> expected = Autograd.grad(List.of(ref), wrt, List.of(up), false, false);
                        List<Tensor> actual = Autograd.grad(List.of(fused), wrt, List.of(up), false, false);
                        for (int i = 0; i < wrt.size(); i++) assertSameBits(expected.get(i), actual.get(i), what + " gradient " + i);
                    }
                }
            }
        }
    }

    @Test
    void secondDerivativesPassAGradcheck() {
        Generator gen = new Generator(12);
        List<Tensor> inputs = List.of(Tensor.randn(gen, DType.FLOAT64, 4, 3).requiresGrad(true),
                Tensor.randn(gen, DType.FLOAT64, 5, 3).requiresGrad(true), Tensor.randn(gen, DType.FLOAT64, 5).requiresGrad(true));
        Gradcheck.assertGradients(v -> LinearOp.forward(v.get(0), v.get(1), v.get(2)).tanh(), inputs, true);
    }

    @Test
    void otherShapesAndTypesTakeTheComposite() {
        Generator gen = new Generator(13);
        Tensor w = Tensor.randn(gen, 4, 3).requiresGrad(true), b = Tensor.randn(gen, 4).requiresGrad(true);
        assertEquals("add", LinearOp.forward(Tensor.randn(gen, 2, 5, 3), w, b).gradFn(), "a batch of sequences");
        assertEquals("add", LinearOp.forward(Tensor.randn(gen, DType.FLOAT64, 2, 3), w, b).gradFn(), "float64 x, float32 W");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LinearOp.forward(Tensor.randn(gen, 2, 5), w, b));
        assertEquals(true, e.getMessage().contains("inner dimensions"), e.getMessage());
    }
}
