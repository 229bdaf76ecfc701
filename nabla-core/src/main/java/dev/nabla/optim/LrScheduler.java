package dev.nabla.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A learning-rate schedule attached to an {@link Optimizer}: call {@link #step()} once per epoch
 * (after the epoch's optimizer steps) and it sets the optimizer's learning rate for the next
 * epoch. As in PyTorch, the schedule starts at epoch 0 with the optimizer's learning rate at
 * construction ({@link #baseLr()}), and each schedule computes the next rate from the current
 * one (PyTorch's "chainable" form), so the numbers are PyTorch's.
 */
public abstract class LrScheduler {
    private final Optimizer optimizer;
    private final double baseLr;
    private int lastEpoch;
    private double lastLr;

    /** Attaches to {@code optimizer}; its current learning rate becomes the base rate. */
    protected LrScheduler(Optimizer optimizer) {
        if (optimizer == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer is null");
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
        this.lastLr = baseLr;
    }

    /** Ends an epoch: advances the epoch count and sets the optimizer's learning rate. */
    public void step() {
        double lr = nextLr(optimizer.lr(), lastEpoch + 1);
        optimizer.setLr(lr);
        endEpoch();
    }

    /** Advances the epoch count and records the optimizer's current rate as {@link #lastLr()}. */
    protected final void endEpoch() {
        lastEpoch++;
        lastLr = optimizer.lr();
    }

    /**
     * Ends an epoch with a monitored metric (e.g. the validation loss). Schedules that do not
     * use a metric ignore it, so a training loop may call this for every schedule.
     */
    public void step(double metric) {
        step();
    }

    /** True when the schedule needs the metric of {@link #step(double)}. */
    public boolean usesMetric() {
        return false;
    }

    /** The learning rate for {@code epoch} (≥ 1) given the current one. */
    protected abstract double nextLr(double currentLr, int epoch);

    /** The learning rate set by the last step (the base rate before any step). */
    public double lastLr() {
        return lastLr;
    }

    /** The number of steps taken (0 after construction). */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** The optimizer's learning rate when the schedule was attached. */
    public double baseLr() {
        return baseLr;
    }

    /** The optimizer this schedule drives. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The schedule's progress, to save in a checkpoint (the optimizer saves its own lr). */
    public Map<String, Double> stateDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("last_epoch", (double) lastEpoch);
        m.put("last_lr", lastLr);
        return m;
    }

    /** Restores {@link #stateDict()}; throws naming the schedule on a missing or bad entry. */
    public void loadStateDict(Map<String, Double> state) {
        double e = get(state, "last_epoch");
        if (!(e >= 0) || e != Math.rint(e) || e > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".loadStateDict: 'last_epoch' must be a"
                    + " whole number >= 0, got " + e);
        }
        double lr = get(state, "last_lr");
        lastEpoch = (int) e;
        lastLr = lr;
    }

    /** An entry of a state map, or a clear error when it is missing. */
    protected final double get(Map<String, Double> state, String key) {
        Double v = state.get(key);
        if (v == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".loadStateDict: missing '" + key
                    + "'; expected the keys " + stateDict().keySet());
        }
        return v;
    }

    /** Throws the standard error for an invalid setting unless {@code ok}. */
    protected final void require(boolean ok, String setting, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid " + setting + " " + value + "; " + rule);
        }
    }
}
