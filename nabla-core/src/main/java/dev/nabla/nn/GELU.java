package dev.nabla.nn;

import dev.nabla.tensor.Tensor;
import java.util.Map;

/**
 * The Gaussian error linear unit x·Φ(x). By default the exact, erf-based form (PyTorch's
 * default; see {@link Functional#erf} for its accuracy); {@code new GELU(true)} gives the tanh
 * approximation (PyTorch's approximate='tanh').
 */
public class GELU extends Layer {
    private final boolean tanhApproximation;

    /** The exact GELU. */
    public GELU() {
        this(false);
    }

    /** The exact GELU, or the tanh approximation when tanhApproximation is true. */
    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    /** Whether the tanh approximation is used instead of the exact form with erf. */
    public boolean isTanhApproximation() {
        return tanhApproximation;
    }

    @Override
    public Tensor forward(Tensor x) {
        return tanhApproximation ? Functional.geluTanh(x) : Functional.gelu(x);
    }

    @Override
    protected String extraRepr() {
        return tanhApproximation ? "approximate='tanh'" : "approximate='none'";
    }

    /** The input's shape: this layer works elementwise. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of("tanh", tanhApproximation);
    }
}
