package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling on the JDK Vector API: float32 2×2 stride-2 max pooling (a CNN's usual pooling) takes
 * sixteen windows at a time by gathers; every other case is {@link ScalarPooling}'s. Results agree
 * bitwise with the scalar ones, NaNs and signed zeros included.
 */
public final class VectorPooling implements Pooling {
    private static final ScalarPooling SCALAR = new ScalarPooling();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final boolean POOL = I.length() == F.length();

    // y[yo + j] and arg[yo + j] for the window whose top-left corner is at plane index at[j]
    private static void maxPool2x2(float[] x, int xo, int w, int[] at, float[] y, int yo, int[] arg) {
        int n = at.length, len = F.length(), j = 0;
        // gathers: the top-left corners of 16 windows, then the three other corners
        for (int bound = F.loopBound(n); j < bound; j += len) {
            IntVector idx = IntVector.fromArray(I, at, j);
            FloatVector best = FloatVector.fromArray(F, x, xo, at, j);
            IntVector pos = idx;
            FloatVector v = FloatVector.fromArray(F, x, xo + 1, at, j);
            VectorMask<Float> m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
            best = best.blend(v, m);
            pos = pos.blend(idx.add(1), m.cast(I));
            v = FloatVector.fromArray(F, x, xo + w, at, j);
            m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
            best = best.blend(v, m);
            pos = pos.blend(idx.add(w), m.cast(I));
            v = FloatVector.fromArray(F, x, xo + w + 1, at, j);
            m = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
            best = best.blend(v, m);
            pos = pos.blend(idx.add(w + 1), m.cast(I));
            best.intoArray(y, yo + j);
            pos.intoArray(arg, yo + j);
        }
        for (; j < n; j++) { // the tail, one window at a time, by the same rule
            int c = at[j];
            float bv = x[xo + c];
            int bi = c;
            for (int t = 1; t < 4; t++) {
                int p = c + (t == 1 ? 1 : t == 2 ? w : w + 1);
                float v = x[xo + p];
                if (v > bv || v != v) {
                    bv = v;
                    bi = p;
                }
            }
            y[yo + j] = bv;
            arg[yo + j] = bi;
        }
    }

    @Override
    public void maxPool(float[] x, int xOff, float[] y, int[] arg, PoolGeometry p, int p0, int p1) {
        if (!POOL || !p.twoByTwo()) {
            SCALAR.maxPool(x, xOff, y, arg, p, p0, p1);
            return;
        }
        int hw = p.h() * p.w(), ohw = p.oh() * p.ow();
        int[] corners = p.corners();
        for (int pl = p0; pl < p1; pl++) maxPool2x2(x, xOff + pl * hw, p.w(), corners, y, pl * ohw, arg);
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
