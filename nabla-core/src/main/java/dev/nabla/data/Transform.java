package dev.nabla.data;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;

/**
 * A transformation of a batch of inputs, such as an image augmentation; random ones draw from
 * the given generator, so a seed fixes them. See {@link Transforms} for normalize, random crop
 * and random horizontal flip, and {@link TransformedDataset} to apply one batch by batch.
 */
@FunctionalInterface
public interface Transform {
    /** The transformed batch (a new tensor; the input is left unchanged). */
    Tensor apply(Tensor batch, Generator gen);

    /** This transform, then next. */
    default Transform andThen(Transform next) {
        Transform first = this;
        return (batch, gen) -> next.apply(first.apply(batch, gen), gen);
    }
}
