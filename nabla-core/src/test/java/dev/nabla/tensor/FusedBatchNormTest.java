package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Autograd;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fused batch norm agrees with the composite it stands for ({@link BatchNormOp#reference}):
 * the output, the batch statistics, and the gradients by both of its rules (the kernel's for a
 * plain backward, the composed one when the backward is recorded), with and without γ and β, on
 * a strided input. (The fused Adam step is held to its composite in FusedAdamTest.)
 */
class FusedBatchNormTest {
    private static final DType F64 = DType.FLOAT64;

    @Test
    void fusedOpAndItsTwoRulesAgreeWithTheReferenceComposite() {
        Generator gen = new Generator(5);
        Tensor base = Tensor.randn(gen, F64, 4, 3, 6, 5).mul(2).add(1);
        Tensor w = Tensor.randn(gen, F64, 3), b = Tensor.randn(gen, F64, 3);
        Tensor up = Tensor.randn(gen, F64, 4, 3, 5, 6);
        for (boolean affine : new boolean[] {true, false}) {
            Tensor x = base.transpose(2, 3).requiresGrad(true); // strided
            Tensor wt = affine ? w.copy().requiresGrad(true) : null, bt = affine ? b.copy().requiresGrad(true) : null;
            List<Tensor> wrt = affine ? List.of(x, wt, bt) : List.of(x);
            BatchNormOp.Result fused = BatchNormOp.train(x, wt, bt, 1e-5), ref = BatchNormOp.reference(x, wt, bt, 1e-5);
            assertTrue(fused.y().allClose(ref.y(), 1e-12, 1e-12), "output, affine " + affine);
            assertTrue(fused.mean().allClose(ref.mean().reshape(3), 1e-12, 1e-12), "mean");
            assertTrue(fused.var().allClose(ref.var().reshape(3), 1e-12, 1e-12), "var");
            List<Tensor> expected = Autograd.grad(List.of(ref.y()), wrt, List.of(up), false, false);
            List<Tensor> kernel = Autograd.grad(List.of(fused.y()), wrt, List.of(up), false, false);
            Tensor again = BatchNormOp.train(x, wt, bt, 1e-5).y();
            List<Tensor> composed = Autograd.grad(List.of(again), wrt, List.of(up), true, false);
            for (int i = 0; i < wrt.size(); i++) {
                assertTrue(kernel.get(i).allClose(expected.get(i), 1e-10, 1e-12), "kernel rule, input " + i);
                assertTrue(composed.get(i).allClose(expected.get(i), 1e-10, 1e-12), "composed rule, input " + i);
            }
        }
    }

    @Test
    void itDeclinesParametersOfAnotherTypeOrShape() {
        Tensor x = Tensor.randn(new Generator(1), F64, 2, 3, 4);
        assertNull(BatchNormOp.train(x, Tensor.ones(3), null, 1e-5), "float32 γ for float64 x");
        assertNull(BatchNormOp.train(x, null, Tensor.zeros(F64, 4), 1e-5), "β of the wrong size");
    }
}
