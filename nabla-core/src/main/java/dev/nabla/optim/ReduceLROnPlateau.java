package dev.nabla.optim;

import java.util.Map;

/**
 * Reduces the learning rate by {@code factor} when a monitored metric has stopped improving for
 * more than {@code patience} epochs, as PyTorch's {@code ReduceLROnPlateau}: call
 * {@link #step(double)} once per epoch with the metric (e.g. the validation loss).
 *
 * <p>An epoch improves when the metric beats the best so far by the threshold: in mode MIN with
 * the relative threshold, metric &lt; best·(1 − threshold) (ABSOLUTE: metric &lt; best − threshold);
 * in mode MAX, metric &gt; best·(1 + threshold) (or best + threshold). After a reduction,
 * {@code cooldown} epochs pass before bad epochs count again. The rate never goes below
 * {@code minLr}, and a reduction smaller than {@code eps} is skipped.
 *
 * <p>Defaults: mode MIN, factor 0.1, patience 10, threshold 1e-4 relative, cooldown 0, minLr 0,
 * eps 1e-8. {@code ReduceLROnPlateau.builder(opt).factor(0.5).patience(2).build()}.
 */
public final class ReduceLROnPlateau extends LrScheduler {
    /** Whether a smaller (MIN, a loss) or larger (MAX, an accuracy) metric is better. */
    public enum Mode { MIN, MAX }

    /** Whether the threshold is relative to the best value or an absolute difference. */
    public enum ThresholdMode { RELATIVE, ABSOLUTE }

    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double minLr;
    private final double eps;

    private double best;
    private int numBadEpochs;
    private int cooldownCounter;

    /** With PyTorch's defaults. */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.RELATIVE, 0, 0, 1e-8);
    }

    /** With every setting; see the class comment. */
    public ReduceLROnPlateau(Optimizer optimizer, Mode mode, double factor, int patience, double threshold,
                             ThresholdMode thresholdMode, int cooldown, double minLr, double eps) {
        super(optimizer);
        require(mode != null, "mode", mode, "use Mode.MIN or Mode.MAX");
        require(thresholdMode != null, "thresholdMode", thresholdMode, "use RELATIVE or ABSOLUTE");
        require(factor >= 0 && factor < 1, "factor", factor, "it must be in [0, 1) (the rate is multiplied by it)");
        require(patience >= 0, "patience", patience, "it must be >= 0");
        require(threshold >= 0 && Double.isFinite(threshold), "threshold", threshold, "it must be finite and >= 0");
        require(cooldown >= 0, "cooldown", cooldown, "it must be >= 0");
        require(minLr >= 0 && Double.isFinite(minLr), "minLr", minLr, "it must be finite and >= 0");
        require(eps >= 0 && Double.isFinite(eps), "eps", eps, "it must be finite and >= 0");
        this.mode = mode;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    /** Settings for {@link ReduceLROnPlateau}, PyTorch's defaults unless set. */
    public static final class Builder {
        private final Optimizer optimizer;
        private Mode mode = Mode.MIN;
        private double factor = 0.1, threshold = 1e-4, minLr = 0, eps = 1e-8;
        private int patience = 10, cooldown = 0;
        private ThresholdMode thresholdMode = ThresholdMode.RELATIVE;

        private Builder(Optimizer optimizer) {
            this.optimizer = optimizer;
        }

        public Builder mode(Mode v) { mode = v; return this; }
        public Builder factor(double v) { factor = v; return this; }
        public Builder patience(int v) { patience = v; return this; }
        public Builder threshold(double v) { threshold = v; return this; }
        public Builder thresholdMode(ThresholdMode v) { thresholdMode = v; return this; }
        public Builder cooldown(int v) { cooldown = v; return this; }
        public Builder minLr(double v) { minLr = v; return this; }
        public Builder eps(double v) { eps = v; return this; }

        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(optimizer, mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }
    }

    /** Always throws: this schedule needs the metric, see {@link #step(double)}. */
    @Override
    public void step() {
        throw new IllegalStateException("ReduceLROnPlateau.step(): this schedule needs the monitored metric;"
                + " call step(metric) with e.g. the epoch's validation loss");
    }

    /** Ends an epoch with the monitored metric; may reduce the optimizer's learning rate. */
    @Override
    public void step(double metric) {
        if (isBetter(metric)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > patience) {
            Optimizer opt = optimizer();
            double oldLr = opt.lr();
            double newLr = Math.max(oldLr * factor, minLr);
            if (oldLr - newLr > eps) opt.setLr(newLr);
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        endEpoch();
    }

    private boolean isBetter(double a) {
        if (mode == Mode.MIN) {
            return thresholdMode == ThresholdMode.RELATIVE ? a < best * (1. - threshold) : a < best - threshold;
        }
        return thresholdMode == ThresholdMode.RELATIVE ? a > best * (threshold + 1.) : a > best + threshold;
    }

    @Override
    public boolean usesMetric() {
        return true;
    }

    @Override
    protected double nextLr(double currentLr, int epoch) {
        throw new UnsupportedOperationException("ReduceLROnPlateau: the rate depends on the metric; call step(metric)");
    }

    /** The best metric seen so far (±∞ before the first step). */
    public double best() {
        return best;
    }

    /** The number of consecutive epochs without improvement. */
    public int numBadEpochs() {
        return numBadEpochs;
    }

    @Override
    public Map<String, Double> stateDict() {
        Map<String, Double> m = super.stateDict();
        m.put("best", best);
        m.put("num_bad_epochs", (double) numBadEpochs);
        m.put("cooldown_counter", (double) cooldownCounter);
        return m;
    }

    @Override
    public void loadStateDict(Map<String, Double> state) {
        double b = get(state, "best"), bad = get(state, "num_bad_epochs"), cool = get(state, "cooldown_counter");
        for (double v : new double[] {bad, cool}) {
            if (!(v >= 0) || v != Math.rint(v) || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("ReduceLROnPlateau.loadStateDict: num_bad_epochs and cooldown_counter"
                        + " must be whole numbers >= 0, got " + bad + " and " + cool);
            }
        }
        super.loadStateDict(state);
        best = b;
        numBadEpochs = (int) bad;
        cooldownCounter = (int) cool;
    }
}
