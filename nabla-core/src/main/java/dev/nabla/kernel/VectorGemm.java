package dev.nabla.kernel;

import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.FloatVector;

/**
 * The SIMD {@link Gemm}, written with the JDK Vector API ({@code jdk.incubator.vector}); only
 * {@link KernelProvider} names it, by reflection, so the module is needed only when it is chosen.
 *
 * <p>Large products follow GotoBLAS/BLIS. k is cut into balanced blocks of at most {@value #KC}.
 * B is packed once, in parallel when the product is, into column panels NR = two vectors wide
 * for all k blocks, in the calling thread's buffer that all threads read; then each tile of C
 * (a parallel task) walks the k blocks, packs its rows of A into panels {@link #MR} rows tall
 * (in its thread's buffer) and runs
 * a register-blocked micro-kernel that keeps an MR×NR tile of C in 2·MR vector registers, streams
 * the k block with FMAs (broadcast A, vectors of B) and adds the result to C once per block.
 * On several threads, each thread packs what it reads itself where that is cheap: when C has too
 * few rows for tiles of at least {@value #MIN_TILE_ROWS} rows each and at least twice as many
 * columns as rows, all of A (the tiles then take all the rows, split the columns and pack their own
 * panels of B); else, while B is small (at most {@value #OWN_B} elements packed), all of B.
 * Panels are zero-padded, so the kernel always runs full; partial tiles at the edges go through a
 * small buffer, except float32 ones of at most 4 rows or one vector of columns, which have kernels of
 * their own (a 64-channel convolution's 64 = 5·12 + 4 rows would otherwise cost 6 full panels).
 * Packing buffers are per thread and kept up to {@value #KEEP} elements; a larger one is used once.
 * A batch whose items share A (batch stride 0, as a convolution's weight over the examples) packs
 * all of A once, before the items, which then only pack their B: A of 128×1024 was packed again for
 * each 49-column example, as much time as the multiply itself.
 *
 * <p>Small products (m·n·k up to {@value #SMALL}, k up to one block), narrow ones (n at most one
 * vector) and short ones (m at most 4, B of at most {@value #SMALL} elements) take a direct path
 * without packing: 4 rows × 2 vectors of C at a time, summed over all of k. Short ones with a
 * transposed B (x·Wᵀ for a batch of a few) are dot products of contiguous rows instead, and short
 * ones with a larger B stream it row by row, summing C's few rows in place. A batch of small
 * products is spread over threads by batch item.
 *
 * <p>Every element of C is summed over k in an order fixed by k and the path, which depend on
 * the shape only, never on the thread count: threads only choose which tiles of C they compute.
 *
 * <p>This class is the driver, common to both types; the hot loops are in {@link VectorGemmFloat},
 * and {@link VectorGemmDouble} is generated from it ({@code scripts/generate-double-kernels}).
 */
public final class VectorGemm implements Gemm {
    /**
     * Rows of the micro-tile: 12 (24 accumulators, two vectors of B and a broadcast of A) where the
     * instruction set has 32 vector registers (AVX-512, AArch64), 4 where it has 16 (x86 below
     * AVX-512). On AVX2 C2 kept the 12-row tile's accumulators partly on the stack, a store and a
     * reload in the loop: 40–46 GFLOP/s on one core of AMD's Zen 3 (2.45 GHz), where 4 rows (8
     * accumulators, enough for two FMA pipes of latency 4) ran at 89–92 and 6 rows (15 registers)
     * spilled as well (standalone kernels over packed panels, k block 256). The order of each
     * element's sum does not depend on it. The system property nabla.gemmTileRows (4 or 12) overrides
     * the choice: the tests run both on every machine.
     */
    static final int MR = tileRows();
    /** Largest k block; fixed, since the summation order depends on it. */
    static final int KC = 256;
    /** Largest number of rows and columns of C in one tile (one parallel task). */
    private static final int MC = 144;
    private static final int NC = 1024;
    /**
     * Rows a parallel tile has at least when cut by rows; with fewer, and at least twice as many
     * columns as rows, the tiles take all the rows and split the columns, and each thread packs all
     * of A, the smaller operand, for itself (with as many rows as columns or more, each packs all
     * of B instead, see {@link #OWN_B}). Cut by rows, a 128-row product made tiles of 1 or 2
     * panels of 12 rows that each read every panel of B, packed once for all threads; and when the
     * host placed the two vCPUs on different L3 caches (a cache line's round trip between the
     * threads 330 ns instead of 67, in about half the processes here), each thread read what the
     * other had just packed from the other cache, and two threads ran the product as fast as one.
     * 2 threads, GFLOP/s, before → after: 128×256×784 with B transposed (an MLP's first layer at
     * batch 128) 139 → 138–154 on one L3, 81–84 → 125–128 across two; 128×1024×784 164 → 188–190,
     * 64×1024×512 155 → 174–189 (one L3, 12-row tiles on AVX-512). The bound was 3 panels while
     * the tile was 12 rows; counted in panels of 4 (AVX2) it cut 128 rows into tiles of 16 again.
     * Counted in rows, with 4-row panels, one process alternating the rules 15 times per shape
     * (AMD Zen 3, 2 threads, GFLOP/s medians): 128×1024×784 82 → 97 (faster in 14 of 15),
     * 128×256×784 with B transposed 94 → 108, 128×784×288 126 → 148, 192×512×512 145 → 154; with
     * fewer columns than twice the rows packing A per thread lost (128×49×1024 52 → 47,
     * 128×196×576 65 → 59), so those keep the row cut.
     */
    private static final int MIN_TILE_ROWS = 32;
    /**
     * Elements of packed B up to which, on several threads, each thread packs all of B for itself
     * and the tiles are cut by rows only: nothing packed passes between threads (see
     * {@link #MIN_TILE_ROWS} for what that costs when the vCPUs sit on different L3 caches). 2
     * threads, GFLOP/s, three alternated pairs of processes, before → after: 256³ 131–177 → 185–191,
     * 512³ 149–190 → 182–193, 1024³ 175–206 → 192–200, 384³ 141–195 → 176–201, 256×784×128 with A
     * transposed (an MLP's weight gradient) 127–177 → 183–187, 256×256×784 with B transposed
     * 122–172 → 164–168; the low ends are the processes on two L3 caches. Larger B (2048³) is
     * packed once for all threads, as before.
     */
    private static final long OWN_B = 1L << 20;
    /**
     * Columns of C the streaming path sums at once: m ≤ 4 rows of them (64 KB of float32) stay in
     * the cache while all of k passes.
     */
    static final int STREAM_STRIP = 4096;
    /** m·n·k at or below which the direct path is used. */
    static final long SMALL = 1L << 18;
    /** The depth from which a few columns of a transposed B take dot products (see {@link #run}). */
    static final int DOT_K = 512;
    /**
     * Multiply-adds below which work stays on one thread (2^22 take ~40 µs on one core). The
     * pool's workers spin a while after each loop ({@link Parallel}), so in a run of products or
     * a training step the hand-off costs about a microsecond; a cold worker costs the caller one
     * unpark, since the caller computes whatever the worker has not taken. It was 2^25 when every
     * loop woke a parked worker (30–300 µs here): n = 256 and the MLP's 128×784×256 stayed on one
     * thread.
     */
    static final long PAR_MIN = 1L << 22;
    /**
     * Products with n at most this take the direct path: panels NR wide would be mostly padding.
     * One float vector for both types (the path fixes the order of the sums).
     */
    private static final int NARROW = FloatVector.SPECIES_PREFERRED.length();
    /** m·n·k below which a batch is spread over threads by item rather than by tiles. */
    static final long BATCH_WORK = 1L << 24;
    /** Elements of packed B held at once (per calling thread). */
    private static final int B_BLOCK = 1 << 22;
    /** Column panels of B packed per task (at most). */
    private static final int PACK_PANELS = 8;

    /** Elements of a per-thread packing buffer kept for the next product; a larger one is garbage after use. */
    static final int KEEP = B_BLOCK;
    /**
     * The {@link Scratch} slot of a shared A's panels ({@link #shareA}): a new array per call was 47% of
     * what the vgg16 protocol allocated after its warm-up (a 512-channel 3×3 weight packed is 9.4 MB,
     * which G1 allocates outside the young generation and frees only at a collection).
     */
    static final int SHARED_A = 4;

    /** Numbers the products whose threads pack their own operands, so that a thread knows whether its packing is this product's. */
    private static final AtomicLong PRODUCTS = new AtomicLong();

    public VectorGemm() {}

    @Override
    public void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int aBatchStride, int lda,
                      float[] b, int bOff, int bBatchStride, int ldb,
                      float beta, float[] c, int cOff, int cBatchStride, int ldc) {
        VectorGemmFloat.gemm(batch, transA, transB, m, n, k, a, aOff, aBatchStride, lda, b, bOff, bBatchStride, ldb,
                beta, c, cOff, cBatchStride, ldc, null);
    }

    @Override
    public void dgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOff, int aBatchStride, int lda,
                      double[] b, int bOff, int bBatchStride, int ldb,
                      double beta, double[] c, int cOff, int cBatchStride, int ldc) {
        VectorGemmDouble.gemm(batch, transA, transB, m, n, k, a, aOff, aBatchStride, lda, b, bOff, bBatchStride, ldb,
                beta, c, cOff, cBatchStride, ldc, null);
    }

    /**
     * Packs op(A) once, into the panels the packed path reads: the calling thread's scratch array
     * {@link #SHARED_A}, which every thread may read until the caller shares the next A.
     */
    @Override
    public SharedA shareA(boolean transA, int m, int k, Object a, int aOff, int lda) {
        ScalarGemm.checkShared(transA, m, k, a, aOff, lda);
        Object panels = a instanceof float[] f ? VectorGemmFloat.packShared(transA, m, k, f, aOff, lda)
                : VectorGemmDouble.packShared(transA, m, k, (double[]) a, aOff, lda);
        return new SharedA(transA, m, k, a, aOff, lda, panels);
    }

    @Override
    public void gemm(SharedA a, boolean transB, int n, Object b, int bOff, int ldb, boolean accumulate, Object c, int cOff, int ldc) {
        if (a.a() instanceof float[] af) {
            VectorGemmFloat.gemm(1, a.transA(), transB, a.m(), n, a.k(), af, a.aOff(), 0, a.lda(), (float[]) b, bOff, 0, ldb,
                    accumulate ? 1f : 0f, (float[]) c, cOff, 0, ldc, (float[]) a.panels());
        } else {
            VectorGemmDouble.gemm(1, a.transA(), transB, a.m(), n, a.k(), (double[]) a.a(), a.aOff(), 0, a.lda(),
                    (double[]) b, bOff, 0, ldb, accumulate ? 1d : 0d, (double[]) c, cOff, 0, ldc, (double[]) a.panels());
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

    /**
     * Whether an m×n×k product takes the packed path (else, for at most 4 rows, the dot, direct or
     * streaming path; for more, the direct one for small products, and narrow ones that packed
     * panels would mostly pad; a long k is packed even when small, since the direct path would
     * stream all of B per 4 rows).
     */
    static boolean packed(int m, int n, int k, boolean tB) {
        long work = (long) m * n * k;
        return m > 4 && !((work <= SMALL && k <= KC) || n <= NARROW);
    }

    /** One product of the batch, in the type-independent part: size class, blocking, tiling. */
    static void run(Job job, boolean parallel) {
        final int m = job.m, n = job.n, k = job.k, nr = job.nr;
        final long work = (long) m * n * k;
        if (job.tB && m <= 4) {
            // a few rows times a transposed B (a Linear layer's x·Wᵀ at batch ≤ 4, as in inference):
            // dot products of contiguous rows, B read once, instead of copying Bᵀ for the direct path
            job.prepareDots();
            if (parallel && work >= PAR_MIN && Parallel.threads() > 1) {
                Parallel.forRange(n, (int) Math.max(1, PAR_MIN / 2 / ((long) m * k)), job::dots);
            } else {
                job.dots(0, n);
            }
            return;
        }
        if (!job.tA && (n == 1 && k >= NARROW && (job.tB || job.ldb == 1) || job.tB && n < NARROW && k >= DOT_K)) {
            // a matrix times one contiguous column (a Linear layer with one output, e.g. a GAN's
            // discriminator), or times a few long rows of B (a convolution's weight gradient dY·colᵀ
            // for few input channels: 32 x 9, k = 784): dot products of A's rows with them, at full
            // vector width, where the direct path would use n of each vector's lanes after copying Bᵀ.
            // One thread, m x n x k: 32x9x784 26 -> 51 GFLOP/s, 32x4x784 13 -> 42, 32x12x784 29 -> 45,
            // 64x9x784 29 -> 45; with k below 512 the lane sums cost more than the lanes saved
            // (64x9x196 33 -> 24, 64x16x288 53 -> 32), and at n = 16 the direct path fills its lanes.
            // A column shorter than a vector is all tail: the direct path takes it (a Runge net's
            // last layer, 39x1x10 with B transposed: 444 -> 275 ns).
            job.prepareDots();
            if (parallel && work >= PAR_MIN && Parallel.threads() > 1) {
                Parallel.forRange(m, 4 * (int) Math.max(1, PAR_MIN / 8 / ((long) k * n)), job::matVec);
            } else {
                job.matVec(0, m);
            }
            return;
        }
        if (!job.tB && m <= 4 && (long) k * n > SMALL) {
            // a few rows times a large B (a Linear layer's input gradient g·W at a small batch): B
            // streamed once, row by row, where packing it read and wrote it twice more (2×4096 by
            // 4096×25088 ran at half the speed of memory)
            if (parallel && work >= PAR_MIN && Parallel.threads() > 1) {
                int vectors = ceilDiv(n, NARROW);
                Parallel.forRange(vectors, (int) Math.max(1, PAR_MIN / 2 / ((long) m * k * NARROW)),
                        (p0, p1) -> job.stream(p0 * NARROW, Math.min(n, p1 * NARROW)));
            } else {
                job.stream(0, n);
            }
            return;
        }
        if (!packed(m, n, k, job.tB)) {
            job.prepareDirect();
            if (parallel && work >= 2 * PAR_MIN && m >= 8 && Parallel.threads() > 1) {
                int grain = 4 * (int) Math.max(1, PAR_MIN / 2 / (4L * n * k));
                Parallel.forRange(m, grain, job::direct);
            } else {
                job.direct(0, m);
            }
            return;
        }
        final int kcb = kBlock(k), kBlocks = ceilDiv(k, kcb);
        final int rowPanels = ceilDiv(m, MR), colPanels = ceilDiv(n, nr);
        final int threads = parallel && work >= PAR_MIN ? Parallel.available() : 1;
        if (threads > 1 && ceilDiv(m, 4 * threads) < MIN_TILE_ROWS && 2 * m <= n && colPanels > 1 && (long) rowPanels * MR * k <= KEEP) {
            // Few rows, many columns (a batch of 128 times 256 units or more): tiles of all the rows,
            // cut by columns, each thread packing all of A once and each tile its own panels of B,
            // so that nothing packed passes between threads (see MIN_TILE_ROWS).
            final long product = PRODUCTS.incrementAndGet();
            job.prepareOwn();
            final int mcP = Math.min(rowPanels, MC / MR), rowTiles = ceilDiv(rowPanels, mcP);
            final int colTiles = Math.min(colPanels, ceilDiv(4 * threads, rowTiles));
            Parallel.forRange(rowTiles * colTiles, 1, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    int it = t % rowTiles, jt = t / rowTiles;
                    job.ownTile(product, it * rowPanels / rowTiles, (it + 1) * rowPanels / rowTiles,
                            jt * colPanels / colTiles, (jt + 1) * colPanels / colTiles);
                }
            });
            return;
        }
        if (threads > 1 && (long) k * colPanels * nr <= OWN_B) {
            // B small enough for each thread to pack all of it: tiles cut by rows only, each packing
            // its rows of A per k block, as below
            final long product = PRODUCTS.incrementAndGet();
            job.prepareOwn();
            final int mcP = Math.max(1, Math.min(Math.min(rowPanels, MC / MR), ceilDiv(rowPanels, 4 * threads)));
            final int rowTiles = ceilDiv(rowPanels, mcP);
            Parallel.forRange(rowTiles, 1, (t0, t1) -> {
                for (int t = t0; t < t1; t++) job.ownRows(product, t * rowPanels / rowTiles, (t + 1) * rowPanels / rowTiles);
            });
            return;
        }
        // B is packed for all of k at once, in blocks of columns of at most B_BLOCK elements, so
        // that each block of columns needs two parallel phases only: pack B, then compute tiles.
        final int jcPanels = (int) Math.max(1, Math.min(colPanels, B_BLOCK / ((long) k * nr)));
        job.allocB(jcPanels * nr * k);
        for (int jc0 = 0; jc0 < colPanels; jc0 += jcPanels) {
            final int jc = jc0, np = Math.min(jcPanels, colPanels - jc0);
            // Phase 1: pack B, by k block and group of panels. In the buffer, k block q starts
            // at q·kcb·jcPanels·nr and holds its panels one after another, kc·nr elements each.
            // On several threads, groups small enough that each thread gets about two of them
            // (n = 256 would otherwise be packed by one thread while the other waits).
            final int groupPanels = threads == 1 ? PACK_PANELS
                    : Math.max(1, Math.min(PACK_PANELS, ceilDiv(np, ceilDiv(2 * threads, kBlocks))));
            final int groups = ceilDiv(np, groupPanels), units = kBlocks * groups;
            Parallel.RangeBody pack = (u0, u1) -> {
                for (int u = u0; u < u1; u++) {
                    int q = u / groups, g = u % groups, pc = q * kcb, kc = Math.min(kcb, k - pc);
                    int p0 = jc + g * groupPanels, p1 = Math.min(jc + np, p0 + groupPanels);
                    job.packB(pc, kc, p0, p1, pc * jcPanels * nr + (p0 - jc) * kc * nr);
                }
            };
            if (threads > 1 && units > 1) Parallel.forRange(units, 1, pack);
            else pack.run(0, units);
            // Phase 2: tiles of C (mcP row panels × ncP column panels), each over all k blocks.
            // Tiles change which thread computes what, never the order of a sum, so they may
            // depend on the thread count.
            int ncP = Math.max(1, Math.min(np, NC / nr));
            int nJt = ceilDiv(np, ncP);
            int mcP = Math.max(1, Math.min(rowPanels, MC / MR));
            if (threads > 1) {
                int want = 4 * threads;
                mcP = Math.max(1, Math.min(mcP, ceilDiv(rowPanels, ceilDiv(want, nJt))));
                int nIt = ceilDiv(rowPanels, mcP);
                if (nIt * nJt < want) {  // few rows: split the columns too (each tile packs its A rows)
                    ncP = Math.max(1, Math.min(ncP, ceilDiv(np, ceilDiv(want, nIt))));
                    nJt = ceilDiv(np, ncP);
                }
            }
            // The panels are dealt out evenly (tiles differ by one panel at most): with tiles of mcP
            // panels and a short last one, n = 512 on 2 threads ran 24 panels on one thread and 19 on the other.
            final int rowTiles = ceilDiv(rowPanels, mcP), colTiles = nJt, tiles = rowTiles * colTiles;
            Parallel.RangeBody body = (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    int it = t % rowTiles, jt = t / rowTiles;
                    int ip0 = it * rowPanels / rowTiles, ip1 = (it + 1) * rowPanels / rowTiles;
                    int jp0 = jc + jt * np / colTiles, jp1 = jc + (jt + 1) * np / colTiles;
                    for (int pc = 0; pc < k; pc += kcb) {
                        int kc = Math.min(kcb, k - pc);
                        job.tile(pc, kc, job.acc || pc > 0, ip0, ip1, jp0, jp1, pc * jcPanels * nr - jc * kc * nr);
                    }
                }
            };
            if (threads > 1 && tiles > 1) Parallel.forRange(tiles, 1, body);
            else body.run(0, tiles);
        }
    }

    /** One product C = (C +) op(A)·op(B) with its operands; the hot loops live in the subclasses, one per type. */
    abstract static class Job {
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

        /** Readies the direct path (no packing): copies a transposed B. */
        abstract void prepareDirect();

        /** Readies the dot path (m ≤ 4, B transposed): op(A)'s rows made contiguous (a copy if A is transposed). */
        abstract void prepareDots();

        /**
         * The dot path for columns [j0, j1) of C: C[i][j] (+)= op(A) row i · B row j, summed
         * lane by lane, then the lanes in order, then the tail of k: an order fixed by k.
         */
        abstract void dots(int j0, int j1);

        /**
         * The matrix-vector path (A not transposed; n = 1 with B's column contiguous, or a few
         * columns of a transposed B) for rows [i0, i1) of C: each element's dot product as in
         * {@link #dots}, so its bits do not depend on the rows around it.
         */
        abstract void matVec(int i0, int i1);

        /**
         * The streaming path (m ≤ 4, B not transposed) for columns [j0, j1) of C: B read once, row
         * by row, each element of C summed in place by fused multiply-adds over k in order.
         */
        abstract void stream(int j0, int j1);

        /** The direct path for rows [i0, i1) of C. */
        abstract void direct(int i0, int i1);

        /** Readies the packed path: takes the calling thread's B buffer, of at least {@code size} elements. */
        abstract void allocB(int size);

        /**
         * A tile of the few-rows cut, all k blocks, on the calling thread's own buffers: all of op(A)
         * packed once per thread and product (unless the batch shares it packed), and the tile's
         * column panels of B packed per k block.
         */
        abstract void ownTile(long product, int ip0, int ip1, int jp0, int jp1);

        /**
         * Row panels [ip0, ip1) of C, all columns and k blocks, on the calling thread's own buffers:
         * all of op(B) packed once per thread and product, the tile's rows of A per k block.
         */
        abstract void ownRows(long product, int ip0, int ip1);

        /** Readies ownTile and ownRows (on the calling thread, before the tiles run). */
        abstract void prepareOwn();

        /** Packs rows [pc, pc+kc) of op(B), column panels [p0, p1), into the B buffer at d. */
        abstract void packB(int pc, int kc, int p0, int p1, int d);

        /**
         * Packs row panels [ip0, ip1) of op(A) for the k block [pc, pc+kc) and adds their product
         * with column panels [jp0, jp1) of B to C (or stores it, unless accum); column panel jp
         * of this k block is at {@code bBase + jp·kc·nr} in the B buffer.
         */
        abstract void tile(int pc, int kc, boolean accum, int ip0, int ip1, int jp0, int jp1, int bBase);
    }

    private static int tileRows() {
        String rows = System.getProperty("nabla.gemmTileRows");
        if (rows == null) {
            // x86-64 below AVX-512 (the JIT's preferred float vector narrower than 512 bits) has 16 vector registers
            String arch = System.getProperty("os.arch", "");
            boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
            return x86 && FloatVector.SPECIES_PREFERRED.vectorBitSize() < 512 ? 4 : 12;
        }
        if (!rows.equals("4") && !rows.equals("12")) {
            throw new IllegalArgumentException("nabla.gemmTileRows=" + rows + ": the GEMM micro-tile has 4 or 12 rows");
        }
        return Integer.parseInt(rows);
    }
}
