package dev.nabla.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * In-register transposes of 16 or 8 rows of floats and 8 or 4 rows of doubles (a 512-bit or a
 * 256-bit vector, whichever the JVM prefers), for the GEMM's packing of a transposed B: a panel's rows are then read with contiguous loads instead
 * of one gather per row of the panel (packing 288 rows × 196 columns, a convolution's im2col matrix
 * in its weight gradient, on AMD's Zen 4: 21.7 → 9.7 µs); and of a row-major A, whose panels of
 * 12 rows (the first 12 lanes of 16 rows transposed) were written one element at a time (a
 * 128×256×784 product on one thread, the mlp's first layer: 89–91 → 97–98 GFLOP/s). Round r
 * swaps the off-diagonal blocks of size h = lanes/2^(r+1): vector i (with bit h clear) keeps its
 * lanes with bit h clear and takes the next ones from vector i + h moved down by h; vector i + h
 * the reverse. After the last round,
 * lane j of vector i holds row j's element i. Pure data movement: the same bits as the gathers.
 * The code is unrolled so that C2 keeps the vectors in registers (held in an array they were boxed:
 * 6× slower); the four methods are written from one template (TransposeKernels, among the tests) by
 * scripts/generate-double-kernels. On AVX2 (8 floats) the B panels took one gather per row before.
 */
final class Transposes {
    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512, F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> D8 = DoubleVector.SPECIES_512, D4 = DoubleVector.SPECIES_256;
    private static final VectorShuffle<Float>[] F16_DOWN = shuffles(F16, true), F16_UP = shuffles(F16, false);
    private static final VectorMask<Float>[] F16_UPPER = masks(F16);
    private static final VectorShuffle<Float>[] F8_DOWN = shuffles(F8, true), F8_UP = shuffles(F8, false);
    private static final VectorMask<Float>[] F8_UPPER = masks(F8);
    private static final VectorShuffle<Double>[] D8_DOWN = shuffles(D8, true), D8_UP = shuffles(D8, false);
    private static final VectorMask<Double>[] D8_UPPER = masks(D8);
    private static final VectorShuffle<Double>[] D4_DOWN = shuffles(D4, true), D4_UP = shuffles(D4, false);
    private static final VectorMask<Double>[] D4_UPPER = masks(D4);
    private static final int FLOAT_LANES = FloatVector.SPECIES_PREFERRED.length(), DOUBLE_LANES = DoubleVector.SPECIES_PREFERRED.length();

    private Transposes() {}

    /** Whether {@link #transpose(float[], int, int, int, int, float[], int, int)} fits the float vectors (16 or 8 lanes). */
    static boolean fitsFloat() {
        return FLOAT_LANES == 16 || FLOAT_LANES == 8;
    }

    /** Whether {@link #transpose(double[], int, int, int, int, double[], int, int)} fits the double vectors (8 or 4 lanes). */
    static boolean fitsDouble() {
        return DOUBLE_LANES == 8 || DOUBLE_LANES == 4;
    }

    /**
     * bp[d + l·stride + i] = b[s + i·ldb + l] for the first `rows` rows i (at most the preferred
     * vector's lanes, all of which b must hold) and the columns l &lt; kc, a vector's width of rows at a time.
     */
    static void transpose(float[] b, int s, int ldb, int rows, int kc, float[] bp, int d, int stride) {
        if (FLOAT_LANES == 16) transpose16(b, s, ldb, rows, kc, bp, d, stride);
        else transpose8(b, s, ldb, rows, kc, bp, d, stride);
    }

    /** The float64 {@link #transpose(float[], int, int, int, int, float[], int, int)}. */
    static void transpose(double[] b, int s, int ldb, int rows, int kc, double[] bp, int d, int stride) {
        if (DOUBLE_LANES == 8) transpose8(b, s, ldb, rows, kc, bp, d, stride);
        else transpose4(b, s, ldb, rows, kc, bp, d, stride);
    }

    // Round r's lane moves for vectors of s's lanes (down: lane j takes lane j − h; up: j + h).
    @SuppressWarnings("unchecked")
    private static <E> VectorShuffle<E>[] shuffles(VectorSpecies<E> s, boolean down) {
        int lanes = s.length(), rounds = Integer.numberOfTrailingZeros(lanes);
        VectorShuffle<E>[] out = new VectorShuffle[rounds];
        for (int r = 0; r < rounds; r++) {
            int h = lanes >> (r + 1);
            int[] ix = new int[lanes];
            for (int j = 0; j < lanes; j++) ix[j] = Math.floorMod(down ? j - h : j + h, lanes);
            out[r] = VectorShuffle.fromArray(s, ix, 0);
        }
        return out;
    }

    // Round r's lanes with bit h set.
    @SuppressWarnings("unchecked")
    private static <E> VectorMask<E>[] masks(VectorSpecies<E> s) {
        int lanes = s.length(), rounds = Integer.numberOfTrailingZeros(lanes);
        VectorMask<E>[] out = new VectorMask[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean[] bits = new boolean[lanes];
            for (int j = 0; j < lanes; j++) bits[j] = (j & (lanes >> (r + 1))) != 0;
            out[r] = VectorMask.fromArray(s, bits, 0);
        }
        return out;
    }

    // BEGIN GENERATED by scripts/generate-double-kernels (TransposeKernels): do not edit
    /**
     * bp[d + l·stride + i] = b[s + i·ldb + l] for the first `rows` (at most 16) rows i and the columns l &lt; kc:
     * a 16×16 block at a time is loaded as 16 row vectors (b must hold all of them),
     * transposed in registers by 4 rounds of block swaps, and stored in its first `rows` lanes.
     */
    static void transpose16(float[] b, int s, int ldb, int rows, int kc, float[] bp, int d, int stride) {
        VectorMask<Float> keep = F16.indexInRange(0, rows);
        boolean all = rows == 16; // then unmasked stores: AVX2's masked ones are slow
        // the rounds' shuffles and masks in locals: read once, not from the arrays in the loop
        VectorShuffle<Float> down0 = F16_DOWN[0], up0 = F16_UP[0];
        VectorMask<Float> upper0 = F16_UPPER[0];
        VectorShuffle<Float> down1 = F16_DOWN[1], up1 = F16_UP[1];
        VectorMask<Float> upper1 = F16_UPPER[1];
        VectorShuffle<Float> down2 = F16_DOWN[2], up2 = F16_UP[2];
        VectorMask<Float> upper2 = F16_UPPER[2];
        VectorShuffle<Float> down3 = F16_DOWN[3], up3 = F16_UP[3];
        VectorMask<Float> upper3 = F16_UPPER[3];
        int l = 0;
        for (; l + 16 <= kc; l += 16) {
            FloatVector r0 = FloatVector.fromArray(F16, b, s + 0 * ldb + l);
            FloatVector r1 = FloatVector.fromArray(F16, b, s + 1 * ldb + l);
            FloatVector r2 = FloatVector.fromArray(F16, b, s + 2 * ldb + l);
            FloatVector r3 = FloatVector.fromArray(F16, b, s + 3 * ldb + l);
            FloatVector r4 = FloatVector.fromArray(F16, b, s + 4 * ldb + l);
            FloatVector r5 = FloatVector.fromArray(F16, b, s + 5 * ldb + l);
            FloatVector r6 = FloatVector.fromArray(F16, b, s + 6 * ldb + l);
            FloatVector r7 = FloatVector.fromArray(F16, b, s + 7 * ldb + l);
            FloatVector r8 = FloatVector.fromArray(F16, b, s + 8 * ldb + l);
            FloatVector r9 = FloatVector.fromArray(F16, b, s + 9 * ldb + l);
            FloatVector r10 = FloatVector.fromArray(F16, b, s + 10 * ldb + l);
            FloatVector r11 = FloatVector.fromArray(F16, b, s + 11 * ldb + l);
            FloatVector r12 = FloatVector.fromArray(F16, b, s + 12 * ldb + l);
            FloatVector r13 = FloatVector.fromArray(F16, b, s + 13 * ldb + l);
            FloatVector r14 = FloatVector.fromArray(F16, b, s + 14 * ldb + l);
            FloatVector r15 = FloatVector.fromArray(F16, b, s + 15 * ldb + l);
            FloatVector t0x0 = r0;
            r0 = t0x0.blend(r8.rearrange(down0), upper0);
            r8 = t0x0.rearrange(up0).blend(r8, upper0);
            FloatVector t0x1 = r1;
            r1 = t0x1.blend(r9.rearrange(down0), upper0);
            r9 = t0x1.rearrange(up0).blend(r9, upper0);
            FloatVector t0x2 = r2;
            r2 = t0x2.blend(r10.rearrange(down0), upper0);
            r10 = t0x2.rearrange(up0).blend(r10, upper0);
            FloatVector t0x3 = r3;
            r3 = t0x3.blend(r11.rearrange(down0), upper0);
            r11 = t0x3.rearrange(up0).blend(r11, upper0);
            FloatVector t0x4 = r4;
            r4 = t0x4.blend(r12.rearrange(down0), upper0);
            r12 = t0x4.rearrange(up0).blend(r12, upper0);
            FloatVector t0x5 = r5;
            r5 = t0x5.blend(r13.rearrange(down0), upper0);
            r13 = t0x5.rearrange(up0).blend(r13, upper0);
            FloatVector t0x6 = r6;
            r6 = t0x6.blend(r14.rearrange(down0), upper0);
            r14 = t0x6.rearrange(up0).blend(r14, upper0);
            FloatVector t0x7 = r7;
            r7 = t0x7.blend(r15.rearrange(down0), upper0);
            r15 = t0x7.rearrange(up0).blend(r15, upper0);
            FloatVector t1x0 = r0;
            r0 = t1x0.blend(r4.rearrange(down1), upper1);
            r4 = t1x0.rearrange(up1).blend(r4, upper1);
            FloatVector t1x1 = r1;
            r1 = t1x1.blend(r5.rearrange(down1), upper1);
            r5 = t1x1.rearrange(up1).blend(r5, upper1);
            FloatVector t1x2 = r2;
            r2 = t1x2.blend(r6.rearrange(down1), upper1);
            r6 = t1x2.rearrange(up1).blend(r6, upper1);
            FloatVector t1x3 = r3;
            r3 = t1x3.blend(r7.rearrange(down1), upper1);
            r7 = t1x3.rearrange(up1).blend(r7, upper1);
            FloatVector t1x8 = r8;
            r8 = t1x8.blend(r12.rearrange(down1), upper1);
            r12 = t1x8.rearrange(up1).blend(r12, upper1);
            FloatVector t1x9 = r9;
            r9 = t1x9.blend(r13.rearrange(down1), upper1);
            r13 = t1x9.rearrange(up1).blend(r13, upper1);
            FloatVector t1x10 = r10;
            r10 = t1x10.blend(r14.rearrange(down1), upper1);
            r14 = t1x10.rearrange(up1).blend(r14, upper1);
            FloatVector t1x11 = r11;
            r11 = t1x11.blend(r15.rearrange(down1), upper1);
            r15 = t1x11.rearrange(up1).blend(r15, upper1);
            FloatVector t2x0 = r0;
            r0 = t2x0.blend(r2.rearrange(down2), upper2);
            r2 = t2x0.rearrange(up2).blend(r2, upper2);
            FloatVector t2x1 = r1;
            r1 = t2x1.blend(r3.rearrange(down2), upper2);
            r3 = t2x1.rearrange(up2).blend(r3, upper2);
            FloatVector t2x4 = r4;
            r4 = t2x4.blend(r6.rearrange(down2), upper2);
            r6 = t2x4.rearrange(up2).blend(r6, upper2);
            FloatVector t2x5 = r5;
            r5 = t2x5.blend(r7.rearrange(down2), upper2);
            r7 = t2x5.rearrange(up2).blend(r7, upper2);
            FloatVector t2x8 = r8;
            r8 = t2x8.blend(r10.rearrange(down2), upper2);
            r10 = t2x8.rearrange(up2).blend(r10, upper2);
            FloatVector t2x9 = r9;
            r9 = t2x9.blend(r11.rearrange(down2), upper2);
            r11 = t2x9.rearrange(up2).blend(r11, upper2);
            FloatVector t2x12 = r12;
            r12 = t2x12.blend(r14.rearrange(down2), upper2);
            r14 = t2x12.rearrange(up2).blend(r14, upper2);
            FloatVector t2x13 = r13;
            r13 = t2x13.blend(r15.rearrange(down2), upper2);
            r15 = t2x13.rearrange(up2).blend(r15, upper2);
            FloatVector t3x0 = r0;
            r0 = t3x0.blend(r1.rearrange(down3), upper3);
            r1 = t3x0.rearrange(up3).blend(r1, upper3);
            FloatVector t3x2 = r2;
            r2 = t3x2.blend(r3.rearrange(down3), upper3);
            r3 = t3x2.rearrange(up3).blend(r3, upper3);
            FloatVector t3x4 = r4;
            r4 = t3x4.blend(r5.rearrange(down3), upper3);
            r5 = t3x4.rearrange(up3).blend(r5, upper3);
            FloatVector t3x6 = r6;
            r6 = t3x6.blend(r7.rearrange(down3), upper3);
            r7 = t3x6.rearrange(up3).blend(r7, upper3);
            FloatVector t3x8 = r8;
            r8 = t3x8.blend(r9.rearrange(down3), upper3);
            r9 = t3x8.rearrange(up3).blend(r9, upper3);
            FloatVector t3x10 = r10;
            r10 = t3x10.blend(r11.rearrange(down3), upper3);
            r11 = t3x10.rearrange(up3).blend(r11, upper3);
            FloatVector t3x12 = r12;
            r12 = t3x12.blend(r13.rearrange(down3), upper3);
            r13 = t3x12.rearrange(up3).blend(r13, upper3);
            FloatVector t3x14 = r14;
            r14 = t3x14.blend(r15.rearrange(down3), upper3);
            r15 = t3x14.rearrange(up3).blend(r15, upper3);
            if (all) {
                r0.intoArray(bp, d + (l + 0) * stride);
                r1.intoArray(bp, d + (l + 1) * stride);
                r2.intoArray(bp, d + (l + 2) * stride);
                r3.intoArray(bp, d + (l + 3) * stride);
                r4.intoArray(bp, d + (l + 4) * stride);
                r5.intoArray(bp, d + (l + 5) * stride);
                r6.intoArray(bp, d + (l + 6) * stride);
                r7.intoArray(bp, d + (l + 7) * stride);
                r8.intoArray(bp, d + (l + 8) * stride);
                r9.intoArray(bp, d + (l + 9) * stride);
                r10.intoArray(bp, d + (l + 10) * stride);
                r11.intoArray(bp, d + (l + 11) * stride);
                r12.intoArray(bp, d + (l + 12) * stride);
                r13.intoArray(bp, d + (l + 13) * stride);
                r14.intoArray(bp, d + (l + 14) * stride);
                r15.intoArray(bp, d + (l + 15) * stride);
            } else {
                r0.intoArray(bp, d + (l + 0) * stride, keep);
                r1.intoArray(bp, d + (l + 1) * stride, keep);
                r2.intoArray(bp, d + (l + 2) * stride, keep);
                r3.intoArray(bp, d + (l + 3) * stride, keep);
                r4.intoArray(bp, d + (l + 4) * stride, keep);
                r5.intoArray(bp, d + (l + 5) * stride, keep);
                r6.intoArray(bp, d + (l + 6) * stride, keep);
                r7.intoArray(bp, d + (l + 7) * stride, keep);
                r8.intoArray(bp, d + (l + 8) * stride, keep);
                r9.intoArray(bp, d + (l + 9) * stride, keep);
                r10.intoArray(bp, d + (l + 10) * stride, keep);
                r11.intoArray(bp, d + (l + 11) * stride, keep);
                r12.intoArray(bp, d + (l + 12) * stride, keep);
                r13.intoArray(bp, d + (l + 13) * stride, keep);
                r14.intoArray(bp, d + (l + 14) * stride, keep);
                r15.intoArray(bp, d + (l + 15) * stride, keep);
            }
        }
        for (; l < kc; l++) {
            for (int i = 0; i < rows; i++) bp[d + l * stride + i] = b[s + i * ldb + l];
        }
    }

    /**
     * bp[d + l·stride + i] = b[s + i·ldb + l] for the first `rows` (at most 8) rows i and the columns l &lt; kc:
     * a 8×8 block at a time is loaded as 8 row vectors (b must hold all of them),
     * transposed in registers by 3 rounds of block swaps, and stored in its first `rows` lanes.
     */
    static void transpose8(float[] b, int s, int ldb, int rows, int kc, float[] bp, int d, int stride) {
        VectorMask<Float> keep = F8.indexInRange(0, rows);
        boolean all = rows == 8; // then unmasked stores: AVX2's masked ones are slow
        // the rounds' shuffles and masks in locals: read once, not from the arrays in the loop
        VectorShuffle<Float> down0 = F8_DOWN[0], up0 = F8_UP[0];
        VectorMask<Float> upper0 = F8_UPPER[0];
        VectorShuffle<Float> down1 = F8_DOWN[1], up1 = F8_UP[1];
        VectorMask<Float> upper1 = F8_UPPER[1];
        VectorShuffle<Float> down2 = F8_DOWN[2], up2 = F8_UP[2];
        VectorMask<Float> upper2 = F8_UPPER[2];
        int l = 0;
        for (; l + 8 <= kc; l += 8) {
            FloatVector r0 = FloatVector.fromArray(F8, b, s + 0 * ldb + l);
            FloatVector r1 = FloatVector.fromArray(F8, b, s + 1 * ldb + l);
            FloatVector r2 = FloatVector.fromArray(F8, b, s + 2 * ldb + l);
            FloatVector r3 = FloatVector.fromArray(F8, b, s + 3 * ldb + l);
            FloatVector r4 = FloatVector.fromArray(F8, b, s + 4 * ldb + l);
            FloatVector r5 = FloatVector.fromArray(F8, b, s + 5 * ldb + l);
            FloatVector r6 = FloatVector.fromArray(F8, b, s + 6 * ldb + l);
            FloatVector r7 = FloatVector.fromArray(F8, b, s + 7 * ldb + l);
            FloatVector t0x0 = r0;
            r0 = t0x0.blend(r4.rearrange(down0), upper0);
            r4 = t0x0.rearrange(up0).blend(r4, upper0);
            FloatVector t0x1 = r1;
            r1 = t0x1.blend(r5.rearrange(down0), upper0);
            r5 = t0x1.rearrange(up0).blend(r5, upper0);
            FloatVector t0x2 = r2;
            r2 = t0x2.blend(r6.rearrange(down0), upper0);
            r6 = t0x2.rearrange(up0).blend(r6, upper0);
            FloatVector t0x3 = r3;
            r3 = t0x3.blend(r7.rearrange(down0), upper0);
            r7 = t0x3.rearrange(up0).blend(r7, upper0);
            FloatVector t1x0 = r0;
            r0 = t1x0.blend(r2.rearrange(down1), upper1);
            r2 = t1x0.rearrange(up1).blend(r2, upper1);
            FloatVector t1x1 = r1;
            r1 = t1x1.blend(r3.rearrange(down1), upper1);
            r3 = t1x1.rearrange(up1).blend(r3, upper1);
            FloatVector t1x4 = r4;
            r4 = t1x4.blend(r6.rearrange(down1), upper1);
            r6 = t1x4.rearrange(up1).blend(r6, upper1);
            FloatVector t1x5 = r5;
            r5 = t1x5.blend(r7.rearrange(down1), upper1);
            r7 = t1x5.rearrange(up1).blend(r7, upper1);
            FloatVector t2x0 = r0;
            r0 = t2x0.blend(r1.rearrange(down2), upper2);
            r1 = t2x0.rearrange(up2).blend(r1, upper2);
            FloatVector t2x2 = r2;
            r2 = t2x2.blend(r3.rearrange(down2), upper2);
            r3 = t2x2.rearrange(up2).blend(r3, upper2);
            FloatVector t2x4 = r4;
            r4 = t2x4.blend(r5.rearrange(down2), upper2);
            r5 = t2x4.rearrange(up2).blend(r5, upper2);
            FloatVector t2x6 = r6;
            r6 = t2x6.blend(r7.rearrange(down2), upper2);
            r7 = t2x6.rearrange(up2).blend(r7, upper2);
            if (all) {
                r0.intoArray(bp, d + (l + 0) * stride);
                r1.intoArray(bp, d + (l + 1) * stride);
                r2.intoArray(bp, d + (l + 2) * stride);
                r3.intoArray(bp, d + (l + 3) * stride);
                r4.intoArray(bp, d + (l + 4) * stride);
                r5.intoArray(bp, d + (l + 5) * stride);
                r6.intoArray(bp, d + (l + 6) * stride);
                r7.intoArray(bp, d + (l + 7) * stride);
            } else {
                r0.intoArray(bp, d + (l + 0) * stride, keep);
                r1.intoArray(bp, d + (l + 1) * stride, keep);
                r2.intoArray(bp, d + (l + 2) * stride, keep);
                r3.intoArray(bp, d + (l + 3) * stride, keep);
                r4.intoArray(bp, d + (l + 4) * stride, keep);
                r5.intoArray(bp, d + (l + 5) * stride, keep);
                r6.intoArray(bp, d + (l + 6) * stride, keep);
                r7.intoArray(bp, d + (l + 7) * stride, keep);
            }
        }
        for (; l < kc; l++) {
            for (int i = 0; i < rows; i++) bp[d + l * stride + i] = b[s + i * ldb + l];
        }
    }

    /**
     * bp[d + l·stride + i] = b[s + i·ldb + l] for the first `rows` (at most 8) rows i and the columns l &lt; kc:
     * a 8×8 block at a time is loaded as 8 row vectors (b must hold all of them),
     * transposed in registers by 3 rounds of block swaps, and stored in its first `rows` lanes.
     */
    static void transpose8(double[] b, int s, int ldb, int rows, int kc, double[] bp, int d, int stride) {
        VectorMask<Double> keep = D8.indexInRange(0, rows);
        boolean all = rows == 8; // then unmasked stores: AVX2's masked ones are slow
        // the rounds' shuffles and masks in locals: read once, not from the arrays in the loop
        VectorShuffle<Double> down0 = D8_DOWN[0], up0 = D8_UP[0];
        VectorMask<Double> upper0 = D8_UPPER[0];
        VectorShuffle<Double> down1 = D8_DOWN[1], up1 = D8_UP[1];
        VectorMask<Double> upper1 = D8_UPPER[1];
        VectorShuffle<Double> down2 = D8_DOWN[2], up2 = D8_UP[2];
        VectorMask<Double> upper2 = D8_UPPER[2];
        int l = 0;
        for (; l + 8 <= kc; l += 8) {
            DoubleVector r0 = DoubleVector.fromArray(D8, b, s + 0 * ldb + l);
            DoubleVector r1 = DoubleVector.fromArray(D8, b, s + 1 * ldb + l);
            DoubleVector r2 = DoubleVector.fromArray(D8, b, s + 2 * ldb + l);
            DoubleVector r3 = DoubleVector.fromArray(D8, b, s + 3 * ldb + l);
            DoubleVector r4 = DoubleVector.fromArray(D8, b, s + 4 * ldb + l);
            DoubleVector r5 = DoubleVector.fromArray(D8, b, s + 5 * ldb + l);
            DoubleVector r6 = DoubleVector.fromArray(D8, b, s + 6 * ldb + l);
            DoubleVector r7 = DoubleVector.fromArray(D8, b, s + 7 * ldb + l);
            DoubleVector t0x0 = r0;
            r0 = t0x0.blend(r4.rearrange(down0), upper0);
            r4 = t0x0.rearrange(up0).blend(r4, upper0);
            DoubleVector t0x1 = r1;
            r1 = t0x1.blend(r5.rearrange(down0), upper0);
            r5 = t0x1.rearrange(up0).blend(r5, upper0);
            DoubleVector t0x2 = r2;
            r2 = t0x2.blend(r6.rearrange(down0), upper0);
            r6 = t0x2.rearrange(up0).blend(r6, upper0);
            DoubleVector t0x3 = r3;
            r3 = t0x3.blend(r7.rearrange(down0), upper0);
            r7 = t0x3.rearrange(up0).blend(r7, upper0);
            DoubleVector t1x0 = r0;
            r0 = t1x0.blend(r2.rearrange(down1), upper1);
            r2 = t1x0.rearrange(up1).blend(r2, upper1);
            DoubleVector t1x1 = r1;
            r1 = t1x1.blend(r3.rearrange(down1), upper1);
            r3 = t1x1.rearrange(up1).blend(r3, upper1);
            DoubleVector t1x4 = r4;
            r4 = t1x4.blend(r6.rearrange(down1), upper1);
            r6 = t1x4.rearrange(up1).blend(r6, upper1);
            DoubleVector t1x5 = r5;
            r5 = t1x5.blend(r7.rearrange(down1), upper1);
            r7 = t1x5.rearrange(up1).blend(r7, upper1);
            DoubleVector t2x0 = r0;
            r0 = t2x0.blend(r1.rearrange(down2), upper2);
            r1 = t2x0.rearrange(up2).blend(r1, upper2);
            DoubleVector t2x2 = r2;
            r2 = t2x2.blend(r3.rearrange(down2), upper2);
            r3 = t2x2.rearrange(up2).blend(r3, upper2);
            DoubleVector t2x4 = r4;
            r4 = t2x4.blend(r5.rearrange(down2), upper2);
            r5 = t2x4.rearrange(up2).blend(r5, upper2);
            DoubleVector t2x6 = r6;
            r6 = t2x6.blend(r7.rearrange(down2), upper2);
            r7 = t2x6.rearrange(up2).blend(r7, upper2);
            if (all) {
                r0.intoArray(bp, d + (l + 0) * stride);
                r1.intoArray(bp, d + (l + 1) * stride);
                r2.intoArray(bp, d + (l + 2) * stride);
                r3.intoArray(bp, d + (l + 3) * stride);
                r4.intoArray(bp, d + (l + 4) * stride);
                r5.intoArray(bp, d + (l + 5) * stride);
                r6.intoArray(bp, d + (l + 6) * stride);
                r7.intoArray(bp, d + (l + 7) * stride);
            } else {
                r0.intoArray(bp, d + (l + 0) * stride, keep);
                r1.intoArray(bp, d + (l + 1) * stride, keep);
                r2.intoArray(bp, d + (l + 2) * stride, keep);
                r3.intoArray(bp, d + (l + 3) * stride, keep);
                r4.intoArray(bp, d + (l + 4) * stride, keep);
                r5.intoArray(bp, d + (l + 5) * stride, keep);
                r6.intoArray(bp, d + (l + 6) * stride, keep);
                r7.intoArray(bp, d + (l + 7) * stride, keep);
            }
        }
        for (; l < kc; l++) {
            for (int i = 0; i < rows; i++) bp[d + l * stride + i] = b[s + i * ldb + l];
        }
    }

    /**
     * bp[d + l·stride + i] = b[s + i·ldb + l] for the first `rows` (at most 4) rows i and the columns l &lt; kc:
     * a 4×4 block at a time is loaded as 4 row vectors (b must hold all of them),
     * transposed in registers by 2 rounds of block swaps, and stored in its first `rows` lanes.
     */
    static void transpose4(double[] b, int s, int ldb, int rows, int kc, double[] bp, int d, int stride) {
        VectorMask<Double> keep = D4.indexInRange(0, rows);
        boolean all = rows == 4; // then unmasked stores: AVX2's masked ones are slow
        // the rounds' shuffles and masks in locals: read once, not from the arrays in the loop
        VectorShuffle<Double> down0 = D4_DOWN[0], up0 = D4_UP[0];
        VectorMask<Double> upper0 = D4_UPPER[0];
        VectorShuffle<Double> down1 = D4_DOWN[1], up1 = D4_UP[1];
        VectorMask<Double> upper1 = D4_UPPER[1];
        int l = 0;
        for (; l + 4 <= kc; l += 4) {
            DoubleVector r0 = DoubleVector.fromArray(D4, b, s + 0 * ldb + l);
            DoubleVector r1 = DoubleVector.fromArray(D4, b, s + 1 * ldb + l);
            DoubleVector r2 = DoubleVector.fromArray(D4, b, s + 2 * ldb + l);
            DoubleVector r3 = DoubleVector.fromArray(D4, b, s + 3 * ldb + l);
            DoubleVector t0x0 = r0;
            r0 = t0x0.blend(r2.rearrange(down0), upper0);
            r2 = t0x0.rearrange(up0).blend(r2, upper0);
            DoubleVector t0x1 = r1;
            r1 = t0x1.blend(r3.rearrange(down0), upper0);
            r3 = t0x1.rearrange(up0).blend(r3, upper0);
            DoubleVector t1x0 = r0;
            r0 = t1x0.blend(r1.rearrange(down1), upper1);
            r1 = t1x0.rearrange(up1).blend(r1, upper1);
            DoubleVector t1x2 = r2;
            r2 = t1x2.blend(r3.rearrange(down1), upper1);
            r3 = t1x2.rearrange(up1).blend(r3, upper1);
            if (all) {
                r0.intoArray(bp, d + (l + 0) * stride);
                r1.intoArray(bp, d + (l + 1) * stride);
                r2.intoArray(bp, d + (l + 2) * stride);
                r3.intoArray(bp, d + (l + 3) * stride);
            } else {
                r0.intoArray(bp, d + (l + 0) * stride, keep);
                r1.intoArray(bp, d + (l + 1) * stride, keep);
                r2.intoArray(bp, d + (l + 2) * stride, keep);
                r3.intoArray(bp, d + (l + 3) * stride, keep);
            }
        }
        for (; l < kc; l++) {
            for (int i = 0; i < rows; i++) bp[d + l * stride + i] = b[s + i * ldb + l];
        }
    }
    // END GENERATED
}
