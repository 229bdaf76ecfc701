package dev.nabla.nn;

import java.util.Map;

/** A shape-keeping layer that normalizes along one dim (softmax, log softmax): the dim and its description. */
abstract class AlongDim extends Layer {
    final int dim;

    AlongDim(int dim) {
        this.dim = dim;
    }

    /** The dim normalized along (negative counts from the end). */
    public int dim() {
        return dim;
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }

    /** The input's shape: this layer keeps the shape. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of("dim", dim);
    }
}
