package dev.nabla.dashboard;

import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.GradientMonitor;
import dev.nabla.train.Trainer;
import java.util.Map;

/**
 * The base of the callbacks that report what a {@link GradientMonitor} measures
 * ({@link dev.nabla.dashboard.tensorboard.TensorBoardLogger}, {@link LiveDashboard}): the monitor
 * runs along (its warnings kept, not printed), with an optional dead-ReLU probe and sample
 * predictions. A subclass calls the super method first in each hook it overrides.
 *
 * @param <S> the subclass, so that the settings chain
 */
public abstract class MonitoringCallback<S extends MonitoringCallback<S>> implements Callback {
    /** The per-layer measurements. */
    protected final GradientMonitor monitor = new GradientMonitor().output(null);
    /** The sample images shown after each epoch, or null. */
    protected SamplePredictions samples;

    /** Inputs [n, …] run through the network after each epoch to count dead ReLU units (see {@link GradientMonitor#probe}). */
    public S probe(Tensor inputs) {
        monitor.probe(inputs);
        return self();
    }

    /** Sample images whose predictions are shown after each epoch. */
    public S samples(SamplePredictions samples) {
        this.samples = samples;
        return self();
    }

    /** The measurements behind the per-layer figures. */
    public GradientMonitor monitor() {
        return monitor;
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /** The figures of the epoch that just ended. */
    protected GradientMonitor.EpochStats lastEpoch() {
        return monitor.epochs().get(monitor.epochs().size() - 1);
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        monitor.onTrainBegin(trainer);
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epoch) {
        monitor.onEpochBegin(trainer, epoch);
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, Map<String, Double> logs) {
        monitor.onBatchEnd(trainer, epoch, batch, batches, logs);
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        monitor.onEpochEnd(trainer, epoch, logs);
    }
}
