package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** Returns its input unchanged (a placeholder, e.g. to switch a layer off). */
public class Identity extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x;
    }

    /** The input's shape: this layer works elementwise. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
