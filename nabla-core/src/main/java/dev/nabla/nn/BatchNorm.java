package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Batch normalization (Ioffe and Szegedy, 2015), the common part of {@link BatchNorm1d} and
 * {@link BatchNorm2d}: each channel (dim 1) is normalized over the batch and the other dims,
 * then scaled by γ ({@code weight}) and shifted by β ({@code bias}), both learnable.
 *
 * <ul>
 *   <li>Training: the batch mean and the biased variance (÷ n) normalize,
 *       y = (x − mean)/√(var + eps)·γ + β, and the running statistics move towards the batch's:
 *       running = (1 − momentum)·running + momentum·batch, with the unbiased variance (÷ (n − 1))
 *       for running_var. A batch with one value per channel is refused, as in PyTorch: its
 *       variance is 0.
 *   <li>Evaluation ({@link Layer#eval()}): the running mean and variance normalize.
 * </ul>
 *
 * Defaults as PyTorch: eps 1e-5, momentum 0.1, γ = 1, β = 0, running mean 0 and variance 1.
 * The buffers {@code running_mean}, {@code running_var} (non-trainable, counted as such by the
 * summary) and {@code num_batches_tracked} (int64) have PyTorch's names, so state dicts carry over.
 * Computed by {@link Functional#batchNorm} (in training one fused op with closed-form
 * derivatives); gradients of any order are available.
 *
 * <p>Built without num_features ({@code new BatchNorm2d()}), the layer takes it from its first
 * input's dim 1 (Keras's lazy build).
 */
public abstract class BatchNorm extends Layer {
    /** The num_features of a lazy layer until its first input. */
    private static final int LAZY = 0;

    private final double eps, momentum;
    private final boolean affine;
    private int numFeatures; // LAZY until a lazy layer sees its first input

    /** A lazy layer: num_features comes from the first input. */
    BatchNorm(double eps, double momentum, boolean affine) {
        this(LAZY, eps, momentum, affine, true);
    }

    BatchNorm(int numFeatures, double eps, double momentum, boolean affine) {
        this(numFeatures, eps, momentum, affine, false);
    }

    private BatchNorm(int numFeatures, double eps, double momentum, boolean affine, boolean lazy) {
        String name = typeName() + "(" + (lazy ? "" : numFeatures) + ")";
        if (!lazy && numFeatures <= 0) throw new IllegalArgumentException(name + ": num_features must be positive, got " + numFeatures);
        if (!(eps > 0)) throw new IllegalArgumentException(name + ": eps " + eps + " must be > 0");
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException(name + ": momentum " + momentum + " must be in [0, 1]");
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        if (lazy) deferBuild();
        else create(numFeatures, DType.FLOAT32);
    }

    private void create(int c, DType dtype) {
        this.numFeatures = c;
        if (affine) {
            registerParameter("weight", Tensor.ones(dtype, c));
            registerParameter("bias", Tensor.zeros(dtype, c));
        }
        registerBuffer("running_mean", Tensor.zeros(dtype, c));
        registerBuffer("running_var", Tensor.ones(dtype, c));
        registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }

    /** The number of channels C (0 for a lazy layer not yet built). */
    public int numFeatures() {
        return numFeatures;
    }

    /** The ε added to the variance before the square root. */
    public double eps() {
        return eps;
    }

    /** Whether it has a learned scale γ (weight) and shift β (bias). */
    public boolean affine() {
        return affine;
    }

    /** γ, shape [C], or null without affine. */
    public Tensor weight() {
        return affine ? parameter("weight") : null;
    }

    /** β, shape [C], or null without affine. */
    public Tensor bias() {
        return affine ? parameter("bias") : null;
    }

    /** The running mean, shape [C]. */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    /** The running (unbiased) variance, shape [C]. */
    public Tensor runningVar() {
        return buffer("running_var");
    }

    /** The running statistics' momentum. */
    public double momentum() {
        return momentum;
    }

    /** Checks the input's rank; the message says what the layer accepts. */
    abstract void checkRank(int[] shape);

    /** The input's shape, after checking its rank and channels. */
    @Override
    public int[] outputShape(int[] s) {
        checkRank(s);
        if (numFeatures != LAZY && s[1] != numFeatures) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(s) + " has " + s[1]
                    + " channels in dim 1, expected " + numFeatures + "; build " + typeName() + "(" + s[1] + ")");
        }
        return s.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = outputShape(x.shape());
        if (numFeatures == LAZY && s[1] > 0 && x.dtype().isFloating()) { // a lazy layer's first input
            create(s[1], x.dtype());
            markBuilt();
        }
        if (isTraining() && x.numel() / numFeatures <= 1) {
            throw new IllegalArgumentException(this + ": Expected more than 1 value per channel when training, got input size "
                    + Shape.str(s) + "; train with batches of at least 2 examples, or call eval() to use the running statistics");
        }
        Tensor y;
        try {
            y = Functional.batchNorm(x, runningMean(), runningVar(), weight(), bias(), isTraining(), momentum, eps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": " + e.getMessage(), e);
        }
        if (isTraining()) {
            try (var g = GradMode.noGrad()) {
                Tensor n = buffer("num_batches_tracked");
                n.set(n.item() + 1);
            }
        }
        return y;
    }

    @Override
    protected String extraRepr() {
        return (numFeatures == LAZY ? "?" : numFeatures) + ", eps=" + py(eps) + ", momentum=" + py(momentum) + ", affine=" + (affine ? "True" : "False")
                + ", track_running_stats=True";
    }

    // A double as Python's repr prints it (1e-05, 0.1), so the layer prints as in PyTorch.
    private static String py(double v) {
        double a = Math.abs(v);
        if (v == 0 || (a >= 1e-4 && a < 1e16)) {
            String s = BigDecimal.valueOf(v).toPlainString();
            return s.contains(".") ? s : s + ".0";
        }
        String[] parts = Double.toString(v).split("E");
        String mant = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
        int exp = Integer.parseInt(parts[1]);
        return mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of("features", numFeatures, "eps", eps, "momentum", momentum, "affine", affine);
    }
}
