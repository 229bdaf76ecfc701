package dev.nabla.optim;

import dev.nabla.tensor.RowSparse;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.util.List;

/**
 * Adam (Kingma and Ba 2015): momentum on the gradient combined with RMSProp's per-element
 * scaling, bias-corrected, exactly as PyTorch's {@code torch.optim.Adam}; weight decay is L2
 * added to the gradient (for decoupled weight decay use {@link AdamW}):
 *
 * <pre>
 * g ← grad + weightDecay·p
 * m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²
 * amsgrad: v̂ ← max(v̂, v), else v̂ ← v
 * p ← p − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + eps)
 * </pre>
 *
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, amsgrad false.
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;

    /** Adam with PyTorch's defaults. */
    public Adam(List<Tensor> params) {
        this(params, 1e-3);
    }

    /** Adam with the given learning rate, other settings at their defaults. */
    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** Adam with every setting; see the class comment. */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                boolean amsgrad) {
        this("Adam", params, lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    // for AdamW, which differs only in how it applies the weight decay (see decayWeights)
    Adam(String name, List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
         boolean amsgrad) {
        super(name, params, lr);
        checkAdam(this, beta1, beta2, eps, weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
    }

    static void checkAdam(Optimizer o, double beta1, double beta2, double eps, double weightDecay) {
        o.require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "it must be in [0, 1)");
        o.require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "it must be in [0, 1)");
        o.require(eps >= 0 && Double.isFinite(eps), "eps", eps, "it must be finite and >= 0");
        o.require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay,
                "it must be finite and >= 0");
    }

    /** A builder with PyTorch's defaults (its build() gives an Adam; AdamW.builder hides this one). */
    public static Builder<? extends Adam> builder(List<Tensor> params) {
        return new Builder<>(params, 0, Adam::new);
    }

    /** Makes an Adam-family optimizer from its settings. */
    interface Factory<T extends Adam> {
        T make(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad);
    }

    /** Settings for {@link Adam} or {@link AdamW}, PyTorch's defaults unless set. */
    public static final class Builder<T extends Adam> {
        private final List<Tensor> params;
        private final Factory<T> factory;
        private double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;
        private boolean amsgrad;

        Builder(List<Tensor> params, double weightDecay, Factory<T> factory) {
            this.params = params;
            this.weightDecay = weightDecay;
            this.factory = factory;
        }

        public Builder<T> lr(double v) { lr = v; return this; }
        public Builder<T> betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder<T> eps(double v) { eps = v; return this; }
        public Builder<T> weightDecay(double v) { weightDecay = v; return this; }
        public Builder<T> amsgrad(boolean v) { amsgrad = v; return this; }

        public T build() {
            return factory.make(params, lr, beta1, beta2, eps, weightDecay, amsgrad);
        }
    }

    public double beta1() { return beta1; }
    public double beta2() { return beta2; }
    public double eps() { return eps; }
    public double weightDecay() { return weightDecay; }
    public boolean amsgrad() { return amsgrad; }

    static final List<String> BUFFERS = List.of("exp_avg", "exp_avg_sq");
    static final List<String> AMSGRAD_BUFFERS = List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq");

    @Override
    protected List<String> bufferNames() {
        return amsgrad ? AMSGRAD_BUFFERS : BUFFERS;
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
        adamStep(p, decayWeights(p, grad), s, t, lr(), beta1, beta2, eps, amsgrad);
    }

    /**
     * A row-sparse gradient gets PyTorch's {@code SparseAdam} rule: only the touched rows' moments
     * and values change ("lazy" Adam), with the step count of the parameter and eps added to
     * √v before the bias correction, in SparseAdam's order of operations. With weight decay or
     * amsgrad (which SparseAdam lacks), the dense rule.
     */
    @Override
    protected boolean updateRows(Tensor p, RowSparse grad, State s) {
        if (weightDecay != 0 || amsgrad) return false;
        long step = s.incrementStep();
        Tensor idx = grad.indices(), g = grad.values().toType(p.dtype());
        Tensor expAvg = s.buffer(0), expAvgSq = s.buffer(1);
        Tensor oldAvg = expAvg.indexSelect(0, idx), oldSq = expAvgSq.indexSelect(0, idx);
        Tensor avgUpdate = g.sub(oldAvg).mul(1 - beta1);
        expAvg.indexAddInPlace(idx, avgUpdate);
        Tensor sqUpdate = g.square().sub(oldSq).mul(1 - beta2);
        expAvgSq.indexAddInPlace(idx, sqUpdate);
        Tensor numer = avgUpdate.add(oldAvg);
        Tensor denom = sqUpdate.add(oldSq).sqrt().add(eps);
        double stepSize = lr() * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step));
        p.indexAddInPlace(idx, numer.div(denom).mul(-stepSize));
        return true;
    }

    /** Adam's weight decay: L2, added to the gradient that the moments see. */
    Tensor decayWeights(Tensor p, Tensor grad) {
        return weightDecay != 0 ? grad.add(p.mul(weightDecay)) : grad;
    }

    /** The moment updates and the parameter step shared by Adam and AdamW (PyTorch's operation order). */
    static void adamStep(Tensor p, Tensor g, State s, long step, double lr, double beta1, double beta2, double eps,
                         boolean amsgrad) {
        if (!amsgrad && Internals.get().adamStep(p, g, s.buffer(0), s.buffer(1), beta1, beta2, Math.sqrt(1 - Math.pow(beta2, step)), eps,
                lr / (1 - Math.pow(beta1, step)))) {
            return; // one pass over the elements, bitwise the same as the composite ops
        }
        adamStepComposite(p, g, s, step, lr, beta1, beta2, eps, amsgrad);
    }

    /** adamStep as tensor ops: for amsgrad, and the reference the fused step is tested against. */
    static void adamStepComposite(Tensor p, Tensor g, State s, long step, double lr, double beta1, double beta2, double eps,
                                  boolean amsgrad) {
        Tensor expAvg = s.buffer(0), expAvgSq = s.buffer(1);
        // one scratch tensor serves every product: allocating is dearer than an extra in-place pass
        Tensor t = g.mul(1 - beta1);
        expAvg.mulInPlace(beta1);
        expAvg.addInPlace(t);
        t.copyFrom(g);
        t.mulInPlace(1 - beta2);
        t.mulInPlace(g);
        expAvgSq.mulInPlace(beta2);
        expAvgSq.addInPlace(t);
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        Tensor second = expAvgSq;
        if (amsgrad) {
            Tensor max = s.buffer(2);
            max.copyFrom(max.maximum(expAvgSq));
            second = max;
        }
        Tensor denom = second.sqrt();
        denom.divInPlace(Optimizer.scalarOf(denom, biasCorrection2Sqrt));
        denom.addInPlace(Optimizer.scalarOf(denom, eps));
        t.copyFrom(expAvg);
        t.mulInPlace(-stepSize);
        t.divInPlace(denom);
        p.addInPlace(t);
    }
}
