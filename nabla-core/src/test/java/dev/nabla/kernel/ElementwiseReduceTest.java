package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.kernel.Elementwise.Reduce;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Max and min over a run of floats: the Panama kernel (lanes, then a tail) gives the scalar
 * loop's bits, with Math.max/min's rules: a NaN anywhere wins, +0 is above -0, infinities count.
 * And the finiteness check that rests on the same max.
 */
class ElementwiseReduceTest {
    private static final Elementwise SIMD = KernelProvider.panama().elementwise(), SCALAR = KernelProvider.scalar().elementwise();

    // the definition, one element at a time
    private static float expected(Reduce op, float[] x, int from, int n) {
        float best = op == Reduce.MAX ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        for (int i = from; i < from + n; i++) {
            if (Float.isNaN(x[i])) return Float.NaN;
            best = op == Reduce.MAX ? Math.max(best, x[i]) : Math.min(best, x[i]);
        }
        return best;
    }

    private static void check(float[] x, int from, int n, String what) {
        for (Reduce op : new Reduce[] {Reduce.MAX, Reduce.MIN}) {
            float want = expected(op, x, from, n);
            String where = op + " of " + n + " floats from " + from + " (" + what + ")";
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(SIMD.reduce(op, x, from, 1, n)), where + ", Panama");
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(SCALAR.reduce(op, x, from, 1, n)), where + ", scalar");
        }
    }

    @Test
    void vectorAndScalarAgreeBitwiseWithSpecialValuesAnywhere() {
        Random r = new Random(3);
        float[] specials = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MIN_VALUE};
        for (int n : new int[] {1, 15, 16, 31, 32, 33, 47, 64, 100, 257}) {
            for (int from : new int[] {0, 3}) {
                float[] x = new float[from + n];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                check(x, from, n, "gaussian");
                for (float s : specials) {
                    for (int at : new int[] {from, from + n / 2, from + n - 1}) {
                        float[] y = x.clone();
                        y[at] = s;
                        check(y, from, n, s + " at " + (at - from));
                    }
                }
                float[] zeros = new float[from + n];
                java.util.Arrays.fill(zeros, -0f);
                zeros[from + n - 1] = 0f;
                check(zeros, from, n, "-0 then +0 last");
            }
        }
    }

    /**
     * The finiteness check, also once C2 has compiled it (it sums x − x, which a compiler that
     * folded it to 0 would break), on runs that end before or start after the bad element.
     */
    @Test
    void allFiniteFindsEveryNaNAndInfinityOnceCompiled() {
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) x[i] = (i % 2 == 0 ? 1 : -1) * Float.MAX_VALUE / (i + 1);
        for (int round = 0; round < 100_000; round++) assertTrue(SIMD.allFinite(x, 0, x.length)); // C2 compiles it meanwhile
        for (int at = 0; at < x.length; at += 5) {
            float kept = x[at];
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                x[at] = bad;
                assertFalse(SIMD.allFinite(x, 0, x.length), bad + " at " + at);
                assertFalse(SCALAR.allFinite(x, 0, x.length), bad + " at " + at + ", scalar");
                assertTrue(SIMD.allFinite(x, 0, at), "the run before " + at);
                assertTrue(SIMD.allFinite(x, at + 1, x.length - at - 1), "the run after " + at);
            }
            x[at] = kept;
            assertTrue(SIMD.allFinite(x, 0, x.length));
        }
    }
}
