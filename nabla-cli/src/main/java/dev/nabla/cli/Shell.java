package dev.nabla.cli;

import dev.nabla.plot.LineChart;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.History;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The helpers of {@code nabla shell} and of the notebooks (statically imported by the shell's
 * startup): {@link #show} prints a tensor with its shape, {@link #plot} draws a line chart into
 * a PNG under {@code out/shell/} (or the folder of {@link #plotFolder} or of the system property
 * {@value #PLOTS_PROPERTY}) and prints its path,
 * {@link #check} states what a notebook expects and stops it when that does not hold.
 */
public final class Shell {
    /** The system property that sets where plots go (default out/shell). */
    public static final String PLOTS_PROPERTY = "nabla.shell.plots";

    private static Path folder = Path.of(System.getProperty(PLOTS_PROPERTY, Path.of("out", "shell").toString()));
    private static int plots;

    private Shell() {}

    /** Where the next plots go (default out/shell); numbering restarts. */
    public static void plotFolder(Path dir) {
        folder = dir;
        plots = 0;
    }

    /** Prints a tensor: its shape and dtype, then its values. */
    public static void show(Tensor t) {
        System.out.println("shape " + Arrays.toString(t.shape()) + ", " + t.dtype());
        System.out.println(t);
    }

    /** Prints a labelled tensor. */
    public static void show(String label, Tensor t) {
        System.out.print(label + ": ");
        show(t);
    }

    /** A notebook's check: prints "ok: what" when it holds, else stops the notebook with what failed. */
    public static void check(String what, boolean holds) {
        if (!holds) throw new AssertionError("check failed: " + what);
        System.out.println("ok: " + what);
    }

    /** Checks that two numbers agree to within tol, printing both. */
    public static void check(String what, double value, double expected, double tol) {
        check(String.format(java.util.Locale.ROOT, "%s = %.10g (expected %.10g, |difference| %.1e)", what, value, expected,
                Math.abs(value - expected)), Math.abs(value - expected) <= tol);
    }

    /** Plots y against its index. */
    public static Path plot(String title, double[] y) {
        double[] x = new double[y.length];
        Arrays.setAll(x, i -> i);
        return plot(title, x, y);
    }

    /** Plots y against x. */
    public static Path plot(String title, double[] x, double[] y) {
        return save(new LineChart(title).line(title, x, y));
    }

    /** Plots the values of a 1-D tensor y against those of x. */
    public static Path plot(String title, Tensor x, Tensor y) {
        return plot(title, x.toDoubleArray(), y.toDoubleArray());
    }

    /** The training (and validation) loss per epoch of a fit. */
    public static Path plot(String title, History h) {
        double[] epochs = new double[h.size()];
        Arrays.setAll(epochs, i -> i + 1);
        LineChart c = new LineChart(title).xLabel("epoch").yLabel("loss").line("train", epochs, h.get("loss"));
        if (h.size() > 0 && h.epochs().get(0).containsKey("val_loss")) c.line("validation", epochs, h.get("val_loss"));
        return save(c);
    }

    /** Saves any chart built by hand (e.g. several lines) the same way. */
    public static Path plot(LineChart chart) {
        return save(chart);
    }

    private static Path save(LineChart chart) {
        try {
            Files.createDirectories(folder);
            Path file;
            do {
                file = folder.resolve("plot-" + ++plots + ".png");
            } while (Files.exists(file));
            chart.savePng(file, 800, 500);
            System.out.println("plot: " + file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("plot: cannot write into " + folder + ": " + e.getMessage(), e);
        }
    }
}
