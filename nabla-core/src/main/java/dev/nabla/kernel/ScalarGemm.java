package dev.nabla.kernel;

/**
 * The plain-Java {@link Gemm}: no Vector API, used when {@code jdk.incubator.vector} is absent.
 *
 * <p>Loop order i-l-j over blocks of k and of columns, so the innermost loop runs along a row of B
 * and of C (C2 auto-vectorizes it). A transposed B is first copied into row-major order. Each
 * element of C is summed over k in increasing order by one thread; work is split over rows of C
 * (or over the batch) in fixed chunks, so the result does not depend on the thread count.
 */
public final class ScalarGemm implements Gemm {
    private static final int KC = 256;  // rows of B per block: KC × NC floats stay in L2
    private static final int NC = 512;  // columns of C per block: a row segment stays in L1
    /** Multiply-adds per parallel chunk: below this, splitting costs more than it saves. */
    private static final long PAR_WORK = 1L << 18;

    public ScalarGemm() {}

    @Override
    public void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int aBatchStride, int lda,
                      float[] b, int bOff, int bBatchStride, int ldb,
                      float beta, float[] c, int cOff, int cBatchStride, int ldc) {
        check("sgemm", batch, transA, transB, m, n, k, a.length, aOff, aBatchStride, lda,
                b.length, bOff, bBatchStride, ldb, c.length, cOff, cBatchStride, ldc);
        if (batch == 0 || m == 0 || n == 0) return;
        long work = (long) m * n * Math.max(k, 1);
        if (batch > 1 && work < PAR_WORK) {
            int grain = (int) Math.max(1, PAR_WORK / work);
            Parallel.forRange(batch, grain, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    one(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda, b, bOff + p * bBatchStride, ldb,
                            beta, c, cOff + p * cBatchStride, ldc, false);
                }
            });
        } else {
            for (int p = 0; p < batch; p++) {
                one(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda, b, bOff + p * bBatchStride, ldb,
                        beta, c, cOff + p * cBatchStride, ldc, work >= PAR_WORK);
            }
        }
    }

    private static void one(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc, boolean parallel) {
        if (transB && k > 0) {  // copy op(B) into a row-major k×n array
            float[] bt = new float[k * n];
            for (int j = 0; j < n; j++) {
                int src = bOff + j * ldb;
                for (int l = 0; l < k; l++) bt[l * n + j] = b[src + l];
            }
            b = bt;
            bOff = 0;
            ldb = n;
        }
        final float[] bb = b;
        final int bo = bOff, lb = ldb;
        if (!parallel) {
            rows(0, m, transA, n, k, a, aOff, lda, bb, bo, lb, beta, c, cOff, ldc);
            return;
        }
        int grain = (int) Math.max(1, PAR_WORK / ((long) n * Math.max(k, 1)));
        Parallel.forRange(m, grain, (i0, i1) -> rows(i0, i1, transA, n, k, a, aOff, lda, bb, bo, lb, beta, c, cOff, ldc));
    }

    /** Rows [i0, i1) of C; B is row-major k×n here. */
    private static void rows(int i0, int i1, boolean transA, int n, int k, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        for (int i = i0; i < i1; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) c[ci + j] = 0f;
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
        }
        int sa = transA ? lda : 1;          // step along l in A
        int ra = transA ? 1 : lda;          // step along i in A
        for (int l0 = 0; l0 < k; l0 += KC) {
            int l1 = Math.min(k, l0 + KC);
            for (int j0 = 0; j0 < n; j0 += NC) {
                int j1 = Math.min(n, j0 + NC);
                for (int i = i0; i < i1; i++) {
                    int ci = cOff + i * ldc;
                    int ai = aOff + i * ra;
                    for (int l = l0; l < l1; l++) {
                        float av = a[ai + l * sa];
                        int bi = bOff + l * ldb;
                        for (int j = j0; j < j1; j++) c[ci + j] += av * b[bi + j];
                    }
                }
            }
        }
    }

    @Override
    public void dgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, int aBatchStride, int lda,
                      double[] b, int bOff, int bBatchStride, int ldb,
                      double beta, double[] c, int cOff, int cBatchStride, int ldc) {
        check("dgemm", batch, transA, transB, m, n, k, a.length, aOff, aBatchStride, lda,
                b.length, bOff, bBatchStride, ldb, c.length, cOff, cBatchStride, ldc);
        if (batch == 0 || m == 0 || n == 0) return;
        long work = (long) m * n * Math.max(k, 1);
        if (batch > 1 && work < PAR_WORK) {
            int grain = (int) Math.max(1, PAR_WORK / work);
            Parallel.forRange(batch, grain, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    one(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda, b, bOff + p * bBatchStride, ldb,
                            beta, c, cOff + p * cBatchStride, ldc, false);
                }
            });
        } else {
            for (int p = 0; p < batch; p++) {
                one(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda, b, bOff + p * bBatchStride, ldb,
                        beta, c, cOff + p * cBatchStride, ldc, work >= PAR_WORK);
            }
        }
    }

    private static void one(boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double beta, double[] c, int cOff, int ldc, boolean parallel) {
        if (transB && k > 0) {
            double[] bt = new double[k * n];
            for (int j = 0; j < n; j++) {
                int src = bOff + j * ldb;
                for (int l = 0; l < k; l++) bt[l * n + j] = b[src + l];
            }
            b = bt;
            bOff = 0;
            ldb = n;
        }
        final double[] bb = b;
        final int bo = bOff, lb = ldb;
        if (!parallel) {
            rows(0, m, transA, n, k, a, aOff, lda, bb, bo, lb, beta, c, cOff, ldc);
            return;
        }
        int grain = (int) Math.max(1, PAR_WORK / ((long) n * Math.max(k, 1)));
        Parallel.forRange(m, grain, (i0, i1) -> rows(i0, i1, transA, n, k, a, aOff, lda, bb, bo, lb, beta, c, cOff, ldc));
    }

    private static void rows(int i0, int i1, boolean transA, int n, int k, double[] a, int aOff, int lda,
                             double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        for (int i = i0; i < i1; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0d) {
                for (int j = 0; j < n; j++) c[ci + j] = 0d;
            } else if (beta != 1d) {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
        }
        int sa = transA ? lda : 1;
        int ra = transA ? 1 : lda;
        for (int l0 = 0; l0 < k; l0 += KC) {
            int l1 = Math.min(k, l0 + KC);
            for (int j0 = 0; j0 < n; j0 += NC) {
                int j1 = Math.min(n, j0 + NC);
                for (int i = i0; i < i1; i++) {
                    int ci = cOff + i * ldc;
                    int ai = aOff + i * ra;
                    for (int l = l0; l < l1; l++) {
                        double av = a[ai + l * sa];
                        int bi = bOff + l * ldb;
                        for (int j = j0; j < j1; j++) c[ci + j] += av * b[bi + j];
                    }
                }
            }
        }
    }

    /**
     * Checks the arguments of a batched gemm (shared by the implementations) and throws an
     * {@link IllegalArgumentException} naming the op, the shapes and the offending argument.
     */
    static void check(String op, int batch, boolean transA, boolean transB, int m, int n, int k,
                      int aLen, int aOff, int aBatchStride, int lda,
                      int bLen, int bOff, int bBatchStride, int ldb,
                      int cLen, int cOff, int cBatchStride, int ldc) {
        String what = op + "(batch=" + batch + ", " + (transA ? "Aᵀ" : "A") + "·" + (transB ? "Bᵀ" : "B")
                + ", m=" + m + ", n=" + n + ", k=" + k + ")";
        if (batch < 0 || m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(what + ": sizes must not be negative");
        }
        if (aOff < 0 || bOff < 0 || cOff < 0 || aBatchStride < 0 || bBatchStride < 0 || cBatchStride < 0) {
            throw new IllegalArgumentException(what + ": offsets and batch strides must not be negative");
        }
        if (batch > 1 && cBatchStride == 0 && m > 0 && n > 0) {
            throw new IllegalArgumentException(what + ": the batch stride of C must not be 0");
        }
        operand(what, "A", batch, transA ? k : m, transA ? m : k, aLen, aOff, aBatchStride, lda);
        operand(what, "B", batch, transB ? n : k, transB ? k : n, bLen, bOff, bBatchStride, ldb);
        operand(what, "C", batch, m, n, cLen, cOff, cBatchStride, ldc);
    }

    private static void operand(String what, String name, int batch, int rows, int cols,
                                int len, int off, int batchStride, int ld) {
        if (batch == 0 || rows == 0 || cols == 0) return;
        if (ld < cols) {
            throw new IllegalArgumentException(what + ": leading dimension of " + name + " is " + ld
                    + " but its stored rows have " + cols + " elements; it must be at least " + cols);
        }
        long last = off + (long) (batch - 1) * batchStride + (long) (rows - 1) * ld + cols - 1;
        if (last >= len) {
            throw new IllegalArgumentException(what + ": " + name + " is stored as " + rows + "×" + cols
                    + " (leading dimension " + ld + ", offset " + off + ", batch stride " + batchStride
                    + ") and reaches index " + last + ", but its array has only " + len + " elements");
        }
    }
}
