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
}
