package dev.nabla.data;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Batches of a dataset, one epoch per iteration: in order, or reshuffled at the start of every
 * epoch. The shuffle of epoch k depends only on the seed and k, so epoch k is the same in every
 * run, and a resumed training ({@link #setEpoch}) sees the order an uninterrupted one would.
 * Each batch is fetched on demand, so an epoch never copies the whole dataset. The last, smaller
 * batch is kept unless dropLast is set.
 */
public final class DataLoader implements Iterable<Batch> {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private int epoch;

    /** In-order batches, the last one possibly smaller. */
    public DataLoader(Dataset data, int batchSize) {
        this(data, batchSize, false, false, 0);
    }

    /** Batches, reshuffled every epoch from the seed when shuffle is set. */
    public DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batch size " + batchSize + " must be >= 1");
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
    }

    /** The epoch the next iteration serves (0-based); each {@link #iterator()} call advances it. */
    public int epoch() {
        return epoch;
    }

    /** Makes the next iteration serve epoch k, e.g. when resuming a training at epoch k. */
    public void setEpoch(int k) {
        if (k < 0) throw new IllegalArgumentException("DataLoader.setEpoch: epoch " + k + " must be >= 0");
        epoch = k;
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

    /**
     * The indices of the next epoch's batches (what {@link #iterator()} would fetch), advancing
     * the epoch: for a trainer that fetches the examples itself, or has them fetched elsewhere.
     */
    public int[][] nextEpochIndices() {
        int n = data.size();
        int[] order = new int[n];
        if (shuffle) {
            // one generator per (seed, epoch): no state carries from one epoch to the next
            long[] p = Tensor.randperm(new Generator(seed * 0x9E3779B97F4A7C15L + epoch), n).toLongArray();
            for (int i = 0; i < n; i++) order[i] = (int) p[i];
        } else {
            for (int i = 0; i < n; i++) order[i] = i;
        }
        epoch++;
        int[][] batches = new int[numBatches()][];
        for (int b = 0; b < batches.length; b++) {
            int from = b * batchSize;
            batches[b] = java.util.Arrays.copyOfRange(order, from, Math.min(n, from + batchSize));
        }
        return batches;
    }

    /** One epoch of batches; each call serves the next epoch, with its own shuffle. */
    @Override
    public Iterator<Batch> iterator() {
        int[][] batches = nextEpochIndices();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches.length;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException("DataLoader: epoch finished");
                return data.get(batches[next++]);
            }
        };
    }
}
