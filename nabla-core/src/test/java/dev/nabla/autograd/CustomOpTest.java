package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** User-defined ops: gradchecked to second order, their grad_fn, and the errors of a wrong op. */
class CustomOpTest {
    // x³ with its own backward, written with tensor ops (so it has a second derivative)
    private static final CustomOp CUBE = CustomOp.of("cube", xs -> xs.get(0).mul(xs.get(0)).mul(xs.get(0)),
            (g, xs, y) -> List.of(g.mul(xs.get(0).square().mul(3))));

    // √(x² + y²), broadcasting, reading its saved output in the backward
    private static final CustomOp HYPOT = new CustomOp("hypot") {
        @Override
        protected Tensor forward(List<Tensor> in) {
            return in.get(0).square().add(in.get(1).square()).sqrt();
        }

        @Override
        protected List<Tensor> backward(Tensor g, List<Tensor> in, Tensor out) {
            Tensor x = in.get(0), y = in.get(1);
            return List.of(g.mul(x).div(out).sumTo(x.shape()), g.mul(y).div(out).sumTo(y.shape()));
        }
    };

    @Test
    void gradcheckFirstAndSecondOrder() {
        Generator g = new Generator(3);
        Gradcheck.assertGradients(xs -> CUBE.apply(xs.get(0)), List.of(Tensor.randn(g, DType.FLOAT64, 3, 4).requiresGrad(true)), true);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 3, 4).requiresGrad(true), y = Tensor.randn(g, DType.FLOAT64, 4).requiresGrad(true);
        Gradcheck.assertGradients(xs -> HYPOT.apply(xs.get(0), xs.get(1)).tanh(), List.of(x, y), true);
    }

    @Test
    void itIsOneNodeNamedAfterTheOpAndDoubleBackwardWorks() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor y = CUBE.apply(x);
        assertEquals("cube", y.gradFn());
        assertTrue(y.toString().contains("grad_fn=<cube>"), y.toString());
        Tensor dy = Autograd.grad(y.sum(), x, true);
        assertTrue(dy.allClose(Tensor.of(new double[] {3, 12}), 0, 1e-12));
        Tensor d2 = Autograd.grad(dy.sum(), x, false);
        assertTrue(d2.allClose(Tensor.of(new double[] {6, 12}), 0, 1e-12), "6x");
        // no input requires grad: the forward's result, not recorded
        assertFalse(CUBE.apply(Tensor.of(new double[] {2})).requiresGrad());
    }

    @Test
    void aWrongOpGivesAClearError() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        var identity = CustomOp.of("identity", xs -> xs.get(0), (g, xs, y) -> List.of(g));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> identity.apply(x)), "identity", "new tensor");
        var twoGrads = CustomOp.of("twoGrads", xs -> xs.get(0).copy(), (g, xs, y) -> List.of(g, g));
        assertMessage(assertThrows(IllegalStateException.class, () -> twoGrads.apply(x).sum().backward()),
                "twoGrads", "2 gradients", "1 inputs");
        var badShape = CustomOp.of("badShape", xs -> xs.get(0).copy(), (g, xs, y) -> List.of(g.sum()));
        assertMessage(assertThrows(IllegalStateException.class, () -> badShape.apply(x).sum().backward()),
                "badShape", "shape []", "input 0 of shape [2]");
        // an input changed in place after the forward is caught, as for the built-in ops
        Tensor w = Tensor.of(new double[] {3, 4});
        Tensor z = HYPOT.apply(x, w);
        w.fill(0);
        assertMessage(assertThrows(IllegalStateException.class, () -> z.sum().backward()), "hypot", "modified in place");
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage() + " " + Arrays.toString(parts));
    }
}
