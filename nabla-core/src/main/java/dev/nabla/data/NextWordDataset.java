package dev.nabla.data;

import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * (n previous words → next word) examples of documents: for every token of a document and for
 * its end {@code </s>}, the ids of the n tokens before it (padded with {@code <s>} at the start)
 * as int64 inputs [n], and its id as the int64 target.
 */
public final class NextWordDataset implements Dataset {
    private final int context;
    private final long[] inputs;
    private final long[] targets;

    /** The examples of tokenized documents with the given vocabulary and context length. */
    public NextWordDataset(List<List<String>> documents, Vocabulary vocabulary, int context) {
        if (context < 1) throw new IllegalArgumentException("NextWordDataset: context " + context + " must be >= 1");
        this.context = context;
        int n = documents.stream().mapToInt(d -> d.size() + 1).sum();
        inputs = new long[n * context];
        targets = new long[n];
        int k = 0;
        for (List<String> doc : documents) {
            int[] ids = vocabulary.encode(doc);
            for (int i = 0; i <= ids.length; i++, k++) {
                for (int j = 0; j < context; j++) {
                    int at = i - context + j;
                    inputs[k * context + j] = at < 0 ? Vocabulary.BOS_ID : ids[at];
                }
                targets[k] = i < ids.length ? ids[i] : Vocabulary.EOS_ID;
            }
        }
    }

    /** The context length n. */
    public int context() {
        return context;
    }

    /** All targets, in order. */
    public long[] targets() {
        return targets.clone();
    }

    @Override
    public int size() {
        return targets.length;
    }

    @Override
    public Batch get(int[] indices) {
        long[] x = new long[indices.length * context], y = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(inputs, indices[i] * context, x, i * context, context);
            y[i] = targets[indices[i]];
        }
        return new Batch(Tensor.of(x).reshape(indices.length, context), Tensor.of(y));
    }

    @Override
    public String toString() {
        return "NextWordDataset(" + size() + " examples, context " + context + ", first targets "
                + Arrays.toString(Arrays.copyOf(targets, Math.min(5, targets.length))) + ")";
    }
}
