package dev.nabla.cli;

import dev.nabla.cli.expr.Expression;
import dev.nabla.cli.expr.Expression.Variable;
import dev.nabla.cli.expr.ExpressionException;
import dev.nabla.plot.LineChart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nabla gd "x^2 + 4" --x0 10 --lr 0.1 --steps 30}: gradient descent on a function of x,
 * the derivative by autograd; prints every step (x, f(x), f'(x)), says whether it converges,
 * oscillates or diverges, and plots f against the step and the path of x on the curve.
 */
@Command(name = "gd", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Gradient descent you can watch: x <- x - lr*f'(x) on a function of x, with f' by autograd.",
            "Prints step, x, f(x), f'(x), says whether it converges, oscillates or diverges, and plots f per step"
                    + " and the path of x on the curve.",
            "Expressions: numbers, x, + - * / ^ (-x^2 = -(x^2)), parentheses, pi, e, exp log sqrt sin cos tanh"
                    + " sigmoid abs."})
public final class GdCommand implements Callable<Integer> {
    /** Rows printed in full; longer tables show the first and last ones. */
    static final int FULL_TABLE = 60;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EXPR", description = "f(x), e.g. \"x^2 + 4\" (quote it)")
    String expression;

    @Option(names = "--x0", paramLabel = "X", description = "starting point (default: ${DEFAULT-VALUE})")
    double x0 = 10;

    @Option(names = "--lr", paramLabel = "RATE", description = "learning rate (default: ${DEFAULT-VALUE})")
    double lr = 0.1;

    @Option(names = "--steps", paramLabel = "N", description = "number of updates (default: ${DEFAULT-VALUE})")
    int steps = 30;

    @Option(names = "--out", paramLabel = "DIR", description = "folder for the plots (default: ${DEFAULT-VALUE})")
    Path out = Path.of("out", "gd");

    @Option(names = "--svg", description = "also write SVG files beside the PNGs")
    boolean svg;

    @Option(names = "--all", description = "print every step even when there are more than " + FULL_TABLE)
    boolean all;

    /** Width and height of the PNGs. */
    static final int WIDTH = 800, HEIGHT = 500;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Expression e;
        try {
            e = Expression.parse(expression);
            e.requireOnly("gd needs a function of x alone (for x and y use nabla optimize)", Variable.X);
        } catch (ExpressionException ex) {
            err.println("nabla gd: " + ex.pretty());
            err.flush();
            return 2;
        }
        if (steps < 0 || steps > 10_000_000) {
            err.println("nabla gd: --steps must be in 0..10000000, got " + steps);
            err.flush();
            return 2;
        }
        Descent1D.Result r;
        try {
            r = Descent1D.run(e, x0, lr, steps);
        } catch (IllegalArgumentException ex) {
            err.println("nabla gd: " + ex.getMessage());
            err.flush();
            return 2;
        }
        o.printf(Locale.ROOT, "gradient descent on f(x) = %s from x0 = %s, lr = %s, %d steps (f' by autograd)%n%n",
                e.text(), Descent1D.num(x0), Descent1D.num(lr), steps);
        printTable(o, r.rows());
        o.println();
        o.println(r.verdict());
        String theory = Descent1D.theory(r.curvature(), lr);
        if (theory != null) o.println(theory);
        o.println();
        for (Path p : plot(e, r, lr, out, svg)) o.println("plot: " + p);
        o.flush();
        return 0;
    }

    private void printTable(PrintWriter o, List<Descent1D.Row> rows) {
        o.printf(Locale.ROOT, "%6s  %20s  %20s  %20s%n", "step", "x", "f(x)", "f'(x)");
        int n = rows.size();
        boolean cut = !all && n > FULL_TABLE;
        for (int i = 0; i < n; i++) {
            if (cut && i == 20) {
                o.printf(Locale.ROOT, "%6s  (%d steps not shown; --all prints every step)%n", "...", n - 30);
                i = n - 10;
            }
            Descent1D.Row row = rows.get(i);
            o.printf(Locale.ROOT, "%6d  %20s  %20s  %20s%n", row.step(), cell(row.x()), cell(row.f()), cell(row.df()));
        }
    }

    /** 10 decimals for moderate numbers (the course's figures), else scientific. */
    static String cell(double v) {
        double a = Math.abs(v);
        if (v == 0 || (a >= 1e-4 && a < 1e8)) return String.format(Locale.ROOT, "%.10f", v);
        if (!Double.isFinite(v)) return Double.toString(v);
        return String.format(Locale.ROOT, "%.10e", v);
    }

    /** Writes f per step and the path on the curve; returns the files written. */
    static List<Path> plot(Expression e, Descent1D.Result r, double lr, Path dir, boolean svg) throws IOException {
        List<Descent1D.Row> rows = new ArrayList<>();
        for (Descent1D.Row row : r.rows()) {
            if (Double.isFinite(row.x()) && Double.isFinite(row.f())) rows.add(row);
        }
        int n = rows.size();
        double[] step = new double[n], xs = new double[n], fs = new double[n];
        for (int i = 0; i < n; i++) {
            step[i] = rows.get(i).step();
            xs[i] = rows.get(i).x();
            fs[i] = rows.get(i).f();
        }
        String what = "f(x) = " + e.text() + ", lr " + Descent1D.num(lr);
        LineChart perStep = new LineChart(what + ": f over the iterations").xLabel("step").yLabel("f(x)")
                .lineWithMarkers("f(x_k)", step, fs);

        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        double span = Math.max(hi - lo, 1e-3 * Math.max(1, Math.abs(lo)));
        if (hi - lo < 1e-12) span = Math.max(1, Math.abs(lo));
        lo -= 0.15 * span;
        hi += 0.15 * span;
        int m = 400;
        double[] cx = new double[m];
        for (int i = 0; i < m; i++) cx[i] = lo + (hi - lo) * i / (m - 1);
        double[] cy = e.valuesAt(cx, null);
        LineChart path = new LineChart(what + ": the path of x on the curve").xLabel("x").yLabel("f(x)")
                .line("f(x)", cx, cy)
                .lineWithMarkers("iterates x_0 .. x_" + rows.get(n - 1).step(), xs, fs)
                .markers("start x_0 = " + Descent1D.num(xs[0]), new double[] {xs[0]}, new double[] {fs[0]});

        List<Path> written = new ArrayList<>();
        save(perStep, dir.resolve("f-per-step"), svg, written);
        save(path, dir.resolve("path"), svg, written);
        return written;
    }

    private static void save(LineChart c, Path base, boolean svg, List<Path> written) throws IOException {
        Path png = base.resolveSibling(base.getFileName() + ".png");
        c.savePng(png, WIDTH, HEIGHT);
        written.add(png);
        if (svg) {
            Path s = base.resolveSibling(base.getFileName() + ".svg");
            c.saveSvg(s, WIDTH, HEIGHT);
            written.add(s);
        }
    }
}
