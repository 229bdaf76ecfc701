package dev.nabla.optim;

/**
 * Cosine annealing (Loshchilov and Hutter's SGDR without restarts), as PyTorch's
 * {@code CosineAnnealingLR}: lr = etaMin + (baseLr − etaMin)·(1 + cos(π·epoch/tMax))/2, reaching
 * etaMin at epoch tMax and, past it, rising again along the same cosine. Computed in PyTorch's
 * recursive form, which agrees with that closed form to rounding.
 */
public final class CosineAnnealingLR extends LrScheduler {
    private final int tMax;
    private final double etaMin;

    /** Anneals to 0 over tMax epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    /** Anneals to etaMin over tMax epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        require(tMax > 0, "tMax", tMax, "it must be > 0");
        require(etaMin >= 0 && Double.isFinite(etaMin), "etaMin", etaMin, "it must be finite and >= 0");
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    protected double nextLr(double lr, int epoch) {
        if ((epoch - 1 - tMax) % (2 * tMax) == 0) {
            return lr + (baseLr() - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * epoch / tMax)) / (1 + Math.cos(Math.PI * (epoch - 1) / tMax)) * (lr - etaMin)
                + etaMin;
    }
}
