package dev.nabla.plot;

import java.util.List;

/** Validation of (x, y) input shared by the charts (package-private). */
final class Points {

    /** The finite points of a series and where they came from. */
    record Kept(double[] x, double[] y, int[] index) {}

    private Points() {}

    /**
     * Checks one series and drops its non-finite points.
     *
     * @param what  "LineChart 'Loss': series 'train'" — prefixes every message
     * @param notes receives a note when points are dropped
     * @throws IllegalArgumentException on null arrays, a length mismatch, no points, or no finite point
     */
    static Kept finite(String what, double[] x, double[] y, List<String> notes) {
        if (x == null || y == null) {
            throw new IllegalArgumentException(what + ": " + (x == null ? "x" : "y") + " is null");
        }
        if (x.length != y.length) {
            throw new IllegalArgumentException(what + ": x has " + x.length + " values but y has " + y.length
                    + "; give one x per y");
        }
        if (x.length == 0) {
            throw new IllegalArgumentException(what + ": the series is empty (no points)");
        }
        int kept = 0;
        int firstBad = -1;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                kept++;
            } else if (firstBad < 0) {
                firstBad = i;
            }
        }
        if (kept == 0) {
            throw new IllegalArgumentException(what + ": all " + x.length
                    + " points are NaN or infinite; nothing to draw");
        }
        if (kept == x.length) {
            return new Kept(x.clone(), y.clone(), null);
        }
        double[] kx = new double[kept];
        double[] ky = new double[kept];
        int[] idx = new int[kept];
        for (int i = 0, k = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                kx[k] = x[i];
                ky[k] = y[i];
                idx[k++] = i;
            }
        }
        notes.add(what + ": dropped " + (x.length - kept) + " of " + x.length
                + " points that are NaN or infinite (first at index " + firstBad
                + ": x=" + x[firstBad] + ", y=" + y[firstBad] + ")");
        return new Kept(kx, ky, idx);
    }

    /** Checks that a name is usable as a legend entry. */
    static String name(String chart, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(chart + ": a series needs a non-blank name (it labels the legend)");
        }
        return name;
    }

    static String quote(String s) {
        return "'" + s + "'";
    }
}
