package dev.nabla.kernel;

/**
 * The plain-Java pooling windows: the fallback, and the one home of the loops the Panama
 * {@link VectorPooling} does not vectorize.
 */
public final class ScalarPooling implements Pooling {
    // 2×2 stride-2 planes without branches (unless they hold a NaN), the rest window by window.
    @Override
    public void maxPool(float[] x, int xOff, float[] y, int[] arg, PoolGeometry p, int p0, int p1) {
        int hw = p.h() * p.w(), ohw = p.oh() * p.ow();
        boolean twoByTwo = p.twoByTwo();
        for (int pl = p0; pl < p1; pl++) {
            int xb = xOff + pl * hw, yb = pl * ohw;
            if (twoByTwo && maxPool2x2(x, xb, y, arg, yb, p.w(), p.oh(), p.ow())) continue;
            maxPoolPlane(x, xb, y, arg, yb, p);
        }
    }

    /**
     * The 2×2, stride 2 windows of one plane without branches (the position of a random maximum
     * defeats the branch predictor, which made this 2–4× slower): floats are compared as ints that
     * sort like them (−0 first turned into +0, so ties keep the first, as PyTorch). Returns false,
     * having written garbage, when the plane holds a NaN: the caller then redoes it exactly.
     */
    static boolean maxPool2x2(float[] x, int xb, float[] y, int[] arg, int yb, int w, int oh, int ow) {
        int nan = 0;
        for (int oy = 0; oy < oh; oy++) {
            int r0 = xb + 2 * oy * w, i0 = 2 * oy * w, yo = yb + oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                int c = r0 + 2 * ox;
                int b0 = Float.floatToRawIntBits(x[c] + 0f), b1 = Float.floatToRawIntBits(x[c + 1] + 0f);
                int b2 = Float.floatToRawIntBits(x[c + w] + 0f), b3 = Float.floatToRawIntBits(x[c + w + 1] + 0f);
                nan |= isNaN(b0) | isNaN(b1) | isNaN(b2) | isNaN(b3);
                int k0 = sortable(b0), k1 = sortable(b1), k2 = sortable(b2), k3 = sortable(b3);
                int t01 = less(k0, k1), t23 = less(k2, k3); // 1 when the second of the pair is larger
                int m01 = k0 + t01 * (k1 - k0), m23 = k2 + t23 * (k3 - k2);
                int hi = less(m01, m23);
                int at = i0 + 2 * ox + hi * (w + t23) + (1 - hi) * t01;
                arg[yo + ox] = at;
                y[yo + ox] = x[xb + at];
            }
        }
        return nan == 0;
    }

    /**
     * n 2×2 windows of a plane (at xb, w wide) whose top-left corners are at plane index top
     * onwards, 2 apart, into y and arg from out: the corners in PyTorch's order, a later one
     * winning when greater or a NaN (the vector loop's remainder).
     */
    static void windows2x2(float[] x, int xb, int top, int w, float[] y, int[] arg, int out, int n) {
        for (int i = 0; i < n; i++) {
            int c = top + 2 * i;
            int pos = later(x, xb, c + w + 1, later(x, xb, c + w, later(x, xb, c + 1, c)));
            arg[out + i] = pos;
            y[out + i] = x[xb + pos];
        }
    }

    // corner when its value replaces pos's, a window's maximum so far, else pos
    private static int later(float[] x, int xb, int corner, int pos) {
        float v = x[xb + corner];
        return v > x[xb + pos] || v != v ? corner : pos;
    }

    private static int isNaN(int bits) {
        return (0x7f800000 - (bits & 0x7fffffff)) >>> 31;
    }

    // An int that orders like the float with these bits (for non-NaN floats).
    private static int sortable(int bits) {
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    // 1 when a < b, else 0, without a branch.
    private static int less(int a, int b) {
        return (int) (((long) a - b) >>> 63);
    }

    @Override
    public void maxPool(double[] x, int xOff, double[] y, int[] arg, PoolGeometry p, int p0, int p1) {
        int hw = p.h() * p.w(), ohw = p.oh() * p.ow();
        for (int pl = p0; pl < p1; pl++) maxPoolPlane(x, xOff + pl * hw, y, arg, pl * ohw, p);
    }

    // One plane, any window, float or double: compared as doubles, which float values convert to
    // exactly (so the float maximum written back is the float read). The first maximum of each
    // window wins; a NaN replaces any number (v != v), as in PyTorch.
    static void maxPoolPlane(Object x, int xb, Object y, int[] arg, int yb, PoolGeometry p) {
        int h = p.h(), w = p.w(), oh = p.oh(), ow = p.ow(), kh = p.kh(), kw = p.kw(), sh = p.sh(), sw = p.sw();
        for (int oy = 0; oy < oh; oy++) {
            int h0 = oy * sh - p.ph(), hs = Math.max(h0, 0), he = Math.min(h0 + kh, h);
            for (int ox = 0; ox < ow; ox++) {
                int w0 = ox * sw - p.pw(), ws = Math.max(w0, 0), we = Math.min(w0 + kw, w);
                double bv = Double.NEGATIVE_INFINITY;
                int bi = hs * w + ws;
                for (int ih = hs; ih < he; ih++) {
                    int row = xb + ih * w;
                    for (int iw = ws; iw < we; iw++) {
                        double v = x instanceof float[] f ? f[row + iw] : ((double[]) x)[row + iw];
                        if (v > bv || v != v) {
                            bv = v;
                            bi = ih * w + iw;
                        }
                    }
                }
                if (y instanceof float[] f) f[yb + oy * ow + ox] = (float) bv;
                else ((double[]) y)[yb + oy * ow + ox] = bv;
                arg[yb + oy * ow + ox] = bi;
            }
        }
    }

    // The divisor of one average-pooling window, as PyTorch: with countIncludePad the window
    // clipped to the padded input, else the number of input elements in it.
    private static int divisor(PoolGeometry p, int y, int q) {
        int h0 = y * p.sh() - p.ph(), w0 = q * p.sw() - p.pw();
        if (p.countIncludePad()) {
            int h1 = Math.min(h0 + p.kh(), p.h() + p.ph()), w1 = Math.min(w0 + p.kw(), p.w() + p.pw());
            return (h1 - h0) * (w1 - w0);
        }
        int h1 = Math.min(h0 + p.kh(), p.h()), w1 = Math.min(w0 + p.kw(), p.w());
        return (h1 - Math.max(h0, 0)) * (w1 - Math.max(w0, 0));
    }

    /** The body of one average-pooling output: plane pl, index o in the output plane, its window and divisor. */
    @FunctionalInterface
    private interface Window {
        void run(int pl, int o, int h0, int h1, int w0, int w1, int div);
    }

    // Each output of the planes [p0, p1), row by row: its window [h0, h1)×[w0, w1) clipped to the input.
    private static void forWindows(PoolGeometry p, int p0, int p1, Window body) {
        for (int pl = p0; pl < p1; pl++) {
            for (int y = 0; y < p.oh(); y++) {
                int h0 = Math.max(y * p.sh() - p.ph(), 0), h1 = Math.min(y * p.sh() - p.ph() + p.kh(), p.h());
                for (int q = 0; q < p.ow(); q++) {
                    int w0 = Math.max(q * p.sw() - p.pw(), 0), w1 = Math.min(q * p.sw() - p.pw() + p.kw(), p.w());
                    body.run(pl, y * p.ow() + q, h0, h1, w0, w1, divisor(p, y, q));
                }
            }
        }
    }

    @Override
    public void avgPool(Object x, int xOff, Object out, PoolGeometry p, int p0, int p1) {
        int hw = p.h() * p.w(), ohw = p.oh() * p.ow(), w = p.w();
        forWindows(p, p0, p1, (pl, o, h0, h1, w0, w1, div) -> {
            int xBase = xOff + pl * hw;
            if (x instanceof float[] a) {
                float s = 0;
                for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) s += a[xBase + ih * w + iw];
                ((float[]) out)[pl * ohw + o] = s / div;
            } else {
                double[] a = (double[]) x;
                double s = 0;
                for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) s += a[xBase + ih * w + iw];
                ((double[]) out)[pl * ohw + o] = s / div;
            }
        });
    }

    @Override
    public void avgPoolBackward(Object g, int gOff, Object dx, PoolGeometry p, int p0, int p1) {
        int hw = p.h() * p.w(), ohw = p.oh() * p.ow(), w = p.w();
        forWindows(p, p0, p1, (pl, o, h0, h1, w0, w1, div) -> {
            int xBase = pl * hw;
            if (dx instanceof float[] a) {
                float v = ((float[]) g)[gOff + pl * ohw + o] / div;
                for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) a[xBase + ih * w + iw] += v;
            } else {
                double[] a = (double[]) dx;
                double v = ((double[]) g)[gOff + pl * ohw + o] / div;
                for (int ih = h0; ih < h1; ih++) for (int iw = w0; iw < w1; iw++) a[xBase + ih * w + iw] += v;
            }
        });
    }
}
