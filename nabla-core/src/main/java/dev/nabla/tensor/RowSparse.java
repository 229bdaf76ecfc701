package dev.nabla.tensor;

import java.util.Arrays;

/**
 * A gradient that is zero except on some rows of a [rows, ...] tensor, as the sparse COO
 * gradient PyTorch gives an {@code Embedding(sparse=True)}: {@code values[i]} belongs to row
 * {@code indices[i]}, and repeated rows add up. A step that touches a few hundred rows of a
 * 100,000-row table then costs a few hundred rows, not the table.
 *
 * @param indices int64, shape [n]: the rows (may repeat, any order)
 * @param values shape [n, ...]: one row of gradient per index
 * @param shape the shape of the dense tensor this gradient belongs to
 */
public record RowSparse(Tensor indices, Tensor values, int[] shape) {
    /** Checks that the parts fit together. */
    public RowSparse {
        indices.requireIndex("RowSparse");
        int[] rowShape = Arrays.copyOfRange(shape, 1, shape.length);
        if (indices.dim() != 1 || values.dim() != shape.length || values.size(0) != indices.numel()
                || !Arrays.equals(Arrays.copyOfRange(values.shape(), 1, values.dim()), rowShape)) {
            throw new IllegalArgumentException("RowSparse: indices " + Shape.str(indices.shape()) + " and values "
                    + Shape.str(values.shape()) + " do not describe rows of a tensor of shape " + Shape.str(shape));
        }
        shape = shape.clone();
    }

    /** The shape of the dense tensor. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The rows of both, in one gradient (their sum). */
    public RowSparse plus(RowSparse other) {
        return new RowSparse(Tensor.cat(java.util.List.of(indices, other.indices), 0),
                Tensor.cat(java.util.List.of(values, other.values.toType(values.dtype())), 0), shape);
    }

    /**
     * The same gradient with each row once, rows ascending, repeated rows summed in the order
     * they appear (PyTorch's {@code coalesce}): deterministic, whatever the thread count.
     */
    public RowSparse coalesce() {
        long[] idx = indices.toLongArray();
        long[] unique = Arrays.stream(idx).sorted().distinct().toArray();
        long[] position = new long[idx.length];
        for (int i = 0; i < idx.length; i++) position[i] = Arrays.binarySearch(unique, idx[i]);
        int[] outShape = values.shape();
        outShape[0] = unique.length;
        Tensor summed = Tensor.zeros(values.dtype(), outShape).indexAdd(0, Tensor.of(position), values);
        return new RowSparse(Tensor.of(unique), summed, shape);
    }

    /** The dense gradient: zeros with the rows added in. */
    public Tensor toDense() {
        return Tensor.zeros(values.dtype(), shape).indexAdd(0, indices, values);
    }
}
