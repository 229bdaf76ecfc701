package dev.nabla.plot;

import static dev.nabla.plot.PlotAssertions.SAMPLES;
import static dev.nabla.plot.PlotAssertions.assertPng;
import static dev.nabla.plot.PlotAssertions.assertSvg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContourChartTest {

    @TempDir
    Path tmp;

    static final DoubleBinaryOperator ROSENBROCK = (x, y) -> (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);

    /** Iterates of gradient descent with momentum on Rosenbrock (a realistic path to draw). */
    static double[][] momentumPath(double lr, double beta, int steps) {
        double[] xs = new double[steps + 1], ys = new double[steps + 1];
        double x = -1.5, y = 2.0, vx = 0, vy = 0;
        for (int k = 0; k <= steps; k++) {
            xs[k] = x;
            ys[k] = y;
            double gx = -2 * (1 - x) - 400 * x * (y - x * x);
            double gy = 200 * (y - x * x);
            vx = beta * vx + gx;
            vy = beta * vy + gy;
            x -= lr * vx;
            y -= lr * vy;
        }
        return new double[][] {xs, ys};
    }

    /** Adam on Rosenbrock. */
    static double[][] adamPath(double lr, int steps) {
        double[] xs = new double[steps + 1], ys = new double[steps + 1];
        double x = -1.5, y = 2.0, mx = 0, my = 0, vx = 0, vy = 0, b1 = 0.9, b2 = 0.999;
        for (int k = 0; k <= steps; k++) {
            xs[k] = x;
            ys[k] = y;
            double gx = -2 * (1 - x) - 400 * x * (y - x * x);
            double gy = 200 * (y - x * x);
            mx = b1 * mx + (1 - b1) * gx;
            my = b1 * my + (1 - b1) * gy;
            vx = b2 * vx + (1 - b2) * gx * gx;
            vy = b2 * vy + (1 - b2) * gy * gy;
            double c1 = 1 - Math.pow(b1, k + 1), c2 = 1 - Math.pow(b2, k + 1);
            x -= lr * (mx / c1) / (Math.sqrt(vx / c2) + 1e-8);
            y -= lr * (my / c1) / (Math.sqrt(vy / c2) + 1e-8);
        }
        return new double[][] {xs, ys};
    }

    /** Newton's method on Rosenbrock: few, long steps. */
    static double[][] newtonPath(int steps) {
        double[] xs = new double[steps + 1], ys = new double[steps + 1];
        double x = -1.5, y = 2.0;
        for (int k = 0; k <= steps; k++) {
            xs[k] = x;
            ys[k] = y;
            double gx = -2 * (1 - x) - 400 * x * (y - x * x);
            double gy = 200 * (y - x * x);
            double hxx = 2 - 400 * (y - 3 * x * x), hxy = -400 * x, hyy = 200;
            double det = hxx * hyy - hxy * hxy;
            x -= (hyy * gx - hxy * gy) / det;
            y -= (-hxy * gx + hxx * gy) / det;
        }
        return new double[][] {xs, ys};
    }

    @Test
    void rosenbrockWithOptimizerPathsWritesPngAndSvg() throws IOException {
        double[][] gd = momentumPath(5e-4, 0.0, 3000);
        double[][] mom = momentumPath(1e-4, 0.9, 100);
        double[][] adam = adamPath(0.1, 120);
        double[][] newton = newtonPath(6);
        ContourChart chart = new ContourChart("Rosenbrock: optimizer paths", ROSENBROCK, -2, 2, -1, 3)
                .path("GD lr=5e-4 (3000 steps)", gd[0], gd[1])
                .path("momentum 0.9", mom[0], mom[1])
                .path("Adam lr=0.1", adam[0], adam[1])
                .path("Newton", newton[0], newton[1])
                .point("minimum (1, 1)", 1, 1);
        Path png = SAMPLES.resolve("rosenbrock-paths.png");
        chart.savePng(png, 900, 700);
        assertPng(png, 900, 700);
        Path svg = SAMPLES.resolve("rosenbrock-paths.svg");
        chart.saveSvg(svg, 900, 700);
        assertSvg(svg);
        assertTrue(chart.notes().isEmpty(), chart.notes().toString());
    }

    @Test
    void saddleWithLinearLevelsAndADivergingPath() throws IOException {
        int n = 40;
        double[] x = new double[n], y = new double[n];
        double px = 1.0, py = 1e-3;
        for (int k = 0; k < n; k++) {
            x[k] = px;
            y[k] = py;
            px -= 0.1 * 2 * px;
            py += 0.1 * 2 * py * 5; // escapes along y and leaves the box, ends at +Inf
        }
        y[n - 1] = Double.POSITIVE_INFINITY;
        ContourChart chart = new ContourChart("Saddle x^2 - y^2", (a, b) -> a * a - b * b, -1.5, 1.5, -1.5, 1.5)
                .levels(11, ContourChart.Spacing.LINEAR)
                .path("GD escapes", x, y)
                .point("saddle point", 0, 0);
        Path png = SAMPLES.resolve("saddle.png");
        chart.savePng(png, 700, 600);
        assertPng(png, 700, 600);
        assertEquals(1, chart.notes().size(), chart.notes().toString());
        assertTrue(chart.notes().get(0).contains("'GD escapes'") && chart.notes().get(0).contains("dropped 1 of 40"));
    }

    @Test
    void explicitLevelsQuantilesAndNaNRegionsRender() throws IOException {
        DoubleBinaryOperator logBowl = (x, y) -> Math.log(x) + y * y; // NaN for x < 0
        ContourChart chart = new ContourChart("log x + y^2", logBowl, -1, 3, -2, 2)
                .levels(-1, 0, 0.5, 1, 2)
                .path("p", new double[] {2, 1, 0.5}, new double[] {1.5, 0.5, 0});
        Path png = tmp.resolve("nan-region.png");
        chart.savePng(png, 500, 400);
        assertPng(png, 500, 400);
        ContourChart q = new ContourChart("quantiles", ROSENBROCK, -2, 2, -1, 3).grid(60)
                .levels(8, ContourChart.Spacing.QUANTILE).legend(Legend.HIDDEN);
        q.saveSvg(tmp.resolve("q.svg"), 500, 400);
        assertSvg(tmp.resolve("q.svg"));
    }

    @Test
    void levelsThatMissTheFunctionAreNoted() throws IOException {
        ContourChart chart = new ContourChart("bowl", (x, y) -> x * x + y * y, -1, 1, -1, 1).levels(0.5, 99);
        chart.savePng(tmp.resolve("bowl.png"), 400, 400);
        assertTrue(chart.notes().stream().anyMatch(s -> s.contains("level 99 draws nothing")), chart.notes().toString());
    }

    @Test
    void marchingSquaresTracesACircleAsOneClosedLoop() {
        int n = 81;
        double[] xs = new double[n], ys = new double[n];
        for (int i = 0; i < n; i++) xs[i] = ys[i] = -2 + 4.0 * i / (n - 1);
        double[][] v = new double[n][n];
        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) v[j][i] = xs[i] * xs[i] + ys[j] * ys[j];
        List<double[][]> lines = Contours.lines(xs, ys, v, 1.0);
        assertEquals(1, lines.size());
        double[] lx = lines.get(0)[0], ly = lines.get(0)[1];
        assertEquals(lx[0], lx[lx.length - 1]);
        assertEquals(ly[0], ly[ly.length - 1]);
        assertTrue(lx.length > 60, "points: " + lx.length);
        for (int k = 0; k < lx.length; k++) {
            assertEquals(1.0, Math.hypot(lx[k], ly[k]), 0.01, "point " + k);
        }
    }

    @Test
    void marchingSquaresSaddleGivesTwoOpenCurves() {
        int n = 41;
        double[] xs = new double[n], ys = new double[n];
        for (int i = 0; i < n; i++) xs[i] = ys[i] = -1 + 2.0 * i / (n - 1);
        double[][] v = new double[n][n];
        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) v[j][i] = xs[i] * xs[i] - ys[j] * ys[j];
        List<double[][]> lines = Contours.lines(xs, ys, v, 0.25); // x = ±sqrt(0.25 + y^2): two branches
        assertEquals(2, lines.size());
        for (double[][] l : lines) {
            for (int k = 0; k < l[0].length; k++) {
                assertEquals(0.25, l[0][k] * l[0][k] - l[1][k] * l[1][k], 0.01);
            }
        }
    }

    @Test
    void badInputIsRefusedWithTheChartAndSeriesNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ContourChart("Rosenbrock", ROSENBROCK, -2, 2, -1, 3)
                        .path("Adam", new double[] {1, 2, 3}, new double[] {1, 2}));
        assertTrue(e.getMessage().contains("'Rosenbrock'") && e.getMessage().contains("'Adam'")
                && e.getMessage().contains("x has 3 values but y has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ContourChart("R", ROSENBROCK, -2, 2, -1, 3).path("SGD", new double[0], new double[0]));
        assertTrue(e.getMessage().contains("'SGD'") && e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ContourChart("R", ROSENBROCK, -2, 2, -1, 3)
                .path("SGD", new double[] {Double.NaN}, new double[] {Double.NaN}));
        assertTrue(e.getMessage().contains("'SGD'") && e.getMessage().contains("NaN"), e.getMessage());
        ContourChart nan = new ContourChart("nowhere", (x, y) -> Double.NaN, 0, 1, 0, 1);
        e = assertThrows(IllegalArgumentException.class, () -> nan.savePng(tmp.resolve("n.png"), 400, 300));
        assertTrue(e.getMessage().contains("'nowhere'") && e.getMessage().contains("NaN or infinite at all"), e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("n.png")));
        assertThrows(IllegalArgumentException.class, () -> new ContourChart("box", ROSENBROCK, 1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ContourChart("f", null, 0, 1, 0, 1));
        ContourChart c = new ContourChart("dup", ROSENBROCK, 0, 1, 0, 1).path("a", new double[] {0}, new double[] {0});
        assertThrows(IllegalArgumentException.class, () -> c.point("a", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> c.levels(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> c.grid(3));
    }

    @Test
    void aPathCanHaveItsOwnColour() {
        java.awt.Color pink = new java.awt.Color(0xe377c2);
        ContourChart chart = new ContourChart("colours", (x, y) -> x * x + y * y, -1, 1, -1, 1)
                .path("Newton", new double[] {0.5, 0}, new double[] {0.5, 0}, SeriesStyle.LINE_AND_MARKERS, pink);
        assertEquals(pink, chart.toXChart(400, 300).getSeriesMap().get("Newton").getLineColor());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> chart.path("none", new double[] {0}, new double[] {0}, SeriesStyle.LINE, null));
    }
}
