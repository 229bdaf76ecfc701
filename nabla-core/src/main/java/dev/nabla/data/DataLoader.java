package dev.nabla.data;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Batches of a dataset, one epoch per iteration: in order, or reshuffled at the start of every
 * epoch from a seeded generator (so epoch k of a run is the same every run). Each batch is
 * fetched on demand, so an epoch never copies the whole dataset. The last, smaller batch is
 * kept unless dropLast is set.
 */
public final class DataLoader implements Iterable<Batch> {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Generator gen;

    /** In-order batches, the last one possibly smaller. */
    public DataLoader(Dataset data, int batchSize) {
        this(data, batchSize, false, false, null);
    }

    /** Batches, shuffled every epoch with gen when shuffle is set (gen may be null otherwise). */
    public DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, Generator gen) {
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batch size " + batchSize + " must be >= 1");
        if (shuffle && gen == null) throw new IllegalArgumentException("DataLoader: shuffling needs a Generator (for a seed)");
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.gen = gen;
    }

    /** The dataset. */
    public Dataset dataset() {
        return data;
    }

    /** The batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch. */
    public int numBatches() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** One epoch of batches; a new shuffle each time it is called. */
    @Override
    public Iterator<Batch> iterator() {
        int n = data.size();
        int[] order = new int[n];
        if (shuffle) {
            long[] p = Tensor.randperm(gen, n).toLongArray();
            for (int i = 0; i < n; i++) order[i] = (int) p[i];
        } else {
            for (int i = 0; i < n; i++) order[i] = i;
        }
        int batches = numBatches();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException("DataLoader: epoch finished");
                int from = next++ * batchSize;
                int to = Math.min(n, from + batchSize);
                return data.get(java.util.Arrays.copyOfRange(order, from, to));
            }
        };
    }
}
