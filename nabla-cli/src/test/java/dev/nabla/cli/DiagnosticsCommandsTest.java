package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lr-find, curves and diagnose on the course's Runge spec: printed figures and PNGs. */
class DiagnosticsCommandsTest {
    private static final String RUNGE = Path.of("..", "examples", "runge.json").toString();

    private static double number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), "no match for " + regex + " in\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void lrFindSuggestsARateAndPlotsTheSweep(@TempDir Path dir) throws IOException {
        CliRun.Output r = CliRun.run("lr-find", RUNGE, "--start", "1e-3", "--end", "10", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("100 steps from 1e-03 to 1e+01"), out);
        double suggestion = number(out, "suggested learning rate: ([0-9.eE+-]+) \\(steepest descent of the smoothed loss\\)");
        double min = number(out, "the minimum of the smoothed loss is at ([0-9.eE+-]+)");
        double div10 = number(out, ", /10 = ([0-9.eE+-]+)");
        assertTrue(suggestion >= 1e-3 && suggestion <= min, suggestion + " within [1e-3, " + min + "]");
        assertEquals(min / 10, div10, 0.01 * div10);
        assertTrue(out.contains("(the spec uses lr 0.0100; the model and optimizer were restored after the sweep)"), out);
        CliRun.assertPng(dir.resolve("lr-find.png"), 800, 500);
    }

    @Test
    void curvesAgainstTrainingSetSizeAndL2(@TempDir Path dir) throws IOException {
        CliRun.Output r = CliRun.run("curves", RUNGE, "--vary", "train-size", "--fractions", "0.2,1", "--epochs", "20",
                "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        // 200 points, 30% held out for validation: 140 training examples, 20% of them 28
        assertTrue(r.out().contains("mse against training examples, 20 epochs per run"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+28\\s+[0-9.e-]+\\s+[0-9.e-]+\\n\\s+140\\s+[0-9.e-]+\\s+[0-9.e-]+\\n.*"), r.out());
        CliRun.assertPng(dir.resolve("curves-train-size.png"), 800, 500);

        r = CliRun.run("curves", RUNGE, "--vary", "l2", "--l2", "0,1", "--epochs", "20", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("\\n\\s+1e\\+00\\s+([0-9.e-]+)\\s+([0-9.e-]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        // λ = 1 pulls every weight to 0: the net predicts about the mean, an MSE near the variance of the Runge targets (~0.08)
        assertTrue(Double.parseDouble(m.group(1)) > 0.05, r.out());
        CliRun.assertPng(dir.resolve("curves-l2.png"), 800, 500);

        r = CliRun.run("curves", RUNGE, "--vary", "depth");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("choose train-size or l2"), r.err());
    }

    @Test
    void diagnosePrintsGradientNormsPerLayerAndPlotsThem(@TempDir Path dir) throws IOException {
        CliRun.Output r = CliRun.run("diagnose", RUNGE, "--epochs", "3", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("0 (Linear)") && out.contains("8 (Linear)"), out);
        assertTrue(out.matches("(?s).*\\n\\s+3(\\s+[0-9.]+e[+-]\\d+){5}\\n.*"), out);
        assertTrue(out.contains("dead ReLUs: the network has no ReLU layer"), out);
        CliRun.assertPng(dir.resolve("gradient-norms.png"), 800, 500);
        assertTrue(out.contains("no warnings: gradients neither vanish nor explode"), out);
    }

    @Test
    void diagnoseWarnsOfTheDeepSigmoidNetworksVanishingGradients(@TempDir Path dir) throws IOException {
        CliRun.Output r = CliRun.run("diagnose", Path.of("..", "examples", "deep-sigmoid.json").toString(), "--epochs", "2",
                "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("warning: epoch 1: vanishing gradients: ‖g‖ of 0 (Linear)"), out);
        assertTrue(out.contains("warning: epoch 1: the gradients of 0 (Linear) vanish"), out);
        double first = number(out, "\\n\\s+1\\s+([0-9.]+e[+-]\\d+)");
        assertTrue(first < 1e-5, "first layer ‖g‖ " + first);
        CliRun.assertPng(dir.resolve("gradient-norms.png"), 800, 500);
    }
}
