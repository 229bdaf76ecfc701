package dev.nabla.plot;

import dev.nabla.train.GradientMonitor;
import dev.nabla.train.LearningCurves;
import dev.nabla.train.LrFinder;
import java.util.Arrays;
import java.util.Locale;

/**
 * Ready-made charts of nabla's training diagnostics: per-layer gradient norms per epoch (from a
 * {@link GradientMonitor}), loss against learning rate (from an {@link LrFinder} sweep) and
 * learning curves (from {@link LearningCurves}). Each returns a {@link LineChart} to save.
 */
public final class TrainingCharts {
    private TrainingCharts() {}

    /**
     * ‖g‖ of each layer per epoch, log y, layers numbered from the input side; a layer whose
     * gradient is exactly 0 throughout is left out.
     */
    public static LineChart gradientNorms(String title, GradientMonitor monitor) {
        LineChart chart = new LineChart(title).xLabel("epoch").yLabel("mean gradient norm ‖g‖ (log)").logY(true);
        int drawn = 0, index = 0;
        for (String layer : monitor.layers()) {
            index++;
            double[] g = positive(monitor.gradNorms(layer));
            if (Arrays.stream(g).noneMatch(Double::isFinite)) continue;
            // the palette has 10 colours: from the 11th layer on, dashed lines keep the series apart
            String name = index + ": " + monitor.type(layer) + " (module " + layer + ")";
            chart.series(name, epochs(g.length), g, drawn < 10 ? SeriesStyle.LINE_AND_MARKERS : SeriesStyle.DASHED);
            drawn++;
        }
        if (drawn == 0) throw new IllegalArgumentException("TrainingCharts.gradientNorms: no layer has a non-zero gradient to draw");
        return chart;
    }

    /**
     * Loss against learning rate on a log x axis: each step's loss as markers, the smoothed loss
     * as a line, and the suggested rate as a dashed vertical line. The y axis is cut above the
     * start of the sweep so the blow-up at the end does not flatten the rest.
     */
    public static LineChart lrFinder(String title, LrFinder.Result r) {
        int min = 0;
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (int i = 0; i < r.steps(); i++) {
            if (Double.isFinite(r.smoothed()[i]) && r.smoothed()[i] < r.smoothed()[min]) min = i;
        }
        for (int i = 0; i < r.steps(); i++) {
            if (Double.isFinite(r.losses()[i]) && r.losses()[i] > 0) lo = Math.min(lo, r.losses()[i]);
            if (i <= min && Double.isFinite(r.smoothed()[i])) hi = Math.max(hi, r.smoothed()[i]);
        }
        for (int i = 0; i <= Math.min(min, r.steps() - 1); i++) if (Double.isFinite(r.losses()[i])) hi = Math.max(hi, r.losses()[i]);
        boolean log = lo > 0 && hi / lo > 30;
        double yMin = log ? lo / 1.5 : Math.max(0, lo - 0.1 * (hi - lo)), yMax = log ? hi * 1.5 : hi + 0.1 * (hi - lo);
        if (!(yMax > yMin)) yMax = yMin + 1;
        if (!r.conclusive()) title += " (inconclusive: the loss never clearly fell)";
        LineChart chart = new LineChart(title).xLabel("learning rate (log)").yLabel(log ? "loss (log)" : "loss").logX(true).logY(log)
                .yRange(yMin, yMax)
                .markers("loss of each batch", r.lrs(), log ? positive(r.losses()) : r.losses())
                .line("smoothed (running median)", r.lrs(), log ? positive(r.smoothed()) : r.smoothed());
        if (!r.conclusive()) return chart;
        chart.dashed(String.format(Locale.ROOT, "suggestion %.2g (steepest descent)", r.suggestion()),
                        new double[] {r.suggestion(), r.suggestion()}, new double[] {yMin, yMax})
                .dashed(String.format(Locale.ROOT, "minimum / 10 = %.2g", r.minDiv10()),
                        new double[] {r.minDiv10(), r.minDiv10()}, new double[] {yMin, yMax});
        return chart;
    }

    /**
     * Training and validation figure against training-set size, or against L2 strength on a log
     * x axis (λ = 0, which a log axis cannot show, is drawn a decade left of the smallest λ &gt; 0
     * and the title says so).
     */
    public static LineChart learningCurve(String title, LearningCurves.Curve c, String validationName) {
        double[] x = c.x().clone();
        boolean l2 = c.varied().startsWith("L2");
        String t = title;
        if (l2) {
            double smallest = Arrays.stream(x).filter(v -> v > 0).min().orElse(1e-4);
            for (int i = 0; i < x.length; i++) {
                if (x[i] == 0) {
                    x[i] = smallest / 10;
                    t = title + String.format(Locale.ROOT, " (λ = 0 drawn at %.0e)", smallest / 10);
                }
            }
        }
        return new LineChart(t).xLabel(l2 ? "L2 strength λ (log)" : c.varied()).yLabel(c.figure()).logX(l2)
                .lineWithMarkers("training", x, c.train())
                .lineWithMarkers(validationName, x, c.validation());
    }

    private static double[] epochs(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }

    private static double[] positive(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) if (!(out[i] > 0)) out[i] = Double.NaN;
        return out;
    }
}
