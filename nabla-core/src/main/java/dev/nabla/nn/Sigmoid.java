package dev.nabla.nn;

import dev.nabla.tensor.Tensor;
import java.util.Map;

/** The logistic sigmoid σ(x) = 1/(1 + e^−x), elementwise. */
public class Sigmoid extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }

    /** The input's shape: this layer works elementwise. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of();
    }
}
