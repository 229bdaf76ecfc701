package dev.nabla.train;

import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Clip;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Trainer#fit} hands a {@link TrainStep}: where it is (epoch, batch) and
 * {@link #update}, the optimizer step of plain fit (zero the gradients, backward, check for
 * non-finite values, clip by {@link FitOptions#clipGradNorm}, step) for any loss and optimizer.
 */
public final class StepContext {
    private final Map<Tensor, String> names = new IdentityHashMap<>();
    private final double clipGradNorm;
    private int microBatches = 1;
    private MicroBatches.Engine engine = MicroBatches.LOCAL;
    private long seed, step;
    private int epoch, batch;

    /**
     * The context fit makes for step; make one only to drive a step outside fit (a benchmark,
     * a hand-written loop), with {@link #at} before each batch. clipGradNorm: infinity for none.
     */
    public StepContext(TrainStep step, double clipGradNorm) {
        if (!(clipGradNorm > 0)) throw new IllegalArgumentException("StepContext: clipGradNorm " + clipGradNorm + " must be > 0");
        this.clipGradNorm = clipGradNorm;
        for (var m : step.models().entrySet()) {
            String prefix = step.models().size() == 1 ? "" : m.getKey() + ".";
            for (var p : m.getValue().namedParameters().entrySet()) names.put(p.getValue(), prefix + p.getKey());
        }
    }

    /**
     * How {@link #gradients} computes a batch's gradient: over this many micro-batches, on this
     * engine, their randomness seeded from seed ({@link MicroBatches}); fit sets its options'.
     * Returns this.
     */
    public StepContext distributed(int microBatches, MicroBatches.Engine engine, long seed) {
        if (microBatches < 1) throw new IllegalArgumentException("StepContext: micro-batches " + microBatches + " must be >= 1");
        this.microBatches = microBatches;
        this.engine = java.util.Objects.requireNonNull(engine, "StepContext: engine");
        this.seed = seed;
        return this;
    }

    /** Sets the position of the next {@link TrainStep#trainStep} call (fit does this before each batch). */
    public void at(int epoch, int batch) {
        at(epoch, batch, 0);
    }

    /** As {@link #at(int, int)}, with the optimizer step counted over the whole training (it seeds the micro-batches). */
    public void at(int epoch, int batch, long step) {
        this.epoch = epoch;
        this.batch = batch;
        this.step = step;
    }

    /** The micro-batches of a batch (1 unless fit was given more). */
    public int microBatches() {
        return microBatches;
    }

    /**
     * The gradient of model's mean loss over the examples at indices of data, in model's
     * parameters, computed over {@link #microBatches()} micro-batches on the context's engine
     * (this JVM, or a cluster): the same bits either way. Returns the part with the loss and the
     * metrics' totals; {@link #step(Optimizer, double)} then takes the optimizer step.
     */
    public MicroBatches.Part gradients(Layer model, Loss loss, List<Metric> metrics, Dataset data, int[] indices) {
        MicroBatches.Part part = engine.run(model, loss, metrics, data, MicroBatches.split(indices, microBatches), indices.length,
                seed, step);
        MicroBatches.install(model, part);
        return part;
    }

    /** The epoch, from 0. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, from 0. */
    public int batch() {
        return batch;
    }

    /** The maximum total gradient norm {@link #update} clips to, or infinity for none. */
    public double clipGradNorm() {
        return clipGradNorm;
    }

    /**
     * Minimizes a scalar loss by one step of the optimizer: zeroes its parameters' gradients,
     * backpropagates into them, clips their total (Euclidean) norm to {@link #clipGradNorm()} and
     * steps. Only the optimizer's parameters get gradients and change: the backward pass skips
     * what leads only to other tensors (another model the loss went through, such as a GAN's
     * discriminator in the generator's update). Returns the loss's value.
     *
     * @throws NonFiniteException if the loss or one of the optimizer's gradients is NaN or
     *     infinite, naming the first such parameter, before anything is updated
     */
    public double update(Optimizer optimizer, Tensor loss) {
        if (loss.numel() != 1) {
            throw new IllegalArgumentException("fit: the loss must be a scalar (use reduction mean or sum), got shape "
                    + Arrays.toString(loss.shape()));
        }
        optimizer.zeroGrad();
        double value = loss.item();
        List<Tensor> trainable = optimizer.params().stream().filter(Tensor::requiresGrad).toList();
        if (trainable.isEmpty()) loss.backward();
        else loss.backward(trainable);
        return step(optimizer, value);
    }

    /**
     * The second half of {@link #update}, for gradients already in the optimizer's parameters
     * (e.g. from {@link #gradients}): checks the loss value and the gradients, clips, steps.
     * Returns the loss value.
     *
     * @throws NonFiniteException as {@link #update} does
     */
    public double step(Optimizer optimizer, double value) {
        List<Tensor> params = optimizer.params();
        String badGrad = firstNonFinite(params, true);
        if (!Double.isFinite(value) || badGrad != null) {
            String what = Double.isFinite(value) ? "a gradient became non-finite" : "the loss became " + value;
            String badWeight = firstNonFinite(params, false);
            String where = badGrad != null ? "; the first layer with a non-finite gradient is " + badGrad
                    : badWeight != null ? "; the weights of " + badWeight + " are already non-finite"
                    : "; every weight and gradient is finite (the loss overflowed)";
            throw new NonFiniteException(what + " at epoch " + (epoch + 1) + ", batch " + (batch + 1) + where
                    + "; try a smaller learning rate, gradient clipping or normalized inputs");
        }
        if (clipGradNorm != Double.POSITIVE_INFINITY) Clip.gradNorm(params, clipGradNorm);
        optimizer.step();
        return value;
    }

    private String firstNonFinite(List<Tensor> params, boolean grads) {
        for (int i = 0; i < params.size(); i++) {
            Tensor t = grads ? Internals.get().gradInPassing(params.get(i)) : params.get(i);
            if (t != null && !Internals.get().allFinite(t)) return names.getOrDefault(params.get(i), "parameter " + i + " of the optimizer");
        }
        return null;
    }

    /** Runs body with the given models in eval mode, restoring each one's mode afterwards. */
    static <T> T inEval(java.util.Collection<Layer> models, java.util.function.Supplier<T> body) {
        boolean[] was = new boolean[models.size()];
        int i = 0;
        for (Layer m : models) {
            was[i++] = m.isTraining();
            m.eval();
        }
        try {
            return body.get();
        } finally {
            i = 0;
            for (Layer m : models) if (was[i++]) m.train();
        }
    }
}
