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
 * a strided input, in float64 and in float32. (The fused Adam step is held to its composite in FusedAdamTest.)
 */
class FusedBatchNormTest {
    private static final DType F64 = DType.FLOAT64;

    @Test
    void fusedOpAndItsTwoRulesAgreeWithTheReferenceComposite() {
        agreeWithTheReference(F64, 1e-12, 1e-10);
    }

    // float32 runs other kernels (SIMD per-plane sums, float32 lanes, float32 passes): held to float32's precision
    @Test
    void inFloat32TooWithinItsPrecision() {
        agreeWithTheReference(DType.FLOAT32, 1e-5, 1e-4);
    }

    private static void agreeWithTheReference(DType dt, double tol, double gradTol) {
        Generator gen = new Generator(5);
        Tensor base = Tensor.randn(gen, dt, 4, 3, 6, 5).mul(2).add(1);
        Tensor w = Tensor.randn(gen, dt, 3), b = Tensor.randn(gen, dt, 3);
        Tensor up = Tensor.randn(gen, dt, 4, 3, 5, 6);
        for (boolean affine : new boolean[] {true, false}) {
            Tensor x = base.transpose(2, 3).requiresGrad(true); // strided
            Tensor wt = affine ? w.copy().requiresGrad(true) : null, bt = affine ? b.copy().requiresGrad(true) : null;
            List<Tensor> wrt = affine ? List.of(x, wt, bt) : List.of(x);
            BatchNormOp.Result fused = BatchNormOp.train(x, wt, bt, 1e-5), ref = BatchNormOp.reference(x, wt, bt, 1e-5);
            assertTrue(fused.y().allClose(ref.y(), tol, tol), dt + " output, affine " + affine);
            assertTrue(fused.mean().allClose(ref.mean().reshape(3), tol, tol), dt + " mean");
            assertTrue(fused.var().allClose(ref.var().reshape(3), tol, tol), dt + " var");
            List<Tensor> expected = Autograd.grad(List.of(ref.y()), wrt, List.of(up), false, false);
            List<Tensor> kernel = Autograd.grad(List.of(fused.y()), wrt, List.of(up), false, false);
            Tensor again = BatchNormOp.train(x, wt, bt, 1e-5).y();
            List<Tensor> composed = Autograd.grad(List.of(again), wrt, List.of(up), true, false);
            for (int i = 0; i < wrt.size(); i++) {
                assertTrue(kernel.get(i).allClose(expected.get(i), gradTol, tol), dt + " kernel rule, input " + i);
                assertTrue(composed.get(i).allClose(expected.get(i), gradTol, tol), dt + " composed rule, input " + i);
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
