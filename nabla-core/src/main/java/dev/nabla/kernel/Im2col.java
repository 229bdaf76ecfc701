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

    // Unit column stride: the valid output columns [lo, hi) for which iw = ow + iw0 lies in [0, w).
    private static int lo(int iw0) {
        return Math.max(0, -iw0);
    }

    private static int hi(int iw0, int w, int ow) {
        return Math.max(0, Math.min(ow, w - iw0));
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

    private void im2col(Object x, int xOff, Object col, int colOff, int ld, ConvGeometry g, int c0, int c1) {
        if (g.sw() > 1) {
            strided(x, xOff, col, colOff, ld, g, c0, c1, true);
            return;
        }
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw(), sh = g.sh();
        int ohw = oh * ow;
        for (int c = c0; c < c1; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int row = (c * kh + i) * kw + j;
                    int base = colOff + row * ld;
                    int iw0 = j * g.dw() - g.pl();
                    int lo = lo(iw0), hi = Math.max(lo, hi(iw0, w, ow));
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
                    for (int y = 0; y < oh; y++) {
                        int ih = y * sh - g.pt() + i * g.dh();
                        int dst = base + y * ow;
                        if (ih < 0 || ih >= h) {
                            zero(col, dst, dst + ow);
                            continue;
                        }
                        zero(col, dst, dst + lo);
                        System.arraycopy(x, xOff + (c * h + ih) * w + iw0 + lo, col, dst + lo, hi - lo);
                        zero(col, dst + hi, dst + ow);
                    }
                }
            }
        }
    }

    /**
     * A strided convolution's receptive fields, read through a zero-padded copy of one channel's
     * plane: each row of col is then a strided 2-D gather at a fixed offset, with no bounds test
     * per element (a stride-2 layer's rows are a few elements long; the row-by-row copies with
     * their clipping cost 2-3 ns an element).
     */
    private record PaddedPlane(int hp, int wp) {
        /**
         * Elements past the plane: the SIMD gather's masked load of the last row reaches up to a
         * vector past its end, and one that passes the array's end takes the Vector API's per-lane
         * bounds check instead of one instruction.
         */
        private static final int SLACK = 64;
        /** Its {@link Scratch} slot. */
        private static final int PLANE = 3;

        /** The window of the input every kernel tap reads. */
        static PaddedPlane of(ConvGeometry g) {
            return new PaddedPlane((g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1, (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1);
        }

        /**
         * This thread's plane, a {@link Scratch} slot of its own (the convolution's and Winograd's are
         * 0 to 2): a fresh one per call and channel chunk was 39% of what the dcgan protocol's step
         * allocated once its activations were pooled. Zeroed for im2col, whose taps read the padding;
         * col2im copies back only the rows and columns it copied in, so its padding may hold anything.
         */
        Object plane(boolean f32, boolean zeroed) {
            int n = hp * wp + SLACK;
            Object a = f32 ? Scratch.floats(PLANE, n) : Scratch.doubles(PLANE, n);
            if (zeroed && f32) Arrays.fill((float[]) a, 0, n, 0f);
            else if (zeroed) Arrays.fill((double[]) a, 0, n, 0d);
            return a;
        }

        /** The offset of kernel tap (i, j) in the padded plane. */
        int tap(ConvGeometry g, int i, int j) {
            return i * g.dh() * wp + j * g.dw();
        }

        /**
         * Copies the rows of channel c's plane of x that the taps read into xp (toPlane), or
         * back: padded row r, column s is input row r − pt, column s − pl. The rest of xp is
         * padding: zeroed for im2col ({@link #plane}), never read back by col2im.
         */
        void copy(Elementwise ew, Object x, int xOff, int c, Object xp, boolean toPlane, ConvGeometry g) {
            int h = g.h(), w = g.w(), lo = Math.max(0, g.pl()), hi = Math.min(wp, w + g.pl());
            if (lo >= hi) return;
            for (int r = Math.max(0, g.pt()), end = Math.min(hp, h + g.pt()); r < end; r++) {
                int at = xOff + (c * h + r - g.pt()) * w + lo - g.pl();
                if (x instanceof float[] xf) {
                    if (toPlane) ew.copy(xf, at, (float[]) xp, r * wp + lo, hi - lo);
                    else ew.copy((float[]) xp, r * wp + lo, xf, at, hi - lo);
                } else if (toPlane) {
                    ew.copy((double[]) x, at, (double[]) xp, r * wp + lo, hi - lo);
                } else {
                    ew.copy((double[]) xp, r * wp + lo, (double[]) x, at, hi - lo);
                }
            }
        }
    }

    /**
     * The strided im2col (toCol) or col2im through a padded plane. col2im adds each input entry's
     * column entries in the order (i, j, y, q), as the unstrided loops do, so the sums have the
     * same bits; at stride 2 (no dilation) taps j and j + 1 go together, as they touch disjoint
     * entries (the even and the odd columns of the same rows).
     */
    private void strided(Object x, int xOff, Object col, int colOff, int ld, ConvGeometry g, int c0, int c1, boolean toCol) {
        PaddedPlane p = PaddedPlane.of(g);
        Object xp = p.plane(x instanceof float[], toCol);
        int rowStep = g.sh() * p.wp(), stride = g.sw(), oh = g.oh(), ow = g.ow();
        boolean pairs = stride == 2 && g.dw() == 1; // taps j and j + 1 read the even and odd elements of the same rows
        for (int c = c0; c < c1; c++) {
            p.copy(ew, x, xOff, c, xp, true, g);
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++) {
                    int base = colOff + ((c * g.kh() + i) * g.kw() + j) * ld, tap = p.tap(g, i, j);
                    if (pairs && j + 1 < g.kw()) {
                        if (xp instanceof float[] xf) {
                            if (toCol) ew.gatherStridedPair(xf, tap, rowStep, oh, ow, (float[]) col, base, base + ld);
                            else ew.scatterAddStridedPair((float[]) col, base, base + ld, rowStep, oh, ow, xf, tap);
                        } else if (toCol) {
                            ew.gatherStridedPair((double[]) xp, tap, rowStep, oh, ow, (double[]) col, base, base + ld);
                        } else {
                            ew.scatterAddStridedPair((double[]) col, base, base + ld, rowStep, oh, ow, (double[]) xp, tap);
                        }
                        j++; // tap j + 1 is done too
                    } else if (xp instanceof float[] xf) {
                        if (toCol) ew.gatherStrided(xf, tap, rowStep, stride, oh, ow, (float[]) col, base);
                        else ew.scatterAddStrided((float[]) col, base, rowStep, stride, oh, ow, xf, tap);
                    } else if (toCol) {
                        ew.gatherStrided((double[]) xp, tap, rowStep, stride, oh, ow, (double[]) col, base);
                    } else {
                        ew.scatterAddStrided((double[]) col, base, rowStep, stride, oh, ow, (double[]) xp, tap);
                    }
                }
            }
            if (!toCol) p.copy(ew, x, xOff, c, xp, false, g);
        }
    }

    // Stride 1 along both axes and an output as wide as the input ("same" padding): a row of the
    // im2col matrix is then the input plane shifted, one run of memory over all output rows.
    private static boolean rowsContiguous(ConvGeometry g) {
        return g.sh() == 1 && g.sw() == 1 && g.ow() == g.w();
    }

    // Zeroes columns [0, lo) and [hi, width) of the rows at first, first + width, … (rows of them).
    // A 3×3 "same" convolution clips one column (lo = 1 or hi = width − 1): single stores there; the
    // two loops per row made this half of im2col's time on the cnn's 14×14 layer (4.4 → 3.6 ms a batch of 128).
    private static void zeroColumns(Object a, int first, int rows, int width, int lo, int hi) {
        int end = first + rows * width;
        boolean one = lo <= 1 && hi >= width - 1, left = lo == 1, right = hi == width - 1;
        if (a instanceof float[] f) {
            for (int at = first; at < end; at += width) {
                if (one) {
                    if (left) f[at] = 0f;
                    if (right) f[at + hi] = 0f;
                    continue;
                }
                for (int q = 0; q < lo; q++) f[at + q] = 0f;
                for (int q = hi; q < width; q++) f[at + q] = 0f;
            }
        } else {
            double[] d = (double[]) a;
            for (int at = first; at < end; at += width) {
                if (one) {
                    if (left) d[at] = 0d;
                    if (right) d[at + hi] = 0d;
                    continue;
                }
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
        if (g.sw() > 1) {
            strided(x, xOff, col, colOff, ld, g, c0, c1, false);
            return;
        }
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw(), sh = g.sh();
        for (int c = c0; c < c1; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int base = colOff + ((c * kh + i) * kw + j) * ld;
                    int iw0 = j * g.dw() - g.pl();
                    int lo = lo(iw0), hi = hi(iw0, w, ow);
                    if (lo >= hi) continue;
                    if (rowsContiguous(g)) {
                        // One run from the first valid entry to the last, as in im2col. Between
                        // rows it passes over the clipped columns, which land on the plane's
                        // neighbouring entries: they are zeroed in col (scratch) first and add +0,
                        // which leaves x as it is (x, summed from +0, is never −0).
                        int ih0 = i * g.dh() - g.pt(), y0 = Math.max(0, -ih0), y1 = Math.min(oh, h - ih0);
                        if (y0 >= y1) continue;
                        if (lo > 0 || hi < ow) zeroColumns(col, base + y0 * ow, y1 - y0, ow, lo, hi);
                        add(col, base + y0 * ow + lo, x, xOff + (c * h + y0 + ih0) * w + iw0 + lo, (y1 - y0 - 1) * ow + hi - lo);
                        continue;
                    }
                    for (int y = 0; y < oh; y++) {
                        int ih = y * sh - g.pt() + i * g.dh();
                        if (ih < 0 || ih >= h) continue;
                        add(col, base + y * ow + lo, x, xOff + (c * h + ih) * w + iw0 + lo, hi - lo);
                    }
                }
            }
        }
    }

    // x[d + q] += col[s + q] for q < n, by the SIMD axpy (a = 1: fma(1, c, x) rounds as c + x),
    // whose masked tail also covers the short rows of small planes.
    private void add(Object col, int s, Object x, int d, int n) {
        if (x instanceof float[] xf) ew.axpy(1f, (float[]) col, s, xf, d, n);
        else ew.axpy(1d, (double[]) col, s, (double[]) x, d, n);
    }
}
