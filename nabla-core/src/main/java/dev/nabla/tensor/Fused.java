package dev.nabla.tensor;

import dev.nabla.kernel.AdamKernel;
import dev.nabla.kernel.KernelProvider;
import java.util.Arrays;

/**
 * Fused in-place updates for optimizers, where a benchmark showed that one pass over the
 * elements pays: each gives bitwise the result of the composite tensor ops it stands for (the
 * tests check it), and declines (returns false) for the cases it does not cover, so the caller
 * falls back to the composite ops.
 */
final class Fused {
    private static final AdamKernel ADAM = KernelProvider.get().adam();

    private Fused() {}

    /**
     * The Adam step of {@code dev.nabla.optim.Adam} (without amsgrad) on p with gradient g and
     * moments m, v, in place; see {@link AdamKernel}. Returns false, changing nothing, unless all
     * four are contiguous float32 tensors of one shape, and none records gradients (float64 takes
     * the composite ops: its speed does not matter, and they give the same bits).
     */
    static boolean adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double beta1, double beta2,
                                   double biasCorrection2Sqrt, double eps, double stepSize) {
        DType dt = p.dtype();
        for (Tensor t : new Tensor[] {p, g, m, v}) {
            if (t.dtype() != dt || !t.isContiguous() || !Arrays.equals(t.shape, p.shape) || (t.requiresGrad() && GradMode.isEnabled())) {
                return false;
            }
        }
        if (dt != DType.FLOAT32 || m.storage == p.storage || v.storage == p.storage || m.storage == v.storage
                || g.storage == p.storage || g.storage == m.storage || g.storage == v.storage) {
            return false;
        }
        int n = p.numel();
        ADAM.step(p.storage.f(), p.offset, g.storage.f(), g.offset, m.storage.f(), m.offset, v.storage.f(), v.offset, n,
                beta1, beta2, biasCorrection2Sqrt, eps, stepSize);
        p.storage.bumpVersion();
        m.storage.bumpVersion();
        v.storage.bumpVersion();
        return true;
    }
}
