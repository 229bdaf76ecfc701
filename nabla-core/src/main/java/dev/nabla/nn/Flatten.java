package dev.nabla.nn;

import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Map;

/** Flattens dims startDim … endDim into one (default 1 … −1: everything but the batch dim), as a view where possible. */
public class Flatten extends Layer {
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

    /** The first dim flattened (negative counts from the end). */
    public int startDim() {
        return startDim;
    }

    /** The last dim flattened, inclusive (negative counts from the end). */
    public int endDim() {
        return endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return x.flatten(startDim, endDim);
    }

    /** The dims startDim … endDim multiplied into one. */
    @Override
    public int[] outputShape(int[] in) {
        int r = in.length;
        int s = startDim < 0 ? startDim + r : startDim, e = endDim < 0 ? endDim + r : endDim;
        if (s < 0 || s >= Math.max(r, 1) || e < 0 || e >= Math.max(r, 1) || s > e) {
            throw new IllegalArgumentException(this + ": cannot flatten dims " + startDim + " to " + endDim
                    + " of an input of shape " + Shape.str(in) + "; the input needs a batch dim and at least one more");
        }
        int[] out = new int[r - (e - s)];
        int j = 0;
        for (int d = 0; d < s; d++) out[j++] = in[d];
        long m = 1;
        for (int d = s; d <= e; d++) m *= in[d];
        out[j++] = Math.toIntExact(m);
        for (int d = e + 1; d < r; d++) out[j++] = in[d];
        return out;
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of("startDim", startDim, "endDim", endDim);
    }
}
