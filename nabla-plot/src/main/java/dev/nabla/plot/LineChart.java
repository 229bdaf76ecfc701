package dev.nabla.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.XYChart;

/**
 * A chart of named (x, y) series drawn as lines, markers or both, with optional log axes, written
 * to PNG or SVG. Covers loss per epoch (log y), a fitted curve over the true one with the training
 * points as markers, f(x) against the iteration, loss against learning rate (log x), and
 * per-layer gradient norms (one series per layer).
 *
 * <pre>{@code
 * new LineChart("Loss").xLabel("epoch").yLabel("MSE").logY(true)
 *     .line("train", trainLoss)            // x = 1, 2, ..., n
 *     .line("validation", valLoss)
 *     .savePng(Path.of("out/loss.png"), 800, 500);
 * }</pre>
 *
 * <p>Input rules: x and y must have the same, non-zero length. Points where x or y is NaN or
 * infinite are <b>dropped</b> (the line joins their neighbours) and a note says so, see
 * {@link #notes()}; a series with no finite point is refused. On a log axis every value must be
 * positive, else saving throws. Every refusal is an {@link IllegalArgumentException} naming the
 * chart, the series and the problem. The arrays are copied when added.
 */
public final class LineChart {

    static {
        ChartFiles.ensureHeadless(); // before any AWT class starts a toolkit
    }

    private final String title;
    private String xLabel = "x";
    private String yLabel = "y";
    private boolean logX;
    private boolean logY;
    private Double xMin, xMax, yMin, yMax;
    private Legend legend = Legend.AUTO;
    private final List<XySeries> series = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /** A chart with the given title (may be empty). */
    public LineChart(String title) {
        this.title = title == null ? "" : title;
    }

    /** Sets the x axis label (default "x"). */
    public LineChart xLabel(String label) {
        this.xLabel = label == null ? "" : label;
        return this;
    }

    /** Sets the y axis label (default "y"). */
    public LineChart yLabel(String label) {
        this.yLabel = label == null ? "" : label;
        return this;
    }

    /** Logarithmic x axis (e.g. loss against learning rate); all x must then be positive. */
    public LineChart logX(boolean log) {
        this.logX = log;
        return this;
    }

    /** Logarithmic y axis (e.g. loss curves); all y must then be positive. */
    public LineChart logY(boolean log) {
        this.logY = log;
        return this;
    }

    /** Fixes the x axis to [min, max] instead of fitting the data; points outside are clipped. */
    public LineChart xRange(double min, double max) {
        checkRange("x", min, max);
        this.xMin = min;
        this.xMax = max;
        return this;
    }

    /** Fixes the y axis to [min, max] instead of fitting the data; points outside are clipped. */
    public LineChart yRange(double min, double max) {
        checkRange("y", min, max);
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    /** Where the legend goes (default {@link Legend#AUTO}). */
    public LineChart legend(Legend position) {
        this.legend = position == null ? Legend.AUTO : position;
        return this;
    }

    /** Adds a solid line through (x[i], y[i]). */
    public LineChart line(String name, double[] x, double[] y) {
        return series(name, x, y, SeriesStyle.LINE);
    }

    /** Adds a solid line through (i + 1, y[i]): x counts 1, 2, ..., n, as epochs or steps do. */
    public LineChart line(String name, double[] y) {
        return series(name, oneToN(name, y), y, SeriesStyle.LINE);
    }

    /** Adds a dashed line (for a reference, such as the true function under a fitted curve). */
    public LineChart dashed(String name, double[] x, double[] y) {
        return series(name, x, y, SeriesStyle.DASHED);
    }

    /** Adds markers only, no line (training points, a scatter). */
    public LineChart markers(String name, double[] x, double[] y) {
        return series(name, x, y, SeriesStyle.MARKERS);
    }

    /** Adds a line with a marker on each point (iterates of an optimizer). */
    public LineChart lineWithMarkers(String name, double[] x, double[] y) {
        return series(name, x, y, SeriesStyle.LINE_AND_MARKERS);
    }

    /** Adds a series drawn in the given style; names must be unique within the chart. */
    public LineChart series(String name, double[] x, double[] y, SeriesStyle style) {
        return series(name, x, y, style, XyRenderer.PALETTE[series.size() % XyRenderer.PALETTE.length]);
    }

    /**
     * Adds a series in the given style and colour (instead of the next colour of the palette),
     * e.g. to give each optimizer the same colour on several charts.
     */
    public LineChart series(String name, double[] x, double[] y, SeriesStyle style, java.awt.Color color) {
        Points.name(describe(), name);
        for (XySeries s : series) {
            if (s.name().equals(name)) {
                throw new IllegalArgumentException(describe() + ": there is already a series named '" + name
                        + "'; series names label the legend and must be unique");
            }
        }
        if (style == null) {
            throw new IllegalArgumentException(describe() + ": series '" + name + "' needs a style");
        }
        if (color == null) {
            throw new IllegalArgumentException(describe() + ": series '" + name + "' needs a colour");
        }
        Points.Kept k = Points.finite(describe() + ": series '" + name + "'", x, y, notes);
        float width = style == SeriesStyle.MARKERS ? 0f : 2f;
        series.add(new XySeries(name, k.x(), k.y(), k.index(), style, color, width, true, XySeries.Marker.CIRCLE));
        return this;
    }

    /** Notes about the input, such as non-finite points that were dropped; empty when all was well. */
    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    /** Writes the chart as a PNG of width x height pixels (atomically; parent folders are created). */
    public void savePng(Path file, int width, int height) throws IOException {
        XyRenderer.savePng(toXChart(width, height), file);
    }

    /** Writes the chart as an SVG of width x height units (atomically; parent folders are created). */
    public void saveSvg(Path file, int width, int height) throws IOException {
        XyRenderer.saveSvg(toXChart(width, height), file);
    }

    XYChart toXChart(int width, int height) {
        ChartFiles.checkSize(describe(), width, height);
        if (series.isEmpty()) {
            throw new IllegalArgumentException(describe() + " has no series to draw; add one with line(...) or markers(...)");
        }
        if (logX) checkPositive("x", xMin, xMax);
        if (logY) checkPositive("y", yMin, yMax);
        XyRenderer.Frame frame = new XyRenderer.Frame(title, xLabel, yLabel, logX, logY, xMin, xMax, yMin, yMax, legend, 6, false);
        return XyRenderer.build(frame, series, series, width, height);
    }

    private void checkPositive(String axis, Double min, Double max) {
        if (min != null && min <= 0) {
            throw new IllegalArgumentException(describe() + ": the " + axis + " range starts at " + min
                    + ", which a log " + axis + " axis cannot show; use a positive minimum");
        }
        for (XySeries s : series) {
            double[] v = axis.equals("x") ? s.x() : s.y();
            for (int i = 0; i < v.length; i++) {
                if (v[i] <= 0) {
                    throw new IllegalArgumentException(describe() + ": series '" + s.name() + "' has " + axis + " = "
                            + v[i] + " at index " + s.originalIndex(i) + ", but the " + axis
                            + " axis is logarithmic and needs positive values; use a linear axis or drop those points");
                }
            }
        }
    }

    private void checkRange(String axis, double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
            throw new IllegalArgumentException(describe() + ": " + axis + " range [" + min + ", " + max
                    + "] must be finite with min < max");
        }
    }

    private double[] oneToN(String name, double[] y) {
        if (y == null) {
            throw new IllegalArgumentException(describe() + ": series '" + name + "': y is null");
        }
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        return x;
    }

    private String describe() {
        return title.isEmpty() ? "LineChart (untitled)" : "LineChart '" + title + "'";
    }

    @Override
    public String toString() {
        return describe() + " with " + series.size() + " series";
    }
}
