package dev.nabla.nn;

import dev.nabla.tensor.Tensor;
import java.util.Map;

/** max(x, 0), elementwise (derivative 0 at 0, as PyTorch). */
public class ReLU extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
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
