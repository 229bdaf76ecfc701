package dev.nabla.kernel;

import static dev.nabla.kernel.VectorGemm.BATCH_WORK;
import static dev.nabla.kernel.VectorGemm.KEEP;
import static dev.nabla.kernel.VectorGemm.MR;
import static dev.nabla.kernel.VectorGemm.PAR_MIN;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 products of {@link VectorGemm}: packing, the direct and dot paths, and the
 * micro-kernels.
 *
 * <p>GENERATED from VectorGemmFloat.java by scripts/generate-double-kernels: do not edit.
 */
final class VectorGemmDouble {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = DS.length();
    /** Columns of the micro-tile: two vectors. */
    private static final int DNR = 2 * DL;
    /** Transposed B panels are packed by {@link Transposes} where it fits the vectors, else by gathers. */
    private static final boolean TRANSPOSE = Transposes.fitsDouble();
    /**
     * Row-major A panels too, where MR is more than half a vector (12 of 16 lanes): with 4 rows of 8
     * lanes, half of each transpose would be thrown away, through masked stores.
     */
    private static final boolean TRANSPOSE_A = TRANSPOSE && MR <= DL && 2 * MR > DL;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private VectorGemmDouble() {}

    /**
     * The batched product; panels, when not null, is op(A) already packed by {@link #packShared} (the
     * batch then shares A), used when the shape takes the packed path.
     */
    static void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, int aBatchStride, int lda,
                     double[] b, int bOff, int bBatchStride, int ldb,
                     double beta, double[] c, int cOff, int cBatchStride, int ldc, double[] panels) {
        ScalarGemm.check("dgemm", batch, transA, transB, m, n, k, a.length, aOff, aBatchStride, lda,
                b.length, bOff, bBatchStride, ldb, c.length, cOff, cBatchStride, ldc);
        if (batch == 0 || m == 0 || n == 0) return;
        boolean acc = beta != 0d;
        if (k == 0 || (acc && beta != 1d)) {
            for (int p = 0; p < batch; p++) {
                int base = cOff + p * cBatchStride;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) c[base + i * ldc + j] = acc ? beta * c[base + i * ldc + j] : 0d;
                }
            }
            if (k == 0) return;
        }
        long work = (long) m * n * k;
        // items sharing A read it packed once (the same panels they would each pack)
        double[] shared = !VectorGemm.packed(m, n, k, transB) ? null : panels != null ? panels
                : batch > 1 && aBatchStride == 0 ? new DoubleJob(transA, m, k, a, aOff, lda).packAll(false) : null;
        if (batch > 1 && work < BATCH_WORK) {
            int grain = (int) Math.max(1, Math.min(batch, PAR_MIN / 2 / work));
            Parallel.forRange(batch, grain, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    VectorGemm.run(new DoubleJob(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda,
                            b, bOff + p * bBatchStride, ldb, acc, c, cOff + p * cBatchStride, ldc, shared), false);
                }
            });
        } else {
            for (int p = 0; p < batch; p++) {
                VectorGemm.run(new DoubleJob(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda,
                        b, bOff + p * bBatchStride, ldb, acc, c, cOff + p * cBatchStride, ldc, shared), true);
            }
        }
    }

    /**
     * op(A) (m×k) packed as the batched product packs a shared A, in the calling thread's scratch
     * array {@link VectorGemm#SHARED_A}, which any thread may read until the caller packs the next.
     */
    static double[] packShared(boolean transA, int m, int k, double[] a, int aOff, int lda) {
        return new DoubleJob(transA, m, k, a, aOff, lda).packAll(true);
    }

    /** Per-thread packing buffers, grown on demand and kept up to KEEP elements each. */
    private static final class Buffers {
        double[] a = new double[0], b = new double[0], s = new double[0], shared = new double[0];
        /** All of op(A) of the product {@link #ownedProduct}, packed by this thread for its own tiles. */
        double[] own = new double[0];
        long ownedProduct = -1;
        /** All of op(B) of the product {@link #ownedB}, packed by this thread for its own tiles. */
        double[] ownB = new double[0];
        long ownedB = -1;
        final double[] t = new double[MR * DNR];

        double[] a(int size) {
            return a.length >= size ? a : size > KEEP ? new double[size] : (a = new double[size]);
        }

        double[] b(int size) {
            return b.length >= size ? b : size > KEEP ? new double[size] : (b = new double[size]);
        }

        double[] s(int size) {
            return s.length >= size ? s : size > KEEP ? new double[size] : (s = new double[size]);
        }

        // own and ownB: at most KEEP and OWN_B elements, which VectorGemm.run checks before it uses them
        double[] own(int size) {
            return own.length >= size ? own : (own = new double[size]);
        }

        double[] ownB(int size) {
            return ownB.length >= size ? ownB : (ownB = new double[size]);
        }

        double[] shared(int size) {
            return shared.length >= size ? shared : size > KEEP ? new double[size] : (shared = new double[size]);
        }
    }

    private static final class DoubleJob extends VectorGemm.Job {
        final double[] a, b, c;
        final double[] shared;  // all of op(A) packed (packAll's layout), or null: each tile packs its rows
        double[] bp;        // packed B (the calling thread's buffer)
        double[] db;        // op(B) as row-major rows for the direct path: b itself, or a copy
        int dbo, dlb;
        double[] da;        // op(A) as row-major rows for the dot path: a itself, or a copy
        int dao, dla;
        /** The lanes packA loads per k step of a transposed A (MR rounded up to whole vectors). */
        private static final int STEP_LANES = (MR + DL - 1) / DL * DL;
        /** The lanes of packA's last vector of a step that fall within the panel's MR rows. */
        private static final VectorMask<Double> PANEL_TAIL = DS.indexInRange(0, MR - (STEP_LANES - DL));
        /**
         * A step's MR values as one vector of their own shape, where the JVM has one (MR = 4 on AVX2:
         * 128 bits), else null: copied without PANEL_TAIL's mask, as AVX2's masked stores are slow.
         */
        private static final VectorSpecies<Double> STEP = Integer.bitCount(MR) == 1 && MR >= 2 && MR <= DL
                ? VectorSpecies.of(double.class, VectorShape.forBitSize(MR * Double.SIZE)) : null;
        /**
         * Doubles a packed A holds past its panels: packA's masked store of a step's last vector
         * spans DL lanes, and a masked store that runs past the array's end takes the Vector API's
         * per-lane bounds check, which C2 does not intrinsify.
         */
        private static final int PACK_SLACK = DL;
        /** Elements of op(A) below which packAll stays on the calling thread. */
        private static final int PACK_PARALLEL = 1 << 16;
        private int[] bGather; // column offsets of a transposed B's gathers, set by allocB

        DoubleJob(boolean tA, boolean tB, int m, int n, int k, double[] a, int aOff, int lda,
                 double[] b, int bOff, int ldb, boolean acc, double[] c, int cOff, int ldc, double[] shared) {
            super(tA, tB, m, n, k, aOff, lda, bOff, ldb, acc, cOff, ldc, DNR);
            this.a = a;
            this.b = b;
            this.c = c;
            this.shared = shared;
        }

        /** A job that only packs op(A) (packAll). */
        DoubleJob(boolean tA, int m, int k, double[] a, int aOff, int lda) {
            this(tA, false, m, 0, k, a, aOff, lda, null, 0, 0, false, null, 0, 0, null);
        }

        /**
         * All of op(A) packed, in the calling thread's buffer (or its scratch slot for shared panels): row panel q holds
         * its k rows of MR values from q·MR·k on, so the k block at pc starts at q·MR·k + pc·MR, as tile reads it.
         * Panels are written independently, on the threads when A is large: a layer's weight packed
         * before its examples' products was the longest stretch of a dcgan step on one thread.
         */
        double[] packAll(boolean scratch) {
            int panels = (m + MR - 1) / MR, size = panels * MR * k + PACK_SLACK;
            double[] ap = scratch ? Scratch.doubles(VectorGemm.SHARED_A, size) : BUFFERS.get().shared(size);
            Parallel.forRange(panels, Math.max(1, PACK_PARALLEL / (MR * k)), (q0, q1) -> packPanels(ap, q0, q1));
            return ap;
        }

        // row panels [q0, q1) of op(A), all k blocks, in packAll's layout
        private void packPanels(double[] ap, int q0, int q1) {
            int kcb = VectorGemm.kBlock(k);
            for (int q = q0; q < q1; q++) {
                for (int pc = 0; pc < k; pc += kcb) packA(q * MR, Math.min(MR, m - q * MR), pc, Math.min(kcb, k - pc), ap, (q * k + pc) * MR);
            }
        }

        @Override
        void ownTile(long product, int ip0, int ip1, int jp0, int jp1) {
            Buffers buf = BUFFERS.get();
            double[] ap = shared;
            if (ap == null) { // all of A, packed by this thread once per product
                int panels = (m + MR - 1) / MR;
                ap = buf.own(panels * MR * k + PACK_SLACK);
                if (buf.ownedProduct != product) {
                    packPanels(ap, 0, panels);
                    buf.ownedProduct = product;
                }
            }
            int kcb = VectorGemm.kBlock(k);
            double[] bp = buf.b((jp1 - jp0) * kcb * DNR);
            for (int pc = 0; pc < k; pc += kcb) {
                int kc = Math.min(kcb, k - pc);
                packB(bp, pc, kc, jp0, jp1, 0);
                tile(ap, bp, pc, kc, acc || pc > 0, ip0, ip1, jp0, jp1, -jp0 * kc * DNR);
            }
        }

        @Override
        void ownRows(long product, int ip0, int ip1) {
            Buffers buf = BUFFERS.get();
            int kcb = VectorGemm.kBlock(k), panels = (n + DNR - 1) / DNR;
            double[] bp = buf.ownB(k * panels * DNR);
            if (buf.ownedB != product) { // all of B, packed by this thread once per product
                for (int pc = 0; pc < k; pc += kcb) packB(bp, pc, Math.min(kcb, k - pc), 0, panels, pc * panels * DNR);
                buf.ownedB = product;
            }
            for (int pc = 0; pc < k; pc += kcb) {
                tile(shared, bp, pc, Math.min(kcb, k - pc), acc || pc > 0, ip0, ip1, 0, panels, pc * panels * DNR);
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
            bGather = new int[DNR];
            for (int jj = 0; jj < DNR; jj++) bGather[jj] = jj * ldb;
        }

        @Override
        void packB(int pc, int kc, int p0, int p1, int d) {
            packB(bp, pc, kc, p0, p1, d);
        }

        private void packB(double[] bp, int pc, int kc, int p0, int p1, int d) {
            final double[] b = this.b;
            final int stride = kc * DNR;
            if (!tB) {  // rows of B are contiguous: walk them, scattering to the panels
                int fullEnd = Math.min(p1, n / DNR);  // panels [p0, fullEnd) are full width
                for (int l = 0; l < kc; l++) {
                    int s = bOff + (pc + l) * ldb + p0 * DNR, o = d + l * DNR;
                    for (int p = p0; p < fullEnd; p++, s += DNR, o += stride) {
                        DoubleVector.fromArray(DS, b, s).intoArray(bp, o);
                        DoubleVector.fromArray(DS, b, s + DL).intoArray(bp, o + DL);
                    }
                    for (int p = Math.max(p0, fullEnd); p < p1; p++, s += DNR, o += stride) {
                        int w = Math.min(DNR, n - p * DNR);
                        for (int jj = 0; jj < w; jj++) bp[o + jj] = b[s + jj];
                        for (int jj = w; jj < DNR; jj++) bp[o + jj] = 0d;
                    }
                }
            } else {  // op(B)(l, j) = b[j·ldb + l]: columns of op(B) are contiguous
                for (int p = p0; p < p1; p++, d += stride) {
                    int j = p * DNR, w = Math.min(DNR, n - j);
                    if (w == DNR && TRANSPOSE) {  // a full panel: each half of it transposed in registers
                        int s = bOff + j * ldb + pc;
                        Transposes.transpose(b, s, ldb, DL, kc, bp, d, DNR);
                        Transposes.transpose(b, s + DL * ldb, ldb, DL, kc, bp, d + DL, DNR);
                        continue;
                    }
                    if (w == DNR) {  // a full panel: gather each row of it, two vectors a step
                        final int[] ix = bGather;
                        for (int l = 0, s = bOff + j * ldb + pc, o = d; l < kc; l++, o += DNR) {
                            DoubleVector.fromArray(DS, b, s + l, ix, 0).intoArray(bp, o);
                            DoubleVector.fromArray(DS, b, s + l, ix, DL).intoArray(bp, o + DL);
                        }
                        continue;
                    }
                    for (int jj = 0; jj < w; jj++) {
                        int s = bOff + (j + jj) * ldb + pc;
                        for (int l = 0; l < kc; l++) bp[d + l * DNR + jj] = b[s + l];
                    }
                    for (int jj = w; jj < DNR; jj++) {
                        for (int l = 0; l < kc; l++) bp[d + l * DNR + jj] = 0d;
                    }
                }
            }
        }

        /** Packs rows [i, i+h) of op(A), columns [pc, pc+kc), into a panel of MR rows at d. */
        private void packA(int i, int h, int pc, int kc, double[] ap, int d) {
            final double[] a = this.a;
            if (!tA) {
                // A full panel, DL·DL blocks transposed in registers: DL rows from the panel's first
                // are loaded (so a must hold them) and its MR stored. Not for rows a multiple of 4 KB
                // apart, whose loads then share one L1 set: 64×784×2048 ran 3–10% slower that way.
                int s0 = aOff + i * lda + pc;
                if (h == MR && TRANSPOSE_A && lda % (4096 / Double.BYTES) != 0 && s0 + (DL - 1) * lda + kc <= a.length) {
                    Transposes.transpose(a, s0, lda, MR, kc, ap, d, MR);
                    return;
                }
                // row by row: contiguous loads, stores MR apart. Measured against one gather of
                // a column's MR values per k step (float64, n = 256 on one thread: 96.7 → 102.9
                // GFLOP/s, 512 and 1024: +3%); for B's transposed panels the gathers stay ahead.
                for (int r = 0; r < h; r++) {
                    int s = aOff + (i + r) * lda + pc;
                    for (int l = 0; l < kc; l++) ap[d + l * MR + r] = a[s + l];
                }
                for (int r = h; r < MR; r++) {
                    for (int l = 0; l < kc; l++) ap[d + l * MR + r] = 0d;
                }
            } else {
                int s = aOff + pc * lda + i;
                for (int l = 0; l < kc; l++, s += lda, d += MR) {
                    if (h == MR && STEP != null) {
                        DoubleVector.fromArray(STEP, a, s).intoArray(ap, d);
                    } else if (h == MR && s + STEP_LANES <= a.length) {
                        for (int r = 0; r < MR; r += DL) {
                            DoubleVector v = DoubleVector.fromArray(DS, a, s + r);
                            if (r + DL <= MR) v.intoArray(ap, d + r);
                            else v.intoArray(ap, d + r, PANEL_TAIL);
                        }
                    } else {
                        for (int r = 0; r < h; r++) ap[d + r] = a[s + r];
                        for (int r = h; r < MR; r++) ap[d + r] = 0d;
                    }
                }
            }
        }

        @Override
        void tile(int pc, int kc, boolean accum, int ip0, int ip1, int jp0, int jp1, int bBase) {
            tile(shared, bp, pc, kc, accum, ip0, ip1, jp0, jp1, bBase);
        }

        // whole: all of op(A) packed (packAll's layout), or null: the tile packs its rows of this k block
        private void tile(double[] whole, double[] bp, int pc, int kc, boolean accum, int ip0, int ip1, int jp0, int jp1, int bBase) {
            Buffers buf = BUFFERS.get();
            double[] ap = whole, tmp = buf.t, c = this.c;
            if (ap == null) {
                ap = buf.a((ip1 - ip0) * MR * kc + PACK_SLACK);
                for (int q = ip0; q < ip1; q++) {
                    packA(q * MR, Math.min(MR, m - q * MR), pc, kc, ap, (q - ip0) * MR * kc);
                }
            }
            // B's micro-panel stays in L1 while the panels of A go by (BLIS's loop order)
            for (int jp = jp0; jp < jp1; jp++) {
                int j = jp * DNR, w = Math.min(DNR, n - j), bi = bBase + jp * kc * DNR;
                for (int q = ip0; q < ip1; q++) {
                    int i = q * MR, h = Math.min(MR, m - i), ai = whole == null ? (q - ip0) * MR * kc : (q * k + pc) * MR;
                    if (h == MR && w == DNR && MR == 12) {
                        kernelD(kc, ap, ai, bp, bi, c, cOff + i * ldc + j, ldc, accum);
                    } else if (h <= 4 && w == DNR) { // the full tile when MR is 4
                        kernelD4(kc, ap, ai, bp, bi, h, c, cOff + i * ldc + j, ldc, accum);
                    } else if (h == MR && w <= NARROW_EDGE && MR <= DL) {
                        if (STEP != null && q + 1 < ip1 && m - i >= 2 * MR) { // with the next panel, also full
                            int ai2 = whole == null ? ai + MR * kc : ai + MR * k;
                            kernelD4xNarrowPair(kc, ap, ai, ai2, bp, bi, w, tmp, c, cOff + i * ldc + j, ldc, accum);
                            q++;
                        } else {
                            kernelD12xNarrow(kc, ap, ai, bp, bi, w, tmp, c, cOff + i * ldc + j, ldc, accum);
                        }
                    } else if (h == MR && w <= DL && MR == 12) {
                        kernelD12x1(kc, ap, ai, bp, bi, DS.indexInRange(0, w), c, cOff + i * ldc + j, ldc, accum);
                    } else {
                        if (MR == 12) kernelD(kc, ap, ai, bp, bi, tmp, 0, DNR, false);
                        else kernelD4(kc, ap, ai, bp, bi, MR, tmp, 0, DNR, false);
                        edge(tmp, h, w, cOff + i * ldc + j, accum);
                    }
                }
            }
        }

        private void edge(double[] tmp, int h, int w, int ci, boolean accum) {
            final double[] c = this.c;
            for (int r = 0; r < h; r++, ci += ldc) {
                for (int jj = 0; jj < w; jj++) c[ci + jj] = accum ? c[ci + jj] + tmp[r * DNR + jj] : tmp[r * DNR + jj];
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
            double[] t = BUFFERS.get().s(m * k);
            for (int i = 0; i < m; i++) {
                for (int l = 0; l < k; l++) t[i * k + l] = a[aOff + l * lda + i];
            }
            da = t;
            dao = 0;
            dla = k;
        }

        @Override
        void dots(int j0, int j1) {
            final double[] lanes = new double[4 * DL];
            final int bound = DS.loopBound(k), cols = 4 / m; // four sums a step: 4 columns of one row, 2 of two rows
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
            final double[] lanes = new double[4 * DL];
            final int bound = DS.loopBound(k);
            for (int i = i0; i < i1; i += 4) {
                for (int j = 0; j < n; j++) dotRows(dao + i * dla, Math.min(4, i1 - i), bOff + j * ldb, cOff + i * ldc + j, bound, lanes);
            }
        }

        // C rows ci, ci + ldc, ... (h ≤ 4 of them) (+)= rows r.. of da · B's contiguous row at bo; rows
        // past h repeat the last one: four sums always, the extra ones not stored
        private void dotRows(int r, int h, int bo, int ci, int bound, double[] lanes) {
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
                          int n, int bound, double[] lanes) {
            final double[] a = da, b = this.b;
            DoubleVector s0 = DoubleVector.zero(DS), s1 = s0, s2 = s0, s3 = s0;
            // each operand row loaded once a step: the loads, not the multiply-adds, bound these loops
            if (b0 == b3) { // four rows (or repeats) times one row of B
                for (int l = 0; l < bound; l += DL) {
                    DoubleVector w = DoubleVector.fromArray(DS, b, b0 + l);
                    s0 = DoubleVector.fromArray(DS, a, a0 + l).fma(w, s0);
                    s1 = DoubleVector.fromArray(DS, a, a1 + l).fma(w, s1);
                    s2 = DoubleVector.fromArray(DS, a, a2 + l).fma(w, s2);
                    s3 = DoubleVector.fromArray(DS, a, a3 + l).fma(w, s3);
                }
            } else if (a0 == a3) { // one row times four rows of B
                for (int l = 0; l < bound; l += DL) {
                    DoubleVector x = DoubleVector.fromArray(DS, a, a0 + l);
                    s0 = x.fma(DoubleVector.fromArray(DS, b, b0 + l), s0);
                    s1 = x.fma(DoubleVector.fromArray(DS, b, b1 + l), s1);
                    s2 = x.fma(DoubleVector.fromArray(DS, b, b2 + l), s2);
                    s3 = x.fma(DoubleVector.fromArray(DS, b, b3 + l), s3);
                }
            } else { // two rows (a0, a1 = a3) times two rows of B (b0 = b1, b2 = b3)
                for (int l = 0; l < bound; l += DL) {
                    DoubleVector x0 = DoubleVector.fromArray(DS, a, a0 + l), x1 = DoubleVector.fromArray(DS, a, a1 + l);
                    DoubleVector w0 = DoubleVector.fromArray(DS, b, b0 + l), w2 = DoubleVector.fromArray(DS, b, b2 + l);
                    s0 = x0.fma(w0, s0);
                    s1 = x1.fma(w0, s1);
                    s2 = x0.fma(w2, s2);
                    s3 = x1.fma(w2, s3);
                }
            }
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, DL);
            s2.intoArray(lanes, 2 * DL);
            s3.intoArray(lanes, 3 * DL);
            double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
            for (int v = 0; v < DL; v++) {
                t0 += lanes[v];
                t1 += lanes[DL + v];
                t2 += lanes[2 * DL + v];
                t3 += lanes[3 * DL + v];
            }
            for (int l = bound; l < k; l++) {
                t0 = Math.fma(a[a0 + l], b[b0 + l], t0);
                t1 = Math.fma(a[a1 + l], b[b1 + l], t1);
                t2 = Math.fma(a[a2 + l], b[b2 + l], t2);
                t3 = Math.fma(a[a3 + l], b[b3 + l], t3);
            }
            final double[] c = this.c;
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
            if (tB || n < DL) {
                // copy op(B) into row-major rows, so that they are vectors; narrow rows are
                // zero-padded to one vector (DL wide), so that loads need no mask
                // (each case its own loop, reading B in its order: a Runge net's copies took 120–400 ns
                // each with the case tested per element; this way, in two probe runs of the six shapes,
                // the same to 45% less, most 20–30%)
                int w = Math.max(n, DL);
                double[] t = BUFFERS.get().s(k * w);
                if (n < w) Arrays.fill(t, 0, k * w, 0d);
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
            final double[] a = this.a, b = this.b, c = this.c;
            final int sa = tA ? lda : 1, ra = tA ? 1 : lda;  // steps of A along l and along i
            final double[] x = new double[4 * m];              // A's m×4 block of the current four l's
            for (int s0 = j0; s0 < j1; s0 += VectorGemm.STREAM_STRIP) {
                final int s1 = Math.min(j1, s0 + VectorGemm.STREAM_STRIP), vEnd = s0 + DS.loopBound(s1 - s0);
                for (int l = 0; l < k; ) {
                    final int lh = k - l >= 4 ? 4 : 1;        // four rows of B a pass, then one at a time
                    final boolean first = l == 0 && !acc;    // C's rows start from 0, not from what they hold
                    for (int i = 0; i < m; i++) {
                        for (int q = 0; q < lh; q++) x[4 * i + q] = a[aOff + i * ra + (l + q) * sa];
                    }
                    final int r = bOff + l * ldb;
                    if (lh == 4) {
                        for (int j = s0; j < vEnd; j += DL) {
                            DoubleVector w0 = DoubleVector.fromArray(DS, b, r + j), w1 = DoubleVector.fromArray(DS, b, r + ldb + j);
                            DoubleVector w2 = DoubleVector.fromArray(DS, b, r + 2 * ldb + j), w3 = DoubleVector.fromArray(DS, b, r + 3 * ldb + j);
                            for (int i = 0, ci = cOff + j; i < m; i++, ci += ldc) {
                                DoubleVector t = first ? DoubleVector.zero(DS) : DoubleVector.fromArray(DS, c, ci);
                                t = w0.fma(DoubleVector.broadcast(DS, x[4 * i]), t);
                                t = w1.fma(DoubleVector.broadcast(DS, x[4 * i + 1]), t);
                                t = w2.fma(DoubleVector.broadcast(DS, x[4 * i + 2]), t);
                                w3.fma(DoubleVector.broadcast(DS, x[4 * i + 3]), t).intoArray(c, ci);
                            }
                        }
                    } else {
                        for (int j = s0; j < vEnd; j += DL) {
                            DoubleVector w0 = DoubleVector.fromArray(DS, b, r + j);
                            for (int i = 0, ci = cOff + j; i < m; i++, ci += ldc) {
                                DoubleVector t = first ? DoubleVector.zero(DS) : DoubleVector.fromArray(DS, c, ci);
                                w0.fma(DoubleVector.broadcast(DS, x[4 * i]), t).intoArray(c, ci);
                            }
                        }
                    }
                    // the last columns, element by element: the same fused multiply-adds in the same order
                    for (int j = vEnd; j < s1; j++) {
                        for (int i = 0, ci = cOff + j; i < m; i++, ci += ldc) {
                            double t = first ? 0d : c[ci];
                            for (int q = 0; q < lh; q++) t = Math.fma(b[r + q * ldb + j], x[4 * i + q], t);
                            c[ci] = t;
                        }
                    }
                    l += lh;
                }
            }
        }

        // The kernels below index A as a0 + (sa == 1 ? l : l·sa) and a padded B as bo + l·DL: C2
        // splits the loop on sa == 1 (A not transposed) and, with a constant stride, checks the
        // bounds once before the loop instead of at every load (39×10×20 with B transposed, a
        // Runge net's layer: 655–670 → 580–630 ns a product on one thread).
        @Override
        void direct(int i0, int i1) {
            final int sa = tA ? lda : 1, ra = tA ? 1 : lda;  // steps of A along l and along i
            final double[] t = BUFFERS.get().t;  // where the last rows' partial vectors pass (tail)
            int i = i0;
            // 4 rows at a time; 2 or 3 left over also go 4 at a time (B read once for them)
            for (int h; i1 - i >= 2; i += h) {
                h = Math.min(4, i1 - i);
                int j = 0;
                for (; j + DL < n; j += 2 * DL) rows4x2(i, h, j, sa, ra);
                if (j < n) rows4x1(i, h, j, sa, ra, t);
            }
            for (; i < i1; i++) {
                int j = 0;
                for (; j + DL < n; j += 2 * DL) row1x2(i, j, sa, ra);
                if (j < n) row1x1(i, j, sa, ra, t);
            }
        }

        /**
         * Rows i..i+h−1 (h ≤ 4), columns j..j+2·DL, or at the edge (fewer than 2·DL columns left,
         * more than DL) j..j+DL and the last DL columns of C's rows, which overlap the first vector:
         * no masks. Each lane sums its column in the same order whichever vector holds it, so the
         * overlapping columns get the same bits twice (with acc, every vector of C is read before any
         * is written). A masked second vector passes the end of B when its last row is B's (a Linear
         * layer's n = 10); the Vector API then checks it lane by lane, and the code C2 compiled after
         * such calls in a cnn's training step ran its first convolution (32×784×9, whole vectors) at a
         * quarter of its speed alone.
         */
        private void rows4x2(int i, int h, int j, int sa, int ra) {
            final double[] a = this.a, b = this.db;
            final int bo = dbo + j, lb = dlb;
            // rows past i + h repeat the last one: summed, not stored
            final int a0 = aOff + i * ra, a1 = a0 + Math.min(1, h - 1) * ra, a2 = a0 + Math.min(2, h - 1) * ra;
            final int a3 = a0 + Math.min(3, h - 1) * ra;
            final int j2 = Math.min(j + DL, n - DL) - j;  // the second vector's columns, from j
            DoubleVector s00 = DoubleVector.zero(DS), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            for (int l = 0; l < k; l++) {
                int o = bo + l * lb, p = sa == 1 ? l : l * sa;
                DoubleVector x0 = DoubleVector.fromArray(DS, b, o), x1 = DoubleVector.fromArray(DS, b, o + j2);
                DoubleVector y = DoubleVector.broadcast(DS, a[a0 + p]);
                s00 = y.fma(x0, s00);
                s01 = y.fma(x1, s01);
                y = DoubleVector.broadcast(DS, a[a1 + p]);
                s10 = y.fma(x0, s10);
                s11 = y.fma(x1, s11);
                y = DoubleVector.broadcast(DS, a[a2 + p]);
                s20 = y.fma(x0, s20);
                s21 = y.fma(x1, s21);
                y = DoubleVector.broadcast(DS, a[a3 + p]);
                s30 = y.fma(x0, s30);
                s31 = y.fma(x1, s31);
            }
            // the sums go to C here, not through a helper (see tail); rows past h alias the last
            // one, and every row of C is read before any is written, so they write its values again
            final double[] c = this.c;
            final int c0 = cOff + i * ldc + j, c3 = c0 + (h - 1) * ldc;
            final int c1 = Math.min(c0 + ldc, c3), c2 = Math.min(c0 + 2 * ldc, c3);
            if (acc) {
                s00 = s00.add(DoubleVector.fromArray(DS, c, c0));
                s01 = s01.add(DoubleVector.fromArray(DS, c, c0 + j2));
                s10 = s10.add(DoubleVector.fromArray(DS, c, c1));
                s11 = s11.add(DoubleVector.fromArray(DS, c, c1 + j2));
                s20 = s20.add(DoubleVector.fromArray(DS, c, c2));
                s21 = s21.add(DoubleVector.fromArray(DS, c, c2 + j2));
                s30 = s30.add(DoubleVector.fromArray(DS, c, c3));
                s31 = s31.add(DoubleVector.fromArray(DS, c, c3 + j2));
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

        /** Rows i..i+h−1 (h ≤ 4), columns j..j+DL (maybe partial). */
        private void rows4x1(int i, int h, int j, int sa, int ra, double[] t) {
            final double[] a = this.a, b = this.db;
            final int bo = dbo + j, lb = dlb;
            // rows past i + h repeat the last one: summed, not stored
            final int a0 = aOff + i * ra, a1 = a0 + Math.min(1, h - 1) * ra, a2 = a0 + Math.min(2, h - 1) * ra;
            final int a3 = a0 + Math.min(3, h - 1) * ra;
            final VectorMask<Double> mask = DS.indexInRange(j, n);
            final boolean padded = n < DL;  // rows of db are one full vector
            DoubleVector s0 = DoubleVector.zero(DS), s1 = s0, s2 = s0, s3 = s0;
            for (int l = 0; l < k; l++) {
                DoubleVector x = padded ? DoubleVector.fromArray(DS, b, bo + l * DL) : DoubleVector.fromArray(DS, b, bo + l * lb, mask);
                int p = sa == 1 ? l : l * sa;
                s0 = DoubleVector.broadcast(DS, a[a0 + p]).fma(x, s0);
                s1 = DoubleVector.broadcast(DS, a[a1 + p]).fma(x, s1);
                s2 = DoubleVector.broadcast(DS, a[a2 + p]).fma(x, s2);
                s3 = DoubleVector.broadcast(DS, a[a3 + p]).fma(x, s3);
            }
            // C's last vector may pass its end: a masked access there is checked lane by lane (see tail)
            final double[] c = this.c;
            final int c0 = cOff + i * ldc + j, c3 = c0 + (h - 1) * ldc;
            final int c1 = Math.min(c0 + ldc, c3), c2 = Math.min(c0 + 2 * ldc, c3);
            if (c3 + DL <= c.length) {
                if (acc) {
                    s0 = s0.add(DoubleVector.fromArray(DS, c, c0, mask));
                    s1 = s1.add(DoubleVector.fromArray(DS, c, c1, mask));
                    s2 = s2.add(DoubleVector.fromArray(DS, c, c2, mask));
                    s3 = s3.add(DoubleVector.fromArray(DS, c, c3, mask));
                }
                s0.intoArray(c, c0, mask);
                s1.intoArray(c, c1, mask);
                s2.intoArray(c, c2, mask);
                s3.intoArray(c, c3, mask);
            } else {
                s0.intoArray(t, 0);
                s1.intoArray(t, DL);
                s2.intoArray(t, 2 * DL);
                s3.intoArray(t, 3 * DL);
                tail(t, h, c0, mask.trueCount());
            }
        }

        /**
         * Writes (or adds, with acc) the first w lanes of rows [0, h) of t (row r from r·DL on) to C
         * from ci on, one row every ldc: the kernels' last vectors when a masked access would pass
         * the end of C, which the Vector API checks lane by lane (a slow path). The kernels store
         * their sums themselves rather than through a helper taking vectors: C2 does not inline a
         * method it has already compiled on its own into a large body, and a call boxes the vectors
         * it is passed: VGG16's Winograd products (128×32×64) allocated 60–80 MB/s so.
         */
        private void tail(double[] t, int h, int ci, int w) {
            final double[] c = this.c;
            for (int r = 0; r < h; r++, ci += ldc) {
                for (int q = 0; q < w; q++) c[ci + q] = acc ? c[ci + q] + t[r * DL + q] : t[r * DL + q];
            }
        }

        /** Row i, columns j..j+2·DL, or at the edge j..j+DL and the last DL (as rows4x2). */
        private void row1x2(int i, int j, int sa, int ra) {
            final double[] a = this.a, b = this.db;
            final int bo = dbo + j, lb = dlb, a0 = aOff + i * ra, j2 = Math.min(j + DL, n - DL) - j;
            DoubleVector s0 = DoubleVector.zero(DS), s1 = s0;
            for (int l = 0; l < k; l++) {
                int o = bo + l * lb;
                DoubleVector y = DoubleVector.broadcast(DS, a[a0 + (sa == 1 ? l : l * sa)]);
                s0 = y.fma(DoubleVector.fromArray(DS, b, o), s0);
                s1 = y.fma(DoubleVector.fromArray(DS, b, o + j2), s1);
            }
            final double[] c = this.c;
            final int c0 = cOff + i * ldc + j;
            if (acc) {
                s0 = s0.add(DoubleVector.fromArray(DS, c, c0));
                s1 = s1.add(DoubleVector.fromArray(DS, c, c0 + j2));
            }
            s0.intoArray(c, c0);
            s1.intoArray(c, c0 + j2);
        }

        /** Row i, columns j..j+DL (maybe partial). */
        private void row1x1(int i, int j, int sa, int ra, double[] t) {
            final double[] a = this.a, b = this.db;
            final int bo = dbo + j, lb = dlb, a0 = aOff + i * ra;
            final VectorMask<Double> mask = DS.indexInRange(j, n);
            final boolean padded = n < DL;
            DoubleVector s0 = DoubleVector.zero(DS);
            for (int l = 0; l < k; l++) {
                DoubleVector x = padded ? DoubleVector.fromArray(DS, b, bo + l * DL) : DoubleVector.fromArray(DS, b, bo + l * lb, mask);
                s0 = DoubleVector.broadcast(DS, a[a0 + (sa == 1 ? l : l * sa)]).fma(x, s0);
            }
            final double[] c = this.c;
            final int c0 = cOff + i * ldc + j;
            if (c0 + DL <= c.length) {
                if (acc) s0 = s0.add(DoubleVector.fromArray(DS, c, c0, mask));
                s0.intoArray(c, c0, mask);
            } else {
                s0.intoArray(t, 0);
                tail(t, 1, c0, mask.trueCount());
            }
        }
    }

    /**
     * The 12×DNR micro-kernel (MR = 12): C[12×DNR] (+)= A-panel·B-panel over kc steps. The A panel
     * holds 12 values per step, the B panel DNR; the tile of C stays in 24 registers. With MR = 4,
     * {@link #kernelD4} is the full kernel.
     */
    private static void kernelD(int kc, double[] ap, int ai, double[] bp, int bi, double[] c, int ci, int ldc, boolean acc) {
        DoubleVector c0_0 = DoubleVector.zero(DS), c0_1 = DoubleVector.zero(DS);
        DoubleVector c1_0 = DoubleVector.zero(DS), c1_1 = DoubleVector.zero(DS);
        DoubleVector c2_0 = DoubleVector.zero(DS), c2_1 = DoubleVector.zero(DS);
        DoubleVector c3_0 = DoubleVector.zero(DS), c3_1 = DoubleVector.zero(DS);
        DoubleVector c4_0 = DoubleVector.zero(DS), c4_1 = DoubleVector.zero(DS);
        DoubleVector c5_0 = DoubleVector.zero(DS), c5_1 = DoubleVector.zero(DS);
        DoubleVector c6_0 = DoubleVector.zero(DS), c6_1 = DoubleVector.zero(DS);
        DoubleVector c7_0 = DoubleVector.zero(DS), c7_1 = DoubleVector.zero(DS);
        DoubleVector c8_0 = DoubleVector.zero(DS), c8_1 = DoubleVector.zero(DS);
        DoubleVector c9_0 = DoubleVector.zero(DS), c9_1 = DoubleVector.zero(DS);
        DoubleVector c10_0 = DoubleVector.zero(DS), c10_1 = DoubleVector.zero(DS);
        DoubleVector c11_0 = DoubleVector.zero(DS), c11_1 = DoubleVector.zero(DS);
        for (int l = 0; l < kc; l++) {
            int bo = bi + l * DNR, ao = ai + l * MR;
            DoubleVector b0 = DoubleVector.fromArray(DS, bp, bo), b1 = DoubleVector.fromArray(DS, bp, bo + DL);
            DoubleVector x;
            x = DoubleVector.broadcast(DS, ap[ao + 0]); c0_0 = x.fma(b0, c0_0); c0_1 = x.fma(b1, c0_1);
            x = DoubleVector.broadcast(DS, ap[ao + 1]); c1_0 = x.fma(b0, c1_0); c1_1 = x.fma(b1, c1_1);
            x = DoubleVector.broadcast(DS, ap[ao + 2]); c2_0 = x.fma(b0, c2_0); c2_1 = x.fma(b1, c2_1);
            x = DoubleVector.broadcast(DS, ap[ao + 3]); c3_0 = x.fma(b0, c3_0); c3_1 = x.fma(b1, c3_1);
            x = DoubleVector.broadcast(DS, ap[ao + 4]); c4_0 = x.fma(b0, c4_0); c4_1 = x.fma(b1, c4_1);
            x = DoubleVector.broadcast(DS, ap[ao + 5]); c5_0 = x.fma(b0, c5_0); c5_1 = x.fma(b1, c5_1);
            x = DoubleVector.broadcast(DS, ap[ao + 6]); c6_0 = x.fma(b0, c6_0); c6_1 = x.fma(b1, c6_1);
            x = DoubleVector.broadcast(DS, ap[ao + 7]); c7_0 = x.fma(b0, c7_0); c7_1 = x.fma(b1, c7_1);
            x = DoubleVector.broadcast(DS, ap[ao + 8]); c8_0 = x.fma(b0, c8_0); c8_1 = x.fma(b1, c8_1);
            x = DoubleVector.broadcast(DS, ap[ao + 9]); c9_0 = x.fma(b0, c9_0); c9_1 = x.fma(b1, c9_1);
            x = DoubleVector.broadcast(DS, ap[ao + 10]); c10_0 = x.fma(b0, c10_0); c10_1 = x.fma(b1, c10_1);
            x = DoubleVector.broadcast(DS, ap[ao + 11]); c11_0 = x.fma(b0, c11_0); c11_1 = x.fma(b1, c11_1);
        }
        if (acc) {
            int r0 = ci;
            c0_0 = c0_0.add(DoubleVector.fromArray(DS, c, r0)); c0_1 = c0_1.add(DoubleVector.fromArray(DS, c, r0 + DL));
            int r1 = ci + 1 * ldc;
            c1_0 = c1_0.add(DoubleVector.fromArray(DS, c, r1)); c1_1 = c1_1.add(DoubleVector.fromArray(DS, c, r1 + DL));
            int r2 = ci + 2 * ldc;
            c2_0 = c2_0.add(DoubleVector.fromArray(DS, c, r2)); c2_1 = c2_1.add(DoubleVector.fromArray(DS, c, r2 + DL));
            int r3 = ci + 3 * ldc;
            c3_0 = c3_0.add(DoubleVector.fromArray(DS, c, r3)); c3_1 = c3_1.add(DoubleVector.fromArray(DS, c, r3 + DL));
            int r4 = ci + 4 * ldc;
            c4_0 = c4_0.add(DoubleVector.fromArray(DS, c, r4)); c4_1 = c4_1.add(DoubleVector.fromArray(DS, c, r4 + DL));
            int r5 = ci + 5 * ldc;
            c5_0 = c5_0.add(DoubleVector.fromArray(DS, c, r5)); c5_1 = c5_1.add(DoubleVector.fromArray(DS, c, r5 + DL));
            int r6 = ci + 6 * ldc;
            c6_0 = c6_0.add(DoubleVector.fromArray(DS, c, r6)); c6_1 = c6_1.add(DoubleVector.fromArray(DS, c, r6 + DL));
            int r7 = ci + 7 * ldc;
            c7_0 = c7_0.add(DoubleVector.fromArray(DS, c, r7)); c7_1 = c7_1.add(DoubleVector.fromArray(DS, c, r7 + DL));
            int r8 = ci + 8 * ldc;
            c8_0 = c8_0.add(DoubleVector.fromArray(DS, c, r8)); c8_1 = c8_1.add(DoubleVector.fromArray(DS, c, r8 + DL));
            int r9 = ci + 9 * ldc;
            c9_0 = c9_0.add(DoubleVector.fromArray(DS, c, r9)); c9_1 = c9_1.add(DoubleVector.fromArray(DS, c, r9 + DL));
            int r10 = ci + 10 * ldc;
            c10_0 = c10_0.add(DoubleVector.fromArray(DS, c, r10)); c10_1 = c10_1.add(DoubleVector.fromArray(DS, c, r10 + DL));
            int r11 = ci + 11 * ldc;
            c11_0 = c11_0.add(DoubleVector.fromArray(DS, c, r11)); c11_1 = c11_1.add(DoubleVector.fromArray(DS, c, r11 + DL));
        }
        int s0 = ci;
        c0_0.intoArray(c, s0); c0_1.intoArray(c, s0 + DL);
        int s1 = ci + 1 * ldc;
        c1_0.intoArray(c, s1); c1_1.intoArray(c, s1 + DL);
        int s2 = ci + 2 * ldc;
        c2_0.intoArray(c, s2); c2_1.intoArray(c, s2 + DL);
        int s3 = ci + 3 * ldc;
        c3_0.intoArray(c, s3); c3_1.intoArray(c, s3 + DL);
        int s4 = ci + 4 * ldc;
        c4_0.intoArray(c, s4); c4_1.intoArray(c, s4 + DL);
        int s5 = ci + 5 * ldc;
        c5_0.intoArray(c, s5); c5_1.intoArray(c, s5 + DL);
        int s6 = ci + 6 * ldc;
        c6_0.intoArray(c, s6); c6_1.intoArray(c, s6 + DL);
        int s7 = ci + 7 * ldc;
        c7_0.intoArray(c, s7); c7_1.intoArray(c, s7 + DL);
        int s8 = ci + 8 * ldc;
        c8_0.intoArray(c, s8); c8_1.intoArray(c, s8 + DL);
        int s9 = ci + 9 * ldc;
        c9_0.intoArray(c, s9); c9_1.intoArray(c, s9 + DL);
        int s10 = ci + 10 * ldc;
        c10_0.intoArray(c, s10); c10_1.intoArray(c, s10 + DL);
        int s11 = ci + 11 * ldc;
        c11_0.intoArray(c, s11); c11_1.intoArray(c, s11 + DL);
    }

    /*
     * The edge tiles of float64 products whose m or n is not a multiple of the tile (a 64-channel
     * convolution: 64 = 5·12 + 4 rows; 14×14 = 196 = 6·32 + 4 columns): the full kernel would do
     * three times the work needed there. They sum each element in the same order as kernelD, so
     * the results do not depend on which kernel a tile took.
     */

    /** Rows 0..h−1 (h ≤ 4) of an A panel times a full B panel, stored straight into C. */
    private static void kernelD4(int kc, double[] ap, int ai, double[] bp, int bi, int h, double[] c, int ci, int ldc,
                                 boolean acc) {
        DoubleVector c0_0 = DoubleVector.zero(DS), c0_1 = c0_0, c1_0 = c0_0, c1_1 = c0_0;
        DoubleVector c2_0 = c0_0, c2_1 = c0_0, c3_0 = c0_0, c3_1 = c0_0;
        for (int l = 0; l < kc; l++) {
            int bo = bi + l * DNR, ao = ai + l * MR;
            DoubleVector b0 = DoubleVector.fromArray(DS, bp, bo), b1 = DoubleVector.fromArray(DS, bp, bo + DL);
            DoubleVector x;
            x = DoubleVector.broadcast(DS, ap[ao]); c0_0 = x.fma(b0, c0_0); c0_1 = x.fma(b1, c0_1);
            x = DoubleVector.broadcast(DS, ap[ao + 1]); c1_0 = x.fma(b0, c1_0); c1_1 = x.fma(b1, c1_1);
            x = DoubleVector.broadcast(DS, ap[ao + 2]); c2_0 = x.fma(b0, c2_0); c2_1 = x.fma(b1, c2_1);
            x = DoubleVector.broadcast(DS, ap[ao + 3]); c3_0 = x.fma(b0, c3_0); c3_1 = x.fma(b1, c3_1);
        }
        storeD(c0_0, c0_1, c, ci, acc);
        if (h > 1) storeD(c1_0, c1_1, c, ci + ldc, acc);
        if (h > 2) storeD(c2_0, c2_1, c, ci + 2 * ldc, acc);
        if (h > 3) storeD(c3_0, c3_1, c, ci + 3 * ldc, acc);
    }

    private static void storeD(DoubleVector s0, DoubleVector s1, double[] c, int ci, boolean acc) {
        if (acc) {
            s0 = s0.add(DoubleVector.fromArray(DS, c, ci));
            s1 = s1.add(DoubleVector.fromArray(DS, c, ci + DL));
        }
        s0.intoArray(c, ci);
        s1.intoArray(c, ci + DL);
    }

    /** A full 12-row A panel times the first vector of a B panel (the lanes in {@code mask}), stored straight into C. */
    private static void kernelD12x1(int kc, double[] ap, int ai, double[] bp, int bi, VectorMask<Double> mask, double[] c,
                                    int ci, int ldc, boolean acc) {
        DoubleVector c0 = DoubleVector.zero(DS), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        DoubleVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int l = 0; l < kc; l++) {
            int ao = ai + l * MR;
            DoubleVector b0 = DoubleVector.fromArray(DS, bp, bi + l * DNR);
            c0 = DoubleVector.broadcast(DS, ap[ao]).fma(b0, c0);
            c1 = DoubleVector.broadcast(DS, ap[ao + 1]).fma(b0, c1);
            c2 = DoubleVector.broadcast(DS, ap[ao + 2]).fma(b0, c2);
            c3 = DoubleVector.broadcast(DS, ap[ao + 3]).fma(b0, c3);
            c4 = DoubleVector.broadcast(DS, ap[ao + 4]).fma(b0, c4);
            c5 = DoubleVector.broadcast(DS, ap[ao + 5]).fma(b0, c5);
            c6 = DoubleVector.broadcast(DS, ap[ao + 6]).fma(b0, c6);
            c7 = DoubleVector.broadcast(DS, ap[ao + 7]).fma(b0, c7);
            c8 = DoubleVector.broadcast(DS, ap[ao + 8]).fma(b0, c8);
            c9 = DoubleVector.broadcast(DS, ap[ao + 9]).fma(b0, c9);
            c10 = DoubleVector.broadcast(DS, ap[ao + 10]).fma(b0, c10);
            c11 = DoubleVector.broadcast(DS, ap[ao + 11]).fma(b0, c11);
        }
        storeD(c0, mask, c, ci, acc);
        storeD(c1, mask, c, ci + ldc, acc);
        storeD(c2, mask, c, ci + 2 * ldc, acc);
        storeD(c3, mask, c, ci + 3 * ldc, acc);
        storeD(c4, mask, c, ci + 4 * ldc, acc);
        storeD(c5, mask, c, ci + 5 * ldc, acc);
        storeD(c6, mask, c, ci + 6 * ldc, acc);
        storeD(c7, mask, c, ci + 7 * ldc, acc);
        storeD(c8, mask, c, ci + 8 * ldc, acc);
        storeD(c9, mask, c, ci + 9 * ldc, acc);
        storeD(c10, mask, c, ci + 10 * ldc, acc);
        storeD(c11, mask, c, ci + 11 * ldc, acc);
    }

    /** Columns of an edge panel up to which {@link #kernelD12xNarrow} takes it. */
    private static final int NARROW_EDGE = 4;
    /** The lanes of a panel step's MR values, when they fit one vector. */
    private static final VectorMask<Double> ROWS = DS.indexInRange(0, Math.min(MR, DL));

    /**
     * A full A panel times the first w ≤ {@value #NARROW_EDGE} columns of a B panel, stored straight
     * into C, with the panel's MR rows in the lanes of one vector (when MR ≤ DL): 4 FMAs a step where
     * kernelD12x1 takes MR (a group of four 7×7 planes is 196 = 6·32 + 4 columns, and its last 4
     * cost half a full panel). Each element is the same products summed in the same order as in
     * kernelD, so the same bits; the tile goes through t (MR·DNR) to C.
     */
    private static void kernelD12xNarrow(int kc, double[] ap, int ai, double[] bp, int bi, int w, double[] t, double[] c,
                                         int ci, int ldc, boolean acc) {
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0, s2 = s0, s3 = s0;
        for (int l = 0; l < kc; l++) {
            DoubleVector a = DoubleVector.fromArray(DS, ap, ai + l * MR, ROWS);
            int bo = bi + l * DNR;
            s0 = DoubleVector.broadcast(DS, bp[bo]).fma(a, s0);
            s1 = DoubleVector.broadcast(DS, bp[bo + 1]).fma(a, s1);
            s2 = DoubleVector.broadcast(DS, bp[bo + 2]).fma(a, s2);
            s3 = DoubleVector.broadcast(DS, bp[bo + 3]).fma(a, s3);
        }
        s0.intoArray(t, 0);
        s1.intoArray(t, DL);
        s2.intoArray(t, 2 * DL);
        s3.intoArray(t, 3 * DL);
        for (int r = 0; r < MR; r++, ci += ldc) {
            for (int jj = 0; jj < w; jj++) c[ci + jj] = acc ? c[ci + jj] + t[jj * DL + r] : t[jj * DL + r];
        }
    }

    /**
     * Two full A panels of 4 rows (a 128-bit vector a step each) times the first w ≤ {@value #NARROW_EDGE}
     * columns of a B panel, stored straight into C: eight independent sums where kernelD12xNarrow
     * has four, which FMA's latency holds to one FMA a cycle. The same products summed in the same
     * order as kernelD4, so the same bits; the two tiles go through t to C.
     */
    private static void kernelD4xNarrowPair(int kc, double[] ap, int ai, int ai2, double[] bp, int bi, int w, double[] t,
                                            double[] c, int ci, int ldc, boolean acc) {
        VectorSpecies<Double> rows = DoubleJob.STEP;
        DoubleVector p0 = DoubleVector.zero(rows), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
        for (int l = 0; l < kc; l++) {
            DoubleVector a = DoubleVector.fromArray(rows, ap, ai + l * MR), a2 = DoubleVector.fromArray(rows, ap, ai2 + l * MR);
            int bo = bi + l * DNR;
            DoubleVector b = DoubleVector.broadcast(rows, bp[bo]);
            p0 = b.fma(a, p0);
            q0 = b.fma(a2, q0);
            b = DoubleVector.broadcast(rows, bp[bo + 1]);
            p1 = b.fma(a, p1);
            q1 = b.fma(a2, q1);
            b = DoubleVector.broadcast(rows, bp[bo + 2]);
            p2 = b.fma(a, p2);
            q2 = b.fma(a2, q2);
            b = DoubleVector.broadcast(rows, bp[bo + 3]);
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

    private static void storeD(DoubleVector s, VectorMask<Double> mask, double[] c, int ci, boolean acc) {
        (acc ? s.add(DoubleVector.fromArray(DS, c, ci, mask)) : s).intoArray(c, ci, mask);
    }
}
