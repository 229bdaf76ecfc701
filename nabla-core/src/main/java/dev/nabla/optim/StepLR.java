package dev.nabla.optim;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs, as PyTorch's
 * {@code StepLR}: lr = baseLr·gamma^⌊epoch/stepSize⌋.
 */
public final class StepLR extends LrScheduler {
    private final int stepSize;
    private final double gamma;

    /** StepLR with PyTorch's default gamma 0.1. */
    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    /** Multiplies the rate by gamma every stepSize epochs. */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        require(stepSize > 0, "stepSize", stepSize, "it must be > 0");
        require(gamma >= 0 && Double.isFinite(gamma), "gamma", gamma, "it must be finite and >= 0");
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    protected double nextLr(double currentLr, int epoch) {
        return epoch % stepSize == 0 ? currentLr * gamma : currentLr;
    }
}
