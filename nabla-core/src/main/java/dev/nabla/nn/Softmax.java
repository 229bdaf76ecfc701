package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** softmax along a dim (default −1, the last): probabilities that sum to 1, stable for large inputs. */
public class Softmax extends Module {
    private final int dim;

    /** softmax along the last dim. */
    public Softmax() {
        this(-1);
    }

    /** softmax along dim. */
    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
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
}
