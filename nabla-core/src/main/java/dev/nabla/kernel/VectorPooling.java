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

    // A vector of windows: lane l's top-left corner is 2l inputs on (in the upper half, from where
    // the second vector is loaded), its left and right columns the even and odd lanes of two
    // vectors loaded along input rows.
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, l -> 2 * l), ODD = VectorShuffle.fromOp(F, l -> 2 * l + 1);
    private static final IntVector CORNERS = IntVector.zero(I).addIndex(2);
    private static final VectorMask<Integer> UPPER = IntVector.zero(I).addIndex(1).compare(VectorOperators.GE, I.length() / 2);

    /**
     * One plane's windows (at xo in x, w wide; output at yo, its chunk's outputs ending at yEnd), a
     * vector of windows at a time along each output row, or along two when a row fills half a
     * vector (the second vector is loaded two input rows down). A vector that runs past the row
     * reads the inputs after it and writes outputs that come later in the chunk, so this loop
     * rewrites them; where that would read past x or write past the chunk, the windows are the
     * scalar loop's.
     */
    private static void maxPool2x2(float[] x, int xo, int w, int oh, int ow, float[] y, int[] arg, int yo, int yEnd) {
        int len = F.length();
        boolean twoRows = 2 * ow == len;
        for (int oy = 0; oy < oh; oy += twoRows && oy + 1 < oh ? 2 : 1) {
            int next = twoRows && oy + 1 < oh ? 2 * w : len;
            for (int ox = 0; ox < ow; ox += len) {
                int top = 2 * oy * w + 2 * ox, out = yo + oy * ow + ox;
                // (a pair of rows never falls back: its loads end inside the plane, its outputs are the pair's)
                if (out + len <= yEnd && xo + top + next + w + len <= x.length) windows(x, xo, top, next, w, y, arg, out);
                else ScalarPooling.windows2x2(x, xo, top, w, y, arg, out, Math.min(len, ow - ox));
            }
        }
    }

    /**
     * A vector of windows whose top-left corners are at plane index top onwards, 2 apart (in the
     * upper half from top + next − len): the four corners compared in PyTorch's order, a later one
     * winning when greater or a NaN (written out: a helper returning the mask, compiled apart in
     * the cnn's step, boxed it). Loads and lane shuffles only (gathers were 1.8–4.5× slower on
     * AMD's Zen 4); the shuffles and corner offsets are constants: taken from an object at each
     * call, with masked loads and stores, they made the cnn's planes (28×28, 14×14) cost 1.2–2.1 ns
     * an input element on one thread, against 0.58–0.63 now.
     */
    private static void windows(float[] x, int xo, int top, int next, int w, float[] y, int[] arg, int out) {
        int at = xo + top;
        FloatVector t0 = FloatVector.fromArray(F, x, at), t1 = FloatVector.fromArray(F, x, at + next);
        FloatVector b0 = FloatVector.fromArray(F, x, at + w), b1 = FloatVector.fromArray(F, x, at + next + w);
        IntVector idx = CORNERS.add(top).add(next - F.length(), UPPER), pos = idx;
        FloatVector best = t0.rearrange(EVEN, t1);
        FloatVector v = t0.rearrange(ODD, t1);
        VectorMask<Float> m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, m);
        pos = pos.blend(idx.add(1), m.cast(I));
        v = b0.rearrange(EVEN, b1);
        m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, m);
        pos = pos.blend(idx.add(w), m.cast(I));
        v = b0.rearrange(ODD, b1);
        m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best.blend(v, m).intoArray(y, out);
        pos.blend(idx.add(w + 1), m.cast(I)).intoArray(arg, out);
    }

    @Override
    public void maxPool(float[] x, int xOff, float[] y, int[] arg, PoolGeometry p, int p0, int p1) {
        if (!POOL || !p.twoByTwo()) {
            SCALAR.maxPool(x, xOff, y, arg, p, p0, p1);
            return;
        }
        int hw = p.h() * p.w(), ohw = p.oh() * p.ow();
        for (int pl = p0; pl < p1; pl++) maxPool2x2(x, xOff + pl * hw, p.w(), p.oh(), p.ow(), y, arg, pl * ohw, p1 * ohw);
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
