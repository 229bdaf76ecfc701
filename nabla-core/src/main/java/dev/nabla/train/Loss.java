package dev.nabla.train;

import dev.nabla.tensor.Tensor;

/** A loss: predictions and targets to a scalar to minimize (e.g. {@code Losses::mseLoss}). */
@FunctionalInterface
public interface Loss {
    Tensor apply(Tensor predictions, Tensor targets);
}
