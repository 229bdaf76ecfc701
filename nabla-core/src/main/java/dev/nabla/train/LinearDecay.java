package dev.nabla.train;

import dev.nabla.optim.Optimizer;
import java.util.List;
import java.util.Map;

/**
 * Linear learning-rate decay to zero over the last epochs, batch by batch: each optimizer keeps
 * the rate it had when this callback was made until epoch {@code from}, then its rate falls
 * linearly to 0 at the end of epoch {@code epochs} (the schedule CycleGAN and pix2pix train with,
 * there stepped per epoch). Before a batch at t epochs into training (t = epoch + batch /
 * batches) the rate is lr · min(1, (epochs − t) / (epochs − from)). The rate is a function of t
 * alone, so a training resumed from a checkpoint continues the schedule exactly.
 */
public final class LinearDecay implements Callback {
    private final double from;
    private final int epochs;
    private final List<Optimizer> optimizers;
    private final double[] baseLr;

    /**
     * Decays the optimizers' current rates from epoch {@code from} (0 ≤ from &lt; epochs; a fraction
     * counts) to 0 at the end of epoch {@code epochs}, the training's last.
     */
    public LinearDecay(double from, int epochs, Optimizer... optimizers) {
        if (!(from >= 0 && from < epochs)) {
            throw new IllegalArgumentException("LinearDecay: the decay must start at an epoch in [0, " + epochs
                    + ") (the training's " + epochs + " epochs), got " + from);
        }
        if (optimizers.length == 0) throw new IllegalArgumentException("LinearDecay: give at least one optimizer");
        this.from = from;
        this.epochs = epochs;
        this.optimizers = List.of(optimizers);
        this.baseLr = new double[optimizers.length];
        for (int i = 0; i < optimizers.length; i++) baseLr[i] = optimizers[i].lr();
    }

    /** The factor of the base rate before a batch at {@code t} epochs into training. */
    public double factor(double t) {
        return Math.max(0, Math.min(1, (epochs - t) / (epochs - from)));
    }

    private void setAt(double t) {
        double f = factor(t);
        for (int i = 0; i < baseLr.length; i++) optimizers.get(i).setLr(baseLr[i] * f);
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epoch) {
        setAt(epoch);
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, Map<String, Double> logs) {
        setAt(epoch + (double) (batch + 1) / batches);
    }
}
