package dev.nabla.optim;

/** Multiplies the learning rate by {@code gamma} every epoch, as PyTorch's {@code ExponentialLR}. */
public final class ExponentialLR extends LrScheduler {
    private final double gamma;

    /** lr = baseLr·gamma^epoch. */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        require(gamma >= 0 && Double.isFinite(gamma), "gamma", gamma, "it must be finite and >= 0");
        this.gamma = gamma;
    }

    @Override
    protected double nextLr(double currentLr, int epoch) {
        return currentLr * gamma;
    }
}
