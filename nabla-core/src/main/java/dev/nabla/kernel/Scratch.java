package dev.nabla.kernel;

import java.lang.ref.SoftReference;
import java.lang.reflect.Array;

/**
 * Per-thread scratch arrays kept between calls, for the buffers a kernel fills and reads within
 * one call (the convolution's column matrices and products, Winograd's transformed weights and
 * tiles): a dcgan step allocated 164 MB at batch 32, half of it such buffers, fresh for every
 * chunk of every call, and zeroing fresh memory ran at ~6.7 GB/s on the 2-vCPU machines here
 * (800 KB: 120 µs). A thread holds {@value #SLOTS} slots per type at once, each the longest array
 * asked of it so far, softly reachable: the garbage collector drops an array that has not been
 * used for a long while (about a second per free megabyte of heap) and all of them before it
 * would run out of memory, and the next call allocates it again. Before, a slot kept at most 2^20
 * elements and longer requests took a fresh array each time: VGG16's 3–38 MB buffers, allocated
 * apart from the young generation (G1's humongous objects) and freed only at the next collection,
 * grew the heap to 4.2–5.1 GB; kept, the vgg16 protocol peaked at 2.8–3.9 GB and ran 1.03–1.13 s
 * against 1.16–1.40 s (three alternated pairs). The contents are whatever the last user left: a
 * caller writes an entry before reading it.
 */
public final class Scratch {
    /** Slots a thread may hold at once. */
    public static final int SLOTS = 5;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    /** The float32 slots, then the float64 ones. */
    @SuppressWarnings("unchecked")
    private final SoftReference<Object>[] kept = new SoftReference[2 * SLOTS];

    private Scratch() {}

    /** This thread's float32 array of slot at least length long; its contents are arbitrary. */
    public static float[] floats(int slot, int length) {
        return (float[]) array(slot, length, true);
    }

    /** This thread's float64 array of slot at least length long; its contents are arbitrary. */
    public static double[] doubles(int slot, int length) {
        return (double[]) array(SLOTS + slot, length, false);
    }

    private static Object array(int index, int length, boolean f32) {
        SoftReference<Object>[] kept = LOCAL.get().kept;
        Object a = kept[index] == null ? null : kept[index].get();
        if (a == null || Array.getLength(a) < length) {
            a = f32 ? new float[length] : new double[length];
            kept[index] = new SoftReference<>(a);
        }
        return a;
    }
}
