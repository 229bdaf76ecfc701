package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.kernel.Elementwise.Unary;
import dev.nabla.kernel.TranscendentalsExhaustive.Report;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float32 exp, log, tanh and sigmoid kernels: accuracy against {@code Math} in float64 over a
 * strided sample of all 2^32 inputs and at the edges, and the Panama kernels bitwise equal to the
 * scalar ones, tails of every length included. {@code scripts/transcendentals-exhaustive} checks
 * every input.
 */
class TranscendentalsTest {
    /** The largest error in ulps over all 2^32 inputs (scripts/transcendentals-exhaustive), rounded up. */
    private static final Map<Unary, Double> MAX_ULP =
            Map.of(Unary.EXP, 0.78, Unary.LOG, 0.82, Unary.TANH, 0.94, Unary.SIGMOID, 0.81);

    private static final float[] EDGES = {
            0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL,
            Math.nextDown(Float.MIN_NORMAL), Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7fa00001), Float.intBitsToFloat(0xffc00000), // NaNs with other payloads
            1f, -1f, 2f, 0.5f, 0x1p-30f, -0x1p-30f,
            88.72283f, 88.72284f, 89f, 89.5f, -87.33654f, -87.33655f, -103.27892f, -103.97207f, -103.97208f,
            -104f, -104.5f, -150f,                                             // exp: overflow, subnormals, underflow
            0.9f, Math.nextDown(0.9f), -0.9f, 9.01f, 9.1f, 20f, 21f, -20f,     // tanh: the branch, saturation
            Math.nextDown(1f), 1.5f, Math.nextDown(1.5f), -3f, Math.nextDown(3f), 6f, -Math.nextDown(6f), 8f,
            Math.nextDown(8f), 9.02f, 9.5f, Math.nextUp(9.5f), -10f, 12f,     // tanh: its table's intervals and clamp
            16.635532f, 17f, -88.72284f, -100f,                                // sigmoid: saturation at 1, tiny results
            (float) Math.sqrt(0.5), Math.nextDown((float) Math.sqrt(0.5)), (float) Math.sqrt(2), // log: the reduction's ends
    };

    static Iterable<Unary> functions() {
        return TranscendentalsExhaustive.FUNCTIONS;
    }

    private static void assertAccurate(Report r) {
        assertEquals(0, r.wrongSpecials(), r.toString());
        assertEquals(0, r.vectorMismatches(), r.toString());
        assertTrue(r.maxUlp() <= MAX_ULP.get(r.op()), r.toString());
    }

    @ParameterizedTest
    @MethodSource("functions")
    void isWithinItsStatedErrorOnEveryStridedFloat32(Unary op) {
        Report r = TranscendentalsExhaustive.check(op, 16381);
        assertTrue(r.checked() > 250_000, r.toString());
        assertAccurate(r);
        // the sample lands mostly on ordinary inputs: nearly all of them are correctly rounded
        assertTrue(r.notCorrectlyRounded() < r.checked() / 100, r.toString());
    }

    @ParameterizedTest
    @MethodSource("functions")
    void handlesZerosInfinitiesNaNsSubnormalsAndThresholds(Unary op) {
        assertAccurate(TranscendentalsExhaustive.check(op, EDGES));
    }

    @ParameterizedTest
    @MethodSource("functions")
    void thePanamaKernelAgreesBitwiseWithTheScalarOneAtEveryOffsetAndTailLength(Unary op) {
        SplittableRandom random = new SplittableRandom(12);
        float[] x = new float[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < EDGES.length ? EDGES[i] : (float) (random.nextGaussian() * (i % 3 == 0 ? 30 : 3));
        }
        Elementwise panama = KernelProvider.panama().elementwise(), scalar = KernelProvider.scalar().elementwise();
        for (int offset = 0; offset < 3; offset++) {
            for (int n = 0; n + offset <= x.length; n += n < 40 ? 1 : 13) {
                float[] v = new float[n + 1], s = new float[n + 1];
                panama.unary(op, x, offset, 1, v, 1, 1, n);
                scalar.unary(op, x, offset, 1, s, 1, 1, n);
                assertArrayEquals(bits(s), bits(v), op + ", offset " + offset + ", n " + n);
            }
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    @ParameterizedTest
    @MethodSource("functions")
    void givesTheIeeeResultsAtTheSpecialPoints(Unary op) {
        float[] x = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] expected = switch (op) {
            case EXP -> new float[] {1f, 1f, Float.POSITIVE_INFINITY, 0f};
            case LOG -> new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN};
            case TANH -> new float[] {0f, -0f, 1f, -1f};
            case SIGMOID -> new float[] {0.5f, 0.5f, 1f, 0f};
            default -> throw new AssertionError(op);
        };
        for (KernelProvider p : new KernelProvider[] {KernelProvider.scalar(), KernelProvider.panama()}) {
            float[] y = new float[x.length];
            p.elementwise().unary(op, x, 0, 1, y, 0, 1, x.length);
            assertArrayEquals(bits(expected), bits(y), op + " on " + p.name());
        }
    }
}
