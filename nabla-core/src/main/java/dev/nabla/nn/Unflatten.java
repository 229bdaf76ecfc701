package dev.nabla.nn;

import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Reshapes each example to the given shape (PyTorch's {@code nn.Unflatten(1, shape)}): e.g. a
 * generator's Linear(100 → 128·7·7) output [n, 6272] to images [n, 128, 7, 7]. The inverse of
 * {@link Flatten}; a view where possible.
 */
public class Unflatten extends Layer {
    private final int[] shape;

    /** Reshapes [n, prod(shape)] to [n, shape…]. */
    public Unflatten(int... shape) {
        if (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("Unflatten: the shape " + Arrays.toString(shape) + " needs at least one dim, all >= 1");
        }
        this.shape = shape.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.reshape(outputShape(x.shape()));
    }

    /** [n, shape…]; the input must be [n, prod(shape)]. */
    @Override
    public int[] outputShape(int[] in) {
        long size = 1;
        for (int d : shape) size *= d;
        if (in.length != 2 || in[1] != size) {
            throw new IllegalArgumentException(this + ": expects inputs of shape [n, " + size + "], got " + Shape.str(in));
        }
        int[] out = new int[shape.length + 1];
        out[0] = in[0];
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    @Override
    protected String extraRepr() {
        return "dim=1, unflattened_size=" + Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("shape", shape.clone());
    }
}
