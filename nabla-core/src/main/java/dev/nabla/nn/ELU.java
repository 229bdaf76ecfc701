package dev.nabla.nn;

import dev.nabla.tensor.Tensor;
import java.util.Map;

/** x for x &gt; 0, α(eˣ − 1) otherwise (default α = 1, as PyTorch). */
public class ELU extends Layer {
    private final double alpha;

    /** α = 1. */
    public ELU() {
        this(1.0);
    }

    /** The given α. */
    public ELU(double alpha) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("ELU: alpha " + alpha + " must be finite");
        this.alpha = alpha;
    }

    /** α: the value the output tends to for very negative inputs is −α. */
    public double alpha() {
        return alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.elu(x, alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + alpha;
    }

    /** The input's shape: this layer works elementwise. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of("alpha", alpha);
    }
}
