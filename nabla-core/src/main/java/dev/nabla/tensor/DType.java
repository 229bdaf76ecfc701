package dev.nabla.tensor;

/**
 * Element types. FLOAT32 is the default and the fast path; FLOAT64 serves gradient checks,
 * second-order methods and science users; INT64 holds indices and class labels (argmax results,
 * gather/index_select indices, targets) and takes no arithmetic.
 */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    INT64("int64", 8);

    private final String label;
    private final int bytes;

    DType(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** True for the floating-point types, the ones that carry gradients. */
    public boolean isFloating() {
        return this != INT64;
    }

    /**
     * The type of a binary op's result: float32 with float64 gives float64, as in PyTorch. An
     * index tensor (int64) takes part in no arithmetic: convert it with {@code toType} first.
     */
    static DType promote(String op, DType a, DType b) {
        if (a == INT64 || b == INT64) {
            throw new IllegalArgumentException(op + ": int64 holds indices and labels and takes no arithmetic ("
                    + a + ", " + b + "); convert with .toType(DType.FLOAT32) first");
        }
        return a == FLOAT64 || b == FLOAT64 ? FLOAT64 : FLOAT32;
    }

    @Override
    public String toString() {
        return label;
    }
}
