package dev.nabla.data;

import java.util.Arrays;

/** The examples of another dataset at a fixed list of indices. */
public final class Subset implements Dataset {
    private final Dataset base;
    private final int[] indices;

    /** A view of {@code base} holding its examples at {@code indices}, in that order. */
    public Subset(Dataset base, int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= base.size()) {
                throw new IndexOutOfBoundsException("Subset: index " + i + " outside [0, " + base.size() + ")");
            }
        }
        this.base = base;
        this.indices = indices.clone();
    }

    /** The indices into the base dataset. */
    public int[] indices() {
        return indices.clone();
    }

    /** The dataset this is a view of. */
    public Dataset base() {
        return base;
    }

    @Override
    public java.util.List<dev.nabla.tensor.Generator> generators() {
        return base.generators();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Batch get(int[] at) {
        int[] mapped = new int[at.length];
        for (int k = 0; k < at.length; k++) {
            if (at[k] < 0 || at[k] >= indices.length) {
                throw new IndexOutOfBoundsException("Subset.get: index " + at[k] + " outside [0, " + indices.length + ")");
            }
            mapped[k] = indices[at[k]];
        }
        return base.get(mapped);
    }

    @Override
    public String toString() {
        return "Subset(" + indices.length + " of " + base.size() + ", first " + Arrays.toString(Arrays.copyOf(indices, Math.min(5, indices.length))) + ")";
    }
}
