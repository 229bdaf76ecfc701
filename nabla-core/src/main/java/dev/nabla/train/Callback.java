package dev.nabla.train;

import java.util.Map;

/** Hooks into {@link Trainer#fit}: each method does nothing unless overridden. */
public interface Callback {
    default void onTrainBegin(Trainer trainer) {}

    default void onEpochBegin(Trainer trainer, int epoch) {}

    /** After each optimizer step; logs hold the running averages of the epoch so far. */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, Map<String, Double> logs) {}

    /** After validation; logs hold the epoch's loss, metrics, val_ values and lr. */
    default void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {}

    default void onTrainEnd(Trainer trainer, History history) {}
}
