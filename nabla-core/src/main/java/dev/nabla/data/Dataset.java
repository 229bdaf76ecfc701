package dev.nabla.data;

/** Examples addressable by index; a batch is fetched in one call so that it is one gather, not n. */
public interface Dataset {
    /** The number of examples. */
    int size();

    /** The examples at the given indices (each in [0, size())), in that order. */
    Batch get(int[] indices);
}
