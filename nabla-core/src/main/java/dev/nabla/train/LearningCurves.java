package dev.nabla.train;

import dev.nabla.data.Dataset;
import dev.nabla.data.Subset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Learning curves: the same network trained afresh on growing subsets of the training data, or
 * with growing L2 regularization, with the training and validation figure of each run. A large
 * gap between the two is overfitting (more data or more regularization helps); two high losses
 * that stay close are underfitting (a bigger model or longer training helps, more data does not).
 *
 * <p>The figure is a metric (e.g. {@link Metric#ACCURACY} for classification) or, without one,
 * the loss (for regression). L2 of strength λ adds λ·Σw² over the parameters named "weight"
 * (not the biases) to the training loss, as Keras' {@code l2(λ)} regularizer; the figures
 * reported are always of the plain loss and metric. Every run starts from a new model made by
 * the factory (the same initial weights each time when it is seeded) and uses the same seed
 * for shuffling; the subsets are nested (each one contains the smaller ones).
 */
public final class LearningCurves {
    /**
     * One curve: the varied quantity (training-set size or L2 strength) and, for each value, the
     * number of training examples used and the figure on the training subset and on validation.
     */
    public record Curve(String varied, String figure, double[] x, int[] trainSizes, double[] train, double[] validation) {}

    private final Supplier<Layer> modelFactory;
    private final Function<List<Tensor>, Optimizer> optimizerFactory;
    private final Loss loss;
    private final Metric metric;
    private int epochs = 10;
    private int batchSize = 32;
    private long seed = 0;

    /**
     * Curves of the networks modelFactory makes, trained by the optimizers optimizerFactory makes
     * on loss; metric null reports the loss itself.
     */
    public LearningCurves(Supplier<Layer> modelFactory, Function<List<Tensor>, Optimizer> optimizerFactory, Loss loss, Metric metric) {
        this.modelFactory = modelFactory;
        this.optimizerFactory = optimizerFactory;
        this.loss = loss;
        this.metric = metric;
    }

    /** Epochs per run (default 10). */
    public LearningCurves epochs(int n) {
        if (n < 1) throw new IllegalArgumentException("LearningCurves: epochs " + n + " must be >= 1");
        epochs = n;
        return this;
    }

    /** Batch size (default 32). */
    public LearningCurves batchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("LearningCurves: batch size " + n + " must be >= 1");
        batchSize = n;
        return this;
    }

    /** The seed of the subsets and the shuffling (default 0). */
    public LearningCurves seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The name of the figure: the metric's, or "loss". */
    public String figure() {
        return metric == null ? "loss" : metric.name();
    }

    /** Trains on each fraction of train (e.g. 0.1, 0.2, …, 1.0), with L2 strength l2 (0 for none). */
    public Curve vsTrainSize(Dataset train, Dataset validation, double[] fractions, double l2) {
        int n = train.size();
        int[] perm = Arrays.stream(Tensor.randperm(new Generator(seed), n).toLongArray()).mapToInt(v -> (int) v).toArray();
        int[] sizes = new int[fractions.length];
        double[] tr = new double[fractions.length], va = new double[fractions.length];
        for (int i = 0; i < fractions.length; i++) {
            double f = fractions[i];
            if (!(f > 0 && f <= 1)) throw new IllegalArgumentException("LearningCurves: fraction " + f + " must be in (0, 1]");
            sizes[i] = Math.max(1, (int) Math.round(f * n));
            Subset part = new Subset(train, Arrays.copyOf(perm, sizes[i]));
            double[] r = trainOnce(part, validation, l2);
            tr[i] = r[0];
            va[i] = r[1];
        }
        return new Curve("training examples", figure(), Arrays.stream(sizes).asDoubleStream().toArray(), sizes, tr, va);
    }

    /** Trains on all of train with each L2 strength (e.g. 0, 1e-4, 1e-3, 1e-2, 1e-1). */
    public Curve vsL2(Dataset train, Dataset validation, double[] strengths) {
        int[] sizes = new int[strengths.length];
        double[] tr = new double[strengths.length], va = new double[strengths.length];
        for (int i = 0; i < strengths.length; i++) {
            if (!(strengths[i] >= 0)) throw new IllegalArgumentException("LearningCurves: L2 strength " + strengths[i] + " must be >= 0");
            sizes[i] = train.size();
            double[] r = trainOnce(train, validation, strengths[i]);
            tr[i] = r[0];
            va[i] = r[1];
        }
        return new Curve("L2 strength", figure(), strengths.clone(), sizes, tr, va);
    }

    /** {train figure, validation figure} after one fresh training. */
    private double[] trainOnce(Dataset train, Dataset validation, double l2) {
        Layer model = modelFactory.get();
        Optimizer opt = optimizerFactory.apply(model.parameters());
        Loss training = l2 == 0 ? loss : (p, t) -> loss.apply(p, t).add(l2Penalty(model, l2));
        Trainer trainer = new Trainer(model, opt, training);
        trainer.fit(train, new FitOptions().epochs(epochs).batchSize(batchSize).seed(seed).progress(false));
        Trainer plain = metric == null ? new Trainer(model, opt, loss) : new Trainer(model, opt, loss, metric);
        String key = metric == null ? "loss" : metric.name();
        return new double[] {plain.evaluate(train, 1024).get(key), plain.evaluate(validation, 1024).get(key)};
    }

    /** λ·Σw² over the parameters whose name ends in "weight". */
    public static Tensor l2Penalty(Layer model, double lambda) {
        Tensor sum = null;
        for (var e : model.namedParameters().entrySet()) {
            if (!e.getKey().equals("weight") && !e.getKey().endsWith(".weight")) continue;
            Tensor s = e.getValue().square().sum();
            sum = sum == null ? s : sum.add(s);
        }
        if (sum == null) throw new IllegalArgumentException("LearningCurves: the model has no parameter named 'weight' to regularize");
        return sum.mul(lambda);
    }
}
