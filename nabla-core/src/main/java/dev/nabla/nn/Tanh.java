package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** The hyperbolic tangent, elementwise. */
public class Tanh extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }

    /** The input's shape: this layer works elementwise. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
