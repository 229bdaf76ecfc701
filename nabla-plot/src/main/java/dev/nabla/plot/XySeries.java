package dev.nabla.plot;

import java.awt.Color;

/**
 * One validated series ready for XChart (package-private): finite points only (or NaN pairs as
 * deliberate line breaks, for contour polylines), a style and a colour.
 *
 * @param index original index of each kept point, for error messages (null: the identity)
 */
record XySeries(String name, double[] x, double[] y, int[] index, SeriesStyle style, Color color,
                float lineWidth, boolean inLegend, Marker marker) {

    /** Marker shapes the charts use. */
    enum Marker { CIRCLE, SQUARE, DIAMOND, TRIANGLE_UP, CROSS, BIG_DIAMOND }

    int originalIndex(int i) {
        return index == null ? i : index[i];
    }
}
