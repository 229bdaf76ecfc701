package dev.nabla.plot;

import java.util.Arrays;

/**
 * Douglas-Peucker simplification of polylines in (approximate) pixel units (package-private):
 * points that move the drawn line by less than a fraction of a pixel are dropped, which keeps
 * long training curves and fine contour lines small in SVG (XChart writes one element per
 * segment). NaN points are line breaks and are kept.
 */
final class Simplify {

    private Simplify() {}

    /**
     * @param px  x in pixels (already scaled, log-transformed if the axis is logarithmic)
     * @param py  y in pixels
     * @param tol largest allowed deviation, in pixels
     * @return indices of the points to keep, ascending
     */
    static int[] keep(double[] px, double[] py, double tol) {
        int n = px.length;
        boolean[] keep = new boolean[n];
        int start = 0;
        while (start < n) {
            if (Double.isNaN(px[start]) || Double.isNaN(py[start])) {
                keep[start++] = true; // a break
                continue;
            }
            int end = start;
            while (end + 1 < n && !Double.isNaN(px[end + 1]) && !Double.isNaN(py[end + 1])) end++;
            mark(px, py, start, end, tol, keep);
            start = end + 1;
        }
        int count = 0;
        for (boolean k : keep) if (k) count++;
        int[] out = new int[count];
        for (int i = 0, c = 0; i < n; i++) if (keep[i]) out[c++] = i;
        return out;
    }

    /** Marks the points of px[a..b] (one unbroken run) that Douglas-Peucker keeps. */
    private static void mark(double[] px, double[] py, int a, int b, double tol, boolean[] keep) {
        keep[a] = true;
        keep[b] = true;
        if (b - a < 2) return;
        int[] stack = new int[2 * (b - a + 1)];
        int sp = 0;
        stack[sp++] = a;
        stack[sp++] = b;
        double tol2 = tol * tol;
        while (sp > 0) {
            int hi = stack[--sp];
            int lo = stack[--sp];
            double ax = px[lo], ay = py[lo], dx = px[hi] - ax, dy = py[hi] - ay;
            double len2 = dx * dx + dy * dy;
            double worst = -1;
            int at = -1;
            for (int i = lo + 1; i < hi; i++) {
                double ex = px[i] - ax, ey = py[i] - ay;
                double d2;
                if (len2 == 0) {
                    d2 = ex * ex + ey * ey;
                } else {
                    double t = Math.max(0, Math.min(1, (ex * dx + ey * dy) / len2));
                    double fx = ex - t * dx, fy = ey - t * dy;
                    d2 = fx * fx + fy * fy;
                }
                if (d2 > worst) {
                    worst = d2;
                    at = i;
                }
            }
            if (at >= 0 && worst > tol2) {
                keep[at] = true;
                stack[sp++] = lo;
                stack[sp++] = at;
                stack[sp++] = at;
                stack[sp++] = hi;
            }
        }
    }

    /** Picks the kept entries of an array. */
    static double[] pick(double[] v, int[] idx) {
        if (idx.length == v.length) return v;
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = v[idx[i]];
        return out;
    }

    static int[] identity(int n) {
        int[] out = new int[n];
        Arrays.setAll(out, i -> i);
        return out;
    }
}
