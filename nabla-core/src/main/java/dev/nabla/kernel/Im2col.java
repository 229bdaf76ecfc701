package dev.nabla.kernel;

import java.util.Arrays;

/**
 * Convolution's unrolling of receptive fields (im2col, so that a convolution is a GEMM) and its
 * adjoint (col2im, for the input gradient), on float or double arrays of one NCHW example. Channels
 * run in parallel in chunks fixed by the sizes; within a channel the order is fixed, so results do
 * not depend on the thread count.
 */
public final class Im2col {
    private final Elementwise ew;

    Im2col(Elementwise ew) {
        this.ew = ew;
    }

    // The valid output columns [lo, hi) for which iw = ow·sw + iw0 lies in [0, w).
    private static int lo(int iw0, int s) {
        return iw0 >= 0 ? 0 : (-iw0 + s - 1) / s;
    }

    private static int hi(int iw0, int s, int w, int ow) {
        if (iw0 > w - 1) return 0;
        return Math.min(ow, (w - 1 - iw0) / s + 1);
    }

    /** Unrolls one example's receptive fields: col[(c·kh + i)·kw + j][oh·ow] = x[c][oh·sh − pt + i·dh][ow·sw − pl + j·dw]. */
    public void im2col(Object x, int xOff, Object col, int colOff, ConvGeometry g) {
        int c = g.c();
        long work = (long) c * g.kh() * g.kw() * g.ohw();
        Parallel.forRange(c, channelGrain(work, c), (c0, c1) -> im2col(x, xOff, col, colOff, g.ohw(), g, c0, c1));
    }

    /**
     * {@link #im2col(Object, int, Object, int, ConvGeometry)} on the calling thread, with the rows of col
     * ld apart (ld ≥ oh·ow: one example's columns within the matrix of a block of examples).
     */
    public void im2col(Object x, int xOff, Object col, int colOff, int ld, ConvGeometry g) {
        im2col(x, xOff, col, colOff, ld, g, 0, g.c());
    }

    // Channels per parallel chunk of im2col/col2im: about 2^16 elements each.
    private static int channelGrain(long work, int c) {
        return (int) Math.max(1, Math.min(c, (1L << 16) / Math.max(1, work / Math.max(c, 1))));
    }

    private static void im2col(Object x, int xOff, Object col, int colOff, int ld, ConvGeometry g, int c0, int c1) {
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw(), sh = g.sh(), sw = g.sw();
        int ohw = oh * ow;
        for (int c = c0; c < c1; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int row = (c * kh + i) * kw + j;
                    int base = colOff + row * ld;
                    int iw0 = j * g.dw() - g.pl();
                    int lo = lo(iw0, sw), hi = Math.max(lo, hi(iw0, sw, w, ow));
                    if (rowsContiguous(g)) {  // one copy for the whole row of col (one call per output row was 2/3 of the time)
                        int ih0 = i * g.dh() - g.pt(), y0 = Math.max(0, -ih0), y1 = Math.min(oh, h - ih0);
                        if (y0 >= y1 || lo >= hi) {
                            zero(col, base, base + ohw);
                            continue;
                        }
                        zero(col, base, base + y0 * ow + lo);
                        int from = base + y0 * ow + lo, to = base + (y1 - 1) * ow + hi;
                        System.arraycopy(x, xOff + (c * h + y0 + ih0) * w + iw0 + lo, col, from, to - from);
                        // the copy ran over the row ends into the next row's first columns
                        if (lo > 0 || hi < ow) zeroColumns(col, base + y0 * ow, y1 - y0, ow, lo, hi);
                        zero(col, to, base + ohw);
                        continue;
                    }
                    if (sw > 1 && x instanceof float[] xf) {
                        stridedRows(xf, xOff + c * h * w + iw0, (float[]) col, base, g, i, lo, hi);
                        continue;
                    }
                    for (int y = 0; y < oh; y++) {
                        int ih = y * sh - g.pt() + i * g.dh();
                        int dst = base + y * ow;
                        if (ih < 0 || ih >= h) {
                            zero(col, dst, dst + ow);
                            continue;
                        }
                        int src = xOff + (c * h + ih) * w + iw0;
                        zero(col, dst, dst + lo);
                        if (sw == 1) System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                        else copyStrided(x, src + lo * sw, sw, col, dst + lo, hi - lo);
                        zero(col, dst + hi, dst + ow);
                    }
                }
            }
        }
    }

    // The rows of one (c, i, j) row of col, for float32 and a column stride > 1 (a stride-2 layer's
    // rows are a few elements long: typed loops, no call per row); x[from + ih·w + q·sw] is read.
    private static void stridedRows(float[] x, int from, float[] col, int base, ConvGeometry g, int i, int lo, int hi) {
        int h = g.h(), w = g.w(), ow = g.ow(), sw = g.sw();
        for (int y = 0; y < g.oh(); y++) {
            int ih = y * g.sh() - g.pt() + i * g.dh(), dst = base + y * ow;
            if (ih < 0 || ih >= h) {
                for (int q = 0; q < ow; q++) col[dst + q] = 0f;
                continue;
            }
            int src = from + ih * w;
            for (int q = 0; q < lo; q++) col[dst + q] = 0f;
            for (int q = lo; q < hi; q++) col[dst + q] = x[src + q * sw];
            for (int q = hi; q < ow; q++) col[dst + q] = 0f;
        }
    }

    // col2im's counterpart of stridedRows: x[from + ih·w + q·sw] += col[base + y·ow + q], in the same order as addStrided.
    private static void addStridedRows(float[] col, int base, float[] x, int from, ConvGeometry g, int i, int lo, int hi) {
        int h = g.h(), w = g.w(), ow = g.ow(), sw = g.sw();
        for (int y = 0; y < g.oh(); y++) {
            int ih = y * g.sh() - g.pt() + i * g.dh();
            if (ih < 0 || ih >= h) continue;
            int src = base + y * ow, dst = from + ih * w;
            for (int q = lo; q < hi; q++) x[dst + q * sw] += col[src + q];
        }
    }

    // Stride 1 along both axes and an output as wide as the input ("same" padding): a row of the
    // im2col matrix is then the input plane shifted, one run of memory over all output rows.
    private static boolean rowsContiguous(ConvGeometry g) {
        return g.sh() == 1 && g.sw() == 1 && g.ow() == g.w();
    }

    // Zeroes columns [0, lo) and [hi, width) of the rows at first, first + width, … (rows of them).
    private static void zeroColumns(Object a, int first, int rows, int width, int lo, int hi) {
        for (int r = 0, at = first; r < rows; r++, at += width) {
            if (a instanceof float[] f) {
                for (int q = 0; q < lo; q++) f[at + q] = 0f;
                for (int q = hi; q < width; q++) f[at + q] = 0f;
            } else {
                double[] d = (double[]) a;
                for (int q = 0; q < lo; q++) d[at + q] = 0d;
                for (int q = hi; q < width; q++) d[at + q] = 0d;
            }
        }
    }

    private static void zero(Object a, int from, int to) {
        if (from >= to) return;
        if (a instanceof float[] f) Arrays.fill(f, from, to, 0f);
        else Arrays.fill((double[]) a, from, to, 0d);
    }

    // dst[d + q] = src[s + q·stride] for q < n
    private static void copyStrided(Object src, int s, int stride, Object dst, int d, int n) {
        if (src instanceof float[] f) {
            float[] t = (float[]) dst;
            for (int q = 0; q < n; q++) t[d + q] = f[s + q * stride];
        } else {
            double[] f = (double[]) src, t = (double[]) dst;
            for (int q = 0; q < n; q++) t[d + q] = f[s + q * stride];
        }
    }

    /**
     * The adjoint of im2col (one example's columns from colOff): adds each column entry back onto the input position it was read from.
     * Overwrites the entries of col that correspond to padding.
     */
    public void col2im(Object col, int colOff, Object x, int xOff, ConvGeometry g) {
        int c = g.c();
        long work = (long) c * g.kh() * g.kw() * g.ohw();
        Parallel.forRange(c, channelGrain(work, c), (c0, c1) -> col2im(col, colOff, g.ohw(), x, xOff, g, c0, c1));
    }

    /**
     * {@link #col2im(Object, int, Object, int, ConvGeometry)} on the calling thread, from the rows of col
     * ld apart starting at colOff (one example's columns within the matrix of a block of examples).
     */
    public void col2im(Object col, int colOff, int ld, Object x, int xOff, ConvGeometry g) {
        col2im(col, colOff, ld, x, xOff, g, 0, g.c());
    }

    // Each channel's plane only receives its own rows, so channels are independent; within one,
    // the order (i, j, y, q) is fixed.
    private void col2im(Object col, int colOff, int ld, Object x, int xOff, ConvGeometry g, int c0, int c1) {
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw(), sh = g.sh(), sw = g.sw();
        for (int c = c0; c < c1; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int base = colOff + ((c * kh + i) * kw + j) * ld;
                    int iw0 = j * g.dw() - g.pl();
                    int lo = lo(iw0, sw), hi = hi(iw0, sw, w, ow);
                    if (lo >= hi) continue;
                    if (rowsContiguous(g)) {
                        // One run from the first valid entry to the last, as in im2col. Between
                        // rows it passes over the clipped columns, which land on the plane's
                        // neighbouring entries: they are zeroed in col (scratch) first and add +0,
                        // which leaves x as it is (x, summed from +0, is never −0).
                        int ih0 = i * g.dh() - g.pt(), y0 = Math.max(0, -ih0), y1 = Math.min(oh, h - ih0);
                        if (y0 >= y1) continue;
                        if (lo > 0 || hi < ow) zeroColumns(col, base + y0 * ow, y1 - y0, ow, lo, hi);
                        addStrided(col, base + y0 * ow + lo, x, xOff + (c * h + y0 + ih0) * w + iw0 + lo, 1,
                                (y1 - y0 - 1) * ow + hi - lo);
                        continue;
                    }
                    if (sw > 1 && x instanceof float[] xf) {
                        addStridedRows((float[]) col, base, xf, xOff + c * h * w + iw0, g, i, lo, hi);
                        continue;
                    }
                    for (int y = 0; y < oh; y++) {
                        int ih = y * sh - g.pt() + i * g.dh();
                        if (ih < 0 || ih >= h) continue;
                        addStrided(col, base + y * ow + lo, x, xOff + (c * h + ih) * w + iw0 + lo * sw, sw, hi - lo);
                    }
                }
            }
        }
    }

    // x[d + q·stride] += col[s + q] for q < n; a unit stride goes through the SIMD axpy (a = 1:
    // fma(1, c, x) rounds as c + x), whose masked tail also covers the short rows of small planes.
    private void addStrided(Object col, int s, Object x, int d, int stride, int n) {
        if (x instanceof float[] xf) {
            float[] cf = (float[]) col;
            if (stride == 1) ew.axpy(1f, cf, s, xf, d, n);
            else for (int q = 0; q < n; q++) xf[d + q * stride] += cf[s + q];
        } else {
            double[] xd = (double[]) x, cd = (double[]) col;
            if (stride == 1) ew.axpy(1d, cd, s, xd, d, n);
            else for (int q = 0; q < n; q++) xd[d + q * stride] += cd[s + q];
        }
    }
}
