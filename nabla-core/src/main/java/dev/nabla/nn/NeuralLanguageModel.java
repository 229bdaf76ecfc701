package dev.nabla.nn;

import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;

/**
 * A neural probabilistic language model in the style of Bengio et al. (2003): the embeddings of
 * the n previous words, concatenated, go through a body of hidden layers (a tanh layer in the
 * paper) to a vector h, and an output layer over the vocabulary ({@link HierarchicalSoftmax} or
 * {@link SoftmaxOutput}) gives p(next word | h). Children: {@code embedding}, {@code body},
 * {@code output}. {@link #forward} gives the log-probability of every word; train with
 * {@link #loss}, which never forms the full distribution.
 */
public final class NeuralLanguageModel extends Layer {
    private final int context;

    /**
     * A model reading {@code context} previous words; body maps [batch, context·embeddingDim] to
     * [batch, output.inFeatures()].
     */
    public <O extends Layer & ClassOutput> NeuralLanguageModel(Embedding embedding, int context, Layer body, O output) {
        if (context < 1) throw new IllegalArgumentException("NeuralLanguageModel: context " + context + " must be >= 1");
        if (output.numClasses() != embedding.numEmbeddings()) {
            throw new IllegalArgumentException("NeuralLanguageModel: the output has " + output.numClasses()
                    + " classes but the embedding " + embedding.numEmbeddings() + " words; they must be the vocabulary");
        }
        this.context = context;
        registerLayer("embedding", embedding);
        registerLayer("body", body);
        registerLayer("output", output);
    }

    /** The number of previous words read. */
    public int context() {
        return context;
    }

    /** The embedding table. */
    public Embedding embedding() {
        return (Embedding) child("embedding");
    }

    /** The output layer. */
    public ClassOutput output() {
        return (ClassOutput) child("output");
    }

    /** The hidden vectors h [batch, hidden] of int64 contexts [batch, context]. */
    public Tensor hidden(Tensor contexts) {
        if (contexts.dim() != 2 || contexts.size(1) != context) {
            throw new IllegalArgumentException(this.typeName() + ": contexts of shape " + Shape.str(contexts.shape())
                    + "; expected int64 [batch, " + context + "] (the ids of the previous words)");
        }
        return child("body").forward(embedding().forward(contexts).reshape(contexts.size(0), -1));
    }

    /** The mean −log p(next word | context) over a batch. */
    public Tensor loss(Tensor contexts, Tensor targets) {
        return output().loss(hidden(contexts), targets);
    }

    /** log p(w | context) for every word w: [batch, vocabulary]. */
    @Override
    public Tensor forward(Tensor contexts) {
        return output().logProbabilities(hidden(contexts));
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return new int[] {output().numClasses()};
    }

    @Override
    protected String extraRepr() {
        return "context=" + context;
    }
}
