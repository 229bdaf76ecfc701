package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pixels to floats: both providers give (byte & 0xFF) / divisor bitwise, at every length around the vector width. */
class UnsignedBytesTest {
    @Test
    void bothProvidersDivideTheUnsignedValue() {
        Random rnd = new Random(255);
        byte[] x = new byte[300];
        for (int i = 0; i < 256; i++) x[i] = (byte) i;  // every value once
        for (int i = 256; i < x.length; i++) x[i] = (byte) rnd.nextInt();
        for (Elementwise ew : new Elementwise[] {KernelProvider.scalar().elementwise(), KernelProvider.panama().elementwise()}) {
            for (float divisor : new float[] {255f, 1f, 7.5f}) {
                for (int n : new int[] {0, 1, 15, 16, 17, 33, 256, 299}) {
                    int xo = x.length - n >= 1 ? 1 : 0, yo = 2;
                    float[] y = new float[yo + n + 3];
                    ew.unsignedBytes(x, xo, divisor, y, yo, n);
                    for (int i = 0; i < y.length; i++) {
                        float want = i >= yo && i < yo + n ? (x[xo + i - yo] & 0xFF) / divisor : 0f;
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(y[i]),
                                ew.name() + ": n " + n + ", divisor " + divisor + ", y[" + i + "]");
                    }
                }
            }
        }
    }
}
