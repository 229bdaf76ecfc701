package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Map;

/**
 * Inverted dropout: in training mode each element is zeroed with probability p and the kept
 * ones are scaled by 1/(1−p); in evaluation mode it is the identity. The mask is drawn from the
 * given {@link Generator}, or from {@link Generator#global()} at each call when none is given
 * (so {@code Generator.seedGlobal} makes it reproducible).
 */
public class Dropout extends Layer {
    private final double p;
    private final Generator gen;

    /** Dropout with probability p in [0, 1), drawing from the global generator. */
    public Dropout(double p) {
        this(p, null);
    }

    /** Dropout with probability p in [0, 1), drawing from gen (null: the global generator). */
    public Dropout(double p, Generator gen) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(typeName() + ": probability " + p + " must be in [0, 1) (0 keeps everything)");
        }
        this.p = p;
        this.gen = gen;
    }

    @Override
    protected Generator generator() {
        return gen != null ? gen : Generator.global();
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining(), generator());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }

    /** The input's shape: this layer works elementwise. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of("p", p);
    }
}
