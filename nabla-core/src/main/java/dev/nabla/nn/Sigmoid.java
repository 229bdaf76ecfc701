package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

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
}
