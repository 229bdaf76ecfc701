package dev.nabla.optim;

import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * RMSProp (Hinton's lecture 6e): divides the gradient by a running root mean square of recent
 * gradients, exactly as PyTorch's {@code torch.optim.RMSprop}:
 *
 * <pre>
 * g ← grad + weightDecay·p
 * v ← alpha·v + (1 − alpha)·g²
 * centered: m ← alpha·m + (1 − alpha)·g;  d ← √(v − m²) + eps,   else d ← √v + eps
 * momentum &gt; 0: b ← momentum·b + g/d;  p ← p − lr·b,   else p ← p − lr·g/d
 * </pre>
 *
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false.
 */
public final class RMSprop extends Optimizer {
    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final boolean centered;

    /** RMSprop with PyTorch's defaults. */
    public RMSprop(List<Tensor> params) {
        this(params, 1e-2);
    }

    /** RMSprop with the given learning rate, other settings at their defaults. */
    public RMSprop(List<Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    /** RMSprop with every setting; see the class comment. */
    public RMSprop(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum,
                   boolean centered) {
        super("RMSprop", params, lr);
        require(alpha >= 0 && alpha <= 1, "alpha", alpha, "it must be in [0, 1]");
        require(eps >= 0 && Double.isFinite(eps), "eps", eps, "it must be finite and >= 0");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, "it must be finite and >= 0");
        require(momentum >= 0 && Double.isFinite(momentum), "momentum", momentum, "it must be finite and >= 0");
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.centered = centered;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder(List<Tensor> params) {
        return new Builder(params);
    }

    /** Settings for {@link RMSprop}, PyTorch's defaults unless set. */
    public static final class Builder {
        private final List<Tensor> params;
        private double lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay, momentum;
        private boolean centered;

        private Builder(List<Tensor> params) {
            this.params = params;
        }

        public Builder lr(double v) { lr = v; return this; }
        public Builder alpha(double v) { alpha = v; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder centered(boolean v) { centered = v; return this; }

        public RMSprop build() {
            return new RMSprop(params, lr, alpha, eps, weightDecay, momentum, centered);
        }
    }

    public double alpha() { return alpha; }
    public double eps() { return eps; }
    public double weightDecay() { return weightDecay; }
    public double momentum() { return momentum; }
    public boolean centered() { return centered; }

    private static final List<String> PLAIN = List.of("square_avg");
    private static final List<String> WITH_MOMENTUM = List.of("square_avg", "momentum_buffer");
    private static final List<String> CENTERED = List.of("square_avg", "grad_avg");
    private static final List<String> BOTH = List.of("square_avg", "momentum_buffer", "grad_avg");

    @Override
    protected List<String> bufferNames() {
        return momentum > 0 ? (centered ? BOTH : WITH_MOMENTUM) : (centered ? CENTERED : PLAIN);
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
        s.incrementStep();
        Tensor g = weightDecay != 0 ? grad.add(p.mul(weightDecay)) : grad;
        Tensor squareAvg = s.buffer(0);
        Tensor t = g.mul(1 - alpha); // the one scratch tensor, reused below
        t.mulInPlace(g);
        squareAvg.mulInPlace(alpha);
        squareAvg.addInPlace(t);
        Tensor avg;
        if (centered) {
            Tensor gradAvg = s.buffer(momentum > 0 ? 2 : 1);
            t.copyFrom(g);
            t.mulInPlace(1 - alpha);
            gradAvg.mulInPlace(alpha);
            gradAvg.addInPlace(t);
            t.copyFrom(gradAvg);
            t.mulInPlace(gradAvg);
            avg = squareAvg.sub(t).sqrt();
        } else {
            avg = squareAvg.sqrt();
        }
        avg.addInPlace(scalarOf(avg, eps));
        t.copyFrom(g);
        if (momentum > 0) {
            Tensor buf = s.buffer(1);
            t.divInPlace(avg);
            buf.mulInPlace(momentum);
            buf.addInPlace(t);
            t.copyFrom(buf);
            t.mulInPlace(-lr());
        } else {
            t.mulInPlace(-lr());
            t.divInPlace(avg);
        }
        p.addInPlace(t);
    }
}
