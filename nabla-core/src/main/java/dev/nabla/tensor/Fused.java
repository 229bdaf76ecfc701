package dev.nabla.tensor;

import dev.nabla.kernel.AdamKernel;
import java.util.Arrays;

/**
 * Fused in-place updates for optimizers, where a benchmark showed that one pass over the
 * elements pays: each gives bitwise the result of the composite tensor ops it stands for (the
 * tests check it), and declines (returns false) for the cases it does not cover, so the caller
 * falls back to the composite ops.
 */
final class Fused {
    private Fused() {}

    /**
     * The Adam step of {@code dev.nabla.optim.Adam} (without amsgrad) on p with gradient g and
     * moments m, v, in place; see {@link AdamKernel}. Returns false, changing nothing, unless all
     * four are contiguous, of one floating type and one shape, and none records gradients.
     */
    static boolean adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double beta1, double beta2,
                                   double biasCorrection2Sqrt, double eps, double stepSize) {
        DType dt = p.dtype();
        for (Tensor t : new Tensor[] {p, g, m, v}) {
            if (t.dtype() != dt || !t.isContiguous() || !Arrays.equals(t.shape, p.shape) || (t.requiresGrad() && GradMode.isEnabled())) {
                return false;
            }
        }
        if (!dt.isFloating() || m.storage == p.storage || v.storage == p.storage || m.storage == v.storage
                || g.storage == p.storage || g.storage == m.storage || g.storage == v.storage) {
            return false;
        }
        int n = p.numel();
        if (dt == DType.FLOAT32) {
            AdamKernel.step(p.storage.f(), p.offset, g.storage.f(), g.offset, m.storage.f(), m.offset, v.storage.f(), v.offset, n,
                    beta1, beta2, biasCorrection2Sqrt, eps, stepSize);
        } else {
            AdamKernel.step(p.storage.d(), p.offset, g.storage.d(), g.offset, m.storage.d(), m.offset, v.storage.d(), v.offset, n,
                    beta1, beta2, biasCorrection2Sqrt, eps, stepSize);
        }
        p.storage.bumpVersion();
        m.storage.bumpVersion();
        v.storage.bumpVersion();
        return true;
    }
}
