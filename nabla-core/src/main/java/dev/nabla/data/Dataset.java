package dev.nabla.data;

/** Examples addressable by index; a batch is fetched in one call so that it is one gather, not n. */
public interface Dataset {
    /** The number of examples. */
    int size();

    /** The examples at the given indices (each in [0, size())), in that order. */
    Batch get(int[] indices);

    /**
     * The generators this dataset draws from when it fetches (random augmentations), in a fixed
     * order; training reseeds them for every micro-batch from the seed and the step, so that what
     * a batch draws does not depend on what was fetched before it, or where. None by default.
     */
    default java.util.List<dev.nabla.tensor.Generator> generators() {
        return java.util.List.of();
    }
}
