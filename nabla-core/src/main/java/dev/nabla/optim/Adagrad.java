package dev.nabla.optim;

import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * AdaGrad (Duchi et al. 2011): per-element learning rates that shrink with the accumulated
 * squared gradients, exactly as PyTorch's {@code torch.optim.Adagrad}:
 *
 * <pre>
 * g ← grad + weightDecay·p
 * clr ← lr / (1 + (t − 1)·lrDecay)
 * sum ← sum + g²                   (sum starts at initialAccumulatorValue)
 * p ← p − clr·g / (√sum + eps)
 * </pre>
 *
 * Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10.
 */
public final class Adagrad extends Optimizer {
    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulatorValue;
    private final double eps;

    /** AdaGrad with PyTorch's defaults. */
    public Adagrad(List<Tensor> params) {
        this(params, 1e-2);
    }

    /** AdaGrad with the given learning rate, other settings at their defaults. */
    public Adagrad(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, 1e-10);
    }

    /** AdaGrad with every setting; see the class comment. */
    public Adagrad(List<Tensor> params, double lr, double lrDecay, double weightDecay,
                   double initialAccumulatorValue, double eps) {
        super("Adagrad", params, lr);
        require(lrDecay >= 0 && Double.isFinite(lrDecay), "lrDecay", lrDecay, "it must be finite and >= 0");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, "it must be finite and >= 0");
        require(initialAccumulatorValue >= 0 && Double.isFinite(initialAccumulatorValue), "initialAccumulatorValue",
                initialAccumulatorValue, "it must be finite and >= 0");
        require(eps >= 0 && Double.isFinite(eps), "eps", eps, "it must be finite and >= 0");
        this.lrDecay = lrDecay;
        this.weightDecay = weightDecay;
        this.initialAccumulatorValue = initialAccumulatorValue;
        this.eps = eps;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder(List<Tensor> params) {
        return new Builder(params);
    }

    /** Settings for {@link Adagrad}, PyTorch's defaults unless set. */
    public static final class Builder {
        private final List<Tensor> params;
        private double lr = 1e-2, lrDecay, weightDecay, initialAccumulatorValue, eps = 1e-10;

        private Builder(List<Tensor> params) {
            this.params = params;
        }

        public Builder lr(double v) { lr = v; return this; }
        public Builder lrDecay(double v) { lrDecay = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder initialAccumulatorValue(double v) { initialAccumulatorValue = v; return this; }
        public Builder eps(double v) { eps = v; return this; }

        public Adagrad build() {
            return new Adagrad(params, lr, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }
    }

    public double lrDecay() { return lrDecay; }
    public double weightDecay() { return weightDecay; }
    public double initialAccumulatorValue() { return initialAccumulatorValue; }
    public double eps() { return eps; }

    @Override
    protected List<String> bufferNames() {
        return List.of("sum");
    }

    @Override
    protected boolean hasStepCount() {
        return true;
    }

    @Override
    protected void initState(Tensor p, State s) {
        s.setBuffer(0, p.zerosLike().fill(initialAccumulatorValue));
    }

    @Override
    protected void update(Tensor p, Tensor grad, State s) {
        long step = s.incrementStep();
        Tensor g = weightDecay != 0 ? grad.add(p.mul(weightDecay)) : grad;
        double clr = lr() / (1 + (step - 1) * lrDecay);
        Tensor sum = s.buffer(0);
        Tensor t = g.mul(g); // the one scratch tensor, reused below
        sum.addInPlace(t);
        Tensor std = sum.sqrt();
        std.addInPlace(scalarOf(std, eps));
        t.copyFrom(g);
        t.mulInPlace(-clr);
        t.divInPlace(std);
        p.addInPlace(t);
    }
}
