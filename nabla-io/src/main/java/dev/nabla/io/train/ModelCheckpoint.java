package dev.nabla.io.train;

import dev.nabla.io.Checkpoint;
import dev.nabla.nn.Module;
import dev.nabla.optim.Optimizer;
import dev.nabla.train.Callback;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves a {@link Checkpoint} (model, optimizer state, epoch) at the end of every epoch, or only
 * when a monitored quantity improves; {@link #resume} puts a model and optimizer back to a
 * checkpoint and tells {@code fit} where to start ({@code FitOptions.initialEpoch}).
 */
public final class ModelCheckpoint implements Callback {
    private final Path path;
    private final String monitor;
    private final boolean maximize;
    private double best;

    /** Saves after every epoch to path (a .safetensors file, or a folder). */
    public ModelCheckpoint(Path path) {
        this(path, null, false);
    }

    /** Saves only when monitor (e.g. "val_loss") improves; maximize for accuracies. */
    public ModelCheckpoint(Path path, String monitor, boolean maximize) {
        this.path = path;
        this.monitor = monitor;
        this.maximize = maximize;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        if (monitor != null) {
            Double v = logs.get(monitor);
            if (v == null) {
                throw new IllegalArgumentException("ModelCheckpoint: '" + monitor + "' is not logged; available: " + logs.keySet());
            }
            if (!(maximize ? v > best : v < best)) return;
            best = v;
        }
        Optimizer opt = trainer.optimizer();
        try {
            new Checkpoint(trainer.model().stateDict(), opt.stateDict(), opt.name(), epoch + 1, null).save(path);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: saving epoch " + (epoch + 1) + " to " + path + " failed", e);
        }
    }

    /**
     * Loads the checkpoint at path into model and optimizer (which must be of the kind that
     * saved it) and returns the number of epochs it had completed: the initial epoch to resume at.
     */
    public static int resume(Path path, Module model, Optimizer optimizer) throws IOException {
        Checkpoint c = Checkpoint.load(path);
        if (c.optimizerName() == null || !c.optimizerName().equals(optimizer.name())) {
            throw new IllegalArgumentException("ModelCheckpoint.resume: " + path + " holds the state of optimizer "
                    + c.optimizerName() + ", not of " + optimizer.name());
        }
        model.loadStateDict(c.model());
        optimizer.loadStateDict(c.optimizer());
        return Math.toIntExact(c.epoch());
    }
}
