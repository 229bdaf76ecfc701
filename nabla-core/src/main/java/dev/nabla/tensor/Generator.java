package dev.nabla.tensor;

import java.util.Arrays;

/**
 * A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64), the only
 * source of randomness in nabla: the same seed gives the same numbers on every JVM and thread
 * count, and nothing reads the clock. A Generator is not thread-safe: draw from one thread at a
 * time, or give each thread its own.
 *
 * <p>The default generator ({@link #global()}, used wherever none is passed) is one per thread, so
 * threads never corrupt each other's state and a seeded single-threaded program draws the same numbers
 * whatever other threads do. Each thread's starts as {@code new Generator(0)};
 * {@link #seedGlobal(long)} reseeds the calling thread's. A thread that should draw other numbers than
 * its siblings seeds its own (e.g. {@code seedGlobal(seed + workerIndex)}) or is given a Generator.
 */
public final class Generator {
    private static final ThreadLocal<Generator> GLOBAL = ThreadLocal.withInitial(() -> new Generator(0));

    private long s0, s1, s2, s3;
    private double spareNormal;
    private boolean hasSpare;

    /** A generator seeded with {@code seed}. */
    public Generator(long seed) {
        manualSeed(seed);
    }

    /** The calling thread's default generator, used when none is given; reseed it with {@link #seedGlobal(long)}. */
    public static Generator global() {
        return GLOBAL.get();
    }

    /** Replaces the calling thread's default generator by one seeded with {@code seed} (like torch.manual_seed). */
    public static void seedGlobal(long seed) {
        GLOBAL.set(new Generator(seed));
    }

    /** Resets this generator to the state of {@code new Generator(seed)}. */
    public Generator manualSeed(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
        hasSpare = false;
        return this;
    }

    /**
     * The whole state (6 numbers: the four xoshiro words, the cached normal's bits, whether one
     * is cached), for {@link #setState} to continue the same sequence, e.g. after a checkpoint.
     */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareNormal), hasSpare ? 1 : 0};
    }

    /** Puts this generator in a state from {@link #state()}: it then draws what the original drew next. */
    public Generator setState(long[] state) {
        if (state == null || state.length != 6 || (state[0] | state[1] | state[2] | state[3]) == 0 || (state[5] & ~1L) != 0) {
            throw new IllegalArgumentException("Generator.setState: expected the 6 numbers of Generator.state() (four"
                    + " not all zero, the last 0 or 1), got " + Arrays.toString(state));
        }
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
        spareNormal = Double.longBitsToDouble(state[4]);
        hasSpare = state[5] == 1;
        return this;
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64 random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits (so never rounds up to 1 in float). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform integer in [0, bound), without modulo bias. */
    public long nextLong(long bound) {
        if (bound <= 0) throw new IllegalArgumentException("Generator.nextLong: bound " + bound + " must be positive");
        long r = nextLong() >>> 1;
        long m = bound - 1;
        if ((bound & m) == 0) return r & m;
        for (long u = r; u - (r = u % bound) + m < 0; u = nextLong() >>> 1) {
            // rejected: u fell in the incomplete last block
        }
        return r;
    }

    /** Standard normal, by the Box–Muller transform (the second value is kept for the next call). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u1 = 1.0 - nextDouble(); // (0, 1]: log is finite
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }
}
