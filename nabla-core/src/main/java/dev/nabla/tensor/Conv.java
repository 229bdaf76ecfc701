package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise;
import dev.nabla.kernel.Kernels;
import dev.nabla.kernel.Parallel;
import java.util.Arrays;

/**
 * The forward computations behind the convolution and pooling ops of {@link Tensor} (NCHW, no
 * autograd; Tensor records the derivatives). A convolution is im2col + the batched GEMM kernel:
 * for each example, the receptive fields are unrolled into a [C·kh·kw, Ho·Wo] matrix (one block
 * of rows per group) and multiplied by the weight seen as [O, C/groups·kh·kw]. The two adjoints
 * are GEMMs too: the input gradient is Wᵀ·g folded back by col2im (a transposed convolution), the
 * weight gradient g·colᵀ summed over the batch.
 *
 * <p>Determinism: examples are independent except in the weight gradient, which sums them in
 * fixed chunks of the batch (the chunking depends only on the batch size) reduced in chunk order;
 * the GEMM sums each element in an order fixed by the sizes. So results do not depend on the
 * number of threads.
 */
final class Conv {
    private static final Elementwise EW = Kernels.elementwise();

    private Conv() {}

    /** Chunks the weight gradient's sum over the batch is split into (fixed: it sets the rounding). */
    private static final int WEIGHT_CHUNKS = 8;
    /** Multiply-adds per example below which examples are spread over threads (else the GEMM is). */
    private static final long PER_EXAMPLE_WORK = 1L << 26;

    // ---------------------------------------------------------------- geometry

    /**
     * The sizes of one convolution y = conv(x, w): x [n, c, h, w], w [o, c/groups, kh, kw],
     * y [n, o, oh, ow]; padding top pt and left pl (bottom and right follow from oh and ow).
     */
    record Geometry(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int pt, int pl,
                    int dh, int dw, int groups, int oh, int ow) {
        int cg() {
            return c / groups;
        }

        int og() {
            return o / groups;
        }

        /** Rows of one group's im2col matrix: c/groups·kh·kw. */
        int kg() {
            return c / groups * kh * kw;
        }

        int ohw() {
            return oh * ow;
        }

        /** True when im2col is the identity (1×1 kernel, stride 1, no padding). */
        boolean pointwise() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
        }

        int[] inputShape() {
            return new int[] {n, c, h, w};
        }

        int[] weightShape() {
            return new int[] {o, c / groups, kh, kw};
        }

        int[] outputShape() {
            return new int[] {n, o, oh, ow};
        }

        long workPerExample() {
            return (long) o * kg() * ohw();
        }
    }

    /** The sizes of one pooling: x [n, c, h, w] → [n, c, oh, ow]. */
    record PoolGeometry(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow,
                        boolean countIncludePad) {
        int[] inputShape() {
            return new int[] {n, c, h, w};
        }

        int[] outputShape() {
            return new int[] {n, c, oh, ow};
        }
    }

    // ---------------------------------------------------------------- small helpers

    private static boolean f32(Tensor t) {
        return t.dtype() == DType.FLOAT32;
    }

    private static Object alloc(boolean f32, int length) {
        return f32 ? new float[length] : new double[length];
    }

    private static void gemm(boolean f32, int batch, boolean ta, boolean tb, int m, int n, int k,
                             Object a, int aOff, int aStride, int lda, Object b, int bOff, int bStride, int ldb,
                             boolean accumulate, Object c, int cOff, int cStride, int ldc) {
        if (f32) {
            Kernels.gemm().sgemm(batch, ta, tb, m, n, k, (float[]) a, aOff, aStride, lda, (float[]) b, bOff, bStride, ldb,
                    accumulate ? 1f : 0f, (float[]) c, cOff, cStride, ldc);
        } else {
            Kernels.gemm().dgemm(batch, ta, tb, m, n, k, (double[]) a, aOff, aStride, lda, (double[]) b, bOff, bStride, ldb,
                    accumulate ? 1d : 0d, (double[]) c, cOff, cStride, ldc);
        }
    }

    /** A body run for the examples [from, to) with a scratch buffer of its own. */
    @FunctionalInterface
    private interface ExampleBody {
        void run(int from, int to, Object scratch);
    }

    /**
     * Runs body over all examples: spread over threads by example when there are enough of them
     * or each is small, else one after the other (the GEMM and im2col then use the threads).
     * Each example's numbers are the same either way.
     */
    private static void forExamples(int n, long workPerExample, boolean f32, int scratch, ExampleBody body) {
        int threads = Parallel.threads();
        if (n > 1 && (n >= 2 * threads || workPerExample < PER_EXAMPLE_WORK)) {
            int grain = Math.max(1, n / (4 * threads));
            Parallel.forRange(n, grain, (from, to) -> body.run(from, to, scratch == 0 ? null : alloc(f32, scratch)));
        } else {
            body.run(0, n, scratch == 0 ? null : alloc(f32, scratch));
        }
    }

    // ---------------------------------------------------------------- convolution

    /** y = conv(x, w) + b for contiguous-or-not x, w (b may be null). */
    static Tensor forward(Tensor x, Tensor w, Tensor b, Geometry g) {
        Tensor xc = x.contiguousRaw(), wc = w.contiguousRaw(), bc = b == null ? null : b.contiguousRaw();
        boolean f = f32(xc);
        Tensor out = Tensor.empty(xc.dtype(), g.outputShape());
        int chw = g.c() * g.h() * g.w(), ohw = g.ohw(), kg = g.kg(), og = g.og();
        boolean direct = g.pointwise();
        Object xa = xc.storage.array, wa = wc.storage.array, ya = out.storage.array;
        forExamples(g.n(), g.workPerExample(), f, direct ? 0 : g.c() * g.kh() * g.kw() * ohw, (from, to, col) -> {
            for (int s = from; s < to; s++) {
                Object src = col;
                int srcOff = 0;
                if (direct) {
                    src = xa;
                    srcOff = xc.offset + s * chw;
                } else {
                    im2col(xa, xc.offset + s * chw, col, 0, g);
                }
                int yOff = s * g.o() * ohw;
                gemm(f, g.groups(), false, false, og, ohw, kg, wa, wc.offset, og * kg, kg,
                        src, srcOff, kg * ohw, ohw, false, ya, yOff, og * ohw, ohw);
                if (bc != null) addBias(bc, ya, yOff, g.o(), ohw);
            }
        });
        return out;
    }

    private static void addBias(Tensor b, Object y, int yOff, int channels, int plane) {
        if (y instanceof float[] yf) {
            float[] bf = b.storage.f();
            for (int o = 0; o < channels; o++) {
                float v = bf[b.offset + o];
                int base = yOff + o * plane;
                for (int i = 0; i < plane; i++) yf[base + i] += v;
            }
        } else {
            double[] yd = (double[]) y, bd = b.storage.d();
            for (int o = 0; o < channels; o++) {
                double v = bd[b.offset + o];
                int base = yOff + o * plane;
                for (int i = 0; i < plane; i++) yd[base + i] += v;
            }
        }
    }

    /**
     * The input gradient (a transposed convolution): for gy [n, o, oh, ow] and w, the tensor
     * [n, c, h, w] with ⟨result, v⟩ = ⟨gy, conv(v, w)⟩ for every v.
     */
    static Tensor inputGrad(Tensor gy, Tensor w, Geometry g) {
        Tensor gc = gy.contiguousRaw(), wc = w.contiguousRaw();
        boolean f = f32(gc);
        Tensor out = Tensor.empty(gc.dtype(), g.inputShape()); // zeros: col2im accumulates
        int chw = g.c() * g.h() * g.w(), ohw = g.ohw(), kg = g.kg(), og = g.og();
        boolean direct = g.pointwise();
        Object ga = gc.storage.array, wa = wc.storage.array, xa = out.storage.array;
        forExamples(g.n(), g.workPerExample(), f, direct ? 0 : g.c() * g.kh() * g.kw() * ohw, (from, to, col) -> {
            for (int s = from; s < to; s++) {
                int gOff = gc.offset + s * g.o() * ohw;
                if (direct) {
                    gemm(f, g.groups(), true, false, kg, ohw, og, wa, wc.offset, og * kg, kg,
                            ga, gOff, og * ohw, ohw, false, xa, s * chw, kg * ohw, ohw);
                } else {
                    gemm(f, g.groups(), true, false, kg, ohw, og, wa, wc.offset, og * kg, kg,
                            ga, gOff, og * ohw, ohw, false, col, 0, kg * ohw, ohw);
                    col2im(col, xa, s * chw, g);
                }
            }
        });
        return out;
    }

    /**
     * The weight gradient: for x and gy [n, o, oh, ow], Σ over the batch of gy·colᵀ, shape
     * [o, c/groups, kh, kw], with ⟨result, v⟩ = ⟨gy, conv(x, v)⟩ for every v.
     */
    static Tensor weightGrad(Tensor x, Tensor gy, Geometry g) {
        Tensor xc = x.contiguousRaw(), gc = gy.contiguousRaw();
        boolean f = f32(xc);
        Tensor out = Tensor.empty(xc.dtype(), g.weightShape());
        int n = g.n(), chw = g.c() * g.h() * g.w(), ohw = g.ohw(), kg = g.kg(), og = g.og();
        int size = g.o() * kg;
        if (n == 0) return out;
        int grain = (n + WEIGHT_CHUNKS - 1) / WEIGHT_CHUNKS;
        int chunks = (n + grain - 1) / grain;
        boolean direct = g.pointwise();
        int colLen = direct ? 0 : g.c() * g.kh() * g.kw() * ohw;
        Object xa = xc.storage.array, ga = gc.storage.array;
        // With fewer im2col rows than output channels (a first layer: kg = 9), the product is
        // computed transposed, [kg, og] = col·gyᵀ, so that the GEMM's wide side is og.
        boolean transposed = kg < og;
        Object[] partial = new Object[chunks];
        Parallel.RangeBody body = (from, to) -> {
            int chunk = from / grain;
            Object acc = chunk == 0 && !transposed ? out.storage.array : alloc(f, size);
            partial[chunk] = acc;
            Object col = colLen == 0 ? null : alloc(f, colLen);
            for (int s = from; s < to; s++) {
                Object src = col;
                int srcOff = 0;
                if (direct) {
                    src = xa;
                    srcOff = xc.offset + s * chw;
                } else {
                    im2col(xa, xc.offset + s * chw, col, 0, g);
                }
                if (transposed) {
                    gemm(f, g.groups(), false, true, kg, og, ohw, src, srcOff, kg * ohw, ohw,
                            ga, gc.offset + s * g.o() * ohw, og * ohw, ohw, s > from, acc, 0, og * kg, og);
                } else {
                    gemm(f, g.groups(), false, true, og, kg, ohw, ga, gc.offset + s * g.o() * ohw, og * ohw, ohw,
                            src, srcOff, kg * ohw, ohw, s > from, acc, 0, og * kg, kg);
                }
            }
        };
        if (chunks == 1) body.run(0, n); // on the caller: the GEMM may use the threads
        else Parallel.forRange(n, grain, body);
        for (int k = 1; k < chunks; k++) { // in chunk order, whatever thread finished first
            if (f) {
                float[] y = (float[]) partial[0], p = (float[]) partial[k];
                for (int i = 0; i < size; i++) y[i] += p[i];
            } else {
                double[] y = (double[]) partial[0], p = (double[]) partial[k];
                for (int i = 0; i < size; i++) y[i] += p[i];
            }
        }
        if (transposed) { // per group: [kg, og] → [og, kg]
            Object t = partial[0], y = out.storage.array;
            for (int gi = 0; gi < g.groups(); gi++) {
                int base = gi * og * kg;
                for (int o = 0; o < og; o++) {
                    for (int r = 0; r < kg; r++) {
                        if (f) ((float[]) y)[base + o * kg + r] = ((float[]) t)[base + r * og + o];
                        else ((double[]) y)[base + o * kg + r] = ((double[]) t)[base + r * og + o];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Σ over n, h, w of g [n, c, h, w], per channel: each plane summed by the reduction kernel,
     * the planes of a channel added in batch order (channels in parallel).
     */
    static Tensor channelSum(Tensor g) {
        Tensor gc = g.contiguousRaw();
        int n = g.shape[0], c = g.shape[1], plane = g.shape[2] * g.shape[3];
        Tensor out = Tensor.empty(gc.dtype(), new int[] {c});
        Parallel.forRange(c, Math.max(1, (1 << 16) / Math.max(1, n * plane)), (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                if (f32(gc)) {
                    float acc = 0;
                    for (int i = 0; i < n; i++) acc += EW.reduce(Elementwise.Reduce.SUM, gc.storage.f(), gc.offset + (i * c + ch) * plane, 1, plane);
                    out.storage.f()[ch] = acc;
                } else {
                    double acc = 0;
                    for (int i = 0; i < n; i++) acc += EW.reduce(Elementwise.Reduce.SUM, gc.storage.d(), gc.offset + (i * c + ch) * plane, 1, plane);
                    out.storage.d()[ch] = acc;
                }
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- im2col / col2im

    // The valid output columns [lo, hi) for which iw = ow·sw + iw0 lies in [0, w).
    private static int lo(int iw0, int s) {
        return iw0 >= 0 ? 0 : (-iw0 + s - 1) / s;
    }

    private static int hi(int iw0, int s, int w, int ow) {
        if (iw0 > w - 1) return 0;
        return Math.min(ow, (w - 1 - iw0) / s + 1);
    }

    /** Unrolls one example's receptive fields: col[(c·kh + i)·kw + j][oh·ow] = x[c][oh·sh − pt + i·dh][ow·sw − pl + j·dw]. */
    static void im2col(Object x, int xOff, Object col, int colOff, Geometry g) {
        int c = g.c();
        long work = (long) c * g.kh() * g.kw() * g.ohw();
        Parallel.forRange(c, channelGrain(work, c), (c0, c1) -> im2col(x, xOff, col, colOff, g, c0, c1));
    }

    // Channels per parallel chunk of im2col/col2im: about 2^16 elements each.
    private static int channelGrain(long work, int c) {
        return (int) Math.max(1, Math.min(c, (1L << 16) / Math.max(1, work / Math.max(c, 1))));
    }

    private static void im2col(Object x, int xOff, Object col, int colOff, Geometry g, int c0, int c1) {
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw(), sh = g.sh(), sw = g.sw();
        int ohw = oh * ow;
        for (int c = c0; c < c1; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int row = (c * kh + i) * kw + j;
                    int base = colOff + row * ohw;
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

    // Stride 1 along both axes and an output as wide as the input ("same" padding): a row of the
    // im2col matrix is then the input plane shifted, one run of memory over all output rows.
    private static boolean rowsContiguous(Geometry g) {
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
     * The adjoint of im2col: adds each column entry back onto the input position it was read from.
     * Overwrites the entries of col that correspond to padding.
     */
    static void col2im(Object col, Object x, int xOff, Geometry g) {
        int c = g.c();
        long work = (long) c * g.kh() * g.kw() * g.ohw();
        Parallel.forRange(c, channelGrain(work, c), (c0, c1) -> col2im(col, x, xOff, g, c0, c1));
    }

    // Each channel's plane only receives its own rows, so channels are independent; within one,
    // the order (i, j, y, q) is fixed.
    private static void col2im(Object col, Object x, int xOff, Geometry g, int c0, int c1) {
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), kh = g.kh(), kw = g.kw(), sh = g.sh(), sw = g.sw();
        int ohw = oh * ow;
        for (int c = c0; c < c1; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int base = ((c * kh + i) * kw + j) * ohw;
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
    private static void addStrided(Object col, int s, Object x, int d, int stride, int n) {
        if (x instanceof float[] xf) {
            float[] cf = (float[]) col;
            if (stride == 1) EW.axpy(1f, cf, s, xf, d, n);
            else for (int q = 0; q < n; q++) xf[d + q * stride] += cf[s + q];
        } else {
            double[] xd = (double[]) x, cd = (double[]) col;
            if (stride == 1) EW.axpy(1d, cd, s, xd, d, n);
            else for (int q = 0; q < n; q++) xd[d + q * stride] += cd[s + q];
        }
    }

    // ---------------------------------------------------------------- pooling

    /** Planes (n·c) per parallel chunk so that a chunk touches about GRAIN elements. */
    private static int planeGrain(int planeSize) {
        return Math.max(1, Runs.GRAIN / Math.max(1, planeSize));
    }

    /** Max pooling's values and, per output, the flat index (ih·w + iw) of its max in the input plane. */
    record MaxPooled(Tensor values, int[] argmax) {}

    /**
     * Max pooling as PyTorch computes it: padding counts as −∞, the first maximum in the window
     * (row by row) wins, and a NaN is the maximum.
     */
    static MaxPooled maxPool(Tensor x, PoolGeometry p) {
        Tensor xc = x.contiguousRaw();
        Tensor out = Tensor.empty(xc.dtype(), p.outputShape());
        int planes = p.n() * p.c(), hw = p.h() * p.w();
        int[] arg = new int[planes * p.oh() * p.ow()];
        Parallel.forRange(planes, planeGrain(hw), (p0, p1) -> {
            if (f32(xc)) maxPoolF(xc.storage.f(), xc.offset, out.storage.f(), arg, p, p0, p1);
            else maxPoolD(xc.storage.d(), xc.offset, out.storage.d(), arg, p, p0, p1);
        });
        return new MaxPooled(out, arg);
    }

    // 2×2 stride-2 planes by the SIMD kernel (or its branch-free scalar form), the rest window by window.
    private static void maxPoolF(float[] x, int xOff, float[] y, int[] arg, PoolGeometry p, int p0, int p1) {
        int h = p.h(), w = p.w(), oh = p.oh(), ow = p.ow(), kh = p.kh(), kw = p.kw(), sh = p.sh(), sw = p.sw();
        int ph = p.ph(), pw = p.pw(), hw = h * w, ohw = oh * ow;
        // (with ceil mode, a last window may be clipped: that one goes the general way)
        boolean twoByTwo = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && 2 * oh <= h && 2 * ow <= w;
        int[] corners = twoByTwo ? corners(oh, ow, w) : null;
        for (int pl = p0; pl < p1; pl++) {
            int xb = xOff + pl * hw, yb = pl * ohw;
            if (twoByTwo && (EW.maxPool2x2(x, xb, w, corners, y, yb, arg) || maxPool2x2F(x, xb, y, arg, yb, w, oh, ow))) continue;
            maxPoolPlane(x, xb, y, arg, yb, p);
        }
    }

    // The plane index of each 2×2 window's top-left corner, output by output.
    private static int[] corners(int oh, int ow, int w) {
        int[] at = new int[oh * ow];
        for (int j = 0; j < at.length; j++) at[j] = 2 * (j / ow) * w + 2 * (j % ow);
        return at;
    }

    /**
     * The 2×2, stride 2 windows of one plane without branches (the position of a random maximum
     * defeats the branch predictor, which made this 2–4× slower): floats are compared as ints that
     * sort like them (−0 first turned into +0, so ties keep the first, as PyTorch). Returns false,
     * having written garbage, when the plane holds a NaN: the caller then redoes it exactly.
     */
    private static boolean maxPool2x2F(float[] x, int xb, float[] y, int[] arg, int yb, int w, int oh, int ow) {
        int nan = 0;
        for (int oy = 0; oy < oh; oy++) {
            int r0 = xb + 2 * oy * w, i0 = 2 * oy * w, yo = yb + oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                int c = r0 + 2 * ox;
                int b0 = Float.floatToRawIntBits(x[c] + 0f), b1 = Float.floatToRawIntBits(x[c + 1] + 0f);
                int b2 = Float.floatToRawIntBits(x[c + w] + 0f), b3 = Float.floatToRawIntBits(x[c + w + 1] + 0f);
                nan |= isNaN(b0) | isNaN(b1) | isNaN(b2) | isNaN(b3);
                int k0 = sortable(b0), k1 = sortable(b1), k2 = sortable(b2), k3 = sortable(b3);
                int t01 = less(k0, k1), t23 = less(k2, k3); // 1 when the second of the pair is larger
                int m01 = k0 + t01 * (k1 - k0), m23 = k2 + t23 * (k3 - k2);
                int hi = less(m01, m23);
                int at = i0 + 2 * ox + hi * (w + t23) + (1 - hi) * t01;
                arg[yo + ox] = at;
                y[yo + ox] = x[xb + at];
            }
        }
        return nan == 0;
    }

    private static int isNaN(int bits) {
        return (0x7f800000 - (bits & 0x7fffffff)) >>> 31;
    }

    // An int that orders like the float with these bits (for non-NaN floats).
    private static int sortable(int bits) {
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    // 1 when a < b, else 0, without a branch.
    private static int less(int a, int b) {
        return (int) (((long) a - b) >>> 63);
    }

    private static void maxPoolD(double[] x, int xOff, double[] y, int[] arg, PoolGeometry p, int p0, int p1) {
        int hw = p.h() * p.w(), ohw = p.oh() * p.ow();
        for (int pl = p0; pl < p1; pl++) maxPoolPlane(x, xOff + pl * hw, y, arg, pl * ohw, p);
    }

    // One plane, any window, float or double: compared as doubles, which float values convert to
    // exactly (so the float maximum written back is the float read). The first maximum of each
    // window wins; a NaN replaces any number (v != v), as in PyTorch.
    private static void maxPoolPlane(Object x, int xb, Object y, int[] arg, int yb, PoolGeometry p) {
        int h = p.h(), w = p.w(), oh = p.oh(), ow = p.ow(), kh = p.kh(), kw = p.kw(), sh = p.sh(), sw = p.sw();
        for (int oy = 0; oy < oh; oy++) {
            int h0 = oy * sh - p.ph(), hs = Math.max(h0, 0), he = Math.min(h0 + kh, h);
            for (int ox = 0; ox < ow; ox++) {
                int w0 = ox * sw - p.pw(), ws = Math.max(w0, 0), we = Math.min(w0 + kw, w);
                double bv = Double.NEGATIVE_INFINITY;
                int bi = hs * w + ws;
                for (int ih = hs; ih < he; ih++) {
                    int row = xb + ih * w;
                    for (int iw = ws; iw < we; iw++) {
                        double v = x instanceof float[] f ? f[row + iw] : ((double[]) x)[row + iw];
                        if (v > bv || v != v) {
                            bv = v;
                            bi = ih * w + iw;
                        }
                    }
                }
                if (y instanceof float[] f) f[yb + oy * ow + ox] = (float) bv;
                else ((double[]) y)[yb + oy * ow + ox] = bv;
                arg[yb + oy * ow + ox] = bi;
            }
        }
    }

    /**
     * Adds each value of g [n, c, oh, ow] into zeros of shape {@code in} [n, c, h, w] at the
     * flat plane position idx gives (max pooling's input gradient).
     */
    static Tensor scatterPlanes(Tensor g, int[] idx, int[] in) {
        Tensor gc = g.contiguousRaw();
        Tensor out = Tensor.empty(gc.dtype(), in);
        int hw = in[2] * in[3], ohw = g.shape[2] * g.shape[3], planes = in[0] * in[1];
        Parallel.forRange(planes, planeGrain(hw + ohw), (p0, p1) -> {
            if (f32(gc)) {
                float[] a = gc.storage.f(), y = out.storage.f();
                for (int pl = p0; pl < p1; pl++) {
                    for (int i = 0; i < ohw; i++) y[pl * hw + idx[pl * ohw + i]] += a[gc.offset + pl * ohw + i];
                }
            } else {
                double[] a = gc.storage.d(), y = out.storage.d();
                for (int pl = p0; pl < p1; pl++) {
                    for (int i = 0; i < ohw; i++) y[pl * hw + idx[pl * ohw + i]] += a[gc.offset + pl * ohw + i];
                }
            }
        });
        return out;
    }

    /** Reads h [n, c, h, w] at the flat plane positions idx gives, into shape {@code outShape} [n, c, oh, ow]. */
    static Tensor gatherPlanes(Tensor h, int[] idx, int[] outShape) {
        Tensor hc = h.contiguousRaw();
        Tensor out = Tensor.empty(hc.dtype(), outShape);
        int hw = h.shape[2] * h.shape[3], ohw = outShape[2] * outShape[3], planes = outShape[0] * outShape[1];
        Parallel.forRange(planes, planeGrain(ohw), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                for (int i = 0; i < ohw; i++) {
                    out.storage.set(pl * ohw + i, hc.storage.get(hc.offset + pl * hw + idx[pl * ohw + i]));
                }
            }
        });
        return out;
    }

    // The divisor of one average-pooling window, as PyTorch: with countIncludePad the window
    // clipped to the padded input, else the number of input elements in it.
    private static int divisor(PoolGeometry p, int y, int q) {
        int h0 = y * p.sh() - p.ph(), w0 = q * p.sw() - p.pw();
        if (p.countIncludePad()) {
            int h1 = Math.min(h0 + p.kh(), p.h() + p.ph()), w1 = Math.min(w0 + p.kw(), p.w() + p.pw());
            return (h1 - h0) * (w1 - w0);
        }
        int h1 = Math.min(h0 + p.kh(), p.h()), w1 = Math.min(w0 + p.kw(), p.w());
        return (h1 - Math.max(h0, 0)) * (w1 - Math.max(w0, 0));
    }

    /** Average pooling (ceil_mode off). */
    static Tensor avgPool(Tensor x, PoolGeometry p) {
        Tensor xc = x.contiguousRaw();
        Tensor out = Tensor.empty(xc.dtype(), p.outputShape());
        int planes = p.n() * p.c(), hw = p.h() * p.w(), ohw = p.oh() * p.ow();
        boolean f = f32(xc);
        Parallel.forRange(planes, planeGrain(hw), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int xBase = xc.offset + pl * hw, yBase = pl * ohw;
                for (int y = 0; y < p.oh(); y++) {
                    int h0 = Math.max(y * p.sh() - p.ph(), 0), h1 = Math.min(y * p.sh() - p.ph() + p.kh(), p.h());
                    for (int q = 0; q < p.ow(); q++) {
                        int w0 = Math.max(q * p.sw() - p.pw(), 0), w1 = Math.min(q * p.sw() - p.pw() + p.kw(), p.w());
                        int div = divisor(p, y, q);
                        if (f) {
                            float[] a = xc.storage.f();
                            float s = 0;
                            for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) s += a[xBase + ih * p.w() + iw];
                            out.storage.f()[yBase + y * p.ow() + q] = s / div;
                        } else {
                            double[] a = xc.storage.d();
                            double s = 0;
                            for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) s += a[xBase + ih * p.w() + iw];
                            out.storage.d()[yBase + y * p.ow() + q] = s / div;
                        }
                    }
                }
            }
        });
        return out;
    }

    /** The adjoint of average pooling: each g value divided by its divisor, added over its window. */
    static Tensor avgPoolBackward(Tensor g, PoolGeometry p) {
        Tensor gc = g.contiguousRaw();
        Tensor out = Tensor.empty(gc.dtype(), p.inputShape());
        int planes = p.n() * p.c(), hw = p.h() * p.w(), ohw = p.oh() * p.ow();
        boolean f = f32(gc);
        Parallel.forRange(planes, planeGrain(hw), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int xBase = pl * hw, yBase = gc.offset + pl * ohw;
                for (int y = 0; y < p.oh(); y++) {
                    int h0 = Math.max(y * p.sh() - p.ph(), 0), h1 = Math.min(y * p.sh() - p.ph() + p.kh(), p.h());
                    for (int q = 0; q < p.ow(); q++) {
                        int w0 = Math.max(q * p.sw() - p.pw(), 0), w1 = Math.min(q * p.sw() - p.pw() + p.kw(), p.w());
                        int div = divisor(p, y, q);
                        if (f) {
                            float[] a = out.storage.f();
                            float v = gc.storage.f()[yBase + y * p.ow() + q] / div;
                            for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) a[xBase + ih * p.w() + iw] += v;
                        } else {
                            double[] a = out.storage.d();
                            double v = gc.storage.d()[yBase + y * p.ow() + q] / div;
                            for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) a[xBase + ih * p.w() + iw] += v;
                        }
                    }
                }
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- checking the arguments

    /** A pair of sizes from a user array of length 1 (both) or 2 (height, width). */
    static int[] pair(String op, String what, int[] v, int min) {
        if (v == null || (v.length != 1 && v.length != 2)) {
            throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(v)
                    + " must be one value (for height and width) or two (height, width)");
        }
        int[] p = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        for (int x : p) {
            if (x < min) throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(v) + " must be >= " + min);
        }
        return p;
    }

    /** Padding {top, bottom, left, right} from 1 (all), 2 (height, width) or 4 values. */
    static int[] padding(String op, int[] v) {
        if (v == null || (v.length != 1 && v.length != 2 && v.length != 4)) {
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(v) + " must be 1 value (all sides),"
                    + " 2 (height, width: both sides of each) or 4 (top, bottom, left, right)");
        }
        for (int x : v) {
            if (x < 0) throw new IllegalArgumentException(op + ": padding " + Arrays.toString(v) + " must be >= 0");
        }
        return switch (v.length) {
            case 1 -> new int[] {v[0], v[0], v[0], v[0]};
            case 2 -> new int[] {v[0], v[0], v[1], v[1]};
            default -> v.clone();
        };
    }

    static int outSize(int in, int padBefore, int padAfter, int k, int stride, int dilation) {
        int span = in + padBefore + padAfter - dilation * (k - 1) - 1;
        return span < 0 ? 0 : span / stride + 1;
    }

    /** The geometry of conv2d(x, w), checking every size; messages name the op, the shapes and a fix. */
    static Geometry geometry(String op, int[] x, int[] w, int[] stride, int[] padding, int[] dilation, int groups) {
        if (x.length != 4) {
            throw new IllegalArgumentException(op + ": input of shape " + Shape.str(x)
                    + " must be [batch, channels, height, width] (or [channels, height, width])");
        }
        if (w.length != 4) {
            throw new IllegalArgumentException(op + ": weight of shape " + Shape.str(w)
                    + " must be [out_channels, in_channels/groups, kernel_height, kernel_width]");
        }
        if (groups < 1) throw new IllegalArgumentException(op + ": groups " + groups + " must be >= 1");
        int[] s = pair(op, "stride", stride, 1), d = pair(op, "dilation", dilation, 1), p = padding(op, padding);
        int c = x[1], o = w[0];
        if (c % groups != 0 || o % groups != 0) {
            throw new IllegalArgumentException(op + ": groups " + groups + " must divide both the input channels " + c
                    + " and the output channels " + o);
        }
        if (w[1] * groups != c) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x) + " has " + c + " channels, but weight "
                    + Shape.str(w) + " with groups=" + groups + " expects " + w[1] * groups
                    + "; the weight's dim 1 must be in_channels/groups = " + c / groups);
        }
        if (w[2] < 1 || w[3] < 1 || o < 1) {
            throw new IllegalArgumentException(op + ": weight " + Shape.str(w) + " has an empty kernel or no output channel");
        }
        int oh = outSize(x[2], p[0], p[1], w[2], s[0], d[0]), ow = outSize(x[3], p[2], p[3], w[3], s[1], d[1]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x) + " is too small for a " + w[2] + "x" + w[3]
                    + " kernel with dilation " + Arrays.toString(d) + " and padding (top, bottom, left, right) "
                    + Arrays.toString(p) + ": the output would be " + oh + "x" + ow + "; pad the input or use a smaller kernel");
        }
        return new Geometry(x[0], c, x[2], x[3], o, w[2], w[3], s[0], s[1], p[0], p[2], d[0], d[1], groups, oh, ow);
    }

    /**
     * The output size of a pooling along one dim, as PyTorch: with ceilMode the last window may
     * run past the input (it is clipped), as long as it starts inside the input or the left padding.
     */
    static int poolOutSize(int in, int pad, int k, int s, boolean ceilMode) {
        int span = in + 2 * pad - k;
        if (span < 0) return 0;
        int out = (ceilMode ? (span + s - 1) / s : span / s) + 1;
        return ceilMode && (out - 1) * s >= in + pad ? out - 1 : out;
    }

    /** The geometry of a pooling, as PyTorch checks it (padding at most half the kernel). */
    static PoolGeometry poolGeometry(String op, int[] x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                     boolean countIncludePad) {
        if (x.length != 4) {
            throw new IllegalArgumentException(op + ": input of shape " + Shape.str(x)
                    + " must be [batch, channels, height, width] (or [channels, height, width])");
        }
        int[] k = pair(op, "kernel size", kernel, 1);
        int[] s = stride == null || stride.length == 0 ? k : pair(op, "stride", stride, 1);
        int[] p = pair(op, "padding", padding, 0);
        if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(p) + " must be at most half the kernel size "
                    + Arrays.toString(k) + " (as in PyTorch); use a larger kernel or less padding");
        }
        int oh = poolOutSize(x[2], p[0], k[0], s[0], ceilMode), ow = poolOutSize(x[3], p[1], k[1], s[1], ceilMode);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x) + " is too small for a " + k[0] + "x" + k[1]
                    + " window with padding " + Arrays.toString(p) + ": the output would be " + oh + "x" + ow);
        }
        return new PoolGeometry(x[0], x[1], x[2], x[3], k[0], k[1], s[0], s[1], p[0], p[1], oh, ow, countIncludePad);
    }
}
