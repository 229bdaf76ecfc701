package dev.nabla.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD {@link Gemm}, written with the JDK Vector API ({@code jdk.incubator.vector}); only
 * {@link Kernels} names it, by reflection, so the module is needed only when it is chosen.
 *
 * <p>Large products follow GotoBLAS/BLIS: k is cut into blocks of at most {@value #KC}; for each
 * block, B is packed once into column panels {@code NR} = two vectors wide (shared by all threads)
 * and every tile of C packs its rows of A into panels {@link #MR} rows tall (in a buffer of its
 * thread), then a register-blocked micro-kernel keeps an MR×NR tile of C in 2·MR vector registers,
 * streams the k block with FMAs, and adds the result to C once per block. Panels are zero-padded,
 * so the kernel always runs full; partial tiles at the edges go through a small buffer.
 * Small products (m·n·k up to {@value #SMALL}) take a direct, unpacked path, and a batch of small
 * products is spread over threads by batch item.
 *
 * <p>Every element of C is summed over k in a fixed order that depends only on k (the blocking)
 * and on the size class of the product, never on the thread count: threads only choose which
 * tiles of C they compute.
 */
public final class VectorGemm implements Gemm {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int FL = FS.length();
    private static final int DL = DS.length();
    /** Rows of the micro-tile. */
    static final int MR = 12;
    /** Columns of the micro-tile: two vectors. */
    private static final int FNR = 2 * FL;
    private static final int DNR = 2 * DL;
    /** Largest k block; fixed, since the summation order depends on it. */
    static final int KC = Integer.getInteger("nabla.gemm.kc", 256);
    /** Largest number of rows and columns of C in one tile (one parallel task). */
    private static final int MC = Integer.getInteger("nabla.gemm.mc", 144);
    private static final int NC = Integer.getInteger("nabla.gemm.nc", 1024);
    /** m·n·k at or below which the direct path is used. */
    static final long SMALL = Long.getLong("nabla.gemm.small", 40_000L);
    /** Multiply-adds worth one parallel task. */
    private static final long PAR_WORK = 1L << 18;
    /** m·n·k below which a batch is spread over threads by item rather than by tiles. */
    private static final long BATCH_WORK = 1L << 24;
    private static final boolean JR_OUTER = Boolean.parseBoolean(System.getProperty("nabla.gemm.jrouter", "true"));

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    public VectorGemm() {}

    @Override
    public void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int aBatchStride, int lda,
                      float[] b, int bOff, int bBatchStride, int ldb,
                      float beta, float[] c, int cOff, int cBatchStride, int ldc) {
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
        if (batch > 1 && work < BATCH_WORK) {
            int grain = (int) Math.max(1, Math.min(batch, PAR_WORK / work));
            Parallel.forRange(batch, grain, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    run(new FloatJob(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda,
                            b, bOff + p * bBatchStride, ldb, acc, c, cOff + p * cBatchStride, ldc), false);
                }
            });
        } else {
            for (int p = 0; p < batch; p++) {
                run(new FloatJob(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda,
                        b, bOff + p * bBatchStride, ldb, acc, c, cOff + p * cBatchStride, ldc), true);
            }
        }
    }

    @Override
    public void dgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, int aBatchStride, int lda,
                      double[] b, int bOff, int bBatchStride, int ldb,
                      double beta, double[] c, int cOff, int cBatchStride, int ldc) {
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
        if (batch > 1 && work < BATCH_WORK) {
            int grain = (int) Math.max(1, Math.min(batch, PAR_WORK / work));
            Parallel.forRange(batch, grain, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    run(new DoubleJob(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda,
                            b, bOff + p * bBatchStride, ldb, acc, c, cOff + p * cBatchStride, ldc), false);
                }
            });
        } else {
            for (int p = 0; p < batch; p++) {
                run(new DoubleJob(transA, transB, m, n, k, a, aOff + p * aBatchStride, lda,
                        b, bOff + p * bBatchStride, ldb, acc, c, cOff + p * cBatchStride, ldc), true);
            }
        }
    }

    /** The k block for a given k: the blocks are balanced and depend on k alone. */
    static int kBlock(int k) {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** One product of the batch, in the type-independent part: size class, blocking, tiling. */
    private static void run(Job job, boolean parallel) {
        final int m = job.m, n = job.n, k = job.k, nr = job.nr;
        if ((long) m * n * k <= SMALL) {
            job.small();
            return;
        }
        final int kcb = kBlock(k);
        final int rowPanels = ceilDiv(m, MR), colPanels = ceilDiv(n, nr);
        final int threads = parallel ? Parallel.threads() : 1;
        // Tiles of C: mcP row panels × ncP column panels. They change which thread computes what,
        // never the order of a sum, so they may depend on the thread count.
        int ncP = Math.max(1, Math.min(colPanels, NC / nr));
        int nJt = ceilDiv(colPanels, ncP);
        int mcP = Math.max(1, Math.min(rowPanels, MC / MR));
        if (threads > 1) {
            int want = 4 * threads;
            mcP = Math.max(1, Math.min(mcP, ceilDiv(rowPanels, ceilDiv(want, nJt))));
            int nIt = ceilDiv(rowPanels, mcP);
            if (nIt * nJt < want) {  // few rows: split the columns too (each tile repacks its A rows)
                ncP = Math.max(1, Math.min(ncP, ceilDiv(colPanels, ceilDiv(want, nIt))));
                nJt = ceilDiv(colPanels, ncP);
            }
        }
        final int rowTiles = ceilDiv(rowPanels, mcP), tiles = rowTiles * nJt;
        final int mcPanels = mcP, ncPanels = ncP;
        job.allocB(kcb * colPanels * nr);
        for (int pc = 0; pc < k; pc += kcb) {
            final int p = pc, kc = Math.min(kcb, k - pc);
            final boolean accum = job.acc || pc > 0;
            if (threads > 1 && (long) kc * n >= 2 * PAR_WORK / 16) {
                int grain = Math.max(1, (int) (PAR_WORK / 16 / ((long) kc * nr)));
                Parallel.forRange(colPanels, grain, (p0, p1) -> job.packB(p, kc, p0, p1));
            } else {
                job.packB(p, kc, 0, colPanels);
            }
            Parallel.RangeBody body = (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    int it = t % rowTiles, jt = t / rowTiles;
                    job.tile(p, kc, accum, it * mcPanels, Math.min(rowPanels, (it + 1) * mcPanels),
                            jt * ncPanels, Math.min(colPanels, (jt + 1) * ncPanels));
                }
            };
            if (threads > 1 && tiles > 1) Parallel.forRange(tiles, 1, body);
            else body.run(0, tiles);
        }
    }

    /** One product C = (C +) op(A)·op(B) with its operands; the hot loops live in the subclasses. */
    private abstract static class Job {
        final boolean tA, tB, acc;
        final int m, n, k, aOff, lda, bOff, ldb, cOff, ldc, nr;

        Job(boolean tA, boolean tB, int m, int n, int k, int aOff, int lda, int bOff, int ldb,
            boolean acc, int cOff, int ldc, int nr) {
            this.tA = tA;
            this.tB = tB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.aOff = aOff;
            this.lda = lda;
            this.bOff = bOff;
            this.ldb = ldb;
            this.acc = acc;
            this.cOff = cOff;
            this.ldc = ldc;
            this.nr = nr;
        }

        /** The direct path for small products. */
        abstract void small();

        /** Takes the calling thread's B buffer, of at least {@code size} elements. */
        abstract void allocB(int size);

        /** Packs rows [pc, pc+kc) of op(B), column panels [p0, p1), into the B buffer. */
        abstract void packB(int pc, int kc, int p0, int p1);

        /** Packs row panels [ip0, ip1) of op(A) for this k block and updates their tile of C. */
        abstract void tile(int pc, int kc, boolean accum, int ip0, int ip1, int jp0, int jp1);
    }

    /** Per-thread packing buffers, grown on demand and kept. */
    private static final class Buffers {
        float[] fa = new float[0], fb = new float[0], fs = new float[0];
        final float[] ft = new float[MR * FNR];
        double[] da = new double[0], db = new double[0], ds = new double[0];
        final double[] dt = new double[MR * DNR];

        float[] fa(int size) {
            if (fa.length < size) fa = new float[size];
            return fa;
        }

        float[] fb(int size) {
            if (fb.length < size) fb = new float[size];
            return fb;
        }

        float[] fs(int size) {
            if (fs.length < size) fs = new float[size];
            return fs;
        }

        double[] da(int size) {
            if (da.length < size) da = new double[size];
            return da;
        }

        double[] db(int size) {
            if (db.length < size) db = new double[size];
            return db;
        }

        double[] ds(int size) {
            if (ds.length < size) ds = new double[size];
            return ds;
        }
    }

    private static final class FloatJob extends Job {
        final float[] a, b, c;
        float[] bp;

        FloatJob(boolean tA, boolean tB, int m, int n, int k, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, boolean acc, float[] c, int cOff, int ldc) {
            super(tA, tB, m, n, k, aOff, lda, bOff, ldb, acc, cOff, ldc, FNR);
            this.a = a;
            this.b = b;
            this.c = c;
        }

        @Override
        void allocB(int size) {
            bp = BUFFERS.get().fb(size);
        }

        @Override
        void packB(int pc, int kc, int p0, int p1) {
            final float[] b = this.b, bp = this.bp;
            for (int p = p0; p < p1; p++) {
                int j = p * FNR, w = Math.min(FNR, n - j), d = p * kc * FNR;
                if (!tB) {
                    int s = bOff + pc * ldb + j;
                    if (w == FNR) {
                        for (int l = 0; l < kc; l++, s += ldb, d += FNR) {
                            FloatVector.fromArray(FS, b, s).intoArray(bp, d);
                            FloatVector.fromArray(FS, b, s + FL).intoArray(bp, d + FL);
                        }
                    } else {
                        for (int l = 0; l < kc; l++, s += ldb, d += FNR) {
                            for (int jj = 0; jj < w; jj++) bp[d + jj] = b[s + jj];
                            for (int jj = w; jj < FNR; jj++) bp[d + jj] = 0f;
                        }
                    }
                } else {
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
                    for (int r = 0; r < h; r++) ap[d + r] = a[s + r];
                    for (int r = h; r < MR; r++) ap[d + r] = 0f;
                }
            }
        }

        @Override
        void tile(int pc, int kc, boolean accum, int ip0, int ip1, int jp0, int jp1) {
            Buffers buf = BUFFERS.get();
            float[] ap = buf.fa((ip1 - ip0) * MR * kc), tmp = buf.ft, bp = this.bp, c = this.c;
            for (int q = ip0; q < ip1; q++) {
                packA(q * MR, Math.min(MR, m - q * MR), pc, kc, ap, (q - ip0) * MR * kc);
            }
            if (JR_OUTER) {
                for (int jp = jp0; jp < jp1; jp++) {
                    int j = jp * FNR, w = Math.min(FNR, n - j), bi = jp * kc * FNR;
                    for (int q = ip0; q < ip1; q++) {
                        int i = q * MR, h = Math.min(MR, m - i), ai = (q - ip0) * MR * kc;
                        if (h == MR && w == FNR) {
                            kernelF(kc, ap, ai, bp, bi, c, cOff + i * ldc + j, ldc, accum);
                        } else {
                            kernelF(kc, ap, ai, bp, bi, tmp, 0, FNR, false);
                            edge(tmp, h, w, cOff + i * ldc + j, accum);
                        }
                    }
                }
            } else {
                for (int q = ip0; q < ip1; q++) {
                    int i = q * MR, h = Math.min(MR, m - i), ai = (q - ip0) * MR * kc;
                    for (int jp = jp0; jp < jp1; jp++) {
                        int j = jp * FNR, w = Math.min(FNR, n - j), bi = jp * kc * FNR;
                        if (h == MR && w == FNR) {
                            kernelF(kc, ap, ai, bp, bi, c, cOff + i * ldc + j, ldc, accum);
                        } else {
                            kernelF(kc, ap, ai, bp, bi, tmp, 0, FNR, false);
                            edge(tmp, h, w, cOff + i * ldc + j, accum);
                        }
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
        void small() {
            float[] b = this.b;
            int bo = bOff, lb = ldb;
            if (tB) {  // copy op(B) into a row-major k×n array, so rows of B are vectors
                float[] t = BUFFERS.get().fs(k * n);
                for (int j = 0; j < n; j++) {
                    int s = bOff + j * ldb;
                    for (int l = 0; l < k; l++) t[l * n + j] = b[s + l];
                }
                b = t;
                bo = 0;
                lb = n;
            }
            int sa = tA ? lda : 1, ra = tA ? 1 : lda;  // steps of A along l and along i
            int i = 0;
            for (; i + 4 <= m; i += 4) smallRows4(i, sa, ra, b, bo, lb);
            for (; i < m; i++) smallRow(i, sa, ra, b, bo, lb);
        }

        private void smallRows4(int i, int sa, int ra, float[] b, int bo, int lb) {
            final float[] a = this.a, c = this.c;
            final int a0 = aOff + i * ra, a1 = a0 + ra, a2 = a1 + ra, a3 = a2 + ra;
            final int c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            for (int j = 0; j < n; j += FL) {
                VectorMask<Float> mask = FS.indexInRange(j, n);
                FloatVector s0 = FloatVector.zero(FS), s1 = s0, s2 = s0, s3 = s0;
                for (int l = 0; l < k; l++) {
                    FloatVector bv = FloatVector.fromArray(FS, b, bo + l * lb + j, mask);
                    int o = l * sa;
                    s0 = FloatVector.broadcast(FS, a[a0 + o]).fma(bv, s0);
                    s1 = FloatVector.broadcast(FS, a[a1 + o]).fma(bv, s1);
                    s2 = FloatVector.broadcast(FS, a[a2 + o]).fma(bv, s2);
                    s3 = FloatVector.broadcast(FS, a[a3 + o]).fma(bv, s3);
                }
                if (acc) {
                    s0 = s0.add(FloatVector.fromArray(FS, c, c0 + j, mask));
                    s1 = s1.add(FloatVector.fromArray(FS, c, c1 + j, mask));
                    s2 = s2.add(FloatVector.fromArray(FS, c, c2 + j, mask));
                    s3 = s3.add(FloatVector.fromArray(FS, c, c3 + j, mask));
                }
                s0.intoArray(c, c0 + j, mask);
                s1.intoArray(c, c1 + j, mask);
                s2.intoArray(c, c2 + j, mask);
                s3.intoArray(c, c3 + j, mask);
            }
        }

        private void smallRow(int i, int sa, int ra, float[] b, int bo, int lb) {
            final float[] a = this.a, c = this.c;
            final int a0 = aOff + i * ra, c0 = cOff + i * ldc;
            for (int j = 0; j < n; j += FL) {
                VectorMask<Float> mask = FS.indexInRange(j, n);
                FloatVector s0 = FloatVector.zero(FS);
                for (int l = 0; l < k; l++) {
                    FloatVector bv = FloatVector.fromArray(FS, b, bo + l * lb + j, mask);
                    s0 = FloatVector.broadcast(FS, a[a0 + l * sa]).fma(bv, s0);
                }
                if (acc) s0 = s0.add(FloatVector.fromArray(FS, c, c0 + j, mask));
                s0.intoArray(c, c0 + j, mask);
            }
        }
    }

    /**
     * The 12×FNR micro-kernel: C[12×FNR] (+)= A-panel·B-panel over kc steps. The A panel
     * holds 12 values per step, the B panel FNR; the tile of C stays in 24 registers.
     */
    private static void kernelF(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean acc) {
        FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS);
        FloatVector c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS);
        FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS);
        FloatVector c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS);
        FloatVector c40 = FloatVector.zero(FS), c41 = FloatVector.zero(FS);
        FloatVector c50 = FloatVector.zero(FS), c51 = FloatVector.zero(FS);
        FloatVector c60 = FloatVector.zero(FS), c61 = FloatVector.zero(FS);
        FloatVector c70 = FloatVector.zero(FS), c71 = FloatVector.zero(FS);
        FloatVector c80 = FloatVector.zero(FS), c81 = FloatVector.zero(FS);
        FloatVector c90 = FloatVector.zero(FS), c91 = FloatVector.zero(FS);
        FloatVector c100 = FloatVector.zero(FS), c101 = FloatVector.zero(FS);
        FloatVector c110 = FloatVector.zero(FS), c111 = FloatVector.zero(FS);
        for (int l = 0; l < kc; l++) {
            int bo = bi + l * FNR, ao = ai + l * MR;
            FloatVector b0 = FloatVector.fromArray(FS, bp, bo), b1 = FloatVector.fromArray(FS, bp, bo + FL);
            FloatVector x;
            x = FloatVector.broadcast(FS, ap[ao + 0]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(FS, ap[ao + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(FS, ap[ao + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(FS, ap[ao + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(FS, ap[ao + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(FS, ap[ao + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(FS, ap[ao + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(FS, ap[ao + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(FS, ap[ao + 8]); c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(FS, ap[ao + 9]); c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(FS, ap[ao + 10]); c100 = x.fma(b0, c100); c101 = x.fma(b1, c101);
            x = FloatVector.broadcast(FS, ap[ao + 11]); c110 = x.fma(b0, c110); c111 = x.fma(b1, c111);
        }
        if (acc) {
            int r0 = ci;
            c00 = c00.add(FloatVector.fromArray(FS, c, r0)); c01 = c01.add(FloatVector.fromArray(FS, c, r0 + FL));
            int r1 = ci + 1 * ldc;
            c10 = c10.add(FloatVector.fromArray(FS, c, r1)); c11 = c11.add(FloatVector.fromArray(FS, c, r1 + FL));
            int r2 = ci + 2 * ldc;
            c20 = c20.add(FloatVector.fromArray(FS, c, r2)); c21 = c21.add(FloatVector.fromArray(FS, c, r2 + FL));
            int r3 = ci + 3 * ldc;
            c30 = c30.add(FloatVector.fromArray(FS, c, r3)); c31 = c31.add(FloatVector.fromArray(FS, c, r3 + FL));
            int r4 = ci + 4 * ldc;
            c40 = c40.add(FloatVector.fromArray(FS, c, r4)); c41 = c41.add(FloatVector.fromArray(FS, c, r4 + FL));
            int r5 = ci + 5 * ldc;
            c50 = c50.add(FloatVector.fromArray(FS, c, r5)); c51 = c51.add(FloatVector.fromArray(FS, c, r5 + FL));
            int r6 = ci + 6 * ldc;
            c60 = c60.add(FloatVector.fromArray(FS, c, r6)); c61 = c61.add(FloatVector.fromArray(FS, c, r6 + FL));
            int r7 = ci + 7 * ldc;
            c70 = c70.add(FloatVector.fromArray(FS, c, r7)); c71 = c71.add(FloatVector.fromArray(FS, c, r7 + FL));
            int r8 = ci + 8 * ldc;
            c80 = c80.add(FloatVector.fromArray(FS, c, r8)); c81 = c81.add(FloatVector.fromArray(FS, c, r8 + FL));
            int r9 = ci + 9 * ldc;
            c90 = c90.add(FloatVector.fromArray(FS, c, r9)); c91 = c91.add(FloatVector.fromArray(FS, c, r9 + FL));
            int r10 = ci + 10 * ldc;
            c100 = c100.add(FloatVector.fromArray(FS, c, r10)); c101 = c101.add(FloatVector.fromArray(FS, c, r10 + FL));
            int r11 = ci + 11 * ldc;
            c110 = c110.add(FloatVector.fromArray(FS, c, r11)); c111 = c111.add(FloatVector.fromArray(FS, c, r11 + FL));
        }
        int s0 = ci;
        c00.intoArray(c, s0); c01.intoArray(c, s0 + FL);
        int s1 = ci + 1 * ldc;
        c10.intoArray(c, s1); c11.intoArray(c, s1 + FL);
        int s2 = ci + 2 * ldc;
        c20.intoArray(c, s2); c21.intoArray(c, s2 + FL);
        int s3 = ci + 3 * ldc;
        c30.intoArray(c, s3); c31.intoArray(c, s3 + FL);
        int s4 = ci + 4 * ldc;
        c40.intoArray(c, s4); c41.intoArray(c, s4 + FL);
        int s5 = ci + 5 * ldc;
        c50.intoArray(c, s5); c51.intoArray(c, s5 + FL);
        int s6 = ci + 6 * ldc;
        c60.intoArray(c, s6); c61.intoArray(c, s6 + FL);
        int s7 = ci + 7 * ldc;
        c70.intoArray(c, s7); c71.intoArray(c, s7 + FL);
        int s8 = ci + 8 * ldc;
        c80.intoArray(c, s8); c81.intoArray(c, s8 + FL);
        int s9 = ci + 9 * ldc;
        c90.intoArray(c, s9); c91.intoArray(c, s9 + FL);
        int s10 = ci + 10 * ldc;
        c100.intoArray(c, s10); c101.intoArray(c, s10 + FL);
        int s11 = ci + 11 * ldc;
        c110.intoArray(c, s11); c111.intoArray(c, s11 + FL);
    }

    private static final class DoubleJob extends Job {
        final double[] a, b, c;
        double[] bp;

        DoubleJob(boolean tA, boolean tB, int m, int n, int k, double[] a, int aOff, int lda,
                 double[] b, int bOff, int ldb, boolean acc, double[] c, int cOff, int ldc) {
            super(tA, tB, m, n, k, aOff, lda, bOff, ldb, acc, cOff, ldc, DNR);
            this.a = a;
            this.b = b;
            this.c = c;
        }

        @Override
        void allocB(int size) {
            bp = BUFFERS.get().db(size);
        }

        @Override
        void packB(int pc, int kc, int p0, int p1) {
            final double[] b = this.b, bp = this.bp;
            for (int p = p0; p < p1; p++) {
                int j = p * DNR, w = Math.min(DNR, n - j), d = p * kc * DNR;
                if (!tB) {
                    int s = bOff + pc * ldb + j;
                    if (w == DNR) {
                        for (int l = 0; l < kc; l++, s += ldb, d += DNR) {
                            DoubleVector.fromArray(DS, b, s).intoArray(bp, d);
                            DoubleVector.fromArray(DS, b, s + DL).intoArray(bp, d + DL);
                        }
                    } else {
                        for (int l = 0; l < kc; l++, s += ldb, d += DNR) {
                            for (int jj = 0; jj < w; jj++) bp[d + jj] = b[s + jj];
                            for (int jj = w; jj < DNR; jj++) bp[d + jj] = 0d;
                        }
                    }
                } else {
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
                    for (int r = 0; r < h; r++) ap[d + r] = a[s + r];
                    for (int r = h; r < MR; r++) ap[d + r] = 0d;
                }
            }
        }

        @Override
        void tile(int pc, int kc, boolean accum, int ip0, int ip1, int jp0, int jp1) {
            Buffers buf = BUFFERS.get();
            double[] ap = buf.da((ip1 - ip0) * MR * kc), tmp = buf.dt, bp = this.bp, c = this.c;
            for (int q = ip0; q < ip1; q++) {
                packA(q * MR, Math.min(MR, m - q * MR), pc, kc, ap, (q - ip0) * MR * kc);
            }
            if (JR_OUTER) {
                for (int jp = jp0; jp < jp1; jp++) {
                    int j = jp * DNR, w = Math.min(DNR, n - j), bi = jp * kc * DNR;
                    for (int q = ip0; q < ip1; q++) {
                        int i = q * MR, h = Math.min(MR, m - i), ai = (q - ip0) * MR * kc;
                        if (h == MR && w == DNR) {
                            kernelD(kc, ap, ai, bp, bi, c, cOff + i * ldc + j, ldc, accum);
                        } else {
                            kernelD(kc, ap, ai, bp, bi, tmp, 0, DNR, false);
                            edge(tmp, h, w, cOff + i * ldc + j, accum);
                        }
                    }
                }
            } else {
                for (int q = ip0; q < ip1; q++) {
                    int i = q * MR, h = Math.min(MR, m - i), ai = (q - ip0) * MR * kc;
                    for (int jp = jp0; jp < jp1; jp++) {
                        int j = jp * DNR, w = Math.min(DNR, n - j), bi = jp * kc * DNR;
                        if (h == MR && w == DNR) {
                            kernelD(kc, ap, ai, bp, bi, c, cOff + i * ldc + j, ldc, accum);
                        } else {
                            kernelD(kc, ap, ai, bp, bi, tmp, 0, DNR, false);
                            edge(tmp, h, w, cOff + i * ldc + j, accum);
                        }
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
        void small() {
            double[] b = this.b;
            int bo = bOff, lb = ldb;
            if (tB) {  // copy op(B) into a row-major k×n array, so rows of B are vectors
                double[] t = BUFFERS.get().ds(k * n);
                for (int j = 0; j < n; j++) {
                    int s = bOff + j * ldb;
                    for (int l = 0; l < k; l++) t[l * n + j] = b[s + l];
                }
                b = t;
                bo = 0;
                lb = n;
            }
            int sa = tA ? lda : 1, ra = tA ? 1 : lda;  // steps of A along l and along i
            int i = 0;
            for (; i + 4 <= m; i += 4) smallRows4(i, sa, ra, b, bo, lb);
            for (; i < m; i++) smallRow(i, sa, ra, b, bo, lb);
        }

        private void smallRows4(int i, int sa, int ra, double[] b, int bo, int lb) {
            final double[] a = this.a, c = this.c;
            final int a0 = aOff + i * ra, a1 = a0 + ra, a2 = a1 + ra, a3 = a2 + ra;
            final int c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            for (int j = 0; j < n; j += DL) {
                VectorMask<Double> mask = DS.indexInRange(j, n);
                DoubleVector s0 = DoubleVector.zero(DS), s1 = s0, s2 = s0, s3 = s0;
                for (int l = 0; l < k; l++) {
                    DoubleVector bv = DoubleVector.fromArray(DS, b, bo + l * lb + j, mask);
                    int o = l * sa;
                    s0 = DoubleVector.broadcast(DS, a[a0 + o]).fma(bv, s0);
                    s1 = DoubleVector.broadcast(DS, a[a1 + o]).fma(bv, s1);
                    s2 = DoubleVector.broadcast(DS, a[a2 + o]).fma(bv, s2);
                    s3 = DoubleVector.broadcast(DS, a[a3 + o]).fma(bv, s3);
                }
                if (acc) {
                    s0 = s0.add(DoubleVector.fromArray(DS, c, c0 + j, mask));
                    s1 = s1.add(DoubleVector.fromArray(DS, c, c1 + j, mask));
                    s2 = s2.add(DoubleVector.fromArray(DS, c, c2 + j, mask));
                    s3 = s3.add(DoubleVector.fromArray(DS, c, c3 + j, mask));
                }
                s0.intoArray(c, c0 + j, mask);
                s1.intoArray(c, c1 + j, mask);
                s2.intoArray(c, c2 + j, mask);
                s3.intoArray(c, c3 + j, mask);
            }
        }

        private void smallRow(int i, int sa, int ra, double[] b, int bo, int lb) {
            final double[] a = this.a, c = this.c;
            final int a0 = aOff + i * ra, c0 = cOff + i * ldc;
            for (int j = 0; j < n; j += DL) {
                VectorMask<Double> mask = DS.indexInRange(j, n);
                DoubleVector s0 = DoubleVector.zero(DS);
                for (int l = 0; l < k; l++) {
                    DoubleVector bv = DoubleVector.fromArray(DS, b, bo + l * lb + j, mask);
                    s0 = DoubleVector.broadcast(DS, a[a0 + l * sa]).fma(bv, s0);
                }
                if (acc) s0 = s0.add(DoubleVector.fromArray(DS, c, c0 + j, mask));
                s0.intoArray(c, c0 + j, mask);
            }
        }
    }

    /**
     * The 12×DNR micro-kernel: C[12×DNR] (+)= A-panel·B-panel over kc steps. The A panel
     * holds 12 values per step, the B panel DNR; the tile of C stays in 24 registers.
     */
    private static void kernelD(int kc, double[] ap, int ai, double[] bp, int bi, double[] c, int ci, int ldc, boolean acc) {
        DoubleVector c00 = DoubleVector.zero(DS), c01 = DoubleVector.zero(DS);
        DoubleVector c10 = DoubleVector.zero(DS), c11 = DoubleVector.zero(DS);
        DoubleVector c20 = DoubleVector.zero(DS), c21 = DoubleVector.zero(DS);
        DoubleVector c30 = DoubleVector.zero(DS), c31 = DoubleVector.zero(DS);
        DoubleVector c40 = DoubleVector.zero(DS), c41 = DoubleVector.zero(DS);
        DoubleVector c50 = DoubleVector.zero(DS), c51 = DoubleVector.zero(DS);
        DoubleVector c60 = DoubleVector.zero(DS), c61 = DoubleVector.zero(DS);
        DoubleVector c70 = DoubleVector.zero(DS), c71 = DoubleVector.zero(DS);
        DoubleVector c80 = DoubleVector.zero(DS), c81 = DoubleVector.zero(DS);
        DoubleVector c90 = DoubleVector.zero(DS), c91 = DoubleVector.zero(DS);
        DoubleVector c100 = DoubleVector.zero(DS), c101 = DoubleVector.zero(DS);
        DoubleVector c110 = DoubleVector.zero(DS), c111 = DoubleVector.zero(DS);
        for (int l = 0; l < kc; l++) {
            int bo = bi + l * DNR, ao = ai + l * MR;
            DoubleVector b0 = DoubleVector.fromArray(DS, bp, bo), b1 = DoubleVector.fromArray(DS, bp, bo + DL);
            DoubleVector x;
            x = DoubleVector.broadcast(DS, ap[ao + 0]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(DS, ap[ao + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(DS, ap[ao + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(DS, ap[ao + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(DS, ap[ao + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(DS, ap[ao + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = DoubleVector.broadcast(DS, ap[ao + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = DoubleVector.broadcast(DS, ap[ao + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = DoubleVector.broadcast(DS, ap[ao + 8]); c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = DoubleVector.broadcast(DS, ap[ao + 9]); c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = DoubleVector.broadcast(DS, ap[ao + 10]); c100 = x.fma(b0, c100); c101 = x.fma(b1, c101);
            x = DoubleVector.broadcast(DS, ap[ao + 11]); c110 = x.fma(b0, c110); c111 = x.fma(b1, c111);
        }
        if (acc) {
            int r0 = ci;
            c00 = c00.add(DoubleVector.fromArray(DS, c, r0)); c01 = c01.add(DoubleVector.fromArray(DS, c, r0 + DL));
            int r1 = ci + 1 * ldc;
            c10 = c10.add(DoubleVector.fromArray(DS, c, r1)); c11 = c11.add(DoubleVector.fromArray(DS, c, r1 + DL));
            int r2 = ci + 2 * ldc;
            c20 = c20.add(DoubleVector.fromArray(DS, c, r2)); c21 = c21.add(DoubleVector.fromArray(DS, c, r2 + DL));
            int r3 = ci + 3 * ldc;
            c30 = c30.add(DoubleVector.fromArray(DS, c, r3)); c31 = c31.add(DoubleVector.fromArray(DS, c, r3 + DL));
            int r4 = ci + 4 * ldc;
            c40 = c40.add(DoubleVector.fromArray(DS, c, r4)); c41 = c41.add(DoubleVector.fromArray(DS, c, r4 + DL));
            int r5 = ci + 5 * ldc;
            c50 = c50.add(DoubleVector.fromArray(DS, c, r5)); c51 = c51.add(DoubleVector.fromArray(DS, c, r5 + DL));
            int r6 = ci + 6 * ldc;
            c60 = c60.add(DoubleVector.fromArray(DS, c, r6)); c61 = c61.add(DoubleVector.fromArray(DS, c, r6 + DL));
            int r7 = ci + 7 * ldc;
            c70 = c70.add(DoubleVector.fromArray(DS, c, r7)); c71 = c71.add(DoubleVector.fromArray(DS, c, r7 + DL));
            int r8 = ci + 8 * ldc;
            c80 = c80.add(DoubleVector.fromArray(DS, c, r8)); c81 = c81.add(DoubleVector.fromArray(DS, c, r8 + DL));
            int r9 = ci + 9 * ldc;
            c90 = c90.add(DoubleVector.fromArray(DS, c, r9)); c91 = c91.add(DoubleVector.fromArray(DS, c, r9 + DL));
            int r10 = ci + 10 * ldc;
            c100 = c100.add(DoubleVector.fromArray(DS, c, r10)); c101 = c101.add(DoubleVector.fromArray(DS, c, r10 + DL));
            int r11 = ci + 11 * ldc;
            c110 = c110.add(DoubleVector.fromArray(DS, c, r11)); c111 = c111.add(DoubleVector.fromArray(DS, c, r11 + DL));
        }
        int s0 = ci;
        c00.intoArray(c, s0); c01.intoArray(c, s0 + DL);
        int s1 = ci + 1 * ldc;
        c10.intoArray(c, s1); c11.intoArray(c, s1 + DL);
        int s2 = ci + 2 * ldc;
        c20.intoArray(c, s2); c21.intoArray(c, s2 + DL);
        int s3 = ci + 3 * ldc;
        c30.intoArray(c, s3); c31.intoArray(c, s3 + DL);
        int s4 = ci + 4 * ldc;
        c40.intoArray(c, s4); c41.intoArray(c, s4 + DL);
        int s5 = ci + 5 * ldc;
        c50.intoArray(c, s5); c51.intoArray(c, s5 + DL);
        int s6 = ci + 6 * ldc;
        c60.intoArray(c, s6); c61.intoArray(c, s6 + DL);
        int s7 = ci + 7 * ldc;
        c70.intoArray(c, s7); c71.intoArray(c, s7 + DL);
        int s8 = ci + 8 * ldc;
        c80.intoArray(c, s8); c81.intoArray(c, s8 + DL);
        int s9 = ci + 9 * ldc;
        c90.intoArray(c, s9); c91.intoArray(c, s9 + DL);
        int s10 = ci + 10 * ldc;
        c100.intoArray(c, s10); c101.intoArray(c, s10 + DL);
        int s11 = ci + 11 * ldc;
        c110.intoArray(c, s11); c111.intoArray(c, s11 + DL);
    }
}
