package dev.nabla.train;

import dev.nabla.data.Batch;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.data.Splits;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Keras-style top of nabla: {@link #fit}, {@link #evaluate} and {@link #predict} around a
 * {@link TrainStep}. The usual constructor trains one model with one optimizer on one loss (a
 * {@link SupervisedStep}); {@link #Trainer(TrainStep)} runs any custom step (a GAN's, a
 * distillation's) with the same epochs, shuffling, progress bar, history and callbacks.
 */
public final class Trainer {
    private final TrainStep step;
    private PrintStream out = System.out;
    private boolean stopRequested;

    /** A trainer of model by optimizer on loss, reporting the given metrics (optimizer null: for evaluate and predict only). */
    public Trainer(Layer model, Optimizer optimizer, Loss loss, Metric... metrics) {
        this(new SupervisedStep(model, optimizer, loss, metrics));
    }

    /** A trainer running a custom training step. */
    public Trainer(TrainStep step) {
        if (step.models().isEmpty()) {
            throw new IllegalArgumentException("Trainer: " + step.getClass().getSimpleName() + " declares no model; a step needs one");
        }
        this.step = step;
    }

    /** Where progress goes (System.out by default). */
    public Trainer output(PrintStream out) {
        this.out = out;
        return this;
    }

    /** The training step (its models, optimizers and generators are everything fit changes). */
    public TrainStep step() {
        return step;
    }

    /** The model being trained, when the step has exactly one (see {@link TrainStep#models()} otherwise). */
    public Layer model() {
        return only(step.models(), "model");
    }

    /** The optimizer, when the step has exactly one (see {@link TrainStep#optimizers()} otherwise). */
    public Optimizer optimizer() {
        return only(step.optimizers(), "optimizer");
    }

    private <T> T only(Map<String, T> named, String what) {
        if (named.size() != 1) {
            throw new IllegalStateException("Trainer: this " + step.getClass().getSimpleName() + " has " + named.size() + " "
                    + what + "s " + named.keySet() + "; get them by name from trainer.step()." + what + "s()");
        }
        return named.values().iterator().next();
    }

    /** Asks fit to stop after the current epoch (for callbacks such as early stopping). */
    public void stopTraining() {
        stopRequested = true;
    }

    /** fit on in-memory inputs [n, …] and targets [n, …]. */
    public History fit(Tensor inputs, Tensor targets, FitOptions options) {
        return fit(new TensorDataset(inputs, targets), options);
    }

    /**
     * Trains for options.epochs epochs and returns every epoch's train and validation logs: the
     * step's values averaged over the epoch, val_ values from its test step, and the learning
     * rate ("lr", or "NAME_lr" for each optimizer when there are several).
     */
    public History fit(Dataset data, FitOptions options) {
        if (step.optimizers().isEmpty()) {
            throw new IllegalStateException("fit: this trainer has no optimizer (it was made to evaluate and predict);"
                    + " give the Trainer one to train");
        }
        Dataset train = data, validation = options.validationData;
        if (options.validationSplit > 0) {
            if (validation != null) {
                throw new IllegalArgumentException("fit: give either a validation split or validation data, not both");
            }
            Splits.TrainValidation split = Splits.trainValidation(data, options.validationSplit, new Generator(options.seed));
            train = split.train();
            validation = split.validation();
        }
        DataLoader loader = new DataLoader(train, options.batchSize, options.shuffle, false, options.seed + 1);
        loader.setEpoch(options.initialEpoch);
        List<Callback> callbacks = new ArrayList<>(options.callbacks);
        Progress progress = options.progress ? new Progress(out, options.epochs, loader.numBatches()) : null;
        StepContext context = new StepContext(step, options.clipGradNorm).distributed(options.microBatches, options.engine, options.seed);
        History history = new History();
        stopRequested = false;
        for (Callback c : callbacks) c.onTrainBegin(this);
        for (int epoch = options.initialEpoch; epoch < options.epochs && !stopRequested; epoch++) {
            for (Callback c : callbacks) c.onEpochBegin(this, epoch);
            for (Layer m : step.models().values()) m.train();
            Totals totals = new Totals();
            int[][] batches = loader.nextEpochIndices();
            for (int batch = 0; batch < batches.length; batch++) {
                context.at(epoch, batch, (long) epoch * batches.length + batch);
                totals.add(step.trainStep(train, batches[batch], context), batches[batch].length);
                Map<String, Double> running = totals.logs("");
                for (Callback c : callbacks) c.onBatchEnd(this, epoch, batch, batches.length, running);
                if (progress != null) progress.batch(epoch, batch + 1, running);
            }
            Map<String, Double> logs = totals.logs("");
            if (validation != null) logs.putAll(evaluate(validation, options.batchSize, "val_"));
            for (var o : step.optimizers().entrySet()) {
                logs.put(step.optimizers().size() == 1 ? "lr" : o.getKey() + "_lr", o.getValue().lr());
            }
            history.add(logs);
            for (Callback c : callbacks) c.onEpochEnd(this, epoch, logs);
            if (progress != null) progress.epochEnd(epoch, logs);
        }
        for (Callback c : callbacks) c.onTrainEnd(this, history);
        return history;
    }

    /** Loss and metrics on data, in eval mode without recording; keys as in History. */
    public Map<String, Double> evaluate(Dataset data, int batchSize) {
        return evaluate(data, batchSize, "");
    }

    private Map<String, Double> evaluate(Dataset data, int batchSize, String prefix) {
        return StepContext.inEval(step.models().values(), () -> {
            Totals totals = new Totals();
            try (var scope = GradMode.noGrad()) {
                for (Batch b : new DataLoader(data, batchSize)) totals.add(step.testStep(b), b.size());
            }
            return totals.logs(prefix);
        });
    }

    /** The model's outputs for inputs [n, …], in eval mode, batch by batch. */
    public Tensor predict(Tensor inputs, int batchSize) {
        return predict(model(), inputs, batchSize);
    }

    /** model's outputs for inputs [n, …], in eval mode, batch by batch, without recording. */
    static Tensor predict(Layer model, Tensor inputs, int batchSize) {
        return StepContext.inEval(List.of(model), () -> {
            List<Tensor> parts = new ArrayList<>();
            try (var scope = GradMode.noGrad()) {
                for (Batch b : new DataLoader(new TensorDataset(inputs, null), batchSize)) parts.add(model.forward(b.inputs()));
            }
            return Tensor.cat(parts, 0);
        });
    }

    /** Example-weighted running sums of a step's values over an epoch (a value a batch lacks is not counted for it). */
    private static final class Totals {
        private final Map<String, double[]> sums = new LinkedHashMap<>(); // name -> {weighted sum, examples}

        void add(Map<String, Double> batchValues, int examples) {
            for (var e : batchValues.entrySet()) {
                double[] s = sums.computeIfAbsent(e.getKey(), k -> new double[2]);
                s[0] += e.getValue() * examples;
                s[1] += examples;
            }
        }

        Map<String, Double> logs(String prefix) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (var e : sums.entrySet()) m.put(prefix + e.getKey(), e.getValue()[0] / e.getValue()[1]);
            return m;
        }
    }
}
