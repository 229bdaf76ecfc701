package dev.nabla.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Turns validated series and axis settings into an XChart {@link XYChart} and writes it (package-private). */
final class XyRenderer {

    /** matplotlib's tab10: distinct, familiar, readable on white. */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)
    };

    /** Axis settings of one chart; null bounds mean "fit the data". */
    record Frame(String title, String xLabel, String yLabel, boolean logX, boolean logY,
                 Double xMin, Double xMax, Double yMin, Double yMax, Legend legend, int markerSize,
                 boolean fill) {}

    private XyRenderer() {}

    static void savePng(XYChart chart, Path file) throws IOException {
        ChartFiles.writeAtomically(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    static void saveSvg(XYChart chart, Path file) throws IOException {
        ChartFiles.writeAtomically(file, out ->
                VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
    }

    /**
     * Builds the chart.
     *
     * @param series what to draw, in drawing order (later on top)
     * @param avoid  the series the legend must not cover when placed automatically
     */
    static XYChart build(Frame f, List<XySeries> series, List<XySeries> avoid, int width, int height) {
        ChartFiles.ensureHeadless();
        XYChart chart = new XYChart(width, height);
        chart.setTitle(f.title() == null ? "" : f.title());
        chart.setXAxisTitle(f.xLabel() == null ? "" : f.xLabel());
        chart.setYAxisTitle(f.yLabel() == null ? "" : f.yLabel());

        XYStyler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotBorderColor(new Color(0x888888));
        s.setPlotGridLinesColor(new Color(0xe4e4e4));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendBorderColor(new Color(0xbbbbbb));
        s.setLegendBackgroundColor(new Color(255, 255, 255, 235));
        s.setAntiAlias(true);
        s.setMarkerSize(f.markerSize());
        s.setYAxisTickMarkSpacingHint(64);
        if (f.fill()) {
            s.setPlotContentSize(1.0); // a map: the data box is the whole plot, no inner margin
        }
        s.setXAxisLogarithmic(f.logX());
        s.setYAxisLogarithmic(f.logY());
        double[] data = range(new XyRenderer.Frame(null, null, null, false, false, null, null, null, null, Legend.AUTO, 0, false), series);
        if (f.xMin() != null) s.setXAxisMin(f.xMin());
        if (f.xMax() != null) s.setXAxisMax(f.xMax());
        if (f.yMin() != null) s.setYAxisMin(f.yMin());
        if (f.yMax() != null) s.setYAxisMax(f.yMax());

        Legend legend = resolveLegend(f, series, avoid, width, height);
        s.setLegendVisible(legend != Legend.HIDDEN);
        switch (legend) {
            case INSIDE_TOP_RIGHT -> s.setLegendPosition(Styler.LegendPosition.InsideNE);
            case INSIDE_TOP_LEFT -> s.setLegendPosition(Styler.LegendPosition.InsideNW);
            case INSIDE_BOTTOM_RIGHT -> s.setLegendPosition(Styler.LegendPosition.InsideSE);
            case INSIDE_BOTTOM_LEFT -> s.setLegendPosition(Styler.LegendPosition.InsideSW);
            case BELOW -> s.setLegendPosition(Styler.LegendPosition.OutsideS);
            default -> s.setLegendPosition(Styler.LegendPosition.OutsideE);
        }

        double[] shown = range(f, series);
        if (f.logX()) {
            s.setXAxisLogarithmicDecadeOnly(data != null && data[1] >= 10 * data[0]);
        } else if (shown != null) {
            double span = Math.max(Math.abs(shown[0]), Math.abs(shown[1])) + (shown[1] - shown[0]);
            s.setxAxisTickLabelsFormattingFunction(v -> tickLabel(v, span));
        }
        if (f.logY()) {
            s.setYAxisLogarithmicDecadeOnly(data != null && data[3] >= 10 * data[2]);
        } else if (shown != null) {
            double span = Math.max(Math.abs(shown[2]), Math.abs(shown[3])) + (shown[3] - shown[2]);
            s.setyAxisTickLabelsFormattingFunction(v -> tickLabel(v, span));
        }

        for (XySeries given : series) {
            XySeries xs = shown == null ? given : simplified(given, f, shown, width, height);
            XYSeries out = chart.addSeries(xs.name(), xs.x(), xs.y());
            out.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            out.setLineColor(xs.color());
            out.setMarkerColor(xs.color());
            out.setLineWidth(xs.lineWidth());
            out.setShowInLegend(xs.inLegend());
            switch (xs.style()) {
                case LINE -> {
                    out.setMarker(SeriesMarkers.NONE);
                    out.setLineStyle(stroke(xs.lineWidth(), false));
                }
                case DASHED -> {
                    out.setMarker(SeriesMarkers.NONE);
                    out.setLineStyle(stroke(xs.lineWidth(), true));
                }
                case MARKERS -> {
                    out.setMarker(marker(xs.marker()));
                    out.setLineStyle(SeriesLines.NONE);
                }
                case LINE_AND_MARKERS -> {
                    out.setMarker(marker(xs.marker()));
                    out.setLineStyle(stroke(xs.lineWidth(), false));
                }
            }
        }
        if (data != null) {
            // XChart 3.8 puts a tick on every x value when the values are equally spaced (epochs
            // 1..300 give 300 overlapping labels; XChart issue #731). An invisible series with
            // unevenly spaced values inside the data range switches it back to round ticks.
            double dx = data[1] - data[0];
            double dy = data[3] - data[2];
            XYSeries helper = chart.addSeries(HELPER,
                    new double[] {data[0], data[0] + 0.5123 * dx, data[1]},
                    new double[] {data[2], data[2] + 0.2871 * dy, data[3]});
            helper.setShowInLegend(false);
            helper.setMarker(SeriesMarkers.NONE);
            helper.setLineStyle(SeriesLines.NONE);
            helper.setLineColor(new Color(0, 0, 0, 0));
        }
        return chart;
    }

    /** Name of the invisible series that fixes XChart's ticks; no user name starts with a zero-width space and this text. */
    static final String HELPER = "\u200b\u200bnabla-tick-helper";

    /** A tick label without float noise: 0.30000000000000004 -> "0.3", 0.08 -> "0.08", 2e-6 -> "2E-6". */
    static String tickLabel(double v, double span) {
        if (!Double.isFinite(v)) return "";
        if (Math.abs(v) <= span * 1e-9) return "0";
        java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(9)).stripTrailingZeros();
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e7) return d.toPlainString();
        String sci = String.format(java.util.Locale.ROOT, "%.6E", d.doubleValue()); // 1.500000E-05
        String mant = sci.substring(0, sci.indexOf('E')).replaceAll("0+$", "").replaceAll("\\.$", "");
        int exp = Integer.parseInt(sci.substring(sci.indexOf('E') + 1));
        return mant + "E" + exp;
    }

    /**
     * Drops points of plain lines that move the drawn line by less than a quarter pixel
     * (estimated from the chart size and the axis ranges); marker series are left alone.
     */
    private static XySeries simplified(XySeries s, Frame f, double[] r, int width, int height) {
        if ((s.style() != SeriesStyle.LINE && s.style() != SeriesStyle.DASHED) || s.x().length < 3) return s;
        double plotW = Math.max(50, width - 120);
        double plotH = Math.max(50, height - 110);
        double xa = f.logX() ? Math.log(r[0]) : r[0], xb = f.logX() ? Math.log(r[1]) : r[1];
        double ya = f.logY() ? Math.log(r[2]) : r[2], yb = f.logY() ? Math.log(r[3]) : r[3];
        double sx = xb > xa ? plotW / (xb - xa) : 1;
        double sy = yb > ya ? plotH / (yb - ya) : 1;
        int n = s.x().length;
        double[] px = new double[n], py = new double[n];
        for (int i = 0; i < n; i++) {
            double x = s.x()[i], y = s.y()[i];
            px[i] = Double.isNaN(x) ? Double.NaN : ((f.logX() ? Math.log(x) : x) - xa) * sx;
            py[i] = Double.isNaN(y) ? Double.NaN : ((f.logY() ? Math.log(y) : y) - ya) * sy;
        }
        int[] idx = Simplify.keep(px, py, 0.25);
        if (idx.length == n) return s;
        int[] orig = new int[idx.length];
        for (int i = 0; i < idx.length; i++) orig[i] = s.originalIndex(idx[i]);
        return new XySeries(s.name(), Simplify.pick(s.x(), idx), Simplify.pick(s.y(), idx), orig, s.style(), s.color(),
                s.lineWidth(), s.inLegend(), s.marker());
    }

    /** A diamond twice the chart's marker size, for single marked points. */
    private static final org.knowm.xchart.style.markers.Marker BIG_DIAMOND = new org.knowm.xchart.style.markers.Marker() {
        private final org.knowm.xchart.style.markers.Diamond diamond = new org.knowm.xchart.style.markers.Diamond();

        @Override
        public void paint(java.awt.Graphics2D g, double x, double y, int markerSize) {
            diamond.paint(g, x, y, 2 * markerSize);
        }
    };

    private static BasicStroke stroke(float width, boolean dashed) {
        return dashed
                ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                : new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }

    private static org.knowm.xchart.style.markers.Marker marker(XySeries.Marker m) {
        return switch (m) {
            case CIRCLE -> SeriesMarkers.CIRCLE;
            case SQUARE -> SeriesMarkers.SQUARE;
            case DIAMOND -> SeriesMarkers.DIAMOND;
            case TRIANGLE_UP -> SeriesMarkers.TRIANGLE_UP;
            case CROSS -> SeriesMarkers.CROSS;
            case BIG_DIAMOND -> BIG_DIAMOND;
        };
    }

    // ---- automatic legend placement -------------------------------------------------------

    private static Legend resolveLegend(Frame f, List<XySeries> series, List<XySeries> avoid, int width, int height) {
        if (f.legend() != Legend.AUTO) {
            return f.legend();
        }
        int entries = 0;
        int longestName = 0;
        for (XySeries xs : series) {
            if (xs.inLegend()) {
                entries++;
                longestName = Math.max(longestName, xs.name().length());
            }
        }
        if (entries < 2) {
            return Legend.HIDDEN;
        }
        // rough legend box as a fraction of the plot area (plot ~ chart minus ~110 px of margins)
        double plotW = Math.max(1, width - 110);
        double plotH = Math.max(1, height - 110);
        double boxW = Math.min(1, (longestName * 7.5 + 60) / plotW) + 0.02;
        double boxH = Math.min(1, (entries * 19 + 14) / plotH) + 0.02;
        if (boxW > 0.6 || boxH > 0.6) {
            return Legend.RIGHT;
        }
        double[] range = range(f, avoid);
        if (range == null) {
            return Legend.RIGHT;
        }
        Legend[] corners = {Legend.INSIDE_TOP_RIGHT, Legend.INSIDE_TOP_LEFT, Legend.INSIDE_BOTTOM_RIGHT, Legend.INSIDE_BOTTOM_LEFT};
        long[] hits = new long[4];
        for (XySeries xs : avoid) {
            double[] x = xs.x();
            double[] y = xs.y();
            boolean line = xs.style() != SeriesStyle.MARKERS && x.length <= 5000;
            double px = Double.NaN;
            double py = Double.NaN;
            for (int i = 0; i < x.length; i++) {
                double u = frac(x[i], range[0], range[1], f.logX());
                double v = frac(y[i], range[2], range[3], f.logY());
                if (Double.isNaN(u) || Double.isNaN(v)) {
                    px = py = Double.NaN;
                    continue;
                }
                if (line && !Double.isNaN(px)) {
                    int steps = (int) Math.min(200, Math.ceil(Math.hypot(u - px, v - py) / 0.01));
                    for (int k = 1; k < steps; k++) {
                        double t = k / (double) steps;
                        count(px + t * (u - px), py + t * (v - py), boxW, boxH, hits);
                    }
                }
                count(u, v, boxW, boxH, hits);
                px = u;
                py = v;
            }
        }
        int best = 0;
        for (int c = 1; c < 4; c++) {
            if (hits[c] < hits[best]) best = c;
        }
        return hits[best] == 0 ? corners[best] : Legend.RIGHT;
    }

    private static void count(double u, double v, double boxW, double boxH, long[] hits) {
        boolean right = u >= 1 - boxW;
        boolean left = u <= boxW;
        boolean top = v >= 1 - boxH;
        boolean bottom = v <= boxH;
        if (top && right) hits[0]++;
        if (top && left) hits[1]++;
        if (bottom && right) hits[2]++;
        if (bottom && left) hits[3]++;
    }

    /** Position of value in [lo, hi] as a fraction, on a log scale if asked; NaN outside or non-finite. */
    private static double frac(double value, double lo, double hi, boolean log) {
        if (!Double.isFinite(value)) return Double.NaN;
        double a = lo, b = hi, t = value;
        if (log) {
            if (value <= 0) return Double.NaN;
            a = Math.log(lo);
            b = Math.log(hi);
            t = Math.log(value);
        }
        return b > a ? (t - a) / (b - a) : 0.5;
    }

    /** Axis ranges {xmin, xmax, ymin, ymax}: the frame's bounds where set, else the data's. */
    private static double[] range(Frame f, List<XySeries> series) {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (XySeries xs : series) {
            for (int i = 0; i < xs.x().length; i++) {
                double x = xs.x()[i], y = xs.y()[i];
                if (Double.isFinite(x)) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); }
                if (Double.isFinite(y)) { y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
            }
        }
        if (f.xMin() != null) x0 = f.xMin();
        if (f.xMax() != null) x1 = f.xMax();
        if (f.yMin() != null) y0 = f.yMin();
        if (f.yMax() != null) y1 = f.yMax();
        if (!(x0 <= x1) || !(y0 <= y1)) return null;
        return new double[] {x0, x1, y0, y1};
    }
}
