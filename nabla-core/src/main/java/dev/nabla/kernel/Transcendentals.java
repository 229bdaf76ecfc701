package dev.nabla.kernel;

/**
 * float32 exp, log, tanh and sigmoid as explicit polynomial approximations, in plain Java. Their
 * Vector API sibling {@link VectorTranscendentals} performs the same IEEE operations (fused
 * multiply-adds included) in the same order, lane by lane, so the two agree bitwise whatever the
 * JIT has compiled; the JDK's own vector exp/tanh do not (they switch library once C2 compiles a
 * loop). float64 keeps {@code Math}, which the gradchecks and PyTorch's float64 fixtures rely on.
 *
 * <p>The largest error, in ulps of the exact result, over every float32 input where the result
 * is not saturated (measured by
 * {@code scripts/transcendentals-exhaustive}): exp 0.78, log 0.82, tanh 0.94, sigmoid 0.81 (rounded up); more
 * than 99% of the results are correctly rounded. Edges: NaN gives NaN (the canonical one); exp
 * overflows to +∞ above ln(Float.MAX_VALUE) and underflows through the subnormals to +0; log takes
 * subnormal inputs, log(±0) = −∞, log(x &lt; 0) = NaN, log(+∞) = +∞; tanh(−0) = −0 and tanh
 * saturates to exactly ±1; sigmoid to exactly 0 and 1.
 *
 * <p>The coefficients are minimax fits written by {@code scripts/transcendental_coefficients.py}.
 */
public final class Transcendentals {
    private Transcendentals() {}

    // exp: x = n·ln2 + r, |r| ≤ ln2/2, n rounded by adding 1.5·2^23 (the integer lands in the low bits).
    static final float EXP_MIN = -104f;  // e^x < 2^-150 below: 0 (the clamp keeps n in int range)
    static final float EXP_MAX = 89f;    // e^x > Float.MAX_VALUE above: +∞
    static final float LOG2E = 0x1.715476p0f;
    static final float SHIFTER = 0x1.8p23f;
    static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
    // ln2 = LN2_HI + LN2_LO, LN2_HI with 9 bits so that x − n·LN2_HI is exact for every |n| ≤ 150
    static final float LN2_HI = 0x1.63p-1f;
    static final float LN2_LO = -0x1.bd0106p-13f;
    // e^r = 1 + r + r²·Q(r)
    static final float E0 = 0x1.fffffcp-2f, E1 = 0x1.555492p-3f, E2 = 0x1.5558f2p-5f, E3 = 0x1.1239d4p-7f,
            E4 = 0x1.6a244cp-10f;

    // log: x = m·2^e with m in [√½, √2), f = m − 1; log(1+f) = f − f²/2 + f³·P(f)
    static final int SQRT_HALF_BITS = 0x3f3504f3;
    static final float P0 = 0x1.555548p-2f, P1 = -0x1.000006p-2f, P2 = 0x1.99a4b6p-3f, P3 = -0x1.555c4ep-3f,
            P4 = 0x1.233768p-3f, P5 = -0x1.fc2208p-4f, P6 = 0x1.e6f06ap-4f, P7 = -0x1.de3c16p-4f,
            P8 = 0x1.1457a8p-4f;

    // tanh: x + x³·T(x²) below TANH_POLY_MAX; above, 1 − 2e/(1 + e) with e = e^(−2|x|)
    static final float TANH_POLY_MAX = 0.9f;
    static final float TANH_MAX = 20f; // tanh = 1 in float32 far below; keeps e^(−2|x|) ≥ 2^-58
    static final float T0 = -0x1.55554ep-2f, T1 = 0x1.110f34p-3f, T2 = -0x1.b9c9f2p-5f, T3 = 0x1.62ef7cp-6f,
            T4 = -0x1.0ed006p-7f, T5 = 0x1.5283fcp-9f, T6 = -0x1.dd95b0p-12f;

    static final int SIGN_BIT = 0x80000000;

    /** e^x in float32. */
    public static float exp(float x) {
        return x != x ? Float.NaN : hi(expSplit(x));
    }

    /**
     * e^x for a non-NaN x as an unevaluated sum hi + lo, hi the float32 result and lo close to its
     * rounding error (while hi is normal), packed in a long (see {@link #hi}, {@link #lo}): sigmoid
     * needs e^x to more than float32's precision where its result is e/(1 + e), whose relative
     * error is e's.
     */
    static long expSplit(float x) {
        float xc = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float k = Math.fma(xc, LOG2E, SHIFTER);
        float n = k - SHIFTER;
        float rh = Math.fma(n, -LN2_HI, xc);
        float r = Math.fma(n, -LN2_LO, rh);
        float rl = Math.fma(n, -LN2_LO, rh - r); // r's rounding error: r + rl = x − n·ln2 closely
        float q = Math.fma(Math.fma(Math.fma(Math.fma(E4, r, E3), r, E2), r, E1), r, E0);
        // e^r = 1 + r + (r²·Q + rl) with 1 + r = s + c exactly (Fast2Sum), so that only the last sum rounds
        float s = 1f + r;
        float c = (1f - s) + r;
        float t = Math.fma(r * r, q, c + rl);
        float ph = s + t;
        float pl = (s - ph) + t;
        // 2^n as two normal factors, so that a subnormal result is rounded once, by the last product
        int ni = Float.floatToRawIntBits(k) - SHIFTER_BITS;
        int n1 = ni >> 1, n2 = ni - n1;
        float s1 = Float.intBitsToFloat((n1 + 127) << 23), s2 = Float.intBitsToFloat((n2 + 127) << 23);
        return (long) Float.floatToRawIntBits(ph * s1 * s2) << 32 | Integer.toUnsignedLong(Float.floatToRawIntBits(pl * s1 * s2));
    }

    static float hi(long split) {
        return Float.intBitsToFloat((int) (split >>> 32));
    }

    static float lo(long split) {
        return Float.intBitsToFloat((int) split);
    }

    /** The natural logarithm in float32. */
    public static float log(float x) {
        boolean subnormal = x < Float.MIN_NORMAL;
        float xs = subnormal ? x * 0x1p23f : x;
        int ix = Float.floatToRawIntBits(xs) - SQRT_HALF_BITS;
        float e = (float) (ix >> 23);
        if (subnormal) e = e - 23f;
        float f = Float.intBitsToFloat((ix & 0x007fffff) + SQRT_HALF_BITS) - 1f;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(
                P8, f, P7), f, P6), f, P5), f, P4), f, P3), f, P2), f, P1), f, P0);
        float f2 = f * f;
        float low = Math.fma(f2 * f, p, -0.5f * f2);
        float y = Math.fma(e, LN2_HI, f + Math.fma(e, LN2_LO, low));
        if (x == Float.POSITIVE_INFINITY) y = x;
        if (x == 0f) y = Float.NEGATIVE_INFINITY;
        if (!(x >= 0f)) y = Float.NaN;
        return y;
    }

    /**
     * The hyperbolic tangent in float32: an odd polynomial below {@link #TANH_POLY_MAX}; above,
     * 1 − q with q = 2e/(1 + e) and e = e^(−2|x|) ≤ e^−1.8 in float32, the quotient's two roundings
     * (of 1 + e and of the division) corrected by one Newton step. Carrying e beyond float32 (as
     * sigmoid does) would gain little: its error reaches the result damped by 2/(1 + e)² · e ≤ 0.24.
     */
    public static float tanh(float x) {
        float a = Math.abs(x);
        float z = a * a;
        float t = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(
                T6, z, T5), z, T4), z, T3), z, T2), z, T1), z, T0);
        float small = Math.fma(a * z, t, a);
        float e = expNormal(-2f * Math.min(a, TANH_MAX));
        float dh = 1f + e, dl = (1f - dh) + e;                       // 1 + e = dh + dl exactly (Fast2Sum)
        float n = e + e;
        float q = n / dh;
        float residual = Math.fma(-q, dl, Math.fma(-q, dh, n));      // 2e − q·(1 + e), nearly exact
        float h = 1f - q, l = (1f - h) - q;                          // 1 − q = h + l exactly (Fast2Sum)
        float large = h + Math.fma(residual, Math.fma(q, 0.5f, -1f), l); // − residual/(1 + e), as 1/(1 + e) = 1 − q/2
        float y = a < TANH_POLY_MAX ? small : large;
        y = Float.intBitsToFloat(Float.floatToRawIntBits(y) | (Float.floatToRawIntBits(x) & SIGN_BIT));
        return x != x ? Float.NaN : y;
    }

    /**
     * e^x in float32 for x in [−2·TANH_MAX, 0] or NaN, where e^x is normal: {@link #expSplit}'s
     * reduction and polynomial without its clamps, its low part and its two-step scaling.
     */
    static float expNormal(float x) {
        float k = Math.fma(x, LOG2E, SHIFTER);
        float n = k - SHIFTER;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x));
        float q = Math.fma(Math.fma(Math.fma(Math.fma(E4, r, E3), r, E2), r, E1), r, E0);
        float p = 1f + Math.fma(r * r, q, r);
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(k) - SHIFTER_BITS + 127) << 23);
    }

    /**
     * The logistic sigmoid 1/(1 + e^−x) in float32, as e/(1 + e) with e = e^x for x &lt; 0 so that
     * nothing overflows and the error of e is not magnified where the result is tiny; the quotient
     * is corrected by one Newton step with e carried beyond float32 precision.
     */
    public static float sigmoid(float x) {
        long e = expSplit(-Math.abs(x));
        float eh = hi(e), el = lo(e);
        float dh = 1f + eh, dl = ((1f - dh) + eh) + el; // 1 + e = dh + dl (Fast2Sum)
        boolean positive = x >= 0f;
        float nh = positive ? 1f : eh, nl = positive ? 0f : el;
        float y = nh / dh;
        float residual = Math.fma(-y, dh, nh) + Math.fma(-y, dl, nl); // n − y·(1 + e), nearly exact
        y = Math.fma(residual, positive ? y : 1f - y, y);            // · 1/(1 + e): y, or 1 − y for x < 0
        return x != x ? Float.NaN : y;
    }
}
