package dev.nabla.data;

import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/** A dataset held in memory as two tensors whose dim 0 indexes the examples. */
public final class TensorDataset implements Dataset {
    private final Tensor inputs;
    private final Tensor targets;

    /** Inputs [n, …] and targets [n, …] (targets may be null for unlabeled data). */
    public TensorDataset(Tensor inputs, Tensor targets) {
        if (inputs.dim() == 0) {
            throw new IllegalArgumentException("TensorDataset: inputs must have a dim 0 indexing the examples, got a scalar");
        }
        if (targets != null && (targets.dim() == 0 || targets.size(0) != inputs.size(0))) {
            throw new IllegalArgumentException("TensorDataset: inputs " + Arrays.toString(inputs.shape()) + " and targets "
                    + Arrays.toString(targets.shape()) + " must have the same size in dim 0 (one row per example)");
        }
        this.inputs = inputs.detach();
        this.targets = targets == null ? null : targets.detach();
    }

    /** All inputs. */
    public Tensor inputs() {
        return inputs;
    }

    /** All targets, or null. */
    public Tensor targets() {
        return targets;
    }

    @Override
    public int size() {
        return inputs.size(0);
    }

    @Override
    public Batch get(int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("TensorDataset.get: index " + i + " outside [0, " + size() + ")");
            }
        }
        Tensor idx = Tensor.of(indices);
        return new Batch(inputs.indexSelect(0, idx), targets == null ? null : targets.indexSelect(0, idx));
    }
}
