package dev.nabla.plot;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleBinaryOperator;
import org.knowm.xchart.XYChart;

/**
 * Level lines of a 2-D function over a box, with optimizer paths drawn on top: the picture of
 * SGD, momentum, Adam or Newton's method walking down Rosenbrock's valley.
 *
 * <pre>{@code
 * new ContourChart("Rosenbrock", (x, y) -> (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x),
 *         -2, 2, -1, 3)
 *     .path("SGD", sgdX, sgdY)
 *     .path("Adam", adamX, adamY)
 *     .point("minimum", 1, 1)
 *     .savePng(Path.of("out/paths.png"), 900, 700);
 * }</pre>
 *
 * <p>XChart has no contour plot, so the function is sampled on a grid (default 161 x 161) and
 * each level is traced with marching squares; each level is one thin grey line series, darker
 * for lower levels. Levels are {@link Spacing#AUTO auto} spaced by default (logarithmic when the
 * function has a deep narrow valley, as Rosenbrock does, else linear), or given with
 * {@link #levels(double...)}. Grid points where the function is NaN or infinite leave a gap.
 *
 * <p>Paths are drawn as lines with a marker per iterate (line only beyond 150 points). Path
 * points that are NaN or infinite (a diverged run) are dropped with a note, see
 * {@link #notes()}; parts of a path outside the box are clipped. Bad input throws
 * {@link IllegalArgumentException} naming the chart, the series and the problem.
 */
public final class ContourChart {

    static {
        ChartFiles.ensureHeadless(); // before any AWT class starts a toolkit
    }

    /** How automatic levels are spaced between the function's minimum and maximum on the grid. */
    public enum Spacing {
        /** {@link #LOG} when the median is within the lowest 10% of the range (a valley), else {@link #LINEAR}. */
        AUTO,
        /** Evenly spaced values strictly between the minimum and the maximum. */
        LINEAR,
        /** Geometric spacing of f - min: dense near the minimum, sparse on the walls. */
        LOG,
        /** Quantiles of the grid values: each band covers about the same area. */
        QUANTILE
    }

    private static final int MARKER_LIMIT = 150;
    private static final Color[] PATH_COLORS = {
        new Color(0xd62728), new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0x17becf), new Color(0xe377c2), new Color(0x8c564b),
        new Color(0xbcbd22)
    };

    private final String title;
    private final DoubleBinaryOperator f;
    private final double x0, x1, y0, y1;
    private String xLabel = "x";
    private String yLabel = "y";
    private int grid = 161;
    private int levelCount = 14;
    private Spacing spacing = Spacing.AUTO;
    private double[] explicitLevels;
    private Legend legend = Legend.AUTO;
    private final List<XySeries> paths = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private List<String> renderNotes = List.of();

    /**
     * A contour map of {@code f} over [xMin, xMax] x [yMin, yMax].
     *
     * @param title chart title (may be empty)
     * @param f     the function; called grid x grid times when the chart is saved
     */
    public ContourChart(String title, DoubleBinaryOperator f, double xMin, double xMax, double yMin, double yMax) {
        this.title = title == null ? "" : title;
        if (f == null) {
            throw new IllegalArgumentException(describe() + ": the function is null");
        }
        if (!(Double.isFinite(xMin) && Double.isFinite(xMax) && xMin < xMax)
                || !(Double.isFinite(yMin) && Double.isFinite(yMax) && yMin < yMax)) {
            throw new IllegalArgumentException(describe() + ": the box [" + xMin + ", " + xMax + "] x [" + yMin + ", "
                    + yMax + "] must be finite with min < max on both axes");
        }
        this.f = f;
        this.x0 = xMin;
        this.x1 = xMax;
        this.y0 = yMin;
        this.y1 = yMax;
    }

    /** Sets the x axis label (default "x"). */
    public ContourChart xLabel(String label) {
        this.xLabel = label == null ? "" : label;
        return this;
    }

    /** Sets the y axis label (default "y"). */
    public ContourChart yLabel(String label) {
        this.yLabel = label == null ? "" : label;
        return this;
    }

    /** Samples per axis for the contour grid (default 161; 8 to 2000). */
    public ContourChart grid(int samplesPerAxis) {
        if (samplesPerAxis < 8 || samplesPerAxis > 2000) {
            throw new IllegalArgumentException(describe() + ": grid of " + samplesPerAxis
                    + " samples per axis is out of range; use 8..2000 (default 161)");
        }
        this.grid = samplesPerAxis;
        return this;
    }

    /** Number of automatic levels (default 14) and how they are spaced. */
    public ContourChart levels(int count, Spacing spacing) {
        if (count < 1 || count > 200) {
            throw new IllegalArgumentException(describe() + ": " + count + " levels is out of range; use 1..200");
        }
        this.levelCount = count;
        this.spacing = spacing == null ? Spacing.AUTO : spacing;
        this.explicitLevels = null;
        return this;
    }

    /** Draws exactly these levels (finite values; sorted and de-duplicated here). */
    public ContourChart levels(double... values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException(describe() + ": give at least one level");
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(describe() + ": level " + v + " is not finite");
            }
        }
        this.explicitLevels = Arrays.stream(values).sorted().distinct().toArray();
        return this;
    }

    /** Where the legend goes (default {@link Legend#AUTO}: the emptiest inside corner, else right of the plot). */
    public ContourChart legend(Legend position) {
        this.legend = position == null ? Legend.AUTO : position;
        return this;
    }

    /** Adds an optimizer path: iterates (x[k], y[k]) joined in order; markers up to 150 points. */
    public ContourChart path(String name, double[] x, double[] y) {
        SeriesStyle style = x != null && x.length > MARKER_LIMIT ? SeriesStyle.LINE : SeriesStyle.LINE_AND_MARKERS;
        return path(name, x, y, style);
    }

    /** Adds an optimizer path drawn in the given style. */
    public ContourChart path(String name, double[] x, double[] y, SeriesStyle style) {
        return path(name, x, y, style, PATH_COLORS[countPaths() % PATH_COLORS.length]);
    }

    /**
     * Adds an optimizer path in the given style and colour (instead of the next colour of the
     * path palette), e.g. to match the same optimizer's line on a loss chart.
     */
    public ContourChart path(String name, double[] x, double[] y, SeriesStyle style, Color color) {
        checkName(name);
        if (color == null) {
            throw new IllegalArgumentException(describe() + ": path '" + name + "' needs a colour");
        }
        if (style == null) {
            throw new IllegalArgumentException(describe() + ": path '" + name + "' needs a style");
        }
        Points.Kept k = Points.finite(describe() + ": path '" + name + "'", x, y, notes);
        double[][] clipped = style == SeriesStyle.MARKERS ? near(k.x(), k.y()) : clip(k.x(), k.y());
        paths.add(new XySeries(name, clipped[0], clipped[1], null, style, color, 2f, true, XySeries.Marker.CIRCLE));
        return this;
    }

    /** Marks one point, such as the minimum or the start, with a black diamond. */
    public ContourChart point(String name, double x, double y) {
        checkName(name);
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new IllegalArgumentException(describe() + ": point '" + name + "' at (" + x + ", " + y + ") is not finite");
        }
        paths.add(new XySeries(name, new double[] {x}, new double[] {y}, null, SeriesStyle.MARKERS,
                Color.BLACK, 0f, true, XySeries.Marker.BIG_DIAMOND));
        return this;
    }

    /** Notes about the input: dropped non-finite path points, levels that draw nothing. */
    public List<String> notes() {
        List<String> all = new ArrayList<>(notes);
        all.addAll(renderNotes);
        return Collections.unmodifiableList(all);
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
        double[] xs = linspace(x0, x1, grid);
        double[] ys = linspace(y0, y1, grid);
        double[][] v = new double[grid][grid];
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int finite = 0;
        for (int j = 0; j < grid; j++) {
            for (int i = 0; i < grid; i++) {
                double z = f.applyAsDouble(xs[i], ys[j]);
                v[j][i] = z;
                if (Double.isFinite(z)) {
                    finite++;
                    lo = Math.min(lo, z);
                    hi = Math.max(hi, z);
                }
            }
        }
        if (finite == 0) {
            throw new IllegalArgumentException(describe() + ": the function is NaN or infinite at all " + grid * grid
                    + " grid points of the box [" + x0 + ", " + x1 + "] x [" + y0 + ", " + y1 + "]");
        }
        double[] levels;
        String how;
        if (explicitLevels != null) {
            levels = explicitLevels;
            how = "given";
        } else {
            Spacing sp = spacing == Spacing.AUTO ? autoSpacing(v, lo, hi) : spacing;
            levels = autoLevels(v, lo, hi, levelCount, sp);
            how = sp.name().toLowerCase(Locale.ROOT);
        }

        List<XySeries> series = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (XySeries p : paths) names.add(p.name());
        String legendName = levels.length == 0 ? null
                : "f levels " + fmt(levels[0]) + (levels.length > 1 ? " … " + fmt(levels[levels.length - 1]) : "")
                        + " (" + how + ")";
        List<String> rnotes = new ArrayList<>();
        boolean labelled = false;
        for (int k = 0; k < levels.length; k++) {
            List<double[][]> lines = Contours.lines(xs, ys, v, levels[k]);
            if (lines.isEmpty()) {
                rnotes.add(describe() + ": level " + fmt(levels[k]) + " draws nothing (f on the grid spans "
                        + fmt(lo) + " … " + fmt(hi) + ")");
                continue;
            }
            double[][] joined = joinWithBreaks(lines);
            double t = levels.length == 1 ? 0 : k / (double) (levels.length - 1);
            int g = (int) Math.round(70 + t * (195 - 70));
            boolean first = !labelled;
            String name = first ? legendName : "\u200blevel " + k;
            if (names.contains(name)) name = name + " (contours)";
            series.add(new XySeries(name, joined[0], joined[1], null, SeriesStyle.LINE, new Color(g, g, g + 8),
                    1.1f, first, XySeries.Marker.CIRCLE));
            labelled = true;
        }
        if (series.isEmpty()) {
            rnotes.add(describe() + ": no level line to draw (f is constant " + fmt(lo) + " on the grid?)");
        }
        renderNotes = List.copyOf(rnotes);
        series.addAll(paths);
        XyRenderer.Frame frame = new XyRenderer.Frame(title, xLabel, yLabel, false, false, x0, x1, y0, y1, legend, 5, true);
        return XyRenderer.build(frame, series, paths, width, height);
    }

    // ---- levels ------------------------------------------------------------------------------

    private static Spacing autoSpacing(double[][] v, double lo, double hi) {
        double median = quantile(sortedFinite(v), 0.5);
        return median - lo < 0.1 * (hi - lo) ? Spacing.LOG : Spacing.LINEAR;
    }

    static double[] autoLevels(double[][] v, double lo, double hi, int n, Spacing spacing) {
        if (!(hi > lo)) return new double[0];
        double[] out = new double[n];
        switch (spacing) {
            case LOG -> {
                double[] sorted = sortedFinite(v);
                double a = quantile(sorted, 0.005) - lo;
                double b = quantile(sorted, 0.995) - lo;
                if (!(a > 0)) a = (hi - lo) * 1e-4;
                if (!(b > a)) b = hi - lo;
                for (int k = 0; k < n; k++) {
                    out[k] = lo + (n == 1 ? Math.sqrt(a * b) : a * Math.pow(b / a, k / (double) (n - 1)));
                }
            }
            case QUANTILE -> {
                double[] sorted = sortedFinite(v);
                for (int k = 0; k < n; k++) out[k] = quantile(sorted, (k + 1) / (double) (n + 1));
            }
            default -> {
                for (int k = 0; k < n; k++) out[k] = lo + (hi - lo) * (k + 1) / (n + 1);
            }
        }
        return Arrays.stream(out).distinct().toArray();
    }

    private static double[] sortedFinite(double[][] v) {
        return Arrays.stream(v).flatMapToDouble(Arrays::stream).filter(Double::isFinite).sorted().toArray();
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    // ---- geometry ----------------------------------------------------------------------------

    private static double[][] joinWithBreaks(List<double[][]> lines) {
        int n = lines.size() - 1;
        for (double[][] l : lines) n += l[0].length;
        double[] x = new double[n];
        double[] y = new double[n];
        int p = 0;
        for (int k = 0; k < lines.size(); k++) {
            if (k > 0) {
                x[p] = Double.NaN;
                y[p++] = Double.NaN;
            }
            double[][] l = lines.get(k);
            System.arraycopy(l[0], 0, x, p, l[0].length);
            System.arraycopy(l[1], 0, y, p, l[1].length);
            p += l[0].length;
        }
        return new double[][] {x, y};
    }

    /**
     * Clips a polyline to the box enlarged by its own size on every side (so what shows is exact
     * and Java2D never sees coordinates like 1e150); segments entirely outside become a break.
     */
    private double[][] clip(double[] x, double[] y) {
        double w = x1 - x0, h = y1 - y0;
        double cx0 = x0 - w, cx1 = x1 + w, cy0 = y0 - h, cy1 = y1 + h;
        List<double[]> pts = new ArrayList<>();
        if (x.length == 1) {
            pts.add(new double[] {x[0], y[0]});
        }
        double[] last = null;
        for (int k = 0; k + 1 < x.length; k++) {
            double[] seg = clipSegment(x[k], y[k], x[k + 1], y[k + 1], cx0, cx1, cy0, cy1);
            if (seg == null) {
                if (last != null) pts.add(new double[] {Double.NaN, Double.NaN});
                last = null;
                continue;
            }
            if (last == null || last[0] != seg[0] || last[1] != seg[1]) {
                if (last != null) pts.add(new double[] {Double.NaN, Double.NaN});
                pts.add(new double[] {seg[0], seg[1]});
            }
            pts.add(new double[] {seg[2], seg[3]});
            last = new double[] {seg[2], seg[3]};
        }
        double[] ox = new double[pts.size()];
        double[] oy = new double[pts.size()];
        for (int k = 0; k < ox.length; k++) {
            ox[k] = pts.get(k)[0];
            oy[k] = pts.get(k)[1];
        }
        if (ox.length == 0) { // whole path far outside the box: keep nothing visible
            return new double[][] {{Double.NaN}, {Double.NaN}};
        }
        return new double[][] {ox, oy};
    }

    /** The points within the box enlarged by its own size on every side. */
    private double[][] near(double[] x, double[] y) {
        double w = x1 - x0, h = y1 - y0;
        List<double[]> pts = new ArrayList<>();
        for (int k = 0; k < x.length; k++) {
            if (x[k] >= x0 - w && x[k] <= x1 + w && y[k] >= y0 - h && y[k] <= y1 + h) pts.add(new double[] {x[k], y[k]});
        }
        if (pts.isEmpty()) return new double[][] {{Double.NaN}, {Double.NaN}};
        double[] ox = new double[pts.size()];
        double[] oy = new double[pts.size()];
        for (int k = 0; k < ox.length; k++) {
            ox[k] = pts.get(k)[0];
            oy[k] = pts.get(k)[1];
        }
        return new double[][] {ox, oy};
    }

    /** Liang-Barsky: the part of segment (ax, ay)-(bx, by) inside the rectangle, or null. */
    private static double[] clipSegment(double ax, double ay, double bx, double by,
                                        double xmin, double xmax, double ymin, double ymax) {
        double dx = bx - ax, dy = by - ay;
        double t0 = 0, t1 = 1;
        double[] p = {-dx, dx, -dy, dy};
        double[] q = {ax - xmin, xmax - ax, ay - ymin, ymax - ay};
        for (int i = 0; i < 4; i++) {
            if (p[i] == 0) {
                if (q[i] < 0) return null;
            } else {
                double r = q[i] / p[i];
                if (p[i] < 0) {
                    if (r > t1) return null;
                    if (r > t0) t0 = r;
                } else {
                    if (r < t0) return null;
                    if (r < t1) t1 = r;
                }
            }
        }
        return new double[] {
            t0 == 0 ? ax : ax + t0 * dx, t0 == 0 ? ay : ay + t0 * dy,
            t1 == 1 ? bx : ax + t1 * dx, t1 == 1 ? by : ay + t1 * dy
        };
    }

    private static double[] linspace(double a, double b, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = i == n - 1 ? b : a + (b - a) * i / (n - 1);
        return out;
    }

    private static String fmt(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }

    private int countPaths() {
        int n = 0;
        for (XySeries p : paths) if (p.style() != SeriesStyle.MARKERS || p.marker() != XySeries.Marker.BIG_DIAMOND) n++;
        return n;
    }

    private void checkName(String name) {
        Points.name(describe(), name);
        for (XySeries p : paths) {
            if (p.name().equals(name)) {
                throw new IllegalArgumentException(describe() + ": there is already a path or point named '" + name
                        + "'; names label the legend and must be unique");
            }
        }
    }

    private String describe() {
        return title.isEmpty() ? "ContourChart (untitled)" : "ContourChart '" + title + "'";
    }

    @Override
    public String toString() {
        return describe() + " over [" + x0 + ", " + x1 + "] x [" + y0 + ", " + y1 + "] with " + paths.size() + " paths";
    }
}
