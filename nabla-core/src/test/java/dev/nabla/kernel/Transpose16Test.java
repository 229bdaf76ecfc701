package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.junit.jupiter.api.Test;

/**
 * The in-register transpose that packs GEMM operands: bitwise the plain loop's copy (NaN payloads,
 * −0 and subnormals included) for every row count, column count around the block of 16, leading
 * dimension and store mask the packing uses, writing nothing outside the stored lanes.
 */
class Transpose16Test {
    private static final float UNTOUCHED = Float.intBitsToFloat(0x7fc0_1234);

    @Test
    void agreesBitwiseWithThePlainTransposeAndWritesOnlyItsLanes() {
        Random rnd = new Random(16);
        int[] special = {0x8000_0000, 0x0000_0001, 0x7f80_0000, 0xff80_0000, 0x7fc0_0042, 0x7f80_0001};
        for (int[] c : new int[][] {{16, 32, 16}, {12, 12, 12}, {16, 16, 16}, {5, 12, 12}, {1, 16, 16}}) {
            int rows = c[0], ldd = c[1], stored = c[2];
            VectorMask<Float> lanes = FloatVector.SPECIES_512.indexInRange(0, stored);
            for (int cols : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 196}) {
                int lds = cols + rnd.nextInt(5), s = rnd.nextInt(7), d = rnd.nextInt(5);
                float[] src = new float[s + rows * lds + 16];
                for (int i = 0; i < src.length; i++) {
                    src[i] = rnd.nextInt(5) == 0 ? Float.intBitsToFloat(special[rnd.nextInt(special.length)]) : (float) rnd.nextGaussian();
                }
                float[] dst = new float[d + cols * ldd + 16];
                Arrays.fill(dst, UNTOUCHED);
                Transpose16.transpose(src, s, lds, rows, cols, dst, d, ldd, lanes);
                int blocked = cols / 16 * 16;  // columns of whole 16×16 blocks: all stored lanes, zeros past rows
                for (int i = 0; i < dst.length; i++) {
                    int col = (i - d) / ldd, r = (i - d) % ldd;
                    float want = i < d || col >= cols ? UNTOUCHED
                            : r < Math.min(rows, stored) ? src[s + r * lds + col]
                            : col < blocked && r < stored ? 0f : UNTOUCHED;
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dst[i]),
                            "rows " + rows + ", cols " + cols + ", ldd " + ldd + ", lanes " + stored + ": dst[" + i + "]");
                }
            }
        }
    }
}
