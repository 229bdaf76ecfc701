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

    // tanh: x + x³·T(x²) below TANH_POLY_MAX; above, a table (see tanh)
    static final float TANH_POLY_MAX = 0.9f;
    static final float T0 = -0x1.55554ep-2f, T1 = 0x1.110f34p-3f, T2 = -0x1.b9c9f2p-5f, T3 = 0x1.62ef7cp-6f,
            T4 = -0x1.0ed006p-7f, T5 = 0x1.5283fcp-9f, T6 = -0x1.dd95b0p-12f;
    // |x| clamped to [0.75, 9.5] by its bits (a NaN's are above: it takes the last interval); tanh
    // rounds to 1 in float32 from 9.02 on
    static final int TANH_TABLE_MIN_BITS = Float.floatToRawIntBits(0.75f), TANH_TABLE_MAX_BITS = Float.floatToRawIntBits(9.5f);
    static final int TANH_INDEX_SHIFT = 22; // an interval per exponent and top mantissa bit
    static final int TANH_INDEX_BIAS = TANH_TABLE_MIN_BITS >> TANH_INDEX_SHIFT;
    static final int TANH_INTERVAL = -1 << TANH_INDEX_SHIFT, TANH_MIDPOINT = 1 << (TANH_INDEX_SHIFT - 1);
    /**
     * Per interval i of |x| ([0.75, 1), [1, 1.5), [1.5, 2), [2, 3), ..., [8, 9.5]), the rows: T0 =
     * tanh(c) in float32 at its midpoint c (|x|'s bits with the interval's and the next mantissa bit
     * set: 0.875, 1.25, ..., 10), then the coefficients D0..D7 of D(t) ≈ tanh(c + t) − T0, minimax in
     * absolute error: at most 0.084 units of 2^-24 (a twelfth of an ulp of the result), written by
     * scripts/transcendental_coefficients.py.
     */
    static final float[][] TANH_TABLE = {
            {0x1.686650p-1f, 0x1.b2523cp-1f, 0x1.e1fbfap-1f, 0x1.f92582p-1f, 0x1.ff112cp-1f, 0x1.fff41ap-1f, 0x1.ffffc8p-1f, 0x1.000000p+0f}, // T0
            {0x1.71987ep-26f, -0x1.2146d2p-27f, -0x1.055daep-26f, 0x1.532d6ep-27f, 0x1.980772p-27f, -0x1.bdb3f4p-27f, 0x1.99e956p-28f, -0x1.d3c840p-29f}, // D0
            {0x1.02500ap-1f, 0x1.1f2514p-2f, 0x1.d22ca2p-4f, 0x1.b3afeap-6f, 0x1.dd37cep-9f, 0x1.7cca28p-13f, 0x1.be66b2p-19f, 0x1.db19b2p-27f}, // D1
            {-0x1.6ba7ccp-2f, -0x1.e72920p-3f, -0x1.b6d84cp-4f, -0x1.adda28p-6f, -0x1.dc5a64p-9f, -0x1.7d1980p-13f, -0x1.becf8ep-19f, 0x1.5401bcp-27f}, // D2
            {0x1.4f152cp-4f, 0x1.bba45ap-4f, 0x1.01b9fap-4f, 0x1.16ddc2p-6f, 0x1.3c68e8p-9f, 0x1.fbff72p-14f, 0x1.29d9d6p-19f, 0x1.430d2ep-25f}, // D3
            {0x1.f20a2cp-5f, -0x1.9c52a0p-7f, -0x1.816996p-6f, -0x1.07d274p-7f, -0x1.39e9e0p-10f, -0x1.f4f370p-15f, -0x1.25c368p-20f, 0x1.09cf38p-25f}, // D4
            {-0x1.e21b96p-5f, -0x1.3ab576p-6f, 0x1.e4a5cap-9f, 0x1.771722p-9f, 0x1.eefdeep-12f, 0x1.90d540p-16f, 0x1.d65e06p-22f, 0x1.7f4560p-26f}, // D5
            {0x1.a8834ep-7f, 0x1.edf2b8p-7f, 0x1.11a862p-9f, -0x1.6df962p-11f, -0x1.49ba3cp-13f, -0x1.36a586p-17f, -0x1.6db67cp-23f, 0x1.f09f38p-28f}, // D6
            {0x1.6be492p-7f, -0x1.20eab0p-8f, -0x1.01fe00p-9f, 0x1.ee4c88p-15f, 0x1.5f258ap-15f, 0x1.60242ep-19f, 0x1.a0519ap-25f, 0x1.7aef1ep-30f} // D7
    };
    static final int TANH_T = 0, TANH_D0 = 1;

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
     * The hyperbolic tangent in float32: an odd polynomial below {@link #TANH_POLY_MAX}; above, from
     * a table of 8 intervals indexed by |x|'s exponent and top mantissa bit: T0 + D(|x| − c) for the
     * interval's midpoint c, with T0 = tanh(c) a float32 constant and D a polynomial of degree 7
     * fitted to what T0 leaves out, so that the sum rounds once. The subtraction |x| − c is exact
     * (Sterbenz: |x| is within a factor 2 of c). No exp and no division, where 1 − 2e/(1 + e) with
     * e = e^(−2|x|) took both and a Newton step; in vectors, a lookup is one lane permutation.
     */
    public static float tanh(float x) {
        float a = Math.abs(x);
        float z = a * a;
        float t = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(
                T6, z, T5), z, T4), z, T3), z, T2), z, T1), z, T0);
        float small = Math.fma(a * z, t, a);
        int bits = Math.min(Math.max(Float.floatToRawIntBits(a), TANH_TABLE_MIN_BITS), TANH_TABLE_MAX_BITS);
        int i = (bits >> TANH_INDEX_SHIFT) - TANH_INDEX_BIAS;
        float u = Float.intBitsToFloat(bits) - Float.intBitsToFloat((bits & TANH_INTERVAL) | TANH_MIDPOINT);
        float[][] tb = TANH_TABLE;
        float d = tb[TANH_D0 + 7][i];
        for (int k = 6; k >= 0; k--) d = Math.fma(d, u, tb[TANH_D0 + k][i]);
        float large = tb[TANH_T][i] + d;
        float y = a < TANH_POLY_MAX ? small : large;
        y = Float.intBitsToFloat(Float.floatToRawIntBits(y) | (Float.floatToRawIntBits(x) & SIGN_BIT));
        return x != x ? Float.NaN : y;
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
