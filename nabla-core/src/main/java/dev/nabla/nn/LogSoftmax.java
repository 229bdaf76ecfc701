package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** log softmax along a dim (default −1): x − logsumexp(x), stable; pair it with {@link Losses#nllLoss}. */
public class LogSoftmax extends Module {
    private final int dim;

    /** log softmax along the last dim. */
    public LogSoftmax() {
        this(-1);
    }

    /** log softmax along dim. */
    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
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
