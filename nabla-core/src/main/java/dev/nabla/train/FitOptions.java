package dev.nabla.train;

import dev.nabla.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings of {@link Trainer#fit}: epochs, batch size, shuffling seed, validation (a
 * fraction held out of the training data, or explicit data), callbacks, progress output and
 * gradient clipping. Defaults: 1 epoch, batch 32, shuffled with seed 0, no validation, no
 * clipping, progress on.
 */
public final class FitOptions {
    int epochs = 1;
    int initialEpoch = 0;
    int batchSize = 32;
    boolean shuffle = true;
    long seed = 0;
    double validationSplit = 0;
    Dataset validationData;
    final List<Callback> callbacks = new ArrayList<>();
    boolean progress = true;
    int microBatches = 1;
    MicroBatches.Engine engine = MicroBatches.LOCAL;
    double clipGradNorm = Double.POSITIVE_INFINITY;

    /** Number of passes over the training data. */
    public FitOptions epochs(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("fit: epochs " + epochs + " must be >= 1");
        this.epochs = epochs;
        return this;
    }

    /**
     * The epoch to start at (0-based), when resuming from a checkpoint saved after epoch
     * initialEpoch − 1; {@link #epochs(int)} stays the total count, as in Keras.
     */
    public FitOptions initialEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("fit: initial epoch " + epoch + " must be >= 0");
        this.initialEpoch = epoch;
        return this;
    }

    /** Examples per optimizer step. */
    public FitOptions batchSize(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("fit: batch size " + batchSize + " must be >= 1");
        this.batchSize = batchSize;
        return this;
    }

    /**
     * Cuts each batch into this many micro-batches whose gradients are added over a fixed tree
     * ({@link MicroBatches}): gradient accumulation for batches too large for memory, and the unit
     * of data-parallel training, whose result then has the same bits on any number of machines.
     * Part of the training's definition (it changes batch norm's statistics and dropout's masks),
     * not of the hardware. Default 1.
     */
    public FitOptions microBatches(int m) {
        if (m < 1) throw new IllegalArgumentException("fit: micro-batches " + m + " must be >= 1");
        this.microBatches = m;
        return this;
    }

    /** The number of epochs. */
    public int epochs() {
        return epochs;
    }

    /** The seed of the shuffling, the validation split and the per-step randomness. */
    public long seed() {
        return seed;
    }

    /** The micro-batches per batch. */
    public int microBatches() {
        return microBatches;
    }

    /** Where the micro-batches run: {@link MicroBatches#LOCAL} (the default), or a cluster's engine. */
    public FitOptions engine(MicroBatches.Engine engine) {
        this.engine = java.util.Objects.requireNonNull(engine, "fit: engine");
        return this;
    }

    /** Whether to reshuffle every epoch (seeded by {@link #seed}). */
    public FitOptions shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    /** The seed of the shuffling and of the validation split. */
    public FitOptions seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Hold out this fraction of the training data for validation (the course uses 0.3). */
    public FitOptions validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fit: validation split " + fraction + " must be in [0, 1)");
        }
        this.validationSplit = fraction;
        return this;
    }

    /** Validate on this data instead of a split. */
    public FitOptions validationData(Dataset data) {
        this.validationData = data;
        return this;
    }

    /** Adds callbacks, run in the order given. */
    public FitOptions callbacks(Callback... cbs) {
        callbacks.addAll(List.of(cbs));
        return this;
    }

    /** Whether to print progress (a bar on a terminal, one line per epoch otherwise). */
    public FitOptions progress(boolean on) {
        this.progress = on;
        return this;
    }

    /**
     * Clips the total Euclidean norm of each optimizer's gradients to maxNorm after backward and
     * before the update, as {@code torch.nn.utils.clip_grad_norm_} ({@link dev.nabla.optim.Clip#gradNorm});
     * custom steps get it through {@link StepContext#update}.
     */
    public FitOptions clipGradNorm(double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("fit: clipGradNorm " + maxNorm + " must be > 0");
        this.clipGradNorm = maxNorm;
        return this;
    }
}
