package dev.nabla.kernel;

import static dev.nabla.kernel.VectorGemm.BATCH_WORK;
import static dev.nabla.kernel.VectorGemm.KEEP;
import static dev.nabla.kernel.VectorGemm.MR;
import static dev.nabla.kernel.VectorGemm.PAR_MIN;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 products of {@link VectorGemm}: packing, the direct and dot paths, and the
 * micro-kernels.
 *
 * <p>The float64 twin is generated from this file: edit it, then run scripts/generate-double-kernels.
 */
final class VectorGemmFloat {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int FL = FS.length();
    /** Columns of the micro-tile: two vectors. */
    private static final int FNR = 2 * FL;
    /** Transposed B panels are packed by {@link Transposes} where it fits the vectors, else by gathers. */
    private static final boolean TRANSPOSE = Transposes.fitsFloat();
    /**
     * Row-major A panels too, where MR is more than half a vector (12 of 16 lanes): with 4 rows of 8
     * lanes, half of each transpose would be thrown away, through masked stores.
     */
    private static final boolean TRANSPOSE_A = TRANSPOSE && MR <= FL && 2 * MR > FL;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private VectorGemmFloat() {}

    /**
     * The batched product; panels, when not null, is op(A) already packed by {@link #packShared} (the
     * batch then shares A), used when the shape takes the packed path.
     */
    static void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int aBatchStride, int lda,
                     float[] b, int bOff, int bBatchStride, int ldb,
                     float beta, float[] c, int cOff, int cBatchStride, int ldc, float[] panels) {
        ScalarGemm.check("sgemm", batch, transA, transB, m, n, k, a.length, aOff, aBatchStride, lda,
                b.length, bOff, bBatchStride, ldb, c.length, cOff, cBatchStride, ldc);
        if (batch == 0 || m == 0 || n == 0) return;
        boolean acc = beta != 0f;
        if (k == 0 || (acc && beta != 1f)) {
            for (int p = 0; p < batch; p++) {
                int base = cOff + p * cBatchStride;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) c[base + i * ldc + j] = acc ? beta * c[base + i * ldc + j] : 0f;
                }
            }
            if (k == 0) return;
        }
        long work = (long) m * n * k;
        // items sharing A read it packed once (the same panels they would each pack)
        float[] shared = !VectorGemm.packed(m, n, k, transB) ? null : panels != null ? panels
                : batch > 1 && aBatchStride == 0 ? new FloatJob(transA, m, k, a, aOff, lda).packAll(false) : null;
        if (batch > 1 && work < BATCH_WORK) {
            int grain = (int) Math.max(1, Math.min(batch, PAR_MIN / 2 / work));
            Parallel.forRange(batch, grain, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    VectorGemm.run(new FloatJob(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda,
                            b, bOff + p * bBatchStride, ldb, acc, c, cOff + p * cBatchStride, ldc, shared), false);
                }
            });
        } else {
            for (int p = 0; p < batch; p++) {
                VectorGemm.run(new FloatJob(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda,
                        b, bOff + p * bBatchStride, ldb, acc, c, cOff + p * cBatchStride, ldc, shared), true);
            }
        }
    }

    /**
     * op(A) (m×k) packed as the batched product packs a shared A, in the calling thread's scratch
     * array {@link VectorGemm#SHARED_A}, which any thread may read until the caller packs the next.
     */
    static float[] packShared(boolean transA, int m, int k, float[] a, int aOff, int lda) {
        return new FloatJob(transA, m, k, a, aOff, lda).packAll(true);
    }

    /** Per-thread packing buffers, grown on demand and kept up to KEEP elements each. */
    private static final class Buffers {
        float[] a = new float[0], b = new float[0], s = new float[0], shared = new float[0];
        /** All of op(A) of the product {@link #ownedProduct}, packed by this thread for its own tiles. */
        float[] own = new float[0];
        long ownedProduct = -1;
        /** All of op(B) of the product {@link #ownedB}, packed by this thread for its own tiles. */
        float[] ownB = new float[0];
        long ownedB = -1;
        final float[] t = new float[MR * FNR];

        float[] a(int size) {
            return a.length >= size ? a : size > KEEP ? new float[size] : (a = new float[size]);
        }

        float[] b(int size) {
            return b.length >= size ? b : size > KEEP ? new float[size] : (b = new float[size]);
        }

        float[] s(int size) {
            return s.length >= size ? s : size > KEEP ? new float[size] : (s = new float[size]);
        }

        // own and ownB: at most KEEP and OWN_B elements, which VectorGemm.run checks before it uses them
        float[] own(int size) {
            return own.length >= size ? own : (own = new float[size]);
        }

        float[] ownB(int size) {
            return ownB.length >= size ? ownB : (ownB = new float[size]);
        }

        float[] shared(int size) {
            return shared.length >= size ? shared : size > KEEP ? new float[size] : (shared = new float[size]);
        }
    }

    private static final class FloatJob extends VectorGemm.Job {
        final float[] a, b, c;
        final float[] shared;  // all of op(A) packed (packAll's layout), or null: each tile packs its rows
        float[] bp;        // packed B (the calling thread's buffer)
        float[] db;        // op(B) as row-major rows for the direct path: b itself, or a copy
        int dbo, dlb;
        float[] da;        // op(A) as row-major rows for the dot path: a itself, or a copy
        int dao, dla;
        /** The lanes packA loads per k step of a transposed A (MR rounded up to whole vectors). */
        private static final int STEP_LANES = (MR + FL - 1) / FL * FL;
        /** The lanes of packA's last vector of a step that fall within the panel's MR rows. */
        private static final VectorMask<Float> PANEL_TAIL = FS.indexInRange(0, MR - (STEP_LANES - FL));
        /**
         * A step's MR values as one vector of their own shape, where the JVM has one (MR = 4 on AVX2:
         * 128 bits), else null: copied without PANEL_TAIL's mask, as AVX2's masked stores are slow.
         */
        private static final VectorSpecies<Float> STEP = Integer.bitCount(MR) == 1 && MR >= 2 && MR <= FL
                ? VectorSpecies.of(float.class, VectorShape.forBitSize(MR * Float.SIZE)) : null;
        /**
         * Floats a packed A holds past its panels: packA's masked store of a step's last vector
         * spans FL lanes, and a masked store that runs past the array's end takes the Vector API's
         * per-lane bounds check, which C2 does not intrinsify.
         */
        private static final int PACK_SLACK = FL;
        /** Elements of op(A) below which packAll stays on the calling thread. */
        private static final int PACK_PARALLEL = 1 << 16;
        private int[] bGather; // column offsets of a transposed B's gathers, set by allocB

        FloatJob(boolean tA, boolean tB, int m, int n, int k, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, boolean acc, float[] c, int cOff, int ldc, float[] shared) {
            super(tA, tB, m, n, k, aOff, lda, bOff, ldb, acc, cOff, ldc, FNR);
            this.a = a;
            this.b = b;
            this.c = c;
            this.shared = shared;
        }

        /** A job that only packs op(A) (packAll). */
        FloatJob(boolean tA, int m, int k, float[] a, int aOff, int lda) {
            this(tA, false, m, 0, k, a, aOff, lda, null, 0, 0, false, null, 0, 0, null);
        }

        /**
         * All of op(A) packed, in the calling thread's buffer (or its scratch slot for shared panels): row panel q holds
         * its k rows of MR values from q·MR·k on, so the k block at pc starts at q·MR·k + pc·MR, as tile reads it.
         * Panels are written independently, on the threads when A is large: a layer's weight packed
         * before its examples' products was the longest stretch of a dcgan step on one thread.
         */
        float[] packAll(boolean scratch) {
            int panels = (m + MR - 1) / MR, size = panels * MR * k + PACK_SLACK;
            float[] ap = scratch ? Scratch.floats(VectorGemm.SHARED_A, size) : BUFFERS.get().shared(size);
            Parallel.forRange(panels, Math.max(1, PACK_PARALLEL / (MR * k)), (q0, q1) -> packPanels(ap, q0, q1));
            return ap;
        }

        // row panels [q0, q1) of op(A), all k blocks, in packAll's layout
        private void packPanels(float[] ap, int q0, int q1) {
            int kcb = VectorGemm.kBlock(k);
            for (int q = q0; q < q1; q++) {
                for (int pc = 0; pc < k; pc += kcb) packA(q * MR, Math.min(MR, m - q * MR), pc, Math.min(kcb, k - pc), ap, (q * k + pc) * MR);
            }
        }

        @Override
        void ownTile(long product, int ip0, int ip1, int jp0, int jp1) {
            Buffers buf = BUFFERS.get();
            float[] ap = shared;
            if (ap == null) { // all of A, packed by this thread once per product
                int panels = (m + MR - 1) / MR;
                ap = buf.own(panels * MR * k + PACK_SLACK);
                if (buf.ownedProduct != product) {
                    packPanels(ap, 0, panels);
                    buf.ownedProduct = product;
                }
            }
            int kcb = VectorGemm.kBlock(k);
            float[] bp = buf.b((jp1 - jp0) * kcb * FNR);
            for (int pc = 0; pc < k; pc += kcb) {
                int kc = Math.min(kcb, k - pc);
                packB(bp, pc, kc, jp0, jp1, 0);
                tile(ap, bp, pc, kc, acc || pc > 0, ip0, ip1, jp0, jp1, -jp0 * kc * FNR);
            }
        }

        @Override
        void ownRows(long product, int ip0, int ip1) {
            Buffers buf = BUFFERS.get();
            int kcb = VectorGemm.kBlock(k), panels = (n + FNR - 1) / FNR;
            float[] bp = buf.ownB(k * panels * FNR);
            if (buf.ownedB != product) { // all of B, packed by this thread once per product
                for (int pc = 0; pc < k; pc += kcb) packB(bp, pc, Math.min(kcb, k - pc), 0, panels, pc * panels * FNR);
                buf.ownedB = product;
            }
            for (int pc = 0; pc < k; pc += kcb) {
                tile(shared, bp, pc, Math.min(kcb, k - pc), acc || pc > 0, ip0, ip1, 0, panels, pc * panels * FNR);
            }
        }

        @Override
        void prepareOwn() {
            prepareGather();
        }

        @Override
        void allocB(int size) {
            bp = BUFFERS.get().b(size);
            prepareGather();
        }

        private void prepareGather() {
            bGather = new int[FNR];
            for (int jj = 0; jj < FNR; jj++) bGather[jj] = jj * ldb;
        }

        @Override
        void packB(int pc, int kc, int p0, int p1, int d) {
            packB(bp, pc, kc, p0, p1, d);
        }

        private void packB(float[] bp, int pc, int kc, int p0, int p1, int d) {
            final float[] b = this.b;
            final int stride = kc * FNR;
            if (!tB) {  // rows of B are contiguous: walk them, scattering to the panels
                int fullEnd = Math.min(p1, n / FNR);  // panels [p0, fullEnd) are full width
                for (int l = 0; l < kc; l++) {
                    int s = bOff + (pc + l) * ldb + p0 * FNR, o = d + l * FNR;
                    for (int p = p0; p < fullEnd; p++, s += FNR, o += stride) {
                        FloatVector.fromArray(FS, b, s).intoArray(bp, o);
                        FloatVector.fromArray(FS, b, s + FL).intoArray(bp, o + FL);
                    }
                    for (int p = Math.max(p0, fullEnd); p < p1; p++, s += FNR, o += stride) {
                        int w = Math.min(FNR, n - p * FNR);
                        for (int jj = 0; jj < w; jj++) bp[o + jj] = b[s + jj];
                        for (int jj = w; jj < FNR; jj++) bp[o + jj] = 0f;
                    }
                }
            } else {  // op(B)(l, j) = b[j·ldb + l]: columns of op(B) are contiguous
                for (int p = p0; p < p1; p++, d += stride) {
                    int j = p * FNR, w = Math.min(FNR, n - j);
                    if (w == FNR && TRANSPOSE) {  // a full panel: each half of it transposed in registers
                        int s = bOff + j * ldb + pc;
                        Transposes.transpose(b, s, ldb, FL, kc, bp, d, FNR);
                        Transposes.transpose(b, s + FL * ldb, ldb, FL, kc, bp, d + FL, FNR);
                        continue;
                    }
                    if (w == FNR) {  // a full panel: gather each row of it, two vectors a step
                        final int[] ix = bGather;
                        for (int l = 0, s = bOff + j * ldb + pc, o = d; l < kc; l++, o += FNR) {
                            FloatVector.fromArray(FS, b, s + l, ix, 0).intoArray(bp, o);
                            FloatVector.fromArray(FS, b, s + l, ix, FL).intoArray(bp, o + FL);
                        }
                        continue;
                    }
                    for (int jj = 0; jj < w; jj++) {
                        int s = bOff + (j + jj) * ldb + pc;
                        for (int l = 0; l < kc; l++) bp[d + l * FNR + jj] = b[s + l];
                    }
                    for (int jj = w; jj < FNR; jj++) {
                        for (int l = 0; l < kc; l++) bp[d + l * FNR + jj] = 0f;
                    }
                }
            }
        }

        /** Packs rows [i, i+h) of op(A), columns [pc, pc+kc), into a panel of MR rows at d. */
        private void packA(int i, int h, int pc, int kc, float[] ap, int d) {
            final float[] a = this.a;
            if (!tA) {
                // A full panel, FL·FL blocks transposed in registers: FL rows from the panel's first
                // are loaded (so a must hold them) and its MR stored. Not for rows a multiple of 4 KB
                // apart, whose loads then share one L1 set: 64×784×2048 ran 3–10% slower that way.
                int s0 = aOff + i * lda + pc;
                if (h == MR && TRANSPOSE_A && lda % (4096 / Float.BYTES) != 0 && s0 + (FL - 1) * lda + kc <= a.length) {
                    Transposes.transpose(a, s0, lda, MR, kc, ap, d, MR);
                    return;
                }
                // row by row: contiguous loads, stores MR apart. Measured against one gather of
                // a column's MR values per k step (float32, n = 256 on one thread: 96.7 → 102.9
                // GFLOP/s, 512 and 1024: +3%); for B's transposed panels the gathers stay ahead.
                for (int r = 0; r < h; r++) {
                    int s = aOff + (i + r) * lda + pc;
                    for (int l = 0; l < kc; l++) ap[d + l * MR + r] = a[s + l];
                }
                for (int r = h; r < MR; r++) {
                    for (int l = 0; l < kc; l++) ap[d + l * MR + r] = 0f;
                }
            } else {
                int s = aOff + pc * lda + i;
                for (int l = 0; l < kc; l++, s += lda, d += MR) {
                    if (h == MR && STEP != null) {
                        FloatVector.fromArray(STEP, a, s).intoArray(ap, d);
                    } else if (h == MR && s + STEP_LANES <= a.length) {
                        for (int r = 0; r < MR; r += FL) {
                            FloatVector v = FloatVector.fromArray(FS, a, s + r);
                            if (r + FL <= MR) v.intoArray(ap, d + r);
                            else v.intoArray(ap, d + r, PANEL_TAIL);
                        }
                    } else {
                        for (int r = 0; r < h; r++) ap[d + r] = a[s + r];
                        for (int r = h; r < MR; r++) ap[d + r] = 0f;
                    }
                }
            }
        }

        @Override
        void tile(int pc, int kc, boolean accum, int ip0, int ip1, int jp0, int jp1, int bBase) {
            tile(shared, bp, pc, kc, accum, ip0, ip1, jp0, jp1, bBase);
        }

        // whole: all of op(A) packed (packAll's layout), or null: the tile packs its rows of this k block
        private void tile(float[] whole, float[] bp, int pc, int kc, boolean accum, int ip0, int ip1, int jp0, int jp1, int bBase) {
            Buffers buf = BUFFERS.get();
            float[] ap = whole, tmp = buf.t, c = this.c;
            if (ap == null) {
                ap = buf.a((ip1 - ip0) * MR * kc + PACK_SLACK);
                for (int q = ip0; q < ip1; q++) {
                    packA(q * MR, Math.min(MR, m - q * MR), pc, kc, ap, (q - ip0) * MR * kc);
                }
            }
            // B's micro-panel stays in L1 while the panels of A go by (BLIS's loop order)
            for (int jp = jp0; jp < jp1; jp++) {
                int j = jp * FNR, w = Math.min(FNR, n - j), bi = bBase + jp * kc * FNR;
                for (int q = ip0; q < ip1; q++) {
                    int i = q * MR, h = Math.min(MR, m - i), ai = whole == null ? (q - ip0) * MR * kc : (q * k + pc) * MR;
                    if (h == MR && w == FNR && MR == 12) {
                        kernelF(kc, ap, ai, bp, bi, c, cOff + i * ldc + j, ldc, accum);
                    } else if (h <= 4 && w == FNR) { // the full tile when MR is 4
                        kernelF4(kc, ap, ai, bp, bi, h, c, cOff + i * ldc + j, ldc, accum);
                    } else if (h == MR && w <= NARROW_EDGE && MR <= FL) {
                        if (STEP != null && q + 1 < ip1 && m - i >= 2 * MR) { // with the next panel, also full
                            int ai2 = whole == null ? ai + MR * kc : ai + MR * k;
                            kernelF4xNarrowPair(kc, ap, ai, ai2, bp, bi, w, tmp, c, cOff + i * ldc + j, ldc, accum);
                            q++;
                        } else {
                            kernelF12xNarrow(kc, ap, ai, bp, bi, w, tmp, c, cOff + i * ldc + j, ldc, accum);
                        }
                    } else if (h == MR && w <= FL && MR == 12) {
                        kernelF12x1(kc, ap, ai, bp, bi, FS.indexInRange(0, w), c, cOff + i * ldc + j, ldc, accum);
                    } else {
                        if (MR == 12) kernelF(kc, ap, ai, bp, bi, tmp, 0, FNR, false);
                        else kernelF4(kc, ap, ai, bp, bi, MR, tmp, 0, FNR, false);
                        edge(tmp, h, w, cOff + i * ldc + j, accum);
                    }
                }
            }
        }

        private void edge(float[] tmp, int h, int w, int ci, boolean accum) {
            final float[] c = this.c;
            for (int r = 0; r < h; r++, ci += ldc) {
                for (int jj = 0; jj < w; jj++) c[ci + jj] = accum ? c[ci + jj] + tmp[r * FNR + jj] : tmp[r * FNR + jj];
            }
        }

        @Override
        void prepareDots() {
            if (!tA) {
                da = a;
                dao = aOff;
                dla = lda;
                return;
            }
            float[] t = BUFFERS.get().s(m * k);
            for (int i = 0; i < m; i++) {
                for (int l = 0; l < k; l++) t[i * k + l] = a[aOff + l * lda + i];
            }
            da = t;
            dao = 0;
            dla = k;
        }

        @Override
        void dots(int j0, int j1) {
            final float[] lanes = new float[4 * FL];
            final int bound = FS.loopBound(k), cols = 4 / m; // four sums a step: 4 columns of one row, 2 of two rows
            int j = j0;
            if (cols > 1) {
                // sum s of the four is C's row s % m, column j + s / m
                final int a1 = (1 % m) * dla, a3 = (3 % m) * dla, b1 = (1 / m) * ldb, b2 = (2 / m) * ldb, b3 = (3 / m) * ldb;
                final int c1 = (1 % m) * ldc + 1 / m, c2 = 2 / m, c3 = (3 % m) * ldc + 3 / m;
                for (; j + cols <= j1; j += cols) {
                    int bj = bOff + j * ldb, cj = cOff + j;
                    dot4(dao, dao + a1, dao, dao + a3, bj, bj + b1, bj + b2, bj + b3, cj, cj + c1, cj + c2, cj + c3, 4, bound, lanes);
                }
            }
            for (; j < j1; j++) dotRows(dao, m, bOff + j * ldb, cOff + j, bound, lanes);
        }

        @Override
        void matVec(int i0, int i1) {
            final float[] lanes = new float[4 * FL];
            final int bound = FS.loopBound(k);
            for (int i = i0; i < i1; i += 4) {
                for (int j = 0; j < n; j++) dotRows(dao + i * dla, Math.min(4, i1 - i), bOff + j * ldb, cOff + i * ldc + j, bound, lanes);
            }
        }

        // C rows ci, ci + ldc, ... (h ≤ 4 of them) (+)= rows r.. of da · B's contiguous row at bo; rows
        // past h repeat the last one: four sums always, the extra ones not stored
        private void dotRows(int r, int h, int bo, int ci, int bound, float[] lanes) {
            int r1 = Math.min(1, h - 1), r2 = Math.min(2, h - 1), r3 = Math.min(3, h - 1);
            dot4(r, r + r1 * dla, r + r2 * dla, r + r3 * dla, bo, bo, bo, bo, ci, ci + r1 * ldc, ci + r2 * ldc, ci + r3 * ldc,
                    h, bound, lanes);
        }

        /**
         * Four dot products of contiguous rows of da (at a0..a3) and B (at b0..b3), the first n of
         * them stored at c0..c3 (+=). Each is summed lane by lane over k's full vectors, its lanes then
         * in order, then the tail: one order whatever the other three are. The four are independent
         * chains (one chain of fused multiply-adds waits on each one's latency: a batch of one took
         * four times as long summing one dot four times), and so are their lane sums.
         */
        private void dot4(int a0, int a1, int a2, int a3, int b0, int b1, int b2, int b3, int c0, int c1, int c2, int c3,
                          int n, int bound, float[] lanes) {
            final float[] a = da, b = this.b;
            FloatVector s0 = FloatVector.zero(FS), s1 = s0, s2 = s0, s3 = s0;
            // each operand row loaded once a step: the loads, not the multiply-adds, bound these loops
            if (b0 == b3) { // four rows (or repeats) times one row of B
                for (int l = 0; l < bound; l += FL) {
                    FloatVector w = FloatVector.fromArray(FS, b, b0 + l);
                    s0 = FloatVector.fromArray(FS, a, a0 + l).fma(w, s0);
                    s1 = FloatVector.fromArray(FS, a, a1 + l).fma(w, s1);
                    s2 = FloatVector.fromArray(FS, a, a2 + l).fma(w, s2);
                    s3 = FloatVector.fromArray(FS, a, a3 + l).fma(w, s3);
                }
            } else if (a0 == a3) { // one row times four rows of B
                for (int l = 0; l < bound; l += FL) {
                    FloatVector x = FloatVector.fromArray(FS, a, a0 + l);
                    s0 = x.fma(FloatVector.fromArray(FS, b, b0 + l), s0);
                    s1 = x.fma(FloatVector.fromArray(FS, b, b1 + l), s1);
                    s2 = x.fma(FloatVector.fromArray(FS, b, b2 + l), s2);
                    s3 = x.fma(FloatVector.fromArray(FS, b, b3 + l), s3);
                }
            } else { // two rows (a0, a1 = a3) times two rows of B (b0 = b1, b2 = b3)
                for (int l = 0; l < bound; l += FL) {
                    FloatVector x0 = FloatVector.fromArray(FS, a, a0 + l), x1 = FloatVector.fromArray(FS, a, a1 + l);
                    FloatVector w0 = FloatVector.fromArray(FS, b, b0 + l), w2 = FloatVector.fromArray(FS, b, b2 + l);
                    s0 = x0.fma(w0, s0);
                    s1 = x1.fma(w0, s1);
                    s2 = x0.fma(w2, s2);
                    s3 = x1.fma(w2, s3);
                }
            }
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, FL);
            s2.intoArray(lanes, 2 * FL);
            s3.intoArray(lanes, 3 * FL);
            float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
            for (int v = 0; v < FL; v++) {
                t0 += lanes[v];
                t1 += lanes[FL + v];
                t2 += lanes[2 * FL + v];
                t3 += lanes[3 * FL + v];
            }
            for (int l = bound; l < k; l++) {
                t0 = Math.fma(a[a0 + l], b[b0 + l], t0);
                t1 = Math.fma(a[a1 + l], b[b1 + l], t1);
                t2 = Math.fma(a[a2 + l], b[b2 + l], t2);
                t3 = Math.fma(a[a3 + l], b[b3 + l], t3);
            }
            final float[] c = this.c;
            c[c0] = acc ? c[c0] + t0 : t0;
            if (n > 1) c[c1] = acc ? c[c1] + t1 : t1;
            if (n > 2) c[c2] = acc ? c[c2] + t2 : t2;
            if (n > 3) c[c3] = acc ? c[c3] + t3 : t3;
        }

        @Override
        void prepareDirect() {
            db = b;
            dbo = bOff;
            dlb = ldb;
            if (tB || n < FL) {
                // copy op(B) into row-major rows, so that they are vectors; narrow rows are
                // zero-padded to one vector (FL wide), so that loads need no mask
                // (each case its own loop, reading B in its order: a Runge net's copies took 120–400 ns
                // each with the case tested per element; this way, in two probe runs of the six shapes,
                // the same to 45% less, most 20–30%)
                int w = Math.max(n, FL);
                float[] t = BUFFERS.get().s(k * w);
                if (n < w) Arrays.fill(t, 0, k * w, 0f);
                if (tB) {
                    for (int j = 0; j < n; j++) {
                        for (int l = 0, from = bOff + j * ldb, to = j; l < k; l++, to += w) t[to] = b[from + l];
                    }
                } else if (n == 1) {
                    for (int l = 0, from = bOff, to = 0; l < k; l++, from += ldb, to += w) t[to] = b[from];
                } else {
                    for (int l = 0; l < k; l++) System.arraycopy(b, bOff + l * ldb, t, l * w, n);
                }
                db = t;
                dbo = 0;
                dlb = w;
            }
        }

        @Override
        void stream(int j0, int j1) {
            final float[] a = this.a, b = this.b, c = this.c;
            final int sa = tA ? lda : 1, ra = tA ? 1 : lda;  // steps of A along l and along i
            final float[] x = new float[4 * m];              // A's m×4 block of the current four l's
            for (int s0 = j0; s0 < j1; s0 += VectorGemm.STREAM_STRIP) {
                final int s1 = Math.min(j1, s0 + VectorGemm.STREAM_STRIP), vEnd = s0 + FS.loopBound(s1 - s0);
                for (int l = 0; l < k; ) {
                    final int lh = k - l >= 4 ? 4 : 1;        // four rows of B a pass, then one at a time
                    final boolean first = l == 0 && !acc;    // C's rows start from 0, not from what they hold
                    for (int i = 0; i < m; i++) {
                        for (int q = 0; q < lh; q++) x[4 * i + q] = a[aOff + i * ra + (l + q) * sa];
                    }
                    final int r = bOff + l * ldb;
                    if (lh == 4) {
                        for (int j = s0; j < vEnd; j += FL) {
                            FloatVector w0 = FloatVector.fromArray(FS, b, r + j), w1 = FloatVector.fromArray(FS, b, r + ldb + j);
                            FloatVector w2 = FloatVector.fromArray(FS, b, r + 2 * ldb + j), w3 = FloatVector.fromArray(FS, b, r + 3 * ldb + j);
                            for (int i = 0, ci = cOff + j; i < m; i++, ci += ldc) {
                                FloatVector t = first ? FloatVector.zero(FS) : FloatVector.fromArray(FS, c, ci);
                                t = w0.fma(FloatVector.broadcast(FS, x[4 * i]), t);
                                t = w1.fma(FloatVector.broadcast(FS, x[4 * i + 1]), t);
                                t = w2.fma(FloatVector.broadcast(FS, x[4 * i + 2]), t);
                                w3.fma(FloatVector.broadcast(FS, x[4 * i + 3]), t).intoArray(c, ci);
                            }
                        }
                    } else {
                        for (int j = s0; j < vEnd; j += FL) {
                            FloatVector w0 = FloatVector.fromArray(FS, b, r + j);
                            for (int i = 0, ci = cOff + j; i < m; i++, ci += ldc) {
                                FloatVector t = first ? FloatVector.zero(FS) : FloatVector.fromArray(FS, c, ci);
                                w0.fma(FloatVector.broadcast(FS, x[4 * i]), t).intoArray(c, ci);
                            }
                        }
                    }
                    // the last columns, element by element: the same fused multiply-adds in the same order
                    for (int j = vEnd; j < s1; j++) {
                        for (int i = 0, ci = cOff + j; i < m; i++, ci += ldc) {
                            float t = first ? 0f : c[ci];
                            for (int q = 0; q < lh; q++) t = Math.fma(b[r + q * ldb + j], x[4 * i + q], t);
                            c[ci] = t;
                        }
                    }
                    l += lh;
                }
            }
        }

        // The kernels below index A as a0 + (sa == 1 ? l : l·sa) and a padded B as bo + l·FL: C2
        // splits the loop on sa == 1 (A not transposed) and, with a constant stride, checks the
        // bounds once before the loop instead of at every load (39×10×20 with B transposed, a
        // Runge net's layer: 655–670 → 580–630 ns a product on one thread).
        @Override
        void direct(int i0, int i1) {
            final int sa = tA ? lda : 1, ra = tA ? 1 : lda;  // steps of A along l and along i
            final float[] t = BUFFERS.get().t;  // where the last rows' partial vectors pass (tail)
            int i = i0;
            // 4 rows at a time; 2 or 3 left over also go 4 at a time (B read once for them)
            for (int h; i1 - i >= 2; i += h) {
                h = Math.min(4, i1 - i);
                int j = 0;
                for (; j + FL < n; j += 2 * FL) rows4x2(i, h, j, sa, ra);
                if (j < n) rows4x1(i, h, j, sa, ra, t);
            }
            for (; i < i1; i++) {
                int j = 0;
                for (; j + FL < n; j += 2 * FL) row1x2(i, j, sa, ra);
                if (j < n) row1x1(i, j, sa, ra, t);
            }
        }

        /**
         * Rows i..i+h−1 (h ≤ 4), columns j..j+2·FL, or at the edge (fewer than 2·FL columns left,
         * more than FL) j..j+FL and the last FL columns of C's rows, which overlap the first vector:
         * no masks. Each lane sums its column in the same order whichever vector holds it, so the
         * overlapping columns get the same bits twice (with acc, every vector of C is read before any
         * is written). A masked second vector passes the end of B when its last row is B's (a Linear
         * layer's n = 10); the Vector API then checks it lane by lane, and the code C2 compiled after
         * such calls in a cnn's training step ran its first convolution (32×784×9, whole vectors) at a
         * quarter of its speed alone.
         */
        private void rows4x2(int i, int h, int j, int sa, int ra) {
            final float[] a = this.a, b = this.db;
            final int bo = dbo + j, lb = dlb;
            // rows past i + h repeat the last one: summed, not stored
            final int a0 = aOff + i * ra, a1 = a0 + Math.min(1, h - 1) * ra, a2 = a0 + Math.min(2, h - 1) * ra;
            final int a3 = a0 + Math.min(3, h - 1) * ra;
            final int j2 = Math.min(j + FL, n - FL) - j;  // the second vector's columns, from j
            FloatVector s00 = FloatVector.zero(FS), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            for (int l = 0; l < k; l++) {
                int o = bo + l * lb, p = sa == 1 ? l : l * sa;
                FloatVector x0 = FloatVector.fromArray(FS, b, o), x1 = FloatVector.fromArray(FS, b, o + j2);
                FloatVector y = FloatVector.broadcast(FS, a[a0 + p]);
                s00 = y.fma(x0, s00);
                s01 = y.fma(x1, s01);
                y = FloatVector.broadcast(FS, a[a1 + p]);
                s10 = y.fma(x0, s10);
                s11 = y.fma(x1, s11);
                y = FloatVector.broadcast(FS, a[a2 + p]);
                s20 = y.fma(x0, s20);
                s21 = y.fma(x1, s21);
                y = FloatVector.broadcast(FS, a[a3 + p]);
                s30 = y.fma(x0, s30);
                s31 = y.fma(x1, s31);
            }
            // the sums go to C here, not through a helper (see tail); rows past h alias the last
            // one, and every row of C is read before any is written, so they write its values again
            final float[] c = this.c;
            final int c0 = cOff + i * ldc + j, c3 = c0 + (h - 1) * ldc;
            final int c1 = Math.min(c0 + ldc, c3), c2 = Math.min(c0 + 2 * ldc, c3);
            if (acc) {
                s00 = s00.add(FloatVector.fromArray(FS, c, c0));
                s01 = s01.add(FloatVector.fromArray(FS, c, c0 + j2));
                s10 = s10.add(FloatVector.fromArray(FS, c, c1));
                s11 = s11.add(FloatVector.fromArray(FS, c, c1 + j2));
                s20 = s20.add(FloatVector.fromArray(FS, c, c2));
                s21 = s21.add(FloatVector.fromArray(FS, c, c2 + j2));
                s30 = s30.add(FloatVector.fromArray(FS, c, c3));
                s31 = s31.add(FloatVector.fromArray(FS, c, c3 + j2));
            }
            s00.intoArray(c, c0);
            s01.intoArray(c, c0 + j2);
            s10.intoArray(c, c1);
            s11.intoArray(c, c1 + j2);
            s20.intoArray(c, c2);
            s21.intoArray(c, c2 + j2);
            s30.intoArray(c, c3);
            s31.intoArray(c, c3 + j2);
        }

        /** Rows i..i+h−1 (h ≤ 4), columns j..j+FL (maybe partial). */
        private void rows4x1(int i, int h, int j, int sa, int ra, float[] t) {
            final float[] a = this.a, b = this.db;
            final int bo = dbo + j, lb = dlb;
            // rows past i + h repeat the last one: summed, not stored
            final int a0 = aOff + i * ra, a1 = a0 + Math.min(1, h - 1) * ra, a2 = a0 + Math.min(2, h - 1) * ra;
            final int a3 = a0 + Math.min(3, h - 1) * ra;
            final VectorMask<Float> mask = FS.indexInRange(j, n);
            final boolean padded = n < FL;  // rows of db are one full vector
            FloatVector s0 = FloatVector.zero(FS), s1 = s0, s2 = s0, s3 = s0;
            for (int l = 0; l < k; l++) {
                FloatVector x = padded ? FloatVector.fromArray(FS, b, bo + l * FL) : FloatVector.fromArray(FS, b, bo + l * lb, mask);
                int p = sa == 1 ? l : l * sa;
                s0 = FloatVector.broadcast(FS, a[a0 + p]).fma(x, s0);
                s1 = FloatVector.broadcast(FS, a[a1 + p]).fma(x, s1);
                s2 = FloatVector.broadcast(FS, a[a2 + p]).fma(x, s2);
                s3 = FloatVector.broadcast(FS, a[a3 + p]).fma(x, s3);
            }
            // C's last vector may pass its end: a masked access there is checked lane by lane (see tail)
            final float[] c = this.c;
            final int c0 = cOff + i * ldc + j, c3 = c0 + (h - 1) * ldc;
            final int c1 = Math.min(c0 + ldc, c3), c2 = Math.min(c0 + 2 * ldc, c3);
            if (c3 + FL <= c.length) {
                if (acc) {
                    s0 = s0.add(FloatVector.fromArray(FS, c, c0, mask));
                    s1 = s1.add(FloatVector.fromArray(FS, c, c1, mask));
                    s2 = s2.add(FloatVector.fromArray(FS, c, c2, mask));
                    s3 = s3.add(FloatVector.fromArray(FS, c, c3, mask));
                }
                s0.intoArray(c, c0, mask);
                s1.intoArray(c, c1, mask);
                s2.intoArray(c, c2, mask);
                s3.intoArray(c, c3, mask);
            } else {
                s0.intoArray(t, 0);
                s1.intoArray(t, FL);
                s2.intoArray(t, 2 * FL);
                s3.intoArray(t, 3 * FL);
                tail(t, h, c0, mask.trueCount());
            }
        }

        /**
         * Writes (or adds, with acc) the first w lanes of rows [0, h) of t (row r from r·FL on) to C
         * from ci on, one row every ldc: the kernels' last vectors when a masked access would pass
         * the end of C, which the Vector API checks lane by lane (a slow path). The kernels store
         * their sums themselves rather than through a helper taking vectors: C2 does not inline a
         * method it has already compiled on its own into a large body, and a call boxes the vectors
         * it is passed: VGG16's Winograd products (128×32×64) allocated 60–80 MB/s so.
         */
        private void tail(float[] t, int h, int ci, int w) {
            final float[] c = this.c;
            for (int r = 0; r < h; r++, ci += ldc) {
                for (int q = 0; q < w; q++) c[ci + q] = acc ? c[ci + q] + t[r * FL + q] : t[r * FL + q];
            }
        }

        /** Row i, columns j..j+2·FL, or at the edge j..j+FL and the last FL (as rows4x2). */
        private void row1x2(int i, int j, int sa, int ra) {
            final float[] a = this.a, b = this.db;
            final int bo = dbo + j, lb = dlb, a0 = aOff + i * ra, j2 = Math.min(j + FL, n - FL) - j;
            FloatVector s0 = FloatVector.zero(FS), s1 = s0;
            for (int l = 0; l < k; l++) {
                int o = bo + l * lb;
                FloatVector y = FloatVector.broadcast(FS, a[a0 + (sa == 1 ? l : l * sa)]);
                s0 = y.fma(FloatVector.fromArray(FS, b, o), s0);
                s1 = y.fma(FloatVector.fromArray(FS, b, o + j2), s1);
            }
            final float[] c = this.c;
            final int c0 = cOff + i * ldc + j;
            if (acc) {
                s0 = s0.add(FloatVector.fromArray(FS, c, c0));
                s1 = s1.add(FloatVector.fromArray(FS, c, c0 + j2));
            }
            s0.intoArray(c, c0);
            s1.intoArray(c, c0 + j2);
        }

        /** Row i, columns j..j+FL (maybe partial). */
        private void row1x1(int i, int j, int sa, int ra, float[] t) {
            final float[] a = this.a, b = this.db;
            final int bo = dbo + j, lb = dlb, a0 = aOff + i * ra;
            final VectorMask<Float> mask = FS.indexInRange(j, n);
            final boolean padded = n < FL;
            FloatVector s0 = FloatVector.zero(FS);
            for (int l = 0; l < k; l++) {
                FloatVector x = padded ? FloatVector.fromArray(FS, b, bo + l * FL) : FloatVector.fromArray(FS, b, bo + l * lb, mask);
                s0 = FloatVector.broadcast(FS, a[a0 + (sa == 1 ? l : l * sa)]).fma(x, s0);
            }
            final float[] c = this.c;
            final int c0 = cOff + i * ldc + j;
            if (c0 + FL <= c.length) {
                if (acc) s0 = s0.add(FloatVector.fromArray(FS, c, c0, mask));
                s0.intoArray(c, c0, mask);
            } else {
                s0.intoArray(t, 0);
                tail(t, 1, c0, mask.trueCount());
            }
        }
    }

    /**
     * The 12×FNR micro-kernel (MR = 12): C[12×FNR] (+)= A-panel·B-panel over kc steps. The A panel
     * holds 12 values per step, the B panel FNR; the tile of C stays in 24 registers. With MR = 4,
     * {@link #kernelF4} is the full kernel.
     */
    private static void kernelF(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean acc) {
        FloatVector c0_0 = FloatVector.zero(FS), c0_1 = FloatVector.zero(FS);
        FloatVector c1_0 = FloatVector.zero(FS), c1_1 = FloatVector.zero(FS);
        FloatVector c2_0 = FloatVector.zero(FS), c2_1 = FloatVector.zero(FS);
        FloatVector c3_0 = FloatVector.zero(FS), c3_1 = FloatVector.zero(FS);
        FloatVector c4_0 = FloatVector.zero(FS), c4_1 = FloatVector.zero(FS);
        FloatVector c5_0 = FloatVector.zero(FS), c5_1 = FloatVector.zero(FS);
        FloatVector c6_0 = FloatVector.zero(FS), c6_1 = FloatVector.zero(FS);
        FloatVector c7_0 = FloatVector.zero(FS), c7_1 = FloatVector.zero(FS);
        FloatVector c8_0 = FloatVector.zero(FS), c8_1 = FloatVector.zero(FS);
        FloatVector c9_0 = FloatVector.zero(FS), c9_1 = FloatVector.zero(FS);
        FloatVector c10_0 = FloatVector.zero(FS), c10_1 = FloatVector.zero(FS);
        FloatVector c11_0 = FloatVector.zero(FS), c11_1 = FloatVector.zero(FS);
        for (int l = 0; l < kc; l++) {
            int bo = bi + l * FNR, ao = ai + l * MR;
            FloatVector b0 = FloatVector.fromArray(FS, bp, bo), b1 = FloatVector.fromArray(FS, bp, bo + FL);
            FloatVector x;
            x = FloatVector.broadcast(FS, ap[ao + 0]); c0_0 = x.fma(b0, c0_0); c0_1 = x.fma(b1, c0_1);
            x = FloatVector.broadcast(FS, ap[ao + 1]); c1_0 = x.fma(b0, c1_0); c1_1 = x.fma(b1, c1_1);
            x = FloatVector.broadcast(FS, ap[ao + 2]); c2_0 = x.fma(b0, c2_0); c2_1 = x.fma(b1, c2_1);
            x = FloatVector.broadcast(FS, ap[ao + 3]); c3_0 = x.fma(b0, c3_0); c3_1 = x.fma(b1, c3_1);
            x = FloatVector.broadcast(FS, ap[ao + 4]); c4_0 = x.fma(b0, c4_0); c4_1 = x.fma(b1, c4_1);
            x = FloatVector.broadcast(FS, ap[ao + 5]); c5_0 = x.fma(b0, c5_0); c5_1 = x.fma(b1, c5_1);
            x = FloatVector.broadcast(FS, ap[ao + 6]); c6_0 = x.fma(b0, c6_0); c6_1 = x.fma(b1, c6_1);
            x = FloatVector.broadcast(FS, ap[ao + 7]); c7_0 = x.fma(b0, c7_0); c7_1 = x.fma(b1, c7_1);
            x = FloatVector.broadcast(FS, ap[ao + 8]); c8_0 = x.fma(b0, c8_0); c8_1 = x.fma(b1, c8_1);
            x = FloatVector.broadcast(FS, ap[ao + 9]); c9_0 = x.fma(b0, c9_0); c9_1 = x.fma(b1, c9_1);
            x = FloatVector.broadcast(FS, ap[ao + 10]); c10_0 = x.fma(b0, c10_0); c10_1 = x.fma(b1, c10_1);
            x = FloatVector.broadcast(FS, ap[ao + 11]); c11_0 = x.fma(b0, c11_0); c11_1 = x.fma(b1, c11_1);
        }
        if (acc) {
            int r0 = ci;
            c0_0 = c0_0.add(FloatVector.fromArray(FS, c, r0)); c0_1 = c0_1.add(FloatVector.fromArray(FS, c, r0 + FL));
            int r1 = ci + 1 * ldc;
            c1_0 = c1_0.add(FloatVector.fromArray(FS, c, r1)); c1_1 = c1_1.add(FloatVector.fromArray(FS, c, r1 + FL));
            int r2 = ci + 2 * ldc;
            c2_0 = c2_0.add(FloatVector.fromArray(FS, c, r2)); c2_1 = c2_1.add(FloatVector.fromArray(FS, c, r2 + FL));
            int r3 = ci + 3 * ldc;
            c3_0 = c3_0.add(FloatVector.fromArray(FS, c, r3)); c3_1 = c3_1.add(FloatVector.fromArray(FS, c, r3 + FL));
            int r4 = ci + 4 * ldc;
            c4_0 = c4_0.add(FloatVector.fromArray(FS, c, r4)); c4_1 = c4_1.add(FloatVector.fromArray(FS, c, r4 + FL));
            int r5 = ci + 5 * ldc;
            c5_0 = c5_0.add(FloatVector.fromArray(FS, c, r5)); c5_1 = c5_1.add(FloatVector.fromArray(FS, c, r5 + FL));
            int r6 = ci + 6 * ldc;
            c6_0 = c6_0.add(FloatVector.fromArray(FS, c, r6)); c6_1 = c6_1.add(FloatVector.fromArray(FS, c, r6 + FL));
            int r7 = ci + 7 * ldc;
            c7_0 = c7_0.add(FloatVector.fromArray(FS, c, r7)); c7_1 = c7_1.add(FloatVector.fromArray(FS, c, r7 + FL));
            int r8 = ci + 8 * ldc;
            c8_0 = c8_0.add(FloatVector.fromArray(FS, c, r8)); c8_1 = c8_1.add(FloatVector.fromArray(FS, c, r8 + FL));
            int r9 = ci + 9 * ldc;
            c9_0 = c9_0.add(FloatVector.fromArray(FS, c, r9)); c9_1 = c9_1.add(FloatVector.fromArray(FS, c, r9 + FL));
            int r10 = ci + 10 * ldc;
            c10_0 = c10_0.add(FloatVector.fromArray(FS, c, r10)); c10_1 = c10_1.add(FloatVector.fromArray(FS, c, r10 + FL));
            int r11 = ci + 11 * ldc;
            c11_0 = c11_0.add(FloatVector.fromArray(FS, c, r11)); c11_1 = c11_1.add(FloatVector.fromArray(FS, c, r11 + FL));
        }
        int s0 = ci;
        c0_0.intoArray(c, s0); c0_1.intoArray(c, s0 + FL);
        int s1 = ci + 1 * ldc;
        c1_0.intoArray(c, s1); c1_1.intoArray(c, s1 + FL);
        int s2 = ci + 2 * ldc;
        c2_0.intoArray(c, s2); c2_1.intoArray(c, s2 + FL);
        int s3 = ci + 3 * ldc;
        c3_0.intoArray(c, s3); c3_1.intoArray(c, s3 + FL);
        int s4 = ci + 4 * ldc;
        c4_0.intoArray(c, s4); c4_1.intoArray(c, s4 + FL);
        int s5 = ci + 5 * ldc;
        c5_0.intoArray(c, s5); c5_1.intoArray(c, s5 + FL);
        int s6 = ci + 6 * ldc;
        c6_0.intoArray(c, s6); c6_1.intoArray(c, s6 + FL);
        int s7 = ci + 7 * ldc;
        c7_0.intoArray(c, s7); c7_1.intoArray(c, s7 + FL);
        int s8 = ci + 8 * ldc;
        c8_0.intoArray(c, s8); c8_1.intoArray(c, s8 + FL);
        int s9 = ci + 9 * ldc;
        c9_0.intoArray(c, s9); c9_1.intoArray(c, s9 + FL);
        int s10 = ci + 10 * ldc;
        c10_0.intoArray(c, s10); c10_1.intoArray(c, s10 + FL);
        int s11 = ci + 11 * ldc;
        c11_0.intoArray(c, s11); c11_1.intoArray(c, s11 + FL);
    }

    /*
     * The edge tiles of float32 products whose m or n is not a multiple of the tile (a 64-channel
     * convolution: 64 = 5·12 + 4 rows; 14×14 = 196 = 6·32 + 4 columns): the full kernel would do
     * three times the work needed there. They sum each element in the same order as kernelF, so
     * the results do not depend on which kernel a tile took.
     */

    /** Rows 0..h−1 (h ≤ 4) of an A panel times a full B panel, stored straight into C. */
    private static void kernelF4(int kc, float[] ap, int ai, float[] bp, int bi, int h, float[] c, int ci, int ldc,
                                 boolean acc) {
        FloatVector c0_0 = FloatVector.zero(FS), c0_1 = c0_0, c1_0 = c0_0, c1_1 = c0_0;
        FloatVector c2_0 = c0_0, c2_1 = c0_0, c3_0 = c0_0, c3_1 = c0_0;
        for (int l = 0; l < kc; l++) {
            int bo = bi + l * FNR, ao = ai + l * MR;
            FloatVector b0 = FloatVector.fromArray(FS, bp, bo), b1 = FloatVector.fromArray(FS, bp, bo + FL);
            FloatVector x;
            x = FloatVector.broadcast(FS, ap[ao]); c0_0 = x.fma(b0, c0_0); c0_1 = x.fma(b1, c0_1);
            x = FloatVector.broadcast(FS, ap[ao + 1]); c1_0 = x.fma(b0, c1_0); c1_1 = x.fma(b1, c1_1);
            x = FloatVector.broadcast(FS, ap[ao + 2]); c2_0 = x.fma(b0, c2_0); c2_1 = x.fma(b1, c2_1);
            x = FloatVector.broadcast(FS, ap[ao + 3]); c3_0 = x.fma(b0, c3_0); c3_1 = x.fma(b1, c3_1);
        }
        storeF(c0_0, c0_1, c, ci, acc);
        if (h > 1) storeF(c1_0, c1_1, c, ci + ldc, acc);
        if (h > 2) storeF(c2_0, c2_1, c, ci + 2 * ldc, acc);
        if (h > 3) storeF(c3_0, c3_1, c, ci + 3 * ldc, acc);
    }

    private static void storeF(FloatVector s0, FloatVector s1, float[] c, int ci, boolean acc) {
        if (acc) {
            s0 = s0.add(FloatVector.fromArray(FS, c, ci));
            s1 = s1.add(FloatVector.fromArray(FS, c, ci + FL));
        }
        s0.intoArray(c, ci);
        s1.intoArray(c, ci + FL);
    }

    /** A full 12-row A panel times the first vector of a B panel (the lanes in {@code mask}), stored straight into C. */
    private static void kernelF12x1(int kc, float[] ap, int ai, float[] bp, int bi, VectorMask<Float> mask, float[] c,
                                    int ci, int ldc, boolean acc) {
        FloatVector c0 = FloatVector.zero(FS), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int l = 0; l < kc; l++) {
            int ao = ai + l * MR;
            FloatVector b0 = FloatVector.fromArray(FS, bp, bi + l * FNR);
            c0 = FloatVector.broadcast(FS, ap[ao]).fma(b0, c0);
            c1 = FloatVector.broadcast(FS, ap[ao + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(FS, ap[ao + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(FS, ap[ao + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(FS, ap[ao + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(FS, ap[ao + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(FS, ap[ao + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(FS, ap[ao + 7]).fma(b0, c7);
            c8 = FloatVector.broadcast(FS, ap[ao + 8]).fma(b0, c8);
            c9 = FloatVector.broadcast(FS, ap[ao + 9]).fma(b0, c9);
            c10 = FloatVector.broadcast(FS, ap[ao + 10]).fma(b0, c10);
            c11 = FloatVector.broadcast(FS, ap[ao + 11]).fma(b0, c11);
        }
        storeF(c0, mask, c, ci, acc);
        storeF(c1, mask, c, ci + ldc, acc);
        storeF(c2, mask, c, ci + 2 * ldc, acc);
        storeF(c3, mask, c, ci + 3 * ldc, acc);
        storeF(c4, mask, c, ci + 4 * ldc, acc);
        storeF(c5, mask, c, ci + 5 * ldc, acc);
        storeF(c6, mask, c, ci + 6 * ldc, acc);
        storeF(c7, mask, c, ci + 7 * ldc, acc);
        storeF(c8, mask, c, ci + 8 * ldc, acc);
        storeF(c9, mask, c, ci + 9 * ldc, acc);
        storeF(c10, mask, c, ci + 10 * ldc, acc);
        storeF(c11, mask, c, ci + 11 * ldc, acc);
    }

    /** Columns of an edge panel up to which {@link #kernelF12xNarrow} takes it. */
    private static final int NARROW_EDGE = 4;
    /** The lanes of a panel step's MR values, when they fit one vector. */
    private static final VectorMask<Float> ROWS = FS.indexInRange(0, Math.min(MR, FL));

    /**
     * A full A panel times the first w ≤ {@value #NARROW_EDGE} columns of a B panel, stored straight
     * into C, with the panel's MR rows in the lanes of one vector (when MR ≤ FL): 4 FMAs a step where
     * kernelF12x1 takes MR (a group of four 7×7 planes is 196 = 6·32 + 4 columns, and its last 4
     * cost half a full panel). Each element is the same products summed in the same order as in
     * kernelF, so the same bits; the tile goes through t (MR·FNR) to C.
     */
    private static void kernelF12xNarrow(int kc, float[] ap, int ai, float[] bp, int bi, int w, float[] t, float[] c,
                                         int ci, int ldc, boolean acc) {
        FloatVector s0 = FloatVector.zero(FS), s1 = s0, s2 = s0, s3 = s0;
        for (int l = 0; l < kc; l++) {
            FloatVector a = FloatVector.fromArray(FS, ap, ai + l * MR, ROWS);
            int bo = bi + l * FNR;
            s0 = FloatVector.broadcast(FS, bp[bo]).fma(a, s0);
            s1 = FloatVector.broadcast(FS, bp[bo + 1]).fma(a, s1);
            s2 = FloatVector.broadcast(FS, bp[bo + 2]).fma(a, s2);
            s3 = FloatVector.broadcast(FS, bp[bo + 3]).fma(a, s3);
        }
        s0.intoArray(t, 0);
        s1.intoArray(t, FL);
        s2.intoArray(t, 2 * FL);
        s3.intoArray(t, 3 * FL);
        for (int r = 0; r < MR; r++, ci += ldc) {
            for (int jj = 0; jj < w; jj++) c[ci + jj] = acc ? c[ci + jj] + t[jj * FL + r] : t[jj * FL + r];
        }
    }

    /**
     * Two full A panels of 4 rows (a 128-bit vector a step each) times the first w ≤ {@value #NARROW_EDGE}
     * columns of a B panel, stored straight into C: eight independent sums where kernelF12xNarrow
     * has four, which FMA's latency holds to one FMA a cycle. The same products summed in the same
     * order as kernelF4, so the same bits; the two tiles go through t to C.
     */
    private static void kernelF4xNarrowPair(int kc, float[] ap, int ai, int ai2, float[] bp, int bi, int w, float[] t,
                                            float[] c, int ci, int ldc, boolean acc) {
        VectorSpecies<Float> rows = FloatJob.STEP;
        FloatVector p0 = FloatVector.zero(rows), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
        for (int l = 0; l < kc; l++) {
            FloatVector a = FloatVector.fromArray(rows, ap, ai + l * MR), a2 = FloatVector.fromArray(rows, ap, ai2 + l * MR);
            int bo = bi + l * FNR;
            FloatVector b = FloatVector.broadcast(rows, bp[bo]);
            p0 = b.fma(a, p0);
            q0 = b.fma(a2, q0);
            b = FloatVector.broadcast(rows, bp[bo + 1]);
            p1 = b.fma(a, p1);
            q1 = b.fma(a2, q1);
            b = FloatVector.broadcast(rows, bp[bo + 2]);
            p2 = b.fma(a, p2);
            q2 = b.fma(a2, q2);
            b = FloatVector.broadcast(rows, bp[bo + 3]);
            p3 = b.fma(a, p3);
            q3 = b.fma(a2, q3);
        }
        p0.intoArray(t, 0);
        p1.intoArray(t, MR);
        p2.intoArray(t, 2 * MR);
        p3.intoArray(t, 3 * MR);
        q0.intoArray(t, 4 * MR);
        q1.intoArray(t, 5 * MR);
        q2.intoArray(t, 6 * MR);
        q3.intoArray(t, 7 * MR);
        for (int r = 0; r < 2 * MR; r++, ci += ldc) {
            int at = r < MR ? r : 3 * MR + r; // row r of the second panel: lane r − MR from 4·MR on
            for (int jj = 0; jj < w; jj++) c[ci + jj] = acc ? c[ci + jj] + t[at + jj * MR] : t[at + jj * MR];
        }
    }

    private static void storeF(FloatVector s, VectorMask<Float> mask, float[] c, int ci, boolean acc) {
        (acc ? s.add(FloatVector.fromArray(FS, c, ci, mask)) : s).intoArray(c, ci, mask);
    }
}
