package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Map;

/**
 * A fully connected (dense) layer, y = x·Wᵀ + b, with W of shape [out, in] and b of shape [out]
 * as in PyTorch; x has shape [..., in].
 *
 * <p>Default initialization, PyTorch's: W by {@code Init.kaimingUniform(W, √5, FAN_IN,
 * LEAKY_RELU)}, which is U(−1/√in, 1/√in), then b from U(−1/√in, 1/√in), drawn in that order
 * from the given {@link Generator} (default: {@link Generator#global()}). Float32; use
 * {@link Layer#toType} for float64.
 *
 * <p>{@code new Linear(10)} (or {@link #lazy}) infers in_features from its first input, as Keras's
 * Dense: {@code new Sequential(new Flatten(), new Linear(128), new ReLU(), new Linear(10))}. It
 * draws its initial weights then, from the generator it was given.
 */
public class Linear extends Layer {
    private final int outFeatures;
    private final boolean hasBias;
    private int inFeatures; // 0 until a lazy layer sees its first input
    private Generator lazyGen;  // the generator a lazy layer initializes from, until it is built

    /** A lazy layer with bias: in_features is inferred from its first input; initialized from the global generator. */
    public Linear(int outFeatures) {
        this(outFeatures, true, Generator.global(), true);
    }

    /** A lazy layer: in_features is inferred from its first input, when its weights are drawn from gen. */
    public static Linear lazy(int outFeatures, boolean bias, Generator gen) {
        return new Linear(outFeatures, bias, gen, true);
    }

    private Linear(int outFeatures, boolean bias, Generator gen, boolean lazy) {
        if (outFeatures <= 0) throw new IllegalArgumentException("Linear: out_features " + outFeatures + " must be positive");
        if (gen == null) throw new IllegalArgumentException("Linear: the generator is null; pass Generator.global() or a seeded one");
        this.outFeatures = outFeatures;
        this.hasBias = bias;
        this.lazyGen = gen;
        deferBuild();
    }

    /** A layer with bias, initialized from the global generator. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Generator.global());
    }

    /** A layer with or without bias, initialized from the global generator. */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Generator.global());
    }

    /** A layer with bias, initialized from gen. */
    public Linear(int inFeatures, int outFeatures, Generator gen) {
        this(inFeatures, outFeatures, true, gen);
    }

    /** A layer with or without bias, initialized from gen. */
    public Linear(int inFeatures, int outFeatures, boolean bias, Generator gen) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: in_features " + inFeatures + " and out_features " + outFeatures
                    + " must both be positive");
        }
        if (gen == null) throw new IllegalArgumentException("Linear: the generator is null; pass Generator.global() or a seeded one");
        this.outFeatures = outFeatures;
        this.hasBias = bias;
        create(inFeatures, DType.FLOAT32, gen);
    }

    private void create(int in, DType dtype, Generator gen) {
        this.inFeatures = in;
        registerParameter("weight", Tensor.zeros(dtype, outFeatures, in));
        if (hasBias) registerParameter("bias", Tensor.zeros(dtype, outFeatures));
        resetParameters(gen);
    }

    /** Re-draws the default initialization (see the class comment) from gen. */
    public void resetParameters(Generator gen) {
        Init.kaimingUniform(weight(), Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU, gen);
        if (hasBias) {
            double bound = 1 / Math.sqrt(inFeatures);
            Init.uniform(bias(), -bound, bound, gen);
        }
    }

    /** The weight W, shape [out, in]. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The bias b, shape [out], or null for a layer without bias. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    /** The number of input features (0 for a lazy layer not yet built). */
    public int inFeatures() {
        return inFeatures;
    }

    /** The number of output features. */
    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (inFeatures == 0 && s.length > 0 && s[s.length - 1] > 0) { // a lazy layer's first input: its parameters, of x's type
            create(s[s.length - 1], x.dtype(), lazyGen);
            lazyGen = null;
            markBuilt();
        }
        outputShape(s);
        return Functional.linear(x, weight(), bias());
    }

    /** [..., in] → [..., out]; throws when the last dim is not in. */
    @Override
    public int[] outputShape(int[] s) {
        if (s.length == 0 || (inFeatures > 0 ? s[s.length - 1] != inFeatures : s[s.length - 1] < 1)) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(s) + " has "
                    + (s.length == 0 ? "no feature dim" : s[s.length - 1] + " features in its last dim")
                    + ", expected " + inFeatures + "; give it [batch, " + inFeatures + "] or build Linear("
                    + (s.length == 0 ? "?" : s[s.length - 1]) + ", " + outFeatures + ")"
                    + (s.length == 4 ? " (images are [N, C, H, W]: put a Flatten before a Linear)" : ""));
        }
        int[] out = s.clone();
        out[s.length - 1] = outFeatures;
        return out;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + (inFeatures == 0 ? "?" : inFeatures) + ", out_features=" + outFeatures + ", bias=" + (hasBias ? "True" : "False");
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of("in", inFeatures, "out", outFeatures, "bias", hasBias);
    }
}
