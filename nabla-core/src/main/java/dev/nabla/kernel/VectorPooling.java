package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling on the JDK Vector API: float32 2×2 stride-2 max pooling (a CNN's usual pooling) takes
 * a vector of windows at a time from contiguous loads; every other case is {@link ScalarPooling}'s.
 * Results agree bitwise with the scalar ones, NaNs and signed zeros included.
 */
public final class VectorPooling implements Pooling {
    private static final ScalarPooling SCALAR = new ScalarPooling();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final boolean POOL = I.length() == F.length();

    /**
     * The lane shuffles of a plane whose output rows are ow wide: even and odd pick the windows'
     * left and right columns out of two vectors loaded along input rows, base is each lane's
     * top-left corner in the plane (relative to the first row the vector covers). A vector covers
     * up to one vector length of one output row or, when ow is at most half of it, two rows.
     */
    private record Lanes(VectorShuffle<Float> even, VectorShuffle<Float> odd, IntVector base, boolean twoRows) {
        static Lanes of(int w, int ow) {
            int len = F.length();
            boolean two = 2 * ow <= len;
            int[] even = new int[len], odd = new int[len], base = new int[len];
            for (int l = 0; l < len; l++) {
                // a source index ≥ len is wrapped to the second vector (the next output row's, when two)
                int col = two ? (l < ow ? 2 * l : len + 2 * (l - ow)) : 2 * l;
                even[l] = two && l >= 2 * ow ? 0 : col;
                odd[l] = two && l >= 2 * ow ? 0 : col + 1;
                base[l] = two ? (l < ow ? 2 * l : 2 * w + 2 * (l - ow)) : 2 * l;
            }
            return new Lanes(VectorShuffle.fromArray(F, even, 0), VectorShuffle.fromArray(F, odd, 0), IntVector.fromArray(I, base, 0), two);
        }
    }

    /**
     * n windows of a plane (at xo, w wide) whose top-left corners are at plane index top onwards
     * (with two output rows of ow: also at nextTop, two input rows down): each input row is loaded
     * as two vectors, split into the windows' columns by lane shuffles (gathers were 1.8–4.5× slower
     * on AMD's Zen 4). The four corners are compared in PyTorch's order: a later one wins when
     * greater, or when it is a NaN.
     */
    private static void windows(float[] x, int xo, int w, int top, int nextTop, int ow, int n, Lanes lanes,
                                float[] y, int[] arg, int yo) {
        int len = F.length();
        VectorMask<Float> first, second;
        if (lanes.twoRows()) {
            first = F.indexInRange(0, 2 * ow);
            second = n > ow ? first : F.maskAll(false);
        } else {
            first = F.indexInRange(0, 2 * n);
            second = F.indexInRange(len, 2 * n);
        }
        FloatVector t0 = FloatVector.fromArray(F, x, xo + top, first), t1 = FloatVector.fromArray(F, x, xo + nextTop, second);
        FloatVector b0 = FloatVector.fromArray(F, x, xo + top + w, first), b1 = FloatVector.fromArray(F, x, xo + nextTop + w, second);
        IntVector idx = lanes.base().add(top), pos = idx;
        FloatVector best = t0.rearrange(lanes.even(), t1);
        FloatVector v = t0.rearrange(lanes.odd(), t1);
        VectorMask<Float> m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, m);
        pos = pos.blend(idx.add(1), m.cast(I));
        v = b0.rearrange(lanes.even(), b1);
        m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, m);
        pos = pos.blend(idx.add(w), m.cast(I));
        v = b0.rearrange(lanes.odd(), b1);
        m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, m);
        pos = pos.blend(idx.add(w + 1), m.cast(I));
        VectorMask<Float> out = F.indexInRange(0, n);
        best.intoArray(y, yo, out);
        pos.intoArray(arg, yo, out.cast(I));
    }

    // One plane's 2×2 stride-2 windows (output at yo), a vector at a time along the output rows.
    private static void maxPool2x2(float[] x, int xo, int w, int oh, int ow, Lanes lanes, float[] y, int[] arg, int yo) {
        int len = F.length();
        if (lanes.twoRows()) {
            for (int oy = 0; oy < oh; oy += 2) {
                int n = Math.min(2, oh - oy) * ow;
                windows(x, xo, w, 2 * oy * w, 2 * (oy + 1) * w, ow, n, lanes, y, arg, yo + oy * ow);
            }
            return;
        }
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox += len) {
                int top = 2 * oy * w + 2 * ox;
                windows(x, xo, w, top, top + len, ow, Math.min(len, ow - ox), lanes, y, arg, yo + oy * ow + ox);
            }
        }
    }

    @Override
    public void maxPool(float[] x, int xOff, float[] y, int[] arg, PoolGeometry p, int p0, int p1) {
        if (!POOL || !p.twoByTwo()) {
            SCALAR.maxPool(x, xOff, y, arg, p, p0, p1);
            return;
        }
        int hw = p.h() * p.w(), ohw = p.oh() * p.ow();
        Lanes lanes = Lanes.of(p.w(), p.ow());
        for (int pl = p0; pl < p1; pl++) maxPool2x2(x, xOff + pl * hw, p.w(), p.oh(), p.ow(), lanes, y, arg, pl * ohw);
    }

    @Override
    public void maxPool(double[] x, int xOff, double[] y, int[] arg, PoolGeometry p, int p0, int p1) {
        SCALAR.maxPool(x, xOff, y, arg, p, p0, p1);
    }

    @Override
    public void avgPool(Object x, int xOff, Object out, PoolGeometry p, int p0, int p1) {
        SCALAR.avgPool(x, xOff, out, p, p0, p1);
    }

    @Override
    public void avgPoolBackward(Object g, int gOff, Object dx, PoolGeometry p, int p0, int p1) {
        SCALAR.avgPoolBackward(g, gOff, dx, p, p0, p1);
    }
}
