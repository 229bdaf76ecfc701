package dev.nabla.plot;

import static dev.nabla.plot.PlotAssertions.SAMPLES;
import static dev.nabla.plot.PlotAssertions.assertNoTempFiles;
import static dev.nabla.plot.PlotAssertions.assertPng;
import static dev.nabla.plot.PlotAssertions.assertSvg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineChartTest {

    @TempDir
    Path tmp;

    private static double[] lossCurve(int n, double start, double rate, double floor) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) y[i] = floor + start * Math.exp(-rate * i) * (1 + 0.05 * Math.sin(i));
        return y;
    }

    @Test
    void lossCurvesOnLogYWritePngAndSvg() throws IOException {
        LineChart chart = new LineChart("Runge: loss per epoch").xLabel("epoch").yLabel("MSE").logY(true)
                .line("train", lossCurve(300, 0.2, 0.03, 4e-6))
                .line("validation", lossCurve(300, 0.25, 0.028, 7e-6));
        Path png = SAMPLES.resolve("loss.png");
        chart.savePng(png, 800, 500);
        assertPng(png, 800, 500);
        Path svg = SAMPLES.resolve("loss.svg");
        chart.saveSvg(svg, 800, 500);
        assertSvg(svg);
        assertTrue(chart.notes().isEmpty(), chart.notes().toString());
    }

    @Test
    void fittedCurveOverTrueCurveWithTrainingPoints() throws IOException {
        int n = 100;
        double[] x = new double[n], truth = new double[n], fit = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = -1 + 2.0 * i / (n - 1);
            truth[i] = 1 / (1 + 25 * x[i] * x[i]);
            fit[i] = truth[i] + 0.01 * Math.sin(9 * x[i]);
        }
        double[] tx = new double[39], ty = new double[39];
        for (int i = 0; i < tx.length; i++) {
            tx[i] = -1 + 2.0 * i / (tx.length - 1);
            ty[i] = 1 / (1 + 25 * tx[i] * tx[i]);
        }
        LineChart chart = new LineChart("Runge function: fit vs truth").xLabel("x").yLabel("f(x)")
                .dashed("true 1/(1+25x²)", x, truth)
                .line("network", x, fit)
                .markers("training points", tx, ty);
        Path png = SAMPLES.resolve("runge-fit.png");
        chart.savePng(png, 640, 480);
        assertPng(png, 640, 480);
        chart.saveSvg(SAMPLES.resolve("runge-fit.svg"), 640, 480);
        assertSvg(SAMPLES.resolve("runge-fit.svg"));
    }

    @Test
    void lossAgainstLearningRateOnLogX() throws IOException {
        int n = 200;
        double[] lr = new double[n], loss = new double[n];
        for (int i = 0; i < n; i++) {
            lr[i] = 1e-6 * Math.pow(10, 7.0 * i / (n - 1));
            double l = Math.log10(lr[i]);
            loss[i] = 2.3 - 2.0 / (1 + Math.exp(-(l + 3.5) * 2)) + Math.max(0, l + 0.5) * 3;
        }
        LineChart chart = new LineChart("LR range test").xLabel("learning rate").yLabel("loss").logX(true)
                .line("loss", lr, loss);
        Path png = SAMPLES.resolve("lr-find.png");
        chart.savePng(png, 700, 450);
        assertPng(png, 700, 450);
    }

    @Test
    void gradientDescentIterationsWithMarkers() throws IOException {
        double[] fx = new double[31];
        double x = 10;
        for (int i = 0; i < fx.length; i++) {
            fx[i] = x * x + 4;
            x -= 0.1 * 2 * x;
        }
        LineChart chart = new LineChart("GD on x^2 + 4, lr 0.1").xLabel("step").yLabel("f(x)")
                .lineWithMarkers("f(x_k)", steps(fx.length), fx);
        Path png = SAMPLES.resolve("gd.png");
        chart.savePng(png, 600, 400);
        assertPng(png, 600, 400);
    }

    @Test
    void perLayerGradientNormsAreSeveralSeries() throws IOException {
        LineChart chart = new LineChart("Gradient norm per layer").xLabel("epoch").yLabel("||grad||").logY(true);
        for (int layer = 0; layer < 6; layer++) {
            chart.line("layer " + (layer + 1), lossCurve(50, Math.pow(0.25, layer), 0.01, 1e-9));
        }
        Path png = SAMPLES.resolve("grad-norms.png");
        chart.savePng(png, 800, 500);
        assertPng(png, 800, 500);
    }

    @Test
    void nanPointsInsideASeriesAreDroppedWithANote() throws IOException {
        double[] y = {1, 0.5, Double.NaN, 0.25, Double.POSITIVE_INFINITY, 0.1};
        LineChart chart = new LineChart("Loss").line("train", y);
        Path png = tmp.resolve("nan.png");
        chart.savePng(png, 400, 300);
        assertPng(png, 400, 300);
        assertEquals(1, chart.notes().size());
        String note = chart.notes().get(0);
        assertTrue(note.contains("'Loss'") && note.contains("'train'") && note.contains("dropped 2 of 6")
                && note.contains("index 2"), note);
    }

    @Test
    void singlePointAndConstantSeriesStillRender() throws IOException {
        LineChart chart = new LineChart("Flat").line("constant", new double[] {0.5, 0.5, 0.5})
                .markers("one point", new double[] {2}, new double[] {0.5});
        Path png = tmp.resolve("flat.png");
        chart.savePng(png, 400, 300);
        assertPng(png, 400, 300);
    }

    @Test
    void writesCreateFoldersReplaceAtomicallyAndLeaveNoTempFiles() throws IOException {
        Path png = tmp.resolve("a/b/c/loss.png");
        LineChart chart = new LineChart("Loss").line("train", new double[] {3, 2, 1});
        chart.savePng(png, 300, 200);
        assertPng(png, 300, 200);
        chart.savePng(png, 320, 240); // replaces the previous file
        assertPng(png, 320, 240);
        assertNoTempFiles(png.getParent());
    }

    @Test
    void lengthMismatchNamesChartAndSeries() {
        LineChart chart = new LineChart("Loss");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> chart.line("train", new double[] {1, 2, 3}, new double[] {1, 2}));
        assertTrue(e.getMessage().contains("'Loss'") && e.getMessage().contains("'train'")
                && e.getMessage().contains("x has 3 values but y has 2"), e.getMessage());
    }

    @Test
    void emptySeriesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LineChart("Loss").line("val", new double[0]));
        assertTrue(e.getMessage().contains("'val'") && e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void nanOnlySeriesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LineChart("Loss").line("train", new double[] {Double.NaN, Double.NaN}));
        assertTrue(e.getMessage().contains("'train'") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void nonPositiveValueOnLogAxisIsRefused() {
        LineChart chart = new LineChart("Loss").logY(true).line("train", new double[] {1, 0.1, 0, 0.01});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> chart.savePng(tmp.resolve("x.png"), 400, 300));
        assertTrue(e.getMessage().contains("'Loss'") && e.getMessage().contains("'train'")
                && e.getMessage().contains("index 2") && e.getMessage().contains("log"), e.getMessage());
        LineChart lr = new LineChart("LR").logX(true).line("loss", new double[] {-1, 1}, new double[] {1, 2});
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> lr.saveSvg(tmp.resolve("x.svg"), 400, 300));
        assertTrue(e2.getMessage().contains("x = -1.0"), e2.getMessage());
        assertTrue(Files.notExists(tmp.resolve("x.png")) && Files.notExists(tmp.resolve("x.svg")));
    }

    @Test
    void otherMistakesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LineChart("Empty").savePng(tmp.resolve("e.png"), 400, 300));
        LineChart c = new LineChart("Loss").line("train", new double[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> c.line("train", new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> c.line(" ", new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> c.line("n", null, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> c.yRange(1, 1));
        assertThrows(IllegalArgumentException.class, () -> c.savePng(tmp.resolve("s.png"), 0, 300));
    }

    private static double[] steps(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }

    @Test
    void aSeriesCanHaveItsOwnColour() {
        java.awt.Color red = new java.awt.Color(0xd62728);
        LineChart chart = new LineChart("colours")
                .series("Newton", new double[] {0, 1}, new double[] {1, 2}, SeriesStyle.LINE, red)
                .line("next", new double[] {0, 1}, new double[] {2, 3});
        var xc = chart.toXChart(400, 300);
        assertEquals(red, xc.getSeriesMap().get("Newton").getLineColor());
        assertEquals(new java.awt.Color(0xff7f0e), xc.getSeriesMap().get("next").getLineColor(), "palette continues");
        assertThrows(IllegalArgumentException.class,
                () -> chart.series("none", new double[] {0}, new double[] {0}, SeriesStyle.LINE, null));
    }
}
