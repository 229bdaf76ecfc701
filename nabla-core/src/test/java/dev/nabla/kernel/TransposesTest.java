package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each in-register transpose (16 and 8 floats, 8 and 4 doubles) against its definition, whatever
 * width this machine prefers: every row count up to its lanes, k blocks that end mid-block, and
 * the lanes past the rows left as they were.
 */
class TransposesTest {
    /** One transpose, on doubles (the float ones through exact conversions): bp as the method leaves it. */
    private interface Transpose {
        void apply(double[] b, int s, int ldb, int rows, int kc, double[] bp, int d, int stride);
    }

    @Test
    void everyWidthIsItsDefinition() {
        check("float", 16, floats(Transposes::transpose16));
        check("float", 8, floats(Transposes::transpose8));
        check("double", 8, Transposes::transpose8);
        check("double", 4, Transposes::transpose4);
    }

    private interface FloatTranspose {
        void apply(float[] b, int s, int ldb, int rows, int kc, float[] bp, int d, int stride);
    }

    private static Transpose floats(FloatTranspose t) {
        return (b, s, ldb, rows, kc, bp, d, stride) -> {
            float[] fb = new float[b.length], fbp = new float[bp.length];
            for (int i = 0; i < b.length; i++) fb[i] = (float) b[i];
            for (int i = 0; i < bp.length; i++) fbp[i] = (float) bp[i];
            t.apply(fb, s, ldb, rows, kc, fbp, d, stride);
            for (int i = 0; i < bp.length; i++) bp[i] = fbp[i];
        };
    }

    private static void check(String type, int lanes, Transpose t) {
        Random r = new Random(lanes);
        for (int rows = 1; rows <= lanes; rows++) {
            for (int kc : new int[] {1, lanes - 1, lanes, 2 * lanes + 3}) {
                int ldb = kc + r.nextInt(3), s = r.nextInt(3), stride = lanes + 1, d = 2;
                double[] b = new double[s + (lanes - 1) * ldb + kc]; // the method loads all its lanes' rows
                for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() - 0.5);
                double[] bp = new double[d + kc * stride + lanes], expected = new double[bp.length];
                Arrays.fill(bp, 9);
                Arrays.fill(expected, 9);
                for (int l = 0; l < kc; l++) for (int i = 0; i < rows; i++) expected[d + l * stride + i] = b[s + i * ldb + l];
                t.apply(b, s, ldb, rows, kc, bp, d, stride);
                for (int i = 0; i < bp.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(bp[i]),
                            type + " transpose" + lanes + ", " + rows + " rows, kc " + kc + ", at " + i);
                }
            }
        }
    }
}
