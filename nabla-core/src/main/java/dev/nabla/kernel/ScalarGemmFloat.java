package dev.nabla.kernel;

/**
 * The float32 loops of {@link ScalarGemm}.
 *
 * <p>The float64 twin is generated from this file: edit it, then run scripts/generate-double-kernels.
 */
final class ScalarGemmFloat {
    /** Multiply-adds per parallel chunk: below this, splitting costs more than it saves. */
    private static final long PAR_WORK = 1L << 20;
    /** Rows of A packed at a time (IB·k values stay in L2). */
    private static final int IB = 64;

    private ScalarGemmFloat() {}

    static void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int aBatchStride, int lda,
                     float[] b, int bOff, int bBatchStride, int ldb,
                     float beta, float[] c, int cOff, int cBatchStride, int ldc) {
        ScalarGemm.check("sgemm", batch, transA, transB, m, n, k, a.length, aOff, aBatchStride, lda,
                b.length, bOff, bBatchStride, ldb, c.length, cOff, cBatchStride, ldc);
        if (batch == 0 || m == 0 || n == 0) return;
        boolean acc = beta != 0f;
        if (acc && beta != 1f) {
            for (int p = 0; p < batch; p++) {
                for (int i = 0; i < m; i++) {
                    int ci = cOff + p * cBatchStride + i * ldc;
                    for (int j = 0; j < n; j++) c[ci + j] *= beta;
                }
            }
        }
        // steps along l and along i (A) or j (B) through the stored arrays
        final int sa = transA ? lda : 1, ra = transA ? 1 : lda, sb = transB ? 1 : ldb, rb = transB ? ldb : 1;
        long work = (long) m * n * Math.max(k, 1);
        if (batch > 1 && work < PAR_WORK) {
            int grain = (int) Math.max(1, PAR_WORK / work);
            Parallel.forRange(batch, grain, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    float[] pb = packB(n, k, b, bOff + p * bBatchStride, sb, rb);
                    rows(0, m, n, k, a, aOff + p * aBatchStride, sa, ra, pb, acc, c, cOff + p * cBatchStride, ldc);
                }
            });
            return;
        }
        for (int p = 0; p < batch; p++) {
            int ao = aOff + p * aBatchStride, co = cOff + p * cBatchStride;
            float[] pb = packB(n, k, b, bOff + p * bBatchStride, sb, rb);
            if (work < PAR_WORK) {
                rows(0, m, n, k, a, ao, sa, ra, pb, acc, c, co, ldc);
            } else {
                int grain = IB * (int) Math.max(1, PAR_WORK / ((long) IB * n * Math.max(k, 1)));
                Parallel.forRange(m, grain, (i0, i1) -> rows(i0, i1, n, k, a, ao, sa, ra, pb, acc, c, co, ldc));
            }
        }
    }

    /** op(B)(l, j) = b[bOff + l·sb + j·rb], packed in strips of four columns (four values per l), zero-padded. */
    private static float[] packB(int n, int k, float[] b, int bOff, int sb, int rb) {
        float[] pb = new float[(n + 3) / 4 * 4 * k];
        if (rb == 1) {  // rows of op(B) are contiguous
            for (int l = 0; l < k; l++) {
                for (int j = 0, s = bOff + l * sb; j < n; j++) pb[(j >> 2) * 4 * k + 4 * l + (j & 3)] = b[s + j];
            }
        } else {        // columns are
            for (int j = 0; j < n; j++) {
                for (int l = 0, s = bOff + j * rb, d = (j >> 2) * 4 * k + (j & 3); l < k; l++, s += sb, d += 4) pb[d] = b[s];
            }
        }
        return pb;
    }

    /**
     * Rows [i0, i1) of C = (C +) op(A)·op(B), where op(A)(i, l) = a[aOff + i·ra + l·sa] and
     * op(B)(l, j) = b[bOff + l·sb + j·rb]. The rows of A are packed in panels of four (four
     * values per step of l), each strip of four columns of B likewise; both zero-padded.
     */
    private static void rows(int i0, int i1, int n, int k, float[] a, int aOff, int sa, int ra,
                             float[] pb, boolean acc, float[] c, int cOff, int ldc) {
        float[] pa = new float[(Math.min(i1 - i0, IB) + 3) / 4 * 4 * k];
        for (int ib = i0; ib < i1; ib += IB) block(ib, Math.min(i1, ib + IB), n, k, a, aOff, sa, ra, pb, acc, c, cOff, ldc, pa);
    }

    /** Rows [i0, i1), at most IB: packs them (panels of four rows, zero-padded), then runs the strips of B. */
    private static void block(int i0, int i1, int n, int k, float[] a, int aOff, int sa, int ra,
                              float[] pb, boolean acc, float[] c, int cOff, int ldc, float[] pa) {
        int panels = (i1 - i0 + 3) / 4;
        for (int q = 0; q < panels; q++) {
            for (int l = 0, d = q * 4 * k; l < k; l++, d += 4) {
                for (int r = 0; r < 4; r++) {
                    int i = i0 + 4 * q + r;
                    pa[d + r] = i < i1 ? a[aOff + i * ra + l * sa] : 0;
                }
            }
        }
        for (int j = 0; j < n; j += 4) {
            int w = Math.min(4, n - j), sbase = (j >> 2) * 4 * k;
            for (int q = 0; q < panels; q++) {
                float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
                float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
                for (int l = 0, oa = q * 4 * k, ob = sbase; l < k; l++, oa += 4, ob += 4) {
                    float y0 = pb[ob], y1 = pb[ob + 1], y2 = pb[ob + 2], y3 = pb[ob + 3];
                    float x = pa[oa];
                    c00 += x * y0; c01 += x * y1; c02 += x * y2; c03 += x * y3;
                    x = pa[oa + 1];
                    c10 += x * y0; c11 += x * y1; c12 += x * y2; c13 += x * y3;
                    x = pa[oa + 2];
                    c20 += x * y0; c21 += x * y1; c22 += x * y2; c23 += x * y3;
                    x = pa[oa + 3];
                    c30 += x * y0; c31 += x * y1; c32 += x * y2; c33 += x * y3;
                }
                int i = i0 + 4 * q, h = Math.min(4, i1 - i), ci = cOff + i * ldc + j;
                store(c, ci, w, acc, c00, c01, c02, c03);
                if (h > 1) store(c, ci + ldc, w, acc, c10, c11, c12, c13);
                if (h > 2) store(c, ci + 2 * ldc, w, acc, c20, c21, c22, c23);
                if (h > 3) store(c, ci + 3 * ldc, w, acc, c30, c31, c32, c33);
            }
        }
    }

    /** Stores (or adds) the first w of x0..x3 at c[ci...]. */
    private static void store(float[] c, int ci, int w, boolean acc, float x0, float x1, float x2, float x3) {
        if (w == 4 && !acc) {
            c[ci] = x0;
            c[ci + 1] = x1;
            c[ci + 2] = x2;
            c[ci + 3] = x3;
            return;
        }
        c[ci] = acc ? c[ci] + x0 : x0;
        if (w > 1) c[ci + 1] = acc ? c[ci + 1] + x1 : x1;
        if (w > 2) c[ci + 2] = acc ? c[ci + 2] + x2 : x2;
        if (w > 3) c[ci + 3] = acc ? c[ci + 3] + x3 : x3;
    }
}
