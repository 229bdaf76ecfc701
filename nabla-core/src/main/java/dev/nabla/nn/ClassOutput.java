package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/**
 * An output layer over many classes (the words of a language model) that owns its loss: the
 * full softmax ({@link SoftmaxOutput}) or the {@link HierarchicalSoftmax}, interchangeable behind
 * a hidden layer of {@link #inFeatures()} units.
 */
public interface ClassOutput {
    /** The mean over the batch of −log p(target | h): h [batch, inFeatures], target int64 [batch]. */
    Tensor loss(Tensor h, Tensor target);

    /** log p(c | h) for every class c: [batch, numClasses], each row's exponentials summing to 1. */
    Tensor logProbabilities(Tensor h);

    /** The number of classes. */
    int numClasses();

    /** The size of the hidden vector h. */
    int inFeatures();
}
