package dev.nabla.kernel;

/**
 * General matrix multiply on row-major arrays, batched: for each {@code p < batch},
 * {@code C_p = beta·C_p + op(A_p)·op(B_p)} where op(A_p) is m×k and op(B_p) is k×n.
 *
 * <p>A_p starts at {@code aOff + p·aBatchStride}; element (i, l) of op(A_p) is at
 * {@code i·lda + l} when {@code transA} is false and at {@code l·lda + i} when it is true (A is
 * then stored k×m). B likewise with {@code ldb}; C_p (m×n) at {@code cOff + p·cBatchStride},
 * element (i, j) at {@code i·ldc + j}. {@code beta} is 0 (overwrite, C may hold garbage) or 1
 * (accumulate). Batch strides may be 0 (the same matrix for every p), but never for C.
 *
 * <p>Results do not depend on the number of threads: each element of C is summed over k in a
 * fixed order by one thread. The scalar and the Panama implementations use different orders (and
 * the Panama one fused multiply-adds), so their results differ in the last bits.
 */
public interface Gemm {
    void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
               float[] a, int aOff, int aBatchStride, int lda,
               float[] b, int bOff, int bBatchStride, int ldb,
               float beta, float[] c, int cOff, int cBatchStride, int ldc);

    void dgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
               double[] a, int aOff, int aBatchStride, int lda,
               double[] b, int bOff, int bBatchStride, int ldb,
               double beta, double[] c, int cOff, int cBatchStride, int ldc);

    /**
     * op(A), m×k (a float[] or double[] stored as for {@link #sgemm}), shared by a series of products
     * with different B, as a convolution's weight over its examples: the operand and, from an
     * implementation that packs its operands, its packed panels (else null), made once by {@link #shareA}.
     */
    record SharedA(boolean transA, int m, int k, Object a, int aOff, int lda, Object panels) {}

    /**
     * Readies op(A) for {@link #gemm(SharedA, boolean, int, Object, int, int, boolean, Object, int, int)}; checks its bounds.
     * Panels may live in the calling thread's scratch: the result serves until that thread shares the next A.
     */
    default SharedA shareA(boolean transA, int m, int k, Object a, int aOff, int lda) {
        ScalarGemm.checkShared(transA, m, k, a, aOff, lda);
        return new SharedA(transA, m, k, a, aOff, lda, null);
    }

    /**
     * C = op(A)·op(B) (+ C when accumulate) for a shared op(A), with B and C of its type: the same
     * numbers as the batched product of the same operands, without packing A again.
     */
    default void gemm(SharedA a, boolean transB, int n, Object b, int bOff, int ldb, boolean accumulate, Object c, int cOff, int ldc) {
        if (a.a() instanceof float[] af) {
            sgemm(1, a.transA(), transB, a.m(), n, a.k(), af, a.aOff(), 0, a.lda(), (float[]) b, bOff, 0, ldb,
                    accumulate ? 1f : 0f, (float[]) c, cOff, 0, ldc);
        } else {
            dgemm(1, a.transA(), transB, a.m(), n, a.k(), (double[]) a.a(), a.aOff(), 0, a.lda(), (double[]) b, bOff, 0, ldb,
                    accumulate ? 1d : 0d, (double[]) c, cOff, 0, ldc);
        }
    }
}
