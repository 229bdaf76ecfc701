package dev.nabla.optim;

import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay, exactly as PyTorch's
 * {@code torch.optim.AdamW}: first p ← p·(1 − lr·weightDecay), then the {@link Adam} update on
 * the raw gradient.
 *
 * <p>Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 1e-2, amsgrad false.
 */
public final class AdamW extends Adam {
    /** AdamW with PyTorch's defaults. */
    public AdamW(List<Tensor> params) {
        this(params, 1e-3);
    }

    /** AdamW with the given learning rate, other settings at their defaults. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 1e-2, false);
    }

    /** AdamW with every setting; see the class comment. */
    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                 boolean amsgrad) {
        super("AdamW", params, lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    /** A builder with PyTorch's defaults (weight decay 1e-2). */
    public static Adam.Builder<AdamW> builder(List<Tensor> params) {
        return new Adam.Builder<>(params, 1e-2, AdamW::new);
    }

    /** Decoupled: p ← p·(1 − lr·weightDecay) directly; the moments see the raw gradient. */
    @Override
    Tensor decayWeights(Tensor p, Tensor grad) {
        if (weightDecay() != 0) p.mulInPlace(1 - lr() * weightDecay());
        return grad;
    }
}
