package dev.nabla.tensor;

/**
 * The flat array behind one or more tensors (a tensor and its views share it), and the version
 * counter that in-place writes bump so that autograd can tell a saved tensor was changed.
 */
final class Storage {
    final DType dtype;
    /** Null once the pool took it back ({@link BufferPool#onlyTheTapeReads}): no tensor over it may be read. */
    Object array;
    private int version;
    /** How many unreleased nodes of the tape keep a tensor over this array. */
    int holders;
    /** Whether nothing but those nodes reads it, so that the last one to be released gives it to the pool. */
    boolean graphOnly;
    /** The backward pass that allocated this array and may give it to the pool, else null. */
    BufferPool.Pass pass;
    /** The tensor such an array was allocated for: only it, not a view, gives the array back. */
    Tensor owner;

    Storage(DType dtype, int length) {
        this.dtype = dtype;
        this.array = switch (dtype) {
            case FLOAT32 -> new float[length];
            case FLOAT64 -> new double[length];
            case INT64 -> new long[length];
        };
    }

    Storage(DType dtype, Object array) {
        this.dtype = dtype;
        this.array = array;
    }

    float[] f() {
        return (float[]) array;
    }

    double[] d() {
        return (double[]) array;
    }

    long[] l() {
        return (long[]) array;
    }

    double get(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) array)[i];
            case FLOAT64 -> ((double[]) array)[i];
            case INT64 -> ((long[]) array)[i];
        };
    }

    void set(int i, double v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) array)[i] = (float) v;
            case FLOAT64 -> ((double[]) array)[i] = v;
            case INT64 -> ((long[]) array)[i] = (long) v;
        }
    }

    int version() {
        return version;
    }

    void bumpVersion() {
        version++;
    }
}
