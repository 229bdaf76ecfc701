package dev.nabla.optim;

import dev.nabla.tensor.RowSparse;
import dev.nabla.tensor.Tensor;
import java.util.List;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
 * weight decay, exactly as PyTorch's {@code torch.optim.SGD}:
 *
 * <pre>
 * g ← grad + weightDecay·p
 * b ← g (first step), else b ← momentum·b + (1 − dampening)·g
 * g ← nesterov ? g + momentum·b : b          (when momentum ≠ 0)
 * p ← p − lr·g
 * </pre>
 *
 * Full-batch, mini-batch and single-example gradient descent are this optimizer with a different
 * batch size. {@code new SGD(params, 0.1)} or {@code SGD.builder(params).lr(0.1).momentum(0.9).build()}.
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    /** Plain gradient descent p ← p − lr·grad. */
    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    /** SGD with momentum (no dampening, no weight decay). */
    public SGD(List<Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, 0, false);
    }

    /** SGD with every setting; see the class comment. Nesterov needs momentum &gt; 0 and no dampening. */
    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super("SGD", params, lr);
        require(momentum >= 0 && Double.isFinite(momentum), "momentum", momentum, "it must be finite and >= 0");
        require(Double.isFinite(dampening), "dampening", dampening, "it must be finite");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, "it must be finite and >= 0");
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum "
                    + momentum + " and dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** A builder with PyTorch's defaults (momentum 0, dampening 0, weightDecay 0, nesterov false); lr is required. */
    public static Builder builder(List<Tensor> params) {
        return new Builder(params);
    }

    /** Settings for {@link SGD}, PyTorch's defaults unless set. */
    public static final class Builder {
        private final List<Tensor> params;
        private Double lr;
        private double momentum, dampening, weightDecay;
        private boolean nesterov;

        private Builder(List<Tensor> params) {
            this.params = params;
        }

        public Builder lr(double v) { lr = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder dampening(double v) { dampening = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder nesterov(boolean v) { nesterov = v; return this; }

        /** The optimizer; throws if lr was not set or a setting is invalid. */
        public SGD build() {
            if (lr == null) throw new IllegalArgumentException("SGD: the learning rate is required (builder.lr(...))");
            return new SGD(params, lr, momentum, dampening, weightDecay, nesterov);
        }
    }

    public double momentum() { return momentum; }
    public double dampening() { return dampening; }
    public double weightDecay() { return weightDecay; }
    public boolean nesterov() { return nesterov; }

    @Override
    protected List<String> bufferNames() {
        return momentum != 0 ? List.of("momentum_buffer") : List.of();
    }

    @Override
    protected boolean hasStepCount() {
        return false;
    }

    @Override
    protected void initState(Tensor param, State state) {
        // the momentum buffer starts as a copy of the first gradient, in update
    }

    /** Plain SGD on the touched rows (PyTorch's sparse SGD); with momentum or weight decay, the dense rule. */
    @Override
    protected boolean updateRows(Tensor p, RowSparse grad, State s) {
        if (momentum != 0 || weightDecay != 0) return false;
        p.indexAddInPlace(grad.indices(), grad.values().mul(-lr()));
        return true;
    }

    @Override
    protected void update(Tensor p, Tensor grad, State s) {
        Tensor d = grad;
        if (weightDecay != 0) d = d.add(p.mul(weightDecay));
        if (momentum != 0) {
            Tensor buf = s.buffer(0);
            if (buf == null) {
                s.setBuffer(0, buf = d.copy());
            } else {
                buf.mulInPlace(momentum);
                buf.addInPlace(dampening == 0 ? d : d.mul(1 - dampening));
            }
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        p.addInPlace(d.mul(-lr()));
    }
}
