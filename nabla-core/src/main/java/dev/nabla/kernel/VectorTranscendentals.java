package dev.nabla.kernel;

import static dev.nabla.kernel.Transcendentals.*;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Transcendentals} on the JDK Vector API: each kernel performs, lane by lane, exactly the
 * operations of its scalar sibling in the same order (a scalar branch is a blend of both sides),
 * so the results are bitwise equal to the scalar ones. Only correctly rounded lane operations
 * are used (add, mul, div, fma, min/max, comparisons, integer bit operations, exact int→float
 * conversion), none of the Vector API's own transcendental operators.
 *
 * <p>The kernels work on arrays, not on vectors passed between methods: a method too large for
 * C2 to inline that takes or returns a vector boxes it on every call (several times slower). Each
 * function is one loop, called through a method handle C2 cannot inline, so that C2 compiles it
 * on its own: C2 inlines any hot method of up to 325 bytecodes, and a compilation that takes in
 * several of these loops (the elementwise kernel that calls them) outgrows C2's node budget for
 * late inlining; the Vector API calls it then leaves out run as Java code that allocates every
 * vector. Measured before the handles: tanh and sigmoid used in turn on 768 floats took 2.1 ns an
 * element and allocated 12 bytes an element, against 1.0 ns and nothing for either alone; a fused
 * chain with tanh on one thread allocated, in one run, 205 MB of vectors per 16M elements. The
 * same budget once refused the small {@code oneMinus} helper late in tanh's loop, which then boxed
 * three vectors an iteration: sigmoid's loop writes 1 − v as {@code one.sub(v)}, and tanh's table
 * lookups are written out in its loop (a helper taking the shuffle and mask, compiled on its own
 * first, was not inlined: 8–20 ns an element); the helpers they do call inline
 * (KernelAllocationTest checks that the loops allocate nothing).
 */
final class VectorTranscendentals {
    private VectorTranscendentals() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    // The loops, as handles C2 cannot inline (see the class comment). Deliberately not final:
    // C2 inlines through a handle it can treat as a constant, which a static final field is.
    private static MethodHandle exp = loop("expLoop"), log = loop("logLoop"), tanh = loop("tanhLoop"),
            sigmoid = loop("sigmoidLoop");

    private static MethodHandle loop(String name) {
        try {
            return MethodHandles.lookup().findStatic(VectorTranscendentals.class, name,
                    MethodType.methodType(void.class, float[].class, int.class, float[].class, int.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // loop(x, xo, y, yo, n), compiled on its own
    private static void run(MethodHandle loop, float[] x, int xo, float[] y, int yo, int n) {
        try {
            loop.invokeExact(x, xo, y, yo, n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("a kernel loop threw a checked exception", t);
        }
    }

    /** y[yo + i] = e^x[xo + i] for i &lt; n, a multiple of the vector length. */
    static void exp(float[] x, int xo, float[] y, int yo, int n) {
        run(exp, x, xo, y, yo, n);
    }

    // e^x as the hi of Transcendentals.expSplit (NaN for a NaN)
    private static void expLoop(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector xc = v.max(EXP_MIN).min(EXP_MAX);
            FloatVector k = xc.fma(LOG2E, SHIFTER);
            FloatVector m = k.sub(SHIFTER);
            FloatVector r = reduced(xc, m), rl = reductionError(xc, m, r);
            FloatVector s = r.add(1f);
            FloatVector t = r.mul(r).fma(expPolynomial(r), oneMinus(s).add(r).add(rl));
            IntVector ni = ((IntVector) k.reinterpretAsInts()).sub(SHIFTER_BITS);
            IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
            s.add(t).mul(powerOfTwo(n1)).mul(powerOfTwo(ni.sub(n1)))
                    .blend(Float.NaN, v.test(VectorOperators.IS_NAN)).intoArray(y, yo + i);
        }
    }

    /** y[yo + i] = log x[xo + i] for i &lt; n, a multiple of the vector length. */
    static void log(float[] x, int xo, float[] y, int yo, int n) {
        run(log, x, xo, y, yo, n);
    }

    private static void logLoop(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            VectorMask<Float> subnormal = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
            FloatVector xs = v.blend(v.mul(0x1p23f), subnormal);
            IntVector ix = ((IntVector) xs.reinterpretAsInts()).sub(SQRT_HALF_BITS);
            FloatVector e = (FloatVector) ix.lanewise(VectorOperators.ASHR, 23).convert(VectorOperators.I2F, 0);
            e = e.blend(e.sub(23f), subnormal);
            FloatVector f = ((FloatVector) ix.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats()).sub(1f);
            FloatVector p = mulAdd(mulAdd(mulAdd(mulAdd(mulAdd(mulAdd(mulAdd(
                    f.fma(P8, P7), f, P6), f, P5), f, P4), f, P3), f, P2), f, P1), f, P0);
            FloatVector f2 = f.mul(f);
            FloatVector low = f2.mul(f).fma(p, f2.mul(-0.5f));
            FloatVector r = fma(e, LN2_HI, f.add(fma(e, LN2_LO, low)));
            r = r.blend(v, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
            r = r.blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f));
            r.blend(Float.NaN, v.compare(VectorOperators.GE, 0f).not()).intoArray(y, yo + i);
        }
    }

    /** y[yo + i] = tanh x[xo + i] for i &lt; n, a multiple of the vector length. */
    static void tanh(float[] x, int xo, float[] y, int yo, int n) {
        run(tanh, x, xo, y, yo, n);
    }

    private static void tanhLoop(float[] x, int xo, float[] y, int yo, int n) {
        // the table's rows as float bits in int vectors: row r at r·l of TANH_BITS, its upper part
        // (4 lanes) at upper + r·l
        int[] tb = TANH_BITS;
        int l = F.length(), upper = TANH_TABLE.length * l;
        IntVector t0 = IntVector.fromArray(I, tb, TANH_T * l), t0h = IntVector.fromArray(I, tb, upper + TANH_T * l);
        IntVector d0 = IntVector.fromArray(I, tb, TANH_D0 * l), d0h = IntVector.fromArray(I, tb, upper + TANH_D0 * l);
        IntVector d1 = IntVector.fromArray(I, tb, (TANH_D0 + 1) * l), d1h = IntVector.fromArray(I, tb, upper + (TANH_D0 + 1) * l);
        IntVector d2 = IntVector.fromArray(I, tb, (TANH_D0 + 2) * l), d2h = IntVector.fromArray(I, tb, upper + (TANH_D0 + 2) * l);
        IntVector d3 = IntVector.fromArray(I, tb, (TANH_D0 + 3) * l), d3h = IntVector.fromArray(I, tb, upper + (TANH_D0 + 3) * l);
        IntVector d4 = IntVector.fromArray(I, tb, (TANH_D0 + 4) * l), d4h = IntVector.fromArray(I, tb, upper + (TANH_D0 + 4) * l);
        IntVector d5 = IntVector.fromArray(I, tb, (TANH_D0 + 5) * l), d5h = IntVector.fromArray(I, tb, upper + (TANH_D0 + 5) * l);
        IntVector d6 = IntVector.fromArray(I, tb, (TANH_D0 + 6) * l), d6h = IntVector.fromArray(I, tb, upper + (TANH_D0 + 6) * l);
        IntVector d7 = IntVector.fromArray(I, tb, (TANH_D0 + 7) * l), d7h = IntVector.fromArray(I, tb, upper + (TANH_D0 + 7) * l);
        for (int i = 0; i < n; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector a = v.abs();
            FloatVector z = a.mul(a);
            FloatVector t = mulAdd(mulAdd(mulAdd(mulAdd(mulAdd(
                    z.fma(T6, T5), z, T4), z, T3), z, T2), z, T1), z, T0);
            FloatVector small = a.mul(z).fma(t, a);
            // the interval of |x| and its table entries, as Transcendentals.tanh
            IntVector bits = ((IntVector) a.reinterpretAsInts()).max(TANH_TABLE_MIN_BITS).min(TANH_TABLE_MAX_BITS);
            IntVector k = bits.lanewise(VectorOperators.ASHR, TANH_INDEX_SHIFT).sub(TANH_INDEX_BIAS);
            FloatVector c = (FloatVector) bits.and(TANH_INTERVAL).or(TANH_MIDPOINT).reinterpretAsFloats();
            FloatVector u = ((FloatVector) bits.reinterpretAsFloats()).sub(c);
            // a lookup is k.selectFrom(row), one lane permutation of the index vector as it is; a
            // shuffle made of it (toShuffle, cast to the float species) cost five more instructions
            // an iteration and 1-4% of tanh's time
            FloatVector large;
            if (TWO_PARTS) { // entries 0..3 from the lower parts, 4..7 from the upper ones
                IntVector j = k.and(TANH_LANES - 1);
                VectorMask<Integer> up = k.compare(VectorOperators.GE, TANH_LANES);
                FloatVector d = f(j.selectFrom(d7).blend(j.selectFrom(d7h), up))
                        .fma(u, f(j.selectFrom(d6).blend(j.selectFrom(d6h), up))).fma(u, f(j.selectFrom(d5).blend(j.selectFrom(d5h), up)))
                        .fma(u, f(j.selectFrom(d4).blend(j.selectFrom(d4h), up))).fma(u, f(j.selectFrom(d3).blend(j.selectFrom(d3h), up)))
                        .fma(u, f(j.selectFrom(d2).blend(j.selectFrom(d2h), up))).fma(u, f(j.selectFrom(d1).blend(j.selectFrom(d1h), up)))
                        .fma(u, f(j.selectFrom(d0).blend(j.selectFrom(d0h), up)));
                large = f(j.selectFrom(t0).blend(j.selectFrom(t0h), up)).add(d);
            } else {
                FloatVector d = f(k.selectFrom(d7)).fma(u, f(k.selectFrom(d6))).fma(u, f(k.selectFrom(d5)))
                        .fma(u, f(k.selectFrom(d4))).fma(u, f(k.selectFrom(d3))).fma(u, f(k.selectFrom(d2)))
                        .fma(u, f(k.selectFrom(d1))).fma(u, f(k.selectFrom(d0)));
                large = f(k.selectFrom(t0)).add(d);
            }
            FloatVector res = large.blend(small, a.compare(VectorOperators.LT, TANH_POLY_MAX));
            IntVector sign = ((IntVector) v.reinterpretAsInts()).and(SIGN_BIT);
            res = (FloatVector) ((IntVector) res.reinterpretAsInts()).or(sign).reinterpretAsFloats();
            res.blend(Float.NaN, v.test(VectorOperators.IS_NAN)).intoArray(y, yo + i);
        }
    }

    // an int vector's lanes as the floats of those bits
    private static FloatVector f(IntVector bits) {
        return (FloatVector) bits.reinterpretAsFloats();
    }

    // The table's 8 entries a row in one vector (8 lanes or more), or with 4 lanes (the least
    // PanamaKernelProvider takes) in two, entries 0..3 and 4..7; TANH_BITS holds the rows' lower
    // parts (padded with zeros, never picked), then their upper ones (the lower ones again with 8
    // lanes or more, not read), as float bits
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    static final int TANH_LANES = Math.min(F.length(), TANH_TABLE[0].length);
    static final boolean TWO_PARTS = TANH_LANES < TANH_TABLE[0].length;
    static final int[] TANH_BITS = new int[2 * TANH_TABLE.length * F.length()];

    static {
        for (int r = 0; r < TANH_TABLE.length; r++) {
            for (int j = 0; j < TANH_LANES; j++) {
                TANH_BITS[r * F.length() + j] = Float.floatToRawIntBits(TANH_TABLE[r][j]);
                TANH_BITS[(TANH_TABLE.length + r) * F.length() + j] = Float.floatToRawIntBits(TANH_TABLE[r][(TWO_PARTS ? TANH_LANES : 0) + j]);
            }
        }
    }

    /** y[yo + i] = sigmoid x[xo + i] for i &lt; n, a multiple of the vector length. */
    static void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        run(sigmoid, x, xo, y, yo, n);
    }

    private static void sigmoidLoop(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int i = 0; i < n; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            // e^(−|x|) = eh + el as Transcendentals.expSplit (whose upper clamp does nothing here)
            FloatVector xc = v.abs().neg().max(EXP_MIN);
            FloatVector k = xc.fma(LOG2E, SHIFTER);
            FloatVector m = k.sub(SHIFTER);
            FloatVector r = reduced(xc, m), rl = reductionError(xc, m, r);
            FloatVector s = r.add(1f);
            FloatVector t = r.mul(r).fma(expPolynomial(r), one.sub(s).add(r).add(rl));
            FloatVector ph = s.add(t);
            IntVector ni = ((IntVector) k.reinterpretAsInts()).sub(SHIFTER_BITS);
            IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
            FloatVector s1 = powerOfTwo(n1), s2 = powerOfTwo(n2);
            FloatVector eh = ph.mul(s1).mul(s2), el = s.sub(ph).add(t).mul(s1).mul(s2);
            // the quotient, as the scalar sigmoid
            FloatVector dh = eh.add(1f), dl = one.sub(dh).add(eh).add(el);
            VectorMask<Float> positive = v.compare(VectorOperators.GE, 0f);
            FloatVector nh = eh.blend(1f, positive), nl = el.blend(0f, positive);
            FloatVector y0 = nh.div(dh);
            FloatVector residual = y0.neg().fma(dh, nh).add(y0.neg().fma(dl, nl));
            y0 = residual.fma(one.sub(y0).blend(y0, positive), y0);
            y0.blend(Float.NaN, v.test(VectorOperators.IS_NAN)).intoArray(y, yo + i);
        }
    }

    // r = x − m·ln2 rounded once more, ln2 = LN2_HI + LN2_LO (Cody and Waite: m·LN2_HI is exact)
    private static FloatVector reduced(FloatVector x, FloatVector m) {
        return fma(m, -LN2_LO, fma(m, -LN2_HI, x));
    }

    // r's rounding error: r + rl = x − m·ln2 closely (the inner fma is reduced's, the same value)
    private static FloatVector reductionError(FloatVector x, FloatVector m, FloatVector r) {
        return fma(m, -LN2_LO, fma(m, -LN2_HI, x).sub(r));
    }

    // Q(r) of e^r = 1 + r + r²·Q(r), by Horner's scheme as the scalar code
    private static FloatVector expPolynomial(FloatVector r) {
        return mulAdd(mulAdd(mulAdd(r.fma(E4, E3), r, E2), r, E1), r, E0);
    }

    // 1 − v, as the scalar code's 1f − v
    private static FloatVector oneMinus(FloatVector v) {
        return v.broadcast(1f).sub(v);
    }

    // a·b + c, one rounding, for a scalar b
    private static FloatVector fma(FloatVector a, float b, FloatVector c) {
        return a.fma(a.broadcast(b), c);
    }

    // a·b + c, one rounding, for a scalar c: a step of Horner's scheme
    private static FloatVector mulAdd(FloatVector a, FloatVector b, float c) {
        return a.fma(b, a.broadcast(c));
    }

    // 2^n for n in the normal exponent range, by its bits
    private static FloatVector powerOfTwo(IntVector n) {
        return (FloatVector) n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }
}
