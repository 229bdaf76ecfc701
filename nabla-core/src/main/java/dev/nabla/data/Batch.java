package dev.nabla.data;

import dev.nabla.tensor.Tensor;

/** A batch of examples: inputs stacked along dim 0, and the matching targets (null when unlabeled). */
public record Batch(Tensor inputs, Tensor targets) {
    /** The number of examples in the batch. */
    public int size() {
        return inputs.size(0);
    }
}
