package dev.nabla.kernel;

/**
 * The plain-Java {@link Gemm}: no Vector API, used when {@code jdk.incubator.vector} is absent.
 *
 * <p>Each parallel chunk of rows packs its rows of A in panels of four, then, for each strip of
 * four columns of B (packed too), a register-blocked kernel computes the 4×4 tiles of C with
 * sixteen scalar accumulators; edges are zero-padded. Every element of C is summed over k in
 * increasing order, from zero, then added to C, whatever the thread count. Work is split over
 * groups of rows of C (or over the batch) in fixed chunks.
 *
 * <p>The loops are in {@link ScalarGemmFloat}; {@link ScalarGemmDouble} is generated from it
 * ({@code scripts/generate-double-kernels}).
 */
public final class ScalarGemm implements Gemm {

    public ScalarGemm() {}

    @Override
    public void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int aBatchStride, int lda,
                      float[] b, int bOff, int bBatchStride, int ldb,
                      float beta, float[] c, int cOff, int cBatchStride, int ldc) {
        ScalarGemmFloat.gemm(batch, transA, transB, m, n, k, a, aOff, aBatchStride, lda, b, bOff, bBatchStride, ldb,
                beta, c, cOff, cBatchStride, ldc);
    }

    @Override
    public void dgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, int aBatchStride, int lda,
                      double[] b, int bOff, int bBatchStride, int ldb,
                      double beta, double[] c, int cOff, int cBatchStride, int ldc) {
        ScalarGemmDouble.gemm(batch, transA, transB, m, n, k, a, aOff, aBatchStride, lda, b, bOff, bBatchStride, ldb,
                beta, c, cOff, cBatchStride, ldc);
    }

    /**
     * Checks the arguments of a batched gemm (shared by the implementations) and throws an
     * {@link IllegalArgumentException} naming the op, the shapes and the offending argument.
     */
    static void check(String op, int batch, boolean transA, boolean transB, int m, int n, int k,
                      int aLen, int aOff, int aBatchStride, int lda,
                      int bLen, int bOff, int bBatchStride, int ldb,
                      int cLen, int cOff, int cBatchStride, int ldc) {
        String error = null;
        if (batch < 0 || m < 0 || n < 0 || k < 0) {
            error = "sizes must not be negative";
        } else if (aOff < 0 || bOff < 0 || cOff < 0 || aBatchStride < 0 || bBatchStride < 0 || cBatchStride < 0) {
            error = "offsets and batch strides must not be negative";
        } else if (batch > 1 && cBatchStride == 0 && m > 0 && n > 0) {
            error = "the batch stride of C must not be 0";
        } else {
            error = operand("A", batch, transA ? k : m, transA ? m : k, aLen, aOff, aBatchStride, lda);
            if (error == null) error = operand("B", batch, transB ? n : k, transB ? k : n, bLen, bOff, bBatchStride, ldb);
            if (error == null) error = operand("C", batch, m, n, cLen, cOff, cBatchStride, ldc);
        }
        if (error != null) {
            throw new IllegalArgumentException(op + "(batch=" + batch + ", " + (transA ? "Aᵀ" : "A") + "·"
                    + (transB ? "Bᵀ" : "B") + ", m=" + m + ", n=" + n + ", k=" + k + "): " + error);
        }
    }

    /** The checks of {@link Gemm#shareA}: a float[] or double[] holding op(A) m×k as stored. */
    static void checkShared(boolean transA, int m, int k, Object a, int aOff, int lda) {
        int len = a instanceof float[] f ? f.length : a instanceof double[] d ? d.length : -1;
        if (len < 0) {
            throw new IllegalArgumentException("shareA: A must be a float[] or a double[], not "
                    + (a == null ? "null" : a.getClass().getSimpleName()));
        }
        check("shareA", 1, transA, false, m, 1, k, len, aOff, 0, lda, k, 0, 0, 1, m, 0, 0, 1);
    }

    private static String operand(String name, int batch, int rows, int cols, int len, int off, int batchStride, int ld) {
        if (batch == 0 || rows == 0 || cols == 0) return null;
        if (ld < cols) {
            return "leading dimension of " + name + " is " + ld + " but its stored rows have " + cols
                    + " elements; it must be at least " + cols;
        }
        long last = off + (long) (batch - 1) * batchStride + (long) (rows - 1) * ld + cols - 1;
        if (last >= len) {
            return name + " is stored as " + rows + "×" + cols + " (leading dimension " + ld + ", offset " + off
                    + ", batch stride " + batchStride + ") and reaches index " + last + ", but its array has only "
                    + len + " elements";
        }
        return null;
    }
}
