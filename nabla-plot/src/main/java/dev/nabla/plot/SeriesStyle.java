package dev.nabla.plot;

/** How a {@link LineChart} series is drawn. */
public enum SeriesStyle {
    /** A solid line through the points, no markers (curves, loss per epoch). */
    LINE,
    /** A dashed line, no markers (a reference curve, such as the true function). */
    DASHED,
    /** Markers only, no line (training points, a scatter). */
    MARKERS,
    /** A line with a marker on every point (an optimizer's iterates, a short path). */
    LINE_AND_MARKERS
}
