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
 * The Keras-style top of nabla: a model, an optimizer, a loss and metrics, with
 * {@link #fit}, {@link #evaluate} and {@link #predict}. One training step is the PyTorch loop
 * (zero the gradients, forward, loss, backward, optimizer step); the loss is the batch mean, so
 * full-batch, mini-batch and single-example gradient descent differ only in the batch size.
 */
public final class Trainer {
    private final Layer model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Metric> metrics;
    private PrintStream out = System.out;
    private boolean stopRequested;

    /** A trainer of model by optimizer on loss, reporting the given metrics. */
    public Trainer(Layer model, Optimizer optimizer, Loss loss, Metric... metrics) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics = List.of(metrics);
    }

    /** Where progress goes (System.out by default). */
    public Trainer output(PrintStream out) {
        this.out = out;
        return this;
    }

    /** The model being trained. */
    public Layer model() {
        return model;
    }

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Asks fit to stop after the current epoch (for callbacks such as early stopping). */
    public void stopTraining() {
        stopRequested = true;
    }

    /** fit on in-memory inputs [n, …] and targets [n, …]. */
    public History fit(Tensor inputs, Tensor targets, FitOptions options) {
        return fit(new TensorDataset(inputs, targets), options);
    }

    /** Trains for options.epochs epochs and returns every epoch's train and validation logs. */
    public History fit(Dataset data, FitOptions options) {
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
        History history = new History();
        stopRequested = false;
        for (Callback c : callbacks) c.onTrainBegin(this);
        for (int epoch = options.initialEpoch; epoch < options.epochs && !stopRequested; epoch++) {
            for (Callback c : callbacks) c.onEpochBegin(this, epoch);
            model.train();
            Totals totals = new Totals(metrics);
            int[][] batches = loader.nextEpochIndices();
            for (int batch = 0; batch < batches.length; batch++) {
                long step = (long) epoch * batches.length + batch;
                MicroBatches.Part part = step(train, batches[batch], options, step, epoch, batch);
                totals.add(part, batches[batch].length);
                Map<String, Double> running = totals.logs("");
                for (Callback c : callbacks) c.onBatchEnd(this, epoch, batch, batches.length, running);
                if (progress != null) progress.batch(epoch, batch + 1, running);
            }
            Map<String, Double> logs = totals.logs("");
            if (validation != null) logs.putAll(evaluate(validation, options.batchSize, "val_"));
            logs.put("lr", optimizer.lr());
            history.add(logs);
            for (Callback c : callbacks) c.onEpochEnd(this, epoch, logs);
            if (progress != null) progress.epochEnd(epoch, logs);
        }
        for (Callback c : callbacks) c.onTrainEnd(this, history);
        return history;
    }

    // One optimizer step on the batch's micro-batches, giving their summed part (loss and metric
    // totals); a non-finite loss or gradient stops training with a precise message.
    private MicroBatches.Part step(Dataset data, int[] batch, FitOptions options, long step, int epoch, int batchIndex) {
        optimizer.zeroGrad();
        MicroBatches.Part part = options.engine.run(model, loss, metrics, data, MicroBatches.split(batch, options.microBatches),
                batch.length, options.seed, step);
        MicroBatches.install(model, part);
        double value = part.loss();
        String badGrad = firstNonFiniteGrad();
        if (!Double.isFinite(value) || badGrad != null) {
            String what = Double.isFinite(value) ? "a gradient became non-finite" : "the loss became " + value;
            String where = badGrad != null ? "; the first layer with a non-finite gradient is " + badGrad
                    : firstNonFiniteWeight();
            throw new NonFiniteException(what + " at epoch " + (epoch + 1) + ", batch " + (batchIndex + 1) + where
                    + "; try a smaller learning rate, gradient clipping or normalized inputs");
        }
        optimizer.step();
        return part;
    }

    private String firstNonFiniteGrad() {
        for (var e : model.namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            if (g != null && !allFinite(g)) return e.getKey();
        }
        return null;
    }

    private String firstNonFiniteWeight() {
        for (var e : model.namedParameters().entrySet()) {
            if (!allFinite(e.getValue())) return "; the weights of " + e.getKey() + " are already non-finite";
        }
        return "; every weight and gradient is finite (the loss overflowed)";
    }

    // max |x| is finite exactly when every element is (NaN propagates through max)
    private static boolean allFinite(Tensor t) {
        try (var scope = GradMode.noGrad()) {
            return t.numel() == 0 || Double.isFinite(t.abs().max().item());
        }
    }

    /** Loss and metrics on data, in eval mode without recording; keys as in History. */
    public Map<String, Double> evaluate(Dataset data, int batchSize) {
        return evaluate(data, batchSize, "");
    }

    private Map<String, Double> evaluate(Dataset data, int batchSize, String prefix) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Totals totals = new Totals(metrics);
        try (var scope = GradMode.noGrad()) {
            for (Batch b : new DataLoader(data, batchSize)) {
                Tensor p = model.forward(b.inputs());
                totals.add(loss.apply(p, b.targets()).item(), b, p);
            }
        } finally {
            if (wasTraining) model.train();
        }
        return totals.logs(prefix);
    }

    /** The model's outputs for inputs [n, …], in eval mode, batch by batch. */
    public Tensor predict(Tensor inputs, int batchSize) {
        boolean wasTraining = model.isTraining();
        model.eval();
        List<Tensor> parts = new ArrayList<>();
        try (var scope = GradMode.noGrad()) {
            for (Batch b : new DataLoader(new TensorDataset(inputs, null), batchSize)) parts.add(model.forward(b.inputs()));
        } finally {
            if (wasTraining) model.train();
        }
        return Tensor.cat(parts, 0);
    }

    /** Example-weighted running sums of the loss and metrics over an epoch. */
    private static final class Totals {
        private final List<Metric> metrics;
        private double lossSum;
        private int count;
        private final double[] sums, counts;

        Totals(List<Metric> metrics) {
            this.metrics = metrics;
            sums = new double[metrics.size()];
            counts = new double[metrics.size()];
        }

        void add(double batchLoss, Batch b, Tensor predictions) {
            lossSum += batchLoss * b.size();
            count += b.size();
            for (int i = 0; i < metrics.size(); i++) {
                double[] t = metrics.get(i).batchTotal(predictions, b.targets());
                sums[i] += t[0];
                counts[i] += t[1];
            }
        }

        void add(MicroBatches.Part part, int size) {
            lossSum += part.loss() * size;
            count += size;
            for (int i = 0; i < metrics.size(); i++) {
                sums[i] += part.metricSums[i];
                counts[i] += part.metricCounts[i];
            }
        }

        Map<String, Double> logs(String prefix) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put(prefix + "loss", count == 0 ? Double.NaN : lossSum / count);
            for (int i = 0; i < metrics.size(); i++) m.put(prefix + metrics.get(i).name(), sums[i] / counts[i]);
            return m;
        }
    }
}
