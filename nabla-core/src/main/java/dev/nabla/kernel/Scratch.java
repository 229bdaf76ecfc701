package dev.nabla.kernel;

/**
 * Per-thread scratch arrays kept between calls, for the buffers a kernel fills and reads within
 * one call (the convolution's column matrices and products, Winograd's transformed tiles): a
 * dcgan step allocated 164 MB at batch 32, half of it such buffers, fresh for every chunk of every
 * call, and zeroing fresh memory ran at ~6.7 GB/s on the 2-vCPU machines here (800 KB: 120 µs).
 * A thread holds {@value #SLOTS} slots per type at once, each kept up to {@value #KEEP} elements;
 * a longer request gets a fresh array, used once. The contents are whatever the last user left:
 * a caller writes an entry before reading it.
 */
public final class Scratch {
    /** Slots a thread may hold at once. */
    public static final int SLOTS = 3;
    /** Elements a slot keeps between calls (4 MiB of float32). */
    static final int KEEP = 1 << 20;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final float[][] floats = new float[SLOTS][0];
    private final double[][] doubles = new double[SLOTS][0];

    private Scratch() {}

    /** This thread's float32 array of slot at least length long; its contents are arbitrary. */
    public static float[] floats(int slot, int length) {
        if (length > KEEP) return new float[length];
        float[][] f = LOCAL.get().floats;
        if (f[slot].length < length) f[slot] = new float[length];
        return f[slot];
    }

    /** This thread's float64 array of slot at least length long; its contents are arbitrary. */
    public static double[] doubles(int slot, int length) {
        if (length > KEEP) return new double[length];
        double[][] d = LOCAL.get().doubles;
        if (d[slot].length < length) d[slot] = new double[length];
        return d[slot];
    }
}
