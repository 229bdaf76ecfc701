package dev.nabla.kernel;

import dev.nabla.kernel.Elementwise.Unary;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Measures the float32 {@link Transcendentals} against {@code Math} in float64 over every float32
 * input of each function's range (where the result is not simply saturated: {@link #RANGES}),
 * through both providers' elementwise kernels, and prints per function the largest error in ulps
 * of the exact result, where it occurs, how many results differ from the correctly rounded one,
 * how many special values (NaN, ±∞, a zero's sign) are wrong, and how many Panama results differ
 * in any bit from the scalar ones. Run it with {@code scripts/transcendentals-exhaustive} (about
 * 10^10 evaluations: minutes of CPU); {@code TranscendentalsTest} runs the same measurement over
 * a strided sample of all 2^32 bit patterns and at the edges, the saturated ranges included.
 */
public final class TranscendentalsExhaustive {
    static final List<Unary> FUNCTIONS = List.of(Unary.EXP, Unary.LOG, Unary.TANH, Unary.SIGMOID);
    private static final int CHUNK = 1 << 16;

    /** The outcome for one function; worstInput is where maxUlp occurs. */
    record Report(Unary op, long checked, double maxUlp, float worstInput, long notCorrectlyRounded,
                  long wrongSpecials, long vectorMismatches) {
        Report merge(Report o) {
            boolean mine = maxUlp >= o.maxUlp;
            return new Report(op, checked + o.checked, mine ? maxUlp : o.maxUlp, mine ? worstInput : o.worstInput,
                    notCorrectlyRounded + o.notCorrectlyRounded, wrongSpecials + o.wrongSpecials,
                    vectorMismatches + o.vectorMismatches);
        }

        @Override
        public String toString() {
            return String.format("%-8s %,14d inputs  max error %.4f ulp at x = %s (%s)  not correctly rounded %,d"
                            + " (%.4f%%)  wrong special values %d  Panama != scalar %d",
                    op.name().toLowerCase(), checked, maxUlp, worstInput, Float.toHexString(worstInput),
                    notCorrectlyRounded, 100.0 * notCorrectlyRounded / checked, wrongSpecials, vectorMismatches);
        }
    }

    /** The float64 truth the float32 result is measured against. */
    static double reference(Unary op, float x) {
        return switch (op) {
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-(double) x));
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /**
     * Each function's range, both ends included: beyond it exp is 0 or +∞, log of a negative NaN,
     * tanh ±1, sigmoid 0 or 1.
     */
    static final Map<Unary, float[]> RANGES = Map.of(
            Unary.EXP, new float[] {Transcendentals.EXP_MIN, Transcendentals.EXP_MAX},
            Unary.LOG, new float[] {0f, Float.POSITIVE_INFINITY},
            Unary.TANH, new float[] {-9.1f, 9.1f},
            Unary.SIGMOID, new float[] {Transcendentals.EXP_MIN, 17f});

    // Floats in increasing order as keys 0 … 2^32 − 1: −NaNs, −∞ … −0 below 2^31, +0 … +∞, +NaNs from it.
    static long key(float x) {
        int b = Float.floatToRawIntBits(x);
        return b >= 0 ? (1L << 31) + b : (1L << 31) - 1 - (b & 0x7fffffff);
    }

    static float fromKey(long k) {
        return Float.intBitsToFloat((int) (k >= 1L << 31 ? k - (1L << 31) : 0x80000000L | ((1L << 31) - 1 - k)));
    }

    /** Every stride-th float32 from key first to key last. */
    static Report check(Unary op, long first, long last, int stride) {
        long total = (last - first) / stride + 1;
        int chunks = (int) ((total + CHUNK - 1) / CHUNK);
        return IntStream.range(0, chunks).parallel().mapToObj(c -> {
            long start = (long) c * CHUNK;
            float[] x = new float[(int) Math.min(CHUNK, total - start)];
            for (int i = 0; i < x.length; i++) x[i] = fromKey(first + (start + i) * stride);
            return check(op, x);
        }).reduce(Report::merge).orElseThrow();
    }

    /** Every stride-th of all 2^32 float32 bit patterns. */
    static Report check(Unary op, int stride) {
        return check(op, 0, (1L << 32) - 1, stride);
    }

    /** The report for the given inputs, each computed by both providers' kernels. */
    static Report check(Unary op, float[] x) {
        float[] y = new float[x.length], v = new float[x.length];
        KernelProvider.scalar().elementwise().unary(op, x, 0, 1, y, 0, 1, x.length);
        KernelProvider.panama().elementwise().unary(op, x, 0, 1, v, 0, 1, x.length);
        double maxUlp = 0;
        float worst = Float.NaN;
        long notRounded = 0, specials = 0, mismatches = 0;
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(v[i])) mismatches++;
            double exact = reference(op, x[i]);
            float rounded = (float) exact;
            if (Float.floatToIntBits(y[i]) != Float.floatToIntBits(rounded)) notRounded++;
            if (Double.isNaN(exact) || Float.isInfinite(rounded) || Float.isInfinite(y[i]) || (y[i] == 0 && rounded == 0)) {
                if (Float.floatToIntBits(y[i]) != Float.floatToIntBits(rounded)) specials++;
                continue;
            }
            // an ulp of the exact value's binade in float32, 2^-149 among the subnormals
            double ulps = Math.abs(y[i] - exact) / Math.scalb(1.0, Math.max(Math.getExponent(exact), -126) - 23);
            if (ulps > maxUlp) {
                maxUlp = ulps;
                worst = x[i];
            }
        }
        return new Report(op, x.length, maxUlp, worst, notRounded, specials, mismatches);
    }

    public static void main(String[] args) {
        System.out.println(KernelProvider.panama().name() + ", every float32 input of each range, against Math in float64:");
        for (Unary op : FUNCTIONS) {
            float[] range = RANGES.get(op);
            long start = System.nanoTime();
            Report r = check(op, key(range[0]), key(range[1]), 1);
            System.out.printf("%s  [%s, %s]  (%.0f s)%n", r, range[0], range[1], (System.nanoTime() - start) / 1e9);
        }
    }
}
