package dev.nabla.data;

import dev.nabla.tensor.Generator;

/**
 * Another dataset whose input batches pass through a {@link Transform} as they are fetched
 * (the targets are unchanged): augmentations happen per batch, on the fly, and the base data is
 * never copied. The random choices come from a generator seeded once, so the same seed and the
 * same sequence of batches give the same augmented data. Wrap only the training part with
 * random augmentations; the validation and test parts get at most the deterministic ones.
 */
public final class TransformedDataset implements Dataset {
    private final Dataset base;
    private final Transform transform;
    private final Generator gen;

    /** base with transform applied to every fetched batch, random choices seeded by seed. */
    public TransformedDataset(Dataset base, Transform transform, long seed) {
        this.base = base;
        this.transform = transform;
        this.gen = new Generator(seed);
    }

    /** The untransformed data. */
    public Dataset base() {
        return base;
    }

    @Override
    public java.util.List<Generator> generators() {
        java.util.List<Generator> out = new java.util.ArrayList<>(base.generators());
        out.add(gen);
        return out;
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public Batch get(int[] indices) {
        Batch b = base.get(indices);
        return new Batch(transform.apply(b.inputs(), gen), b.targets());
    }

    @Override
    public String toString() {
        return "TransformedDataset(" + base + ")";
    }
}
