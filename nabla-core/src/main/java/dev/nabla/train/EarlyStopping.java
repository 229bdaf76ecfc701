package dev.nabla.train;

import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops training when a monitored quantity (default val_loss) has not improved by more than
 * minDelta for patience epochs; optionally puts back the weights of the best epoch at the end.
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean maximize;
    private final boolean restoreBestWeights;
    private double best;
    private int wait;
    private int bestEpoch = -1;
    private int stoppedEpoch = -1;
    private Map<String, Tensor> bestWeights;

    /** Monitors val_loss (lower is better). */
    public EarlyStopping(int patience, boolean restoreBestWeights) {
        this("val_loss", patience, 0, false, restoreBestWeights);
    }

    /** Monitors any logged quantity; maximize for accuracies. */
    public EarlyStopping(String monitor, int patience, double minDelta, boolean maximize, boolean restoreBestWeights) {
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: patience " + patience + " must be >= 0");
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = Math.abs(minDelta);
        this.maximize = maximize;
        this.restoreBestWeights = restoreBestWeights;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        wait = 0;
        bestEpoch = -1;
        stoppedEpoch = -1;
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v == null) {
            throw new IllegalArgumentException("EarlyStopping: '" + monitor + "' is not logged; available: " + logs.keySet()
                    + (monitor.startsWith("val_") ? " (validation needs a validation split or data)" : ""));
        }
        boolean improved = maximize ? v > best + minDelta : v < best - minDelta;
        if (improved) {
            best = v;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) bestWeights = snapshot(trainer);
        } else if (++wait > patience) {
            stoppedEpoch = epoch;
            trainer.stopTraining();
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        if (restoreBestWeights && bestWeights != null) trainer.model().loadStateDict(bestWeights);
    }

    private static Map<String, Tensor> snapshot(Trainer trainer) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        for (var e : trainer.model().stateDict().entrySet()) copy.put(e.getKey(), e.getValue().detach().copy());
        return copy;
    }

    /** The epoch (0-based) with the best value, or −1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The epoch (0-based) after which training stopped, or −1 if it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }
}
