package dev.nabla.tensor;

import dev.nabla.kernel.ConvGeometry;
import dev.nabla.kernel.Elementwise;
import dev.nabla.kernel.Gemm;
import dev.nabla.kernel.Im2col;
import dev.nabla.kernel.KernelProvider;
import dev.nabla.kernel.Parallel;
import dev.nabla.kernel.PoolGeometry;
import dev.nabla.kernel.Pooling;
import dev.nabla.kernel.Scratch;
import dev.nabla.kernel.Winograd;
import java.util.Arrays;

/**
 * The forward computations behind the convolution and pooling ops of {@link Tensor} (NCHW, no
 * autograd; Tensor records the derivatives), composed of the kernels of {@link KernelProvider}. A float32 3×3
 * stride-1 convolution with enough channels and tiles, and its two adjoints, go through {@link Winograd} (both
 * providers); float64 ones stay on the exact im2col path below. A convolution is im2col + the batched GEMM kernel:
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
    private static final KernelProvider KERNELS = KernelProvider.get();
    private static final Elementwise EW = KERNELS.elementwise();
    private static final Gemm GEMM = KERNELS.gemm();
    private static final Im2col IM2COL = KERNELS.im2col();
    private static final Pooling POOLING = KERNELS.pooling();
    private static final Winograd WINOGRAD = new Winograd(GEMM, EW);

    private Conv() {}

    /** Chunks the weight gradient's sum over the batch is split into (fixed: it sets the rounding). */
    private static final int WEIGHT_CHUNKS = 8;
    /** Multiply-adds per example below which examples are spread over threads (else the GEMM is). */
    private static final long PER_EXAMPLE_WORK = 1L << 26;
    /**
     * Output planes (oh·ow) and multiply-adds per example below which the examples are multiplied
     * in blocks: one GEMM per block, its columns the output positions of the block's examples side
     * by side. Per example, the dcgan's Conv(1→64, 4, 2, 1) made 64×16×196 products that cost more
     * to set up than to run (forward + backward at batch 128: 19 → 9 ms); a 128×1024×49 product
     * per example runs as fast as the blocked one, without the block's 6 MB of im2col.
     */
    private static final int SMALL_PLANE = 256;
    private static final long SMALL_WORK = 1L << 21;
    /** Examples per group on the per-example path: their im2col matrices are held at once. */
    private static final int SHARED_EXAMPLES = 4;
    /** Output planes (oh·ow) up to which a group's examples are one product ({@link #wide}). */
    private static final int WIDE_PLANE = 64;
    /** Columns of a block of examples, about: the batch is cut into balanced blocks by its sizes alone. */
    private static final int BLOCK_COLUMNS = 2048;
    /** Multiply-adds below which the GEMM runs a product on one thread (VectorGemm.PAR_MIN). */
    private static final long BLOCK_SPLIT_WORK = 1L << 22;

    // ---------------------------------------------------------------- geometry

    // ---------------------------------------------------------------- small helpers

    private static boolean f32(Tensor t) {
        return t.dtype() == DType.FLOAT32;
    }

    private static Object alloc(boolean f32, int length) {
        return f32 ? new float[length] : new double[length];
    }

    /**
     * The {@link Scratch} slots a thread may hold at once: a column matrix, a product or a block of
     * gradients, and the weight gradient's partial sums (the caller's, which every thread writes).
     */
    private static final int COLUMNS = 0, PRODUCT = 1, PARTIALS = 2;

    /** This thread's scratch array of slot, at least length long (its contents are arbitrary). */
    private static Object scratch(boolean f32, int slot, int length) {
        return f32 ? Scratch.floats(slot, length) : Scratch.doubles(slot, length);
    }

    private static void gemm(boolean f32, int batch, boolean ta, boolean tb, int m, int n, int k,
                             Object a, int aOff, int aStride, int lda, Object b, int bOff, int bStride, int ldb,
                             boolean accumulate, Object c, int cOff, int cStride, int ldc) {
        if (f32) {
            GEMM.sgemm(batch, ta, tb, m, n, k, (float[]) a, aOff, aStride, lda, (float[]) b, bOff, bStride, ldb,
                    accumulate ? 1f : 0f, (float[]) c, cOff, cStride, ldc);
        } else {
            GEMM.dgemm(batch, ta, tb, m, n, k, (double[]) a, aOff, aStride, lda, (double[]) b, bOff, bStride, ldb,
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
            Parallel.forRange(n, grain, (from, to) -> body.run(from, to, scratch == 0 ? null : scratch(f32, COLUMNS, scratch)));
        } else {
            body.run(0, n, scratch == 0 ? null : scratch(f32, COLUMNS, scratch));
        }
    }

    /**
     * Examples per group on the per-example path of an ungrouped convolution, whose weight is then
     * packed once per call ({@link Gemm#shareA}) for all the examples: the dcgan's 128×1024 weight
     * cost as much to pack as to multiply by one example's 49 columns, and packed per group of 4
     * it was still 9% of a training step. A grouped convolution multiplies one example at a time
     * (the GEMM's batch is its groups).
     */
    private static int shared(ConvGeometry g) {
        return g.groups() == 1 ? SHARED_EXAMPLES : 1;
    }

    /**
     * Whether the per-example path multiplies a group's examples as one product of their positions side
     * by side (im2col of the group into one matrix), planes copied back: a 7×7 plane is 49 columns, which
     * the GEMM pads to 64 per example but to 224 for 4 examples (196 columns). Measured on the dcgan's
     * Conv(64→128, 4, 2, 1), batch 32: forward 4–9% and input gradient 8–15% faster; on a 14×14 plane
     * (the cnn's second layer, 224 for 196) the forward was 10% slower. The weight gradient then sums
     * the group in one product whose k is their 4·49 positions, where one product per example (k = 49)
     * loaded and stored the whole 128×1024 gradient every 49 steps: 3.84 → 2.94 ms at batch 32 and
     * 7.20 → 5.85 at 64 on AMD's Zen 4 (on an Intel Sapphire Rapids it had measured 0.97×).
     */
    private static boolean wide(ConvGeometry g) {
        return shared(g) > 1 && !g.pointwise() && g.ohw() <= WIDE_PLANE;
    }

    private static boolean blocked(ConvGeometry g) {
        return g.n() > 1 && g.ohw() < SMALL_PLANE && g.workPerExample() < SMALL_WORK && !g.pointwise();
    }

    /** Examples per block: the batch split into balanced blocks of about BLOCK_COLUMNS columns. */
    private static int blockExamples(ConvGeometry g) {
        long blocks = Math.min(g.n(), ((long) g.n() * g.ohw() + BLOCK_COLUMNS - 1) / BLOCK_COLUMNS);
        return (int) ((g.n() + blocks - 1) / blocks);
    }

    /**
     * Runs body over the blocks [b0, b1) of eb examples, which write disjoint examples. When a
     * block's product is below the GEMM's own parallel threshold (it would run on one thread),
     * the blocks run on threads of their own; else one after another, each GEMM on all threads
     * (an odd number of blocks would leave a thread idle). The same bits either way.
     */
    private static void forBlocks(ConvGeometry g, int eb, Parallel.RangeBody body) {
        int blocks = (g.n() + eb - 1) / eb;
        if ((long) g.groups() * g.og() * g.kg() * eb * g.ohw() < BLOCK_SPLIT_WORK) Parallel.forRange(blocks, 1, body);
        else body.run(0, blocks);
    }

    /** A body run for examples [from, to) of a block, numbered from 0 within it. */
    private static void forBlock(int count, Parallel.RangeBody body) {
        Parallel.forRange(count, 1, body);
    }

    /**
     * Copies the planes of examples [first, first + count) between an [n, channels, oh·ow] array (at
     * off) and the block matrix [channels, count·oh·ow] (at blockOff) that holds them side by side.
     */
    private static void blockPlanes(Object nchw, int off, int channels, Object block, int blockOff, int first, int count,
                                    boolean intoBlock, ConvGeometry g) {
        int ohw = g.ohw(), cols = count * ohw;
        forBlock(count, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                for (int ch = 0; ch < channels; ch++) {
                    int at = off + ((first + s) * channels + ch) * ohw, in = blockOff + ch * cols + s * ohw;
                    if (intoBlock) System.arraycopy(nchw, at, block, in, ohw);
                    else System.arraycopy(block, in, nchw, at, ohw);
                }
            }
        });
    }

    /** im2col of examples [first, first + count) into col [c·kh·kw, count·oh·ow], side by side. */
    private static void im2colBlock(Object xa, int xOff, Object col, int first, int count, ConvGeometry g) {
        int chw = g.c() * g.h() * g.w(), ohw = g.ohw();
        forBlock(count, (s0, s1) -> {
            for (int s = s0; s < s1; s++) IM2COL.im2col(xa, xOff + (first + s) * chw, col, s * ohw, count * ohw, g);
        });
    }

    // ---------------------------------------------------------------- convolution

    /** y = conv(x, w) + b for contiguous-or-not x, w (b may be null). */
    static Tensor forward(Tensor x, Tensor w, Tensor b, ConvGeometry g) {
        Tensor xc = x.contiguousRaw(), wc = w.contiguousRaw(), bc = b == null ? null : b.contiguousRaw();
        boolean f = f32(xc);
        Tensor out = Tensor.uninitialized(xc.dtype(), g.outputShape()); // every path writes (not adds) every output
        if (f && Winograd.applies(g)) {
            WINOGRAD.forward(xc.storage.f(), xc.offset, wc.storage.f(), wc.offset, bc == null ? null : bc.storage.f(),
                    bc == null ? 0 : bc.offset, out.storage.f(), g);
            return out;
        }
        int chw = g.c() * g.h() * g.w(), ohw = g.ohw(), kg = g.kg(), og = g.og();
        boolean direct = g.pointwise();
        Object xa = xc.storage.array, wa = wc.storage.array, ya = out.storage.array;
        if (blocked(g)) {
            int eb = blockExamples(g);
            forBlocks(g, eb, (b0, b1) -> {
                Object col = scratch(f, COLUMNS, g.c() * g.kh() * g.kw() * eb * ohw), prod = scratch(f, PRODUCT, g.o() * eb * ohw);
                for (int first = b0 * eb; first < Math.min(g.n(), b1 * eb); first += eb) {
                    int count = Math.min(eb, g.n() - first), cols = count * ohw, s0 = first;
                    im2colBlock(xa, xc.offset, col, first, count, g);
                    gemm(f, g.groups(), false, false, og, cols, kg, wa, wc.offset, og * kg, kg,
                            col, 0, kg * cols, cols, false, prod, 0, og * cols, cols);
                    blockPlanes(ya, 0, g.o(), prod, 0, first, count, false, g);
                    if (bc != null) forBlock(count, (from, to) -> {
                        for (int s = from; s < to; s++) addBias(bc, ya, (s0 + s) * g.o() * ohw, g.o(), ohw);
                    });
                }
            });
            return out;
        }
        int colLen = g.c() * g.kh() * g.kw() * ohw, share = shared(g), prodOff = share * colLen;
        boolean wide = wide(g);
        Gemm.SharedA weight = share > 1 ? GEMM.shareA(false, g.o(), kg, wa, wc.offset, kg) : null;
        forExamples(g.n(), g.workPerExample(), f, direct ? 0 : prodOff + (wide ? g.o() * share * ohw : 0), (from, to, col) -> {
            for (int s0 = from; s0 < to; s0 += share) {
                int count = Math.min(share, to - s0);
                if (wide) {
                    int cols = count * ohw;
                    im2colBlock(xa, xc.offset, col, s0, count, g);
                    GEMM.gemm(weight, false, cols, col, 0, cols, false, col, prodOff, cols);
                    blockPlanes(ya, 0, g.o(), col, prodOff, s0, count, false, g);
                } else {
                    Object src = col;
                    int srcOff = 0, srcStride = colLen;
                    if (direct) {
                        src = xa;
                        srcOff = xc.offset + s0 * chw;
                        srcStride = chw;
                    } else {
                        for (int s = 0; s < count; s++) IM2COL.im2col(xa, xc.offset + (s0 + s) * chw, col, s * colLen, g);
                    }
                    if (share > 1) { // the examples' products share the weight, packed once
                        for (int s = 0; s < count; s++) {
                            GEMM.gemm(weight, false, ohw, src, srcOff + s * srcStride, ohw, false, ya, (s0 + s) * g.o() * ohw, ohw);
                        }
                    } else {
                        gemm(f, g.groups(), false, false, og, ohw, kg, wa, wc.offset, og * kg, kg,
                                src, srcOff, kg * ohw, ohw, false, ya, s0 * g.o() * ohw, og * ohw, ohw);
                    }
                }
                if (bc != null) for (int s = s0; s < s0 + count; s++) addBias(bc, ya, s * g.o() * ohw, g.o(), ohw);
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
    static Tensor inputGrad(Tensor gy, Tensor w, ConvGeometry g) {
        Tensor gc = gy.contiguousRaw(), wc = w.contiguousRaw();
        boolean f = f32(gc);
        if (f && Winograd.applies(g)) { // writes every element
            Tensor out = Tensor.uninitialized(gc.dtype(), g.inputShape());
            WINOGRAD.inputGrad(gc.storage.f(), gc.offset, wc.storage.f(), wc.offset, out.storage.f(), g);
            return out;
        }
        Tensor out = Tensor.empty(gc.dtype(), g.inputShape()); // zeros: col2im accumulates
        int chw = g.c() * g.h() * g.w(), ohw = g.ohw(), kg = g.kg(), og = g.og();
        boolean direct = g.pointwise();
        Object ga = gc.storage.array, wa = wc.storage.array, xa = out.storage.array;
        if (blocked(g)) {
            int eb = blockExamples(g);
            forBlocks(g, eb, (b0, b1) -> {
                Object col = scratch(f, COLUMNS, g.c() * g.kh() * g.kw() * eb * ohw), gb = scratch(f, PRODUCT, g.o() * eb * ohw);
                for (int first = b0 * eb; first < Math.min(g.n(), b1 * eb); first += eb) {
                    int count = Math.min(eb, g.n() - first), cols = count * ohw, s0 = first;
                    blockPlanes(ga, gc.offset, g.o(), gb, 0, first, count, true, g);
                    gemm(f, g.groups(), true, false, kg, cols, og, wa, wc.offset, og * kg, kg,
                            gb, 0, og * cols, cols, false, col, 0, kg * cols, cols);
                    forBlock(count, (from, to) -> {
                        for (int s = from; s < to; s++) IM2COL.col2im(col, s * ohw, cols, xa, (s0 + s) * chw, g);
                    });
                }
            });
            return out;
        }
        int colLen = g.c() * g.kh() * g.kw() * ohw, share = shared(g), gbOff = share * colLen;
        boolean wide = wide(g);
        Gemm.SharedA weightT = share > 1 ? GEMM.shareA(true, kg, g.o(), wa, wc.offset, kg) : null;
        forExamples(g.n(), g.workPerExample(), f, direct ? 0 : gbOff + (wide ? g.o() * share * ohw : 0), (from, to, col) -> {
            for (int s0 = from; s0 < to; s0 += share) {
                int count = Math.min(share, to - s0), gOff = gc.offset + s0 * g.o() * ohw;
                if (wide) {
                    int cols = count * ohw, first = s0;
                    blockPlanes(ga, gc.offset, g.o(), col, gbOff, s0, count, true, g);
                    GEMM.gemm(weightT, false, cols, col, gbOff, cols, false, col, 0, cols);
                    forBlock(count, (a, b) -> {
                        for (int s = a; s < b; s++) IM2COL.col2im(col, s * ohw, cols, xa, (first + s) * chw, g);
                    });
                    continue;
                }
                Object dst = direct ? xa : col;
                int dstOff = direct ? s0 * chw : 0, dstStride = direct ? chw : colLen;
                if (share > 1) { // the examples' products share the weight, packed once
                    for (int s = 0; s < count; s++) {
                        GEMM.gemm(weightT, false, ohw, ga, gOff + s * g.o() * ohw, ohw, false, dst, dstOff + s * dstStride, ohw);
                    }
                } else {
                    gemm(f, g.groups(), true, false, kg, ohw, og, wa, wc.offset, og * kg, kg,
                            ga, gOff, og * ohw, ohw, false, dst, dstOff, kg * ohw, ohw);
                }
                if (!direct) for (int s = 0; s < count; s++) IM2COL.col2im(col, s * colLen, xa, (s0 + s) * chw, g);
            }
        });
        return out;
    }

    /**
     * The weight gradient: for x and gy [n, o, oh, ow], Σ over the batch of gy·colᵀ, shape
     * [o, c/groups, kh, kw], with ⟨result, v⟩ = ⟨gy, conv(x, v)⟩ for every v.
     */
    static Tensor weightGrad(Tensor x, Tensor gy, ConvGeometry g) {
        Tensor xc = x.contiguousRaw(), gc = gy.contiguousRaw();
        boolean f = f32(xc);
        Tensor out = Tensor.empty(xc.dtype(), g.weightShape());
        if (f && Winograd.applies(g)) {
            WINOGRAD.weightGrad(xc.storage.f(), xc.offset, gc.storage.f(), gc.offset, out.storage.f(), g);
            return out;
        }
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
        if (blocked(g)) {
            int eb = blockExamples(g);
            Object col = scratch(f, COLUMNS, g.c() * g.kh() * g.kw() * eb * ohw), gb = scratch(f, PRODUCT, g.o() * eb * ohw);
            Object acc = transposed ? scratch(f, PARTIALS, size) : out.storage.array;
            for (int first = 0; first < n; first += eb) { // blocks summed in batch order
                int count = Math.min(eb, n - first), cols = count * ohw;
                im2colBlock(xa, xc.offset, col, first, count, g);
                blockPlanes(ga, gc.offset, g.o(), gb, 0, first, count, true, g);
                if (transposed) {
                    gemm(f, g.groups(), false, true, kg, og, cols, col, 0, kg * cols, cols,
                            gb, 0, og * cols, cols, first > 0, acc, 0, og * kg, og);
                } else {
                    gemm(f, g.groups(), false, true, og, kg, cols, gb, 0, og * cols, cols,
                            col, 0, kg * cols, cols, first > 0, acc, 0, og * kg, kg);
                }
            }
            if (transposed) untranspose(acc, out.storage.array, g, f);
            return out;
        }
        // chunk k sums into the output (k = 0, unless transposed) or into parts, one slice a chunk
        int inOut = transposed ? 0 : 1;
        Object parts = chunks > inOut ? scratch(f, PARTIALS, (chunks - inOut) * size) : null;
        boolean wideSum = wide(g) && !transposed;
        Parallel.RangeBody body = (from, to) -> {
            int chunk = from / grain;
            Object acc = chunk < inOut ? out.storage.array : parts;
            int accOff = chunk < inOut ? 0 : (chunk - inOut) * size;
            if (wideSum) { // SHARED_EXAMPLES examples' positions side by side: one product with k = their columns
                Object col = scratch(f, COLUMNS, colLen * SHARED_EXAMPLES), gb = scratch(f, PRODUCT, g.o() * SHARED_EXAMPLES * ohw);
                for (int s = from; s < to; s += SHARED_EXAMPLES) {
                    int count = Math.min(SHARED_EXAMPLES, to - s), cols = count * ohw;
                    im2colBlock(xa, xc.offset, col, s, count, g);
                    blockPlanes(ga, gc.offset, g.o(), gb, 0, s, count, true, g);
                    gemm(f, 1, false, true, og, kg, cols, gb, 0, og * cols, cols, col, 0, kg * cols, cols, s > from, acc, accOff, og * kg, kg);
                }
                return;
            }
            Object col = colLen == 0 ? null : scratch(f, COLUMNS, colLen);
            for (int s = from; s < to; s++) {
                Object src = col;
                int srcOff = 0;
                if (direct) {
                    src = xa;
                    srcOff = xc.offset + s * chw;
                } else {
                    IM2COL.im2col(xa, xc.offset + s * chw, col, 0, g);
                }
                if (transposed) {
                    gemm(f, g.groups(), false, true, kg, og, ohw, src, srcOff, kg * ohw, ohw,
                            ga, gc.offset + s * g.o() * ohw, og * ohw, ohw, s > from, acc, accOff, og * kg, og);
                } else {
                    gemm(f, g.groups(), false, true, og, kg, ohw, ga, gc.offset + s * g.o() * ohw, og * ohw, ohw,
                            src, srcOff, kg * ohw, ohw, s > from, acc, accOff, og * kg, kg);
                }
            }
        };
        if (chunks == 1) body.run(0, n); // on the caller: the GEMM may use the threads
        else Parallel.forRange(n, grain, body);
        // in chunk order, whatever thread finished first; each thread sums a range of the weights
        Object sum = transposed ? parts : out.storage.array;
        Parallel.forRange(chunks > 1 ? size : 0, Runs.GRAIN / 2, (lo, hi) -> {
            for (int k = 1; k < chunks; k++) {
                int at = (k - inOut) * size;
                if (f) {
                    float[] y = (float[]) sum, p = (float[]) parts;
                    for (int i = lo; i < hi; i++) y[i] += p[at + i];
                } else {
                    double[] y = (double[]) sum, p = (double[]) parts;
                    for (int i = lo; i < hi; i++) y[i] += p[at + i];
                }
            }
        });
        if (transposed) untranspose(parts, out.storage.array, g, f);
        return out;
    }

    /** The weight gradient computed transposed: per group, t [kg, og] → y [og, kg]. */
    private static void untranspose(Object t, Object y, ConvGeometry g, boolean f) {
        int kg = g.kg(), og = g.og();
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

    /**
     * Σ over n, h, w of g [n, c, h, w], per channel: a channel's planes summed in batch order by one
     * call of the kernel, their sums added in float64 (channels in parallel).
     */
    static Tensor channelSum(Tensor g) {
        Tensor gc = g.contiguousRaw();
        int n = g.shape[0], c = g.shape[1], plane = g.shape[2] * g.shape[3];
        Tensor out = Tensor.empty(gc.dtype(), new int[] {c});
        Parallel.forRange(c, Math.max(1, (1 << 16) / Math.max(1, n * plane)), (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                int at = gc.offset + ch * plane;
                if (f32(gc)) out.storage.f()[ch] = (float) EW.sumPlanes(gc.storage.f(), at, n, c * plane, plane);
                else out.storage.d()[ch] = EW.sumPlanes(gc.storage.d(), at, n, c * plane, plane);
            }
        });
        return out;
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
        Tensor out = Tensor.uninitialized(xc.dtype(), p.outputShape());
        int planes = p.n() * p.c(), hw = p.h() * p.w();
        int[] arg = new int[planes * p.oh() * p.ow()];
        Parallel.forRange(planes, planeGrain(hw), (p0, p1) -> {
            if (f32(xc)) POOLING.maxPool(xc.storage.f(), xc.offset, out.storage.f(), arg, p, p0, p1);
            else POOLING.maxPool(xc.storage.d(), xc.offset, out.storage.d(), arg, p, p0, p1);
        });
        return new MaxPooled(out, arg);
    }

    /**
     * Adds each value of g [n, c, oh, ow] into zeros of shape {@code in} [n, c, h, w] at the
     * flat plane position idx gives (max pooling's input gradient).
     */
    static Tensor scatterPlanes(Tensor g, int[] idx, int[] in) {
        Tensor gc = g.contiguousRaw();
        Tensor out = Tensor.uninitialized(gc.dtype(), in); // each chunk zeroes its planes, in parallel and in cache
        int hw = in[2] * in[3], ohw = g.shape[2] * g.shape[3], planes = in[0] * in[1];
        Parallel.forRange(planes, planeGrain(hw + ohw), (p0, p1) -> {
            if (f32(gc)) {
                float[] a = gc.storage.f(), y = out.storage.f();
                Arrays.fill(y, p0 * hw, p1 * hw, 0f);
                for (int pl = p0; pl < p1; pl++) {
                    for (int i = 0; i < ohw; i++) y[pl * hw + idx[pl * ohw + i]] += a[gc.offset + pl * ohw + i];
                }
            } else {
                double[] a = gc.storage.d(), y = out.storage.d();
                Arrays.fill(y, p0 * hw, p1 * hw, 0d);
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
        Tensor out = Tensor.uninitialized(hc.dtype(), outShape);
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

    /** Average pooling (ceil_mode off). */
    static Tensor avgPool(Tensor x, PoolGeometry p) {
        Tensor xc = x.contiguousRaw();
        Tensor out = Tensor.empty(xc.dtype(), p.outputShape());
        Parallel.forRange(p.n() * p.c(), planeGrain(p.h() * p.w()),
                (p0, p1) -> POOLING.avgPool(xc.storage.array, xc.offset, out.storage.array, p, p0, p1));
        return out;
    }

    /** The adjoint of average pooling: each g value divided by its divisor, added over its window. */
    static Tensor avgPoolBackward(Tensor g, PoolGeometry p) {
        Tensor gc = g.contiguousRaw();
        Tensor out = Tensor.empty(gc.dtype(), p.inputShape());
        Parallel.forRange(p.n() * p.c(), planeGrain(p.h() * p.w()),
                (p0, p1) -> POOLING.avgPoolBackward(gc.storage.array, gc.offset, out.storage.array, p, p0, p1));
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
    static ConvGeometry geometry(String op, int[] x, int[] w, int[] stride, int[] padding, int[] dilation, int groups) {
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
        return new ConvGeometry(x[0], c, x[2], x[3], o, w[2], w[3], s[0], s[1], p[0], p[2], d[0], d[1], groups, oh, ow);
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
