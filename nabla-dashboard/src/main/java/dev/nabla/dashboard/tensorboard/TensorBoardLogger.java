package dev.nabla.dashboard.tensorboard;

import dev.nabla.dashboard.MonitoringCallback;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.GradientMonitor;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * A {@link dev.nabla.train.Callback} that writes what training does as TensorBoard event files, laid out as
 * Keras's TensorBoard callback lays them out: {@code DIR/train} and {@code DIR/validation}, so
 * TensorBoard draws the training and validation curves of a quantity in one chart.
 *
 * <p>The step of a batch value is the number of optimizer steps taken so far, that of an epoch
 * value the number of finished epochs. Tags:
 * <ul>
 *   <li>{@code batch_<name>}: the running averages of the epoch (loss, metrics) and
 *       {@code batch_learning_rate}, every {@link #everyBatches k}-th step (train run);
 *   <li>{@code epoch_<name>}: the epoch's loss and metrics (train run) and validation values
 *       (validation run, without the {@code val_} prefix), {@code epoch_learning_rate};
 *   <li>per layer, what {@link GradientMonitor} measures: {@code grad_norm/<layer>} (mean over
 *       the epoch's steps), {@code weight_norm/<layer>}, {@code dead_relu_fraction/<layer>}
 *       (with a {@link #probe}); per parameter, the histograms {@code weights/<name>} at the end
 *       of the epoch and {@code gradients/<name>} of the epoch's last step;
 *   <li>{@code predictions}: for an image classifier given {@link #samples}, the sample images
 *       with their predicted and true labels, mistakes in red.
 * </ul>
 */
public final class TensorBoardLogger extends MonitoringCallback<TensorBoardLogger> implements Closeable {
    private final Path logDir;
    private DoubleSupplier clock = () -> System.currentTimeMillis() / 1000.0;
    private int every = 1;
    private boolean histograms = true;
    private SummaryWriter train, validation;

    /** A logger writing under logDir (the folder to give {@code tensorboard --logdir}). */
    public TensorBoardLogger(Path logDir) {
        this.logDir = logDir;
    }

    /** Writes the batch values every k-th step only (default every step). */
    public TensorBoardLogger everyBatches(int k) {
        if (k < 1) throw new IllegalArgumentException("TensorBoardLogger.everyBatches: " + k + " must be >= 1");
        this.every = k;
        return this;
    }

    /** Whether to write the weight and gradient histograms (default on; they are the largest part of the file). */
    public TensorBoardLogger histograms(boolean on) {
        this.histograms = on;
        return this;
    }

    /** The wall-clock times the events carry (seconds since 1970); fixed ones make files reproducible. */
    public TensorBoardLogger clock(DoubleSupplier clock) {
        this.clock = clock;
        return this;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        try {
            close();
            train = new SummaryWriter(logDir.resolve("train"), clock);
        } catch (IOException e) {
            throw failure(e);
        }
        validation = null;
        super.onTrainBegin(trainer);
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, Map<String, Double> logs) {
        super.onBatchEnd(trainer, epoch, batch, batches, logs);
        long step = (long) epoch * batches + batch + 1;
        try {
            if ((batch + 1) % every == 0 || batch == batches - 1) {
                for (var e : logs.entrySet()) train.addScalar("batch_" + e.getKey(), step, e.getValue());
                train.addScalar("batch_learning_rate", step, trainer.optimizer().lr());
            }
            if (histograms && batch == batches - 1) {
                for (var p : trainer.model().namedParameters().entrySet()) {
                    Tensor g = p.getValue().grad();
                    if (g != null && g.numel() > 0) train.addHistogram("gradients/" + p.getKey(), epoch + 1, g.toDoubleArray());
                }
            }
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        super.onEpochEnd(trainer, epoch, logs);
        long step = epoch + 1;
        try {
            for (var e : logs.entrySet()) {
                String key = e.getKey();
                if (key.equals("lr")) {
                    train.addScalar("epoch_learning_rate", step, e.getValue());
                } else if (key.startsWith("val_")) {
                    if (validation == null) validation = new SummaryWriter(logDir.resolve("validation"), clock);
                    validation.addScalar("epoch_" + key.substring(4), step, e.getValue());
                } else {
                    train.addScalar("epoch_" + key, step, e.getValue());
                }
            }
            GradientMonitor.EpochStats s = lastEpoch();
            scalars("grad_norm/", step, s.gradNorms());
            scalars("weight_norm/", step, s.weightNorms());
            scalars("dead_relu_fraction/", step, s.deadFractions());
            if (histograms) {
                for (var p : trainer.model().namedParameters().entrySet()) {
                    if (p.getValue().numel() > 0) train.addHistogram("weights/" + p.getKey(), step, p.getValue().toDoubleArray());
                }
            }
            if (samples != null) train.addImage("predictions", step, samples.render(samples.predict(trainer.model())));
            train.flush();
            if (validation != null) validation.flush();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private void scalars(String prefix, long step, Map<String, Double> values) throws IOException {
        for (var e : values.entrySet()) {
            if (Double.isFinite(e.getValue())) train.addScalar(prefix + e.getKey(), step, e.getValue());
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        try {
            close();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** Closes the event files (done at the end of training; call it when training fails). */
    @Override
    public void close() throws IOException {
        try {
            if (train != null) train.close();
        } finally {
            train = null;
            if (validation != null) validation.close();
            validation = null;
        }
    }

    private UncheckedIOException failure(IOException e) {
        return new UncheckedIOException("TensorBoardLogger: cannot write the event files under " + logDir + ": " + e.getMessage(), e);
    }
}
