package dev.nabla.optim;

import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.RowSparse;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.util.Arrays;
import java.util.List;

/**
 * Gradient clipping, in place on the parameters' {@code grad()}, as PyTorch's
 * {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. Call it between
 * {@code backward()} and {@code optimizer.step()}; parameters whose grad is null are ignored.
 */
public final class Clip {
    private Clip() {}

    /** {@link #gradNorm(List, double, double, boolean)} with the Euclidean norm, not failing on NaN/Inf. */
    public static double gradNorm(List<Tensor> params, double maxNorm) {
        return gradNorm(params, maxNorm, 2, false);
    }

    /** {@link #gradNorm(List, double, double, boolean)}, not failing on NaN/Inf. */
    public static double gradNorm(List<Tensor> params, double maxNorm, double normType) {
        return gradNorm(params, maxNorm, normType, false);
    }

    /**
     * Scales all gradients together so that their total norm (the norm of the vector of the
     * per-parameter norms, of order {@code normType}: any p &gt; 0, or
     * {@code Double.POSITIVE_INFINITY} for the largest absolute value) is at most about
     * {@code maxNorm}: each gradient is multiplied by min(1, maxNorm / (total + 1e-6)), exactly as
     * PyTorch does. Returns the total norm before clipping (0 when no parameter has a gradient).
     *
     * <p>A non-finite total norm (a gradient holding NaN or ±∞) throws when
     * {@code errorIfNonfinite}, naming the first parameter with a non-finite gradient; otherwise,
     * as in PyTorch, the gradients are scaled anyway (and become NaN) and the norm is returned so
     * that the caller can check it.
     */
    public static double gradNorm(List<Tensor> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("Clip.gradNorm: invalid maxNorm " + maxNorm + "; it must be >= 0");
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException("Clip.gradNorm: invalid normType " + normType
                    + "; use a p > 0 (2 is the Euclidean norm) or Double.POSITIVE_INFINITY (the largest |value|)");
        }
        boolean inf = normType == Double.POSITIVE_INFINITY;
        double total = 0;
        boolean any = false;
        try (var scope = GradMode.noGrad()) {
            for (Tensor p : params) {
                Tensor g = rows(p);
                if (g == null) continue;
                any = true;
                double n = norm(g, normType);
                total = inf ? Math.max(total, n) : total + (normType == 2 ? n * n : Math.pow(n, normType));
            }
            if (!any) return 0;
            if (!inf) total = normType == 2 ? Math.sqrt(total) : normType == 1 ? total : Math.pow(total, 1 / normType);
            if (!Double.isFinite(total) && errorIfNonfinite) {
                throw new ArithmeticException("Clip.gradNorm: the total gradient norm of order " + normType + " is "
                        + total + "; " + firstNonFinite(params) + ". Lower the learning rate, check the loss for "
                        + "log(0) or division by zero, or pass errorIfNonfinite=false to clip anyway");
            }
            double coef = Math.min(maxNorm / (total + 1e-6), 1.0); // NaN stays NaN, as torch.clamp
            for (Tensor p : params) {
                RowSparse sparse = p.sparseGrad();
                if (sparse != null) p.setSparseGrad(new RowSparse(sparse.indices(), sparse.values().mul(coef), sparse.shape()));
                else if (grad(p) instanceof Tensor g) scaleInPlace(p, g, coef);
            }
        }
        return total;
    }

    // p's dense gradient, read and scaled here without being handed out (see Tensor.grad)
    private static Tensor grad(Tensor p) {
        return Internals.get().gradInPassing(p);
    }

    // The values that make up p's gradient: a row-sparse one's rows, each once (zeros add nothing to a norm).
    private static Tensor rows(Tensor p) {
        RowSparse sparse = p.sparseGrad();
        return sparse != null ? sparse.coalesce().values() : grad(p);
    }

    private static double norm(Tensor g, double p) {
        if (g.numel() == 0) return 0;
        Tensor a = g.abs();
        if (p == Double.POSITIVE_INFINITY) return a.max().item();
        if (p == 1) return a.sum().item();
        if (p == 2) return g.mul(g).sum().sqrt().item();
        return a.pow(p).sum().pow(1 / p).item();
    }

    private static String firstNonFinite(List<Tensor> params) {
        for (int i = 0; i < params.size(); i++) {
            Tensor g = rows(params.get(i));
            if (g == null) continue;
            double[] v = g.toDoubleArray();
            for (int k = 0; k < v.length; k++) {
                if (!Double.isFinite(v[k])) {
                    return "the gradient of parameter " + i + " (shape " + Arrays.toString(g.shape()) + ") holds "
                            + v[k] + " at flat index " + k;
                }
            }
        }
        return "the norm overflowed (every gradient value is finite)";
    }

    /**
     * Limits every gradient value to [−clip, clip] in place, as PyTorch's {@code clip_grad_value_}.
     */
    public static void gradValue(List<Tensor> params, double clip) {
        if (!(clip >= 0)) {
            throw new IllegalArgumentException("Clip.gradValue: invalid clip value " + clip + "; it must be >= 0");
        }
        try (var scope = GradMode.noGrad()) {
            for (Tensor p : params) {
                RowSparse sparse = p.sparseGrad();
                if (sparse != null) {
                    RowSparse once = sparse.coalesce(); // the clamp applies to each row's total
                    p.setSparseGrad(new RowSparse(once.indices(), once.values().clamp(-clip, clip), once.shape()));
                    continue;
                }
                Tensor g = grad(p);
                if (g == null) continue;
                Tensor c = g.clamp(-clip, clip);
                if (ownsMemory(g)) g.copyFrom(c);
                else p.setGrad(c);
            }
        }
    }

    private static void scaleInPlace(Tensor p, Tensor g, double coef) {
        if (ownsMemory(g)) g.mulInPlace(coef);
        else p.setGrad(g.mul(coef));
    }

    // An expanded view (stride 0) cannot be written in place.
    private static boolean ownsMemory(Tensor g) {
        int[] shape = g.shape(), strides = g.strides();
        for (int d = 0; d < shape.length; d++) if (strides[d] == 0 && shape[d] > 1) return false;
        return true;
    }
}
