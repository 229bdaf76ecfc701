package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/** Bit-for-bit tensor comparison for the io tests (NaN payloads and -0.0 included). */
public final class TensorAssert {
    private TensorAssert() {}

    public static void assertBitwiseEquals(Tensor expected, Tensor actual, String name) {
        assertEquals(expected.dtype(), actual.dtype(), name + ": dtype");
        assertArrayEquals(expected.shape(), actual.shape(), name + ": shape " + Arrays.toString(actual.shape()));
        assertArrayEquals(bits(expected), bits(actual), name + ": element bits");
    }

    /** The elements' raw bits, widened to long. */
    public static long[] bits(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> {
                float[] a = t.toFloatArray();
                long[] b = new long[a.length];
                for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]) & 0xFFFFFFFFL;
                yield b;
            }
            case FLOAT64 -> {
                double[] a = t.toDoubleArray();
                long[] b = new long[a.length];
                for (int i = 0; i < a.length; i++) b[i] = Double.doubleToRawLongBits(a[i]);
                yield b;
            }
            case INT64 -> t.toLongArray();
        };
    }
}
