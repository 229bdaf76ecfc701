package dev.nabla.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * In-register transposes of 16 rows of floats or 8 rows of doubles (a 512-bit vector of each), for
 * the GEMM's packing of a transposed B: a panel's rows are then read with contiguous loads instead
 * of one gather per row of the panel (packing 288 rows × 196 columns, a convolution's im2col matrix
 * in its weight gradient, on AMD's Zen 4: 21.7 → 9.7 µs). Round r swaps the off-diagonal blocks of
 * size h = lanes/2^(r+1): vector i (with bit h clear) keeps its lanes with bit h clear and takes
 * the next ones from vector i + h moved down by h; vector i + h the reverse. After the last round,
 * lane j of vector i holds row j's element i. Pure data movement: the same bits as the gathers.
 */
final class Transposes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorShuffle<Float>[] F_DOWN = shuffles(F, 16, true), F_UP = shuffles(F, 16, false);
    private static final VectorMask<Float>[] F_UPPER = masks(F, 16);
    private static final VectorShuffle<Double>[] D_DOWN = shuffles(D, 8, true), D_UP = shuffles(D, 8, false);
    private static final VectorMask<Double>[] D_UPPER = masks(D, 8);

    private Transposes() {}

    /** Whether {@link #transpose(float[], int, int, int, float[], int, int)} fits the float vectors (16 lanes). */
    static boolean fitsFloat() {
        return F.length() == 16;
    }

    /** Whether {@link #transpose(double[], int, int, int, double[], int, int)} fits the double vectors (8 lanes). */
    static boolean fitsDouble() {
        return D.length() == 8;
    }

    // Round r's lane moves for vectors of `lanes` lanes (down: lane j takes lane j − h; up: j + h), any species length.
    @SuppressWarnings("unchecked")
    private static <E> VectorShuffle<E>[] shuffles(VectorSpecies<E> s, int lanes, boolean down) {
        int rounds = Integer.numberOfTrailingZeros(lanes);
        VectorShuffle<E>[] out = new VectorShuffle[rounds];
        for (int r = 0; r < rounds; r++) {
            int h = lanes >> (r + 1);
            int[] ix = new int[s.length()];
            for (int j = 0; j < ix.length; j++) ix[j] = Math.floorMod(down ? j - h : j + h, ix.length);
            out[r] = VectorShuffle.fromArray(s, ix, 0);
        }
        return out;
    }

    // Round r's lanes with bit h set.
    @SuppressWarnings("unchecked")
    private static <E> VectorMask<E>[] masks(VectorSpecies<E> s, int lanes) {
        int rounds = Integer.numberOfTrailingZeros(lanes);
        VectorMask<E>[] out = new VectorMask[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean[] bits = new boolean[s.length()];
            for (int j = 0; j < bits.length; j++) bits[j] = (j & (lanes >> (r + 1))) != 0;
            out[r] = VectorMask.fromArray(s, bits, 0);
        }
        return out;
    }

    /**
     * bp[d + l·stride + i] = b[s + i·ldb + l] for the 16 rows i and the columns l &lt; kc: a 16×16 block at
     * a time is loaded as 16 row vectors and transposed in registers by 4 rounds of block swaps.
     */
    static void transpose(float[] b, int s, int ldb, int kc, float[] bp, int d, int stride) {
        // the rounds' shuffles and masks in locals: read once, not from the arrays in the loop
        VectorShuffle<Float> down0 = F_DOWN[0], up0 = F_UP[0];
        VectorMask<Float> upper0 = F_UPPER[0];
        VectorShuffle<Float> down1 = F_DOWN[1], up1 = F_UP[1];
        VectorMask<Float> upper1 = F_UPPER[1];
        VectorShuffle<Float> down2 = F_DOWN[2], up2 = F_UP[2];
        VectorMask<Float> upper2 = F_UPPER[2];
        VectorShuffle<Float> down3 = F_DOWN[3], up3 = F_UP[3];
        VectorMask<Float> upper3 = F_UPPER[3];
        int l = 0;
        for (; l + 16 <= kc; l += 16) {
            FloatVector r0 = FloatVector.fromArray(F, b, s + 0 * ldb + l);
            FloatVector r1 = FloatVector.fromArray(F, b, s + 1 * ldb + l);
            FloatVector r2 = FloatVector.fromArray(F, b, s + 2 * ldb + l);
            FloatVector r3 = FloatVector.fromArray(F, b, s + 3 * ldb + l);
            FloatVector r4 = FloatVector.fromArray(F, b, s + 4 * ldb + l);
            FloatVector r5 = FloatVector.fromArray(F, b, s + 5 * ldb + l);
            FloatVector r6 = FloatVector.fromArray(F, b, s + 6 * ldb + l);
            FloatVector r7 = FloatVector.fromArray(F, b, s + 7 * ldb + l);
            FloatVector r8 = FloatVector.fromArray(F, b, s + 8 * ldb + l);
            FloatVector r9 = FloatVector.fromArray(F, b, s + 9 * ldb + l);
            FloatVector r10 = FloatVector.fromArray(F, b, s + 10 * ldb + l);
            FloatVector r11 = FloatVector.fromArray(F, b, s + 11 * ldb + l);
            FloatVector r12 = FloatVector.fromArray(F, b, s + 12 * ldb + l);
            FloatVector r13 = FloatVector.fromArray(F, b, s + 13 * ldb + l);
            FloatVector r14 = FloatVector.fromArray(F, b, s + 14 * ldb + l);
            FloatVector r15 = FloatVector.fromArray(F, b, s + 15 * ldb + l);
            FloatVector t1_0 = r0;
            r0 = t1_0.blend(r8.rearrange(down0), upper0);
            r8 = t1_0.rearrange(up0).blend(r8, upper0);
            FloatVector t1_1 = r1;
            r1 = t1_1.blend(r9.rearrange(down0), upper0);
            r9 = t1_1.rearrange(up0).blend(r9, upper0);
            FloatVector t1_2 = r2;
            r2 = t1_2.blend(r10.rearrange(down0), upper0);
            r10 = t1_2.rearrange(up0).blend(r10, upper0);
            FloatVector t1_3 = r3;
            r3 = t1_3.blend(r11.rearrange(down0), upper0);
            r11 = t1_3.rearrange(up0).blend(r11, upper0);
            FloatVector t1_4 = r4;
            r4 = t1_4.blend(r12.rearrange(down0), upper0);
            r12 = t1_4.rearrange(up0).blend(r12, upper0);
            FloatVector t1_5 = r5;
            r5 = t1_5.blend(r13.rearrange(down0), upper0);
            r13 = t1_5.rearrange(up0).blend(r13, upper0);
            FloatVector t1_6 = r6;
            r6 = t1_6.blend(r14.rearrange(down0), upper0);
            r14 = t1_6.rearrange(up0).blend(r14, upper0);
            FloatVector t1_7 = r7;
            r7 = t1_7.blend(r15.rearrange(down0), upper0);
            r15 = t1_7.rearrange(up0).blend(r15, upper0);
            FloatVector t2_0 = r0;
            r0 = t2_0.blend(r4.rearrange(down1), upper1);
            r4 = t2_0.rearrange(up1).blend(r4, upper1);
            FloatVector t2_1 = r1;
            r1 = t2_1.blend(r5.rearrange(down1), upper1);
            r5 = t2_1.rearrange(up1).blend(r5, upper1);
            FloatVector t2_2 = r2;
            r2 = t2_2.blend(r6.rearrange(down1), upper1);
            r6 = t2_2.rearrange(up1).blend(r6, upper1);
            FloatVector t2_3 = r3;
            r3 = t2_3.blend(r7.rearrange(down1), upper1);
            r7 = t2_3.rearrange(up1).blend(r7, upper1);
            FloatVector t2_8 = r8;
            r8 = t2_8.blend(r12.rearrange(down1), upper1);
            r12 = t2_8.rearrange(up1).blend(r12, upper1);
            FloatVector t2_9 = r9;
            r9 = t2_9.blend(r13.rearrange(down1), upper1);
            r13 = t2_9.rearrange(up1).blend(r13, upper1);
            FloatVector t2_10 = r10;
            r10 = t2_10.blend(r14.rearrange(down1), upper1);
            r14 = t2_10.rearrange(up1).blend(r14, upper1);
            FloatVector t2_11 = r11;
            r11 = t2_11.blend(r15.rearrange(down1), upper1);
            r15 = t2_11.rearrange(up1).blend(r15, upper1);
            FloatVector t3_0 = r0;
            r0 = t3_0.blend(r2.rearrange(down2), upper2);
            r2 = t3_0.rearrange(up2).blend(r2, upper2);
            FloatVector t3_1 = r1;
            r1 = t3_1.blend(r3.rearrange(down2), upper2);
            r3 = t3_1.rearrange(up2).blend(r3, upper2);
            FloatVector t3_4 = r4;
            r4 = t3_4.blend(r6.rearrange(down2), upper2);
            r6 = t3_4.rearrange(up2).blend(r6, upper2);
            FloatVector t3_5 = r5;
            r5 = t3_5.blend(r7.rearrange(down2), upper2);
            r7 = t3_5.rearrange(up2).blend(r7, upper2);
            FloatVector t3_8 = r8;
            r8 = t3_8.blend(r10.rearrange(down2), upper2);
            r10 = t3_8.rearrange(up2).blend(r10, upper2);
            FloatVector t3_9 = r9;
            r9 = t3_9.blend(r11.rearrange(down2), upper2);
            r11 = t3_9.rearrange(up2).blend(r11, upper2);
            FloatVector t3_12 = r12;
            r12 = t3_12.blend(r14.rearrange(down2), upper2);
            r14 = t3_12.rearrange(up2).blend(r14, upper2);
            FloatVector t3_13 = r13;
            r13 = t3_13.blend(r15.rearrange(down2), upper2);
            r15 = t3_13.rearrange(up2).blend(r15, upper2);
            FloatVector t4_0 = r0;
            r0 = t4_0.blend(r1.rearrange(down3), upper3);
            r1 = t4_0.rearrange(up3).blend(r1, upper3);
            FloatVector t4_2 = r2;
            r2 = t4_2.blend(r3.rearrange(down3), upper3);
            r3 = t4_2.rearrange(up3).blend(r3, upper3);
            FloatVector t4_4 = r4;
            r4 = t4_4.blend(r5.rearrange(down3), upper3);
            r5 = t4_4.rearrange(up3).blend(r5, upper3);
            FloatVector t4_6 = r6;
            r6 = t4_6.blend(r7.rearrange(down3), upper3);
            r7 = t4_6.rearrange(up3).blend(r7, upper3);
            FloatVector t4_8 = r8;
            r8 = t4_8.blend(r9.rearrange(down3), upper3);
            r9 = t4_8.rearrange(up3).blend(r9, upper3);
            FloatVector t4_10 = r10;
            r10 = t4_10.blend(r11.rearrange(down3), upper3);
            r11 = t4_10.rearrange(up3).blend(r11, upper3);
            FloatVector t4_12 = r12;
            r12 = t4_12.blend(r13.rearrange(down3), upper3);
            r13 = t4_12.rearrange(up3).blend(r13, upper3);
            FloatVector t4_14 = r14;
            r14 = t4_14.blend(r15.rearrange(down3), upper3);
            r15 = t4_14.rearrange(up3).blend(r15, upper3);
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
        }
        for (; l < kc; l++) {
            for (int i = 0; i < 16; i++) bp[d + l * stride + i] = b[s + i * ldb + l];
        }
    }

    /**
     * bp[d + l·stride + i] = b[s + i·ldb + l] for the 8 rows i and the columns l &lt; kc: a 8×8 block at
     * a time is loaded as 8 row vectors and transposed in registers by 3 rounds of block swaps.
     */
    static void transpose(double[] b, int s, int ldb, int kc, double[] bp, int d, int stride) {
        // the rounds' shuffles and masks in locals: read once, not from the arrays in the loop
        VectorShuffle<Double> down0 = D_DOWN[0], up0 = D_UP[0];
        VectorMask<Double> upper0 = D_UPPER[0];
        VectorShuffle<Double> down1 = D_DOWN[1], up1 = D_UP[1];
        VectorMask<Double> upper1 = D_UPPER[1];
        VectorShuffle<Double> down2 = D_DOWN[2], up2 = D_UP[2];
        VectorMask<Double> upper2 = D_UPPER[2];
        int l = 0;
        for (; l + 8 <= kc; l += 8) {
            DoubleVector r0 = DoubleVector.fromArray(D, b, s + 0 * ldb + l);
            DoubleVector r1 = DoubleVector.fromArray(D, b, s + 1 * ldb + l);
            DoubleVector r2 = DoubleVector.fromArray(D, b, s + 2 * ldb + l);
            DoubleVector r3 = DoubleVector.fromArray(D, b, s + 3 * ldb + l);
            DoubleVector r4 = DoubleVector.fromArray(D, b, s + 4 * ldb + l);
            DoubleVector r5 = DoubleVector.fromArray(D, b, s + 5 * ldb + l);
            DoubleVector r6 = DoubleVector.fromArray(D, b, s + 6 * ldb + l);
            DoubleVector r7 = DoubleVector.fromArray(D, b, s + 7 * ldb + l);
            DoubleVector t1_0 = r0;
            r0 = t1_0.blend(r4.rearrange(down0), upper0);
            r4 = t1_0.rearrange(up0).blend(r4, upper0);
            DoubleVector t1_1 = r1;
            r1 = t1_1.blend(r5.rearrange(down0), upper0);
            r5 = t1_1.rearrange(up0).blend(r5, upper0);
            DoubleVector t1_2 = r2;
            r2 = t1_2.blend(r6.rearrange(down0), upper0);
            r6 = t1_2.rearrange(up0).blend(r6, upper0);
            DoubleVector t1_3 = r3;
            r3 = t1_3.blend(r7.rearrange(down0), upper0);
            r7 = t1_3.rearrange(up0).blend(r7, upper0);
            DoubleVector t2_0 = r0;
            r0 = t2_0.blend(r2.rearrange(down1), upper1);
            r2 = t2_0.rearrange(up1).blend(r2, upper1);
            DoubleVector t2_1 = r1;
            r1 = t2_1.blend(r3.rearrange(down1), upper1);
            r3 = t2_1.rearrange(up1).blend(r3, upper1);
            DoubleVector t2_4 = r4;
            r4 = t2_4.blend(r6.rearrange(down1), upper1);
            r6 = t2_4.rearrange(up1).blend(r6, upper1);
            DoubleVector t2_5 = r5;
            r5 = t2_5.blend(r7.rearrange(down1), upper1);
            r7 = t2_5.rearrange(up1).blend(r7, upper1);
            DoubleVector t3_0 = r0;
            r0 = t3_0.blend(r1.rearrange(down2), upper2);
            r1 = t3_0.rearrange(up2).blend(r1, upper2);
            DoubleVector t3_2 = r2;
            r2 = t3_2.blend(r3.rearrange(down2), upper2);
            r3 = t3_2.rearrange(up2).blend(r3, upper2);
            DoubleVector t3_4 = r4;
            r4 = t3_4.blend(r5.rearrange(down2), upper2);
            r5 = t3_4.rearrange(up2).blend(r5, upper2);
            DoubleVector t3_6 = r6;
            r6 = t3_6.blend(r7.rearrange(down2), upper2);
            r7 = t3_6.rearrange(up2).blend(r7, upper2);
            r0.intoArray(bp, d + (l + 0) * stride);
            r1.intoArray(bp, d + (l + 1) * stride);
            r2.intoArray(bp, d + (l + 2) * stride);
            r3.intoArray(bp, d + (l + 3) * stride);
            r4.intoArray(bp, d + (l + 4) * stride);
            r5.intoArray(bp, d + (l + 5) * stride);
            r6.intoArray(bp, d + (l + 6) * stride);
            r7.intoArray(bp, d + (l + 7) * stride);
        }
        for (; l < kc; l++) {
            for (int i = 0; i < 8; i++) bp[d + l * stride + i] = b[s + i * ldb + l];
        }
    }
}
