package dev.nabla.plot;

/**
 * Where a chart puts its legend. {@link #AUTO} hides it for a single series, otherwise picks the
 * inside corner that covers the fewest data points, or {@link #RIGHT} when every corner is busy.
 */
public enum Legend {
    /** Hidden for one series; otherwise the emptiest inside corner, or outside on the right. */
    AUTO,
    /** No legend. */
    HIDDEN,
    /** Inside the plot, top right corner. */
    INSIDE_TOP_RIGHT,
    /** Inside the plot, top left corner. */
    INSIDE_TOP_LEFT,
    /** Inside the plot, bottom right corner. */
    INSIDE_BOTTOM_RIGHT,
    /** Inside the plot, bottom left corner. */
    INSIDE_BOTTOM_LEFT,
    /** Outside the plot, to its right (the plot gets narrower). */
    RIGHT,
    /** Outside the plot, below it (the plot gets shorter). */
    BELOW
}
