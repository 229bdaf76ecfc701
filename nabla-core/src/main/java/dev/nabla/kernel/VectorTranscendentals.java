package dev.nabla.kernel;

import static dev.nabla.kernel.Transcendentals.*;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Transcendentals} on the JDK Vector API: each method performs, lane by lane, exactly the
 * operations of its scalar sibling in the same order (a scalar branch is a blend of both sides),
 * so the results are bitwise equal to the scalar ones. Only correctly rounded lane operations
 * are used (add, mul, div, fma, min/max, comparisons, integer bit operations, exact int→float
 * conversion), none of the Vector API's own transcendental operators.
 */
final class VectorTranscendentals {
    private VectorTranscendentals() {}

    static FloatVector exp(FloatVector x) {
        return expSplit(x).hi().blend(Float.NaN, x.test(VectorOperators.IS_NAN));
    }

    /** e^x = hi + lo, as {@link Transcendentals#expSplit}. */
    record Split(FloatVector hi, FloatVector lo) {}

    static Split expSplit(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector k = xc.fma(LOG2E, SHIFTER);
        FloatVector n = k.sub(SHIFTER);
        FloatVector rh = fma(n, -LN2_HI, xc);
        FloatVector r = fma(n, -LN2_LO, rh);
        FloatVector rl = fma(n, -LN2_LO, rh.sub(r));
        FloatVector q = mulAdd(mulAdd(mulAdd(r.fma(E4, E3), r, E2), r, E1), r, E0);
        FloatVector s = r.add(1f);
        FloatVector c = oneMinus(s).add(r);
        FloatVector t = r.mul(r).fma(q, c.add(rl));
        FloatVector ph = s.add(t);
        FloatVector pl = s.sub(ph).add(t);
        IntVector ni = ((IntVector) k.reinterpretAsInts()).sub(SHIFTER_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
        FloatVector s1 = powerOfTwo(n1), s2 = powerOfTwo(n2);
        return new Split(ph.mul(s1).mul(s2), pl.mul(s1).mul(s2));
    }

    // 1 − v, as the scalar code's 1f − v (−v + 1 rounds the same)
    private static FloatVector oneMinus(FloatVector v) {
        return v.neg().add(1f);
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

    static FloatVector log(FloatVector x) {
        VectorMask<Float> subnormal = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(0x1p23f), subnormal);
        IntVector ix = ((IntVector) xs.reinterpretAsInts()).sub(SQRT_HALF_BITS);
        FloatVector e = (FloatVector) ix.lanewise(VectorOperators.ASHR, 23).convert(VectorOperators.I2F, 0);
        e = e.blend(e.sub(23f), subnormal);
        FloatVector f = ((FloatVector) ix.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats()).sub(1f);
        FloatVector p = mulAdd(mulAdd(mulAdd(mulAdd(mulAdd(mulAdd(mulAdd(
                f.fma(P8, P7), f, P6), f, P5), f, P4), f, P3), f, P2), f, P1), f, P0);
        FloatVector f2 = f.mul(f);
        FloatVector low = f2.mul(f).fma(p, f2.mul(-0.5f));
        FloatVector y = fma(e, LN2_HI, f.add(fma(e, LN2_LO, low)));
        y = y.blend(x, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        y = y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        return y.blend(Float.NaN, x.compare(VectorOperators.GE, 0f).not());
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = a.mul(a);
        FloatVector t = mulAdd(mulAdd(mulAdd(mulAdd(mulAdd(
                z.fma(T6, T5), z, T4), z, T3), z, T2), z, T1), z, T0);
        FloatVector small = a.mul(z).fma(t, a);
        Split e = expSplit(a.min(TANH_MAX).mul(-2f));
        FloatVector eh = e.hi(), el = e.lo();
        FloatVector dh = eh.add(1f), dl = oneMinus(dh).add(eh).add(el);
        FloatVector nh = eh.add(eh), nl = el.add(el);
        FloatVector q = nh.div(dh);
        FloatVector residual = q.neg().fma(dh, nh).add(q.neg().fma(dl, nl));
        FloatVector correction = residual.mul(oneMinus(q.mul(0.5f)));
        FloatVector h = oneMinus(q), l = oneMinus(h).sub(q);
        FloatVector large = h.add(l.sub(correction));
        FloatVector y = large.blend(small, a.compare(VectorOperators.LT, TANH_POLY_MAX));
        IntVector sign = ((IntVector) x.reinterpretAsInts()).and(SIGN_BIT);
        y = (FloatVector) ((IntVector) y.reinterpretAsInts()).or(sign).reinterpretAsFloats();
        return y.blend(Float.NaN, x.test(VectorOperators.IS_NAN));
    }

    static FloatVector sigmoid(FloatVector x) {
        Split e = expSplit(x.abs().neg());
        FloatVector eh = e.hi(), el = e.lo();
        FloatVector dh = eh.add(1f), dl = oneMinus(dh).add(eh).add(el);
        VectorMask<Float> positive = x.compare(VectorOperators.GE, 0f);
        FloatVector nh = eh.blend(1f, positive), nl = el.blend(0f, positive);
        FloatVector y = nh.div(dh);
        FloatVector residual = y.neg().fma(dh, nh).add(y.neg().fma(dl, nl));
        y = residual.fma(oneMinus(y).blend(y, positive), y);
        return y.blend(Float.NaN, x.test(VectorOperators.IS_NAN));
    }
}
