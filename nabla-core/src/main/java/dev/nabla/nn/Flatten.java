package dev.nabla.nn;

import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;

/** Flattens dims startDim … endDim into one (default 1 … −1: everything but the batch dim), as a view where possible. */
public class Flatten extends Module {
    private final int startDim, endDim;

    /** Flattens all dims after the batch dim. */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens dims startDim … endDim (inclusive; negative counts from the end). */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        int r = x.dim();
        int s = startDim < 0 ? startDim + r : startDim, e = endDim < 0 ? endDim + r : endDim;
        if (s < 0 || s >= Math.max(r, 1) || e < 0 || e >= Math.max(r, 1) || s > e) {
            throw new IllegalArgumentException(this + ": cannot flatten dims " + startDim + " to " + endDim
                    + " of an input of shape " + Shape.str(x.shape()) + "; the input needs a batch dim and at least one more");
        }
        return x.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
