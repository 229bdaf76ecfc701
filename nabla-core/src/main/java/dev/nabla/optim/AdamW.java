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
public final class AdamW extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;

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
        super("AdamW", params, lr);
        Adam.checkAdam(this, beta1, beta2, eps, weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder(List<Tensor> params) {
        return new Builder(params);
    }

    /** Settings for {@link AdamW}, PyTorch's defaults unless set. */
    public static final class Builder {
        private final List<Tensor> params;
        private double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 1e-2;
        private boolean amsgrad;

        private Builder(List<Tensor> params) {
            this.params = params;
        }

        public Builder lr(double v) { lr = v; return this; }
        public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder amsgrad(boolean v) { amsgrad = v; return this; }

        public AdamW build() {
            return new AdamW(params, lr, beta1, beta2, eps, weightDecay, amsgrad);
        }
    }

    public double beta1() { return beta1; }
    public double beta2() { return beta2; }
    public double eps() { return eps; }
    public double weightDecay() { return weightDecay; }
    public boolean amsgrad() { return amsgrad; }

    @Override
    protected List<String> bufferNames() {
        return amsgrad ? Adam.AMSGRAD_BUFFERS : Adam.BUFFERS;
    }

    @Override
    protected boolean hasStepCount() {
        return true;
    }

    @Override
    protected void initState(Tensor p, State s) {
        for (int i = 0; i < bufferNames().size(); i++) s.setBuffer(i, p.zerosLike());
    }

    @Override
    protected void update(Tensor p, Tensor grad, State s) {
        long t = s.incrementStep();
        if (weightDecay != 0) p.mulInPlace(1 - lr() * weightDecay);
        Adam.adamStep(p, grad, s, t, lr(), beta1, beta2, eps, amsgrad);
    }
}
