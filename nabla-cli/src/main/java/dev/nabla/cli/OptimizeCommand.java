package dev.nabla.cli;

import dev.nabla.cli.Optimize2D.Method;
import dev.nabla.cli.Optimize2D.PointKind;
import dev.nabla.cli.Optimize2D.Problem;
import dev.nabla.cli.Optimize2D.Run;
import dev.nabla.cli.expr.ExpressionException;
import dev.nabla.plot.ContourChart;
import dev.nabla.plot.LineChart;
import dev.nabla.plot.SeriesStyle;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nabla optimize rosenbrock|saddle|quadratic|midterm|EXPR}: SGD, momentum, Nesterov,
 * AdaGrad, RMSProp, Adam and Newton's method from the same start on a function of x and y;
 * prints the steps each needs to reach a tolerance, what kind of point Newton ends at, and plots
 * the paths over the contour map, the loss and the gradient norm against the step.
 */
@Command(name = "optimize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Race the optimizers on a 2-D function: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam"
                + " and Newton's method (exact Hessian by second-order autograd), from the same start.",
            "Prints the steps each needs to reach the tolerance and plots their paths over the contour map,"
                    + " the loss and |grad f| against the step."})
public final class OptimizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FUNCTION",
            description = "rosenbrock, saddle (x^2 - y^2), quadratic, midterm, or an expression in x and y (quoted)")
    String function;

    @Option(names = "--lr", paramLabel = "RATE|NAME=RATE,...",
            description = "learning rate of every gradient method (e.g. 0.01), or per method (e.g. sgd=0.001,adam=0.05);"
                    + " default: chosen per function")
    String lr;

    @Option(names = "--steps", paramLabel = "N", description = "at most N steps per method (default: per function)")
    Integer steps;

    @Option(names = "--start", paramLabel = "X,Y", description = "starting point (default: per function)")
    String start;

    @Option(names = "--tol", paramLabel = "TOL", description = "tolerance on f - f* when f* is known, else on |grad f|"
            + " (default: 1e-6)")
    Double tol;

    @Option(names = "--methods", paramLabel = "NAME,...", description = "run only these (of: sgd, momentum, nesterov,"
            + " adagrad, rmsprop, adam, newton)")
    String methods;

    @Option(names = "--out", paramLabel = "DIR", description = "folder for the plots (default: out/optimize/<function>)")
    Path out;

    @Option(names = "--svg", description = "also write SVG files beside the PNGs")
    boolean svg;

    /** Size of the contour map, and of the loss and gradient plots. */
    static final int MAP_WIDTH = 900, MAP_HEIGHT = 700, WIDTH = 800, HEIGHT = 500;

    private PrintWriter err;

    /** One colour per method, the same on the map and on the line charts (the map's path palette). */
    static Color color(Method m) {
        return switch (m) {
            case SGD -> new Color(0xd62728);
            case MOMENTUM -> new Color(0x1f77b4);
            case NESTEROV -> new Color(0xff7f0e);
            case ADAGRAD -> new Color(0x2ca02c);
            case RMSPROP -> new Color(0x9467bd);
            case ADAM -> new Color(0x17becf);
            case NEWTON -> new Color(0xe377c2);
        };
    }

    private static final Color START_COLOR = new Color(0x8c564b);

    /** Markers on every iterate up to 150 iterates, a plain line beyond. */
    private static SeriesStyle pathStyle(Run r) {
        return r.x().length > 150 ? SeriesStyle.LINE : SeriesStyle.LINE_AND_MARKERS;
    }


    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        Problem p;
        List<Method> chosen;
        try {
            p = Optimize2D.problem(function);
        } catch (ExpressionException e) {
            if (function.matches("[A-Za-z_]\\w*")) { // a name: most likely a misspelt built-in
                return usage("'" + function + "' is neither a built-in function (" + String.join(", ", Optimize2D.BUILT_IN)
                        + ") nor an expression in x and y (" + e.getMessage() + ")");
            }
            return usage(e.pretty());
        }
        try {
            p = configure(p);
            chosen = methods();
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }

        if (Optimize2D.BUILT_IN.contains(p.name())) {
            o.printf(Locale.ROOT, "optimize %s: f(x, y) = %s%n  %s%n", p.name(), p.f().text(), p.description());
        } else {
            o.printf(Locale.ROOT, "optimize f(x, y) = %s%n", p.f().text());
        }
        o.printf(Locale.ROOT, "start (%s, %s), at most %d steps per method, a method stops when %s%n%n",
                Descent1D.num(p.start()[0]), Descent1D.num(p.start()[1]), p.steps(), p.criterion());
        List<Run> runs;
        try {
            runs = Optimize2D.runAll(p, chosen);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        printTable(o, p, runs);
        o.println();
        for (String line : conclusions(p, runs)) o.println(line);
        o.println();
        Path dir = out != null ? out : Path.of("out", "optimize", p.name());
        for (String note : leavesTheMap(runs, box(p, runs))) o.println(note);
        for (Path file : plot(p, runs, dir, svg)) o.println("plot: " + file);
        o.flush();
        return 0;
    }

    private int usage(String message) {
        err.println("nabla optimize: " + message);
        err.flush();
        return 2;
    }

    private Problem configure(Problem p) {
        if (start != null) {
            String[] parts = start.split(",");
            if (parts.length != 2) throw new IllegalArgumentException("--start wants X,Y (e.g. --start=-1.2,1), got '" + start + "'");
            try {
                double[] s = {Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
                if (!Double.isFinite(s[0]) || !Double.isFinite(s[1])) throw new NumberFormatException();
                p = p.withStart(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--start wants two finite numbers X,Y, got '" + start + "'");
            }
        }
        if (steps != null) {
            if (steps < 0 || steps > 1_000_000) throw new IllegalArgumentException("--steps must be in 0..1000000, got " + steps);
            p = p.withSteps(steps);
        }
        if (tol != null) {
            if (!(tol > 0) || Double.isInfinite(tol)) throw new IllegalArgumentException("--tol must be positive, got " + tol);
            p = p.withTol(tol);
        }
        if (lr != null) p = p.withLrs(parseLr(lr, p.lrs()));
        double f0 = p.f().valueAt(p.start()[0], p.start()[1]);
        if (!Double.isFinite(f0)) {
            throw new IllegalArgumentException("f(" + Descent1D.num(p.start()[0]) + ", " + Descent1D.num(p.start()[1])
                    + ") = " + f0 + ": start where f is defined and finite (--start X,Y)");
        }
        return p;
    }

    /** "0.01" sets every gradient method; "sgd=0.001,adam=0.05" sets the ones named. */
    static Map<Method, Double> parseLr(String text, Map<Method, Double> defaults) {
        Map<Method, Double> m = new EnumMap<>(defaults);
        for (String part : text.split(",")) {
            String[] kv = part.split("=");
            double v;
            try {
                v = Double.parseDouble(kv[kv.length - 1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--lr: '" + part + "' is not a number or NAME=NUMBER");
            }
            if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("--lr: " + v + " must be positive");
            if (kv.length == 1) {
                for (Method k : Method.values()) if (k != Method.NEWTON) m.put(k, v);
            } else {
                Method k = Method.byName(kv[0]);
                if (k == null || kv.length != 2) {
                    throw new IllegalArgumentException("--lr: unknown method '" + kv[0].trim() + "'; methods: " + Method.names());
                }
                m.put(k, v);
            }
        }
        return m;
    }

    private List<Method> methods() {
        if (methods == null) return List.of(Method.values());
        Set<Method> set = new LinkedHashSet<>();
        for (String s : methods.split(",")) {
            Method m = Method.byName(s);
            if (m == null) throw new IllegalArgumentException("--methods: unknown method '" + s.trim() + "'; methods: " + Method.names());
            set.add(m);
        }
        List<Method> ordered = new ArrayList<>();
        for (Method m : Method.values()) if (set.contains(m)) ordered.add(m);
        return ordered;
    }

    // ------------------------------------------------------------------ text

    private static void printTable(PrintWriter o, Problem p, List<Run> runs) {
        String reach = "steps to " + p.criterion();
        o.printf(Locale.ROOT, "%-9s  %-20s  %-26s  %-30s  %s%n", "method", "learning rate", reach, "final (x, y)",
                p.tolOnF() ? "final f - f*" : "final f");
        for (Run r : runs) {
            int k = r.last();
            String steps = r.reachedAt() >= 0 ? Integer.toString(r.reachedAt())
                    : r.error() != null ? "failed at step " + k
                    : r.nonFiniteAt() >= 0 ? (leftDomain(r) ? "left the domain at step " : "diverged at step ") + r.nonFiniteAt()
                    : "not reached in " + r.steps();
            int shown = r.nonFiniteAt() >= 0 && k > 0 ? k - 1 : k; // the last finite iterate
            String where = "(" + short6(r.x()[shown]) + ", " + short6(r.y()[shown]) + ")";
            double fin = r.f()[shown] - (p.tolOnF() ? p.fStar() : 0);
            o.printf(Locale.ROOT, "%-9s  %-20s  %-26s  %-30s  %s%n", r.method().label, lrText(r), steps, where,
                    short6(fin));
        }
    }

    // stopped at a finite point where f or its gradient is NaN: outside f's domain, not off to infinity
    static boolean leftDomain(Run r) {
        int k = r.nonFiniteAt();
        return k >= 0 && Double.isFinite(r.x()[k]) && Double.isFinite(r.y()[k])
                && (Double.isNaN(r.f()[k]) || Double.isNaN(r.gradNorm()[k]));
    }

    private static String lrText(Run r) {
        return switch (r.method()) {
            case NEWTON -> Descent1D.num(r.lr()) + " (exact Hessian)";
            case MOMENTUM, NESTEROV -> Descent1D.num(r.lr()) + " (beta " + Optimize2D.MOMENTUM + ")";
            default -> Descent1D.num(r.lr());
        };
    }

    /** 6 significant digits. */
    static String short6(double v) {
        if (v == 0) return "0";
        if (!Double.isFinite(v)) return Double.toString(v);
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e7) {
            return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.5e", v).replaceAll("\\.?0+e", "e").replaceAll("e([+-])0+(\\d)", "e$1$2");
    }

    /** The sentences after the table: failures, where Newton ended, the saddle and quadratic conclusions. */
    static List<String> conclusions(Problem p, List<Run> runs) {
        List<String> lines = new ArrayList<>();
        for (Run r : runs) {
            if (r.error() != null) lines.add(r.method().label + ": " + r.error() + ".");
            else if (leftDomain(r)) {
                int k = r.nonFiniteAt();
                lines.add(String.format(Locale.ROOT, "%s: f is not defined at step %d (x, y) = (%s, %s), NaN there: the step"
                                + " left the domain of f and was stopped; a smaller learning rate or another start stays inside.",
                        r.method().label, k, short6(r.x()[k]), short6(r.y()[k])));
            } else if (r.nonFiniteAt() >= 0) {
                int k = r.nonFiniteAt();
                lines.add(String.format(Locale.ROOT, "%s: f = %s at step %d (x, y) = (%s, %s): it ran off to infinity"
                                + " and was stopped there.", r.method().label, short6(r.f()[k]), k, short6(r.x()[k]),
                        short6(r.y()[k])));
            }
        }
        Run newton = runs.stream().filter(r -> r.method() == Method.NEWTON).findFirst().orElse(null);
        if (newton == null || newton.error() != null || newton.nonFiniteAt() >= 0) return lines;
        int k = newton.last();
        double nx = newton.x()[k], ny = newton.y()[k];
        double[] eig = Optimize2D.hessianEigenvalues(p, nx, ny);
        PointKind kind = Optimize2D.kind(eig);
        boolean stationary = newton.gradNorm()[k] <= 1e-6 * Math.max(1, newton.gradNorm()[0]);
        String kindText = switch (kind) {
            case MINIMUM -> "a minimum";
            case MAXIMUM -> "a maximum";
            case SADDLE -> "a saddle point, not a minimum";
            case DEGENERATE -> "a degenerate point (the Hessian is singular there)";
        };
        lines.add(String.format(Locale.ROOT, "Newton stopped at (%s, %s) after %d step%s with |grad f| = %s; the Hessian"
                        + " there (second-order autograd) has eigenvalues %s and %s: %s.", short6(nx), short6(ny), k,
                k == 1 ? "" : "s", short6(newton.gradNorm()[k]), short6(eig[0]), short6(eig[1]), kindText));
        if (stationary && kind == PointKind.SADDLE) lines.addAll(saddleConclusion(p, runs, newton, nx, ny));
        if (stationary && kind == PointKind.MINIMUM && newton.reachedAt() == 1) {
            Run best = null;
            for (Run r : runs) {
                if (r.method() != Method.NEWTON && r.reachedAt() >= 0 && (best == null || r.reachedAt() < best.reachedAt())) best = r;
            }
            lines.add("Conclusion: Newton's method reached the minimum in one step: on a quadratic its second-order"
                    + " model is exact. " + (best == null ? "No gradient method reached the tolerance in "
                    + p.steps() + " steps." : "The fastest gradient method, " + best.method().label + ", needed "
                    + best.reachedAt() + " steps."));
        }
        return lines;
    }

    /** Does each gradient method escape the saddle that Newton landed on? */
    private static List<String> saddleConclusion(Problem p, List<Run> runs, Run newton, double sx, double sy) {
        double[] down = Optimize2D.lowestCurvatureDirection(p, sx, sy);
        String along = Math.abs(down[0]) < 1e-12 ? "y" : Math.abs(down[1]) < 1e-12 ? "x"
                : "(" + short6(down[0]) + ", " + short6(down[1]) + ")";
        List<String> escaped = new ArrayList<>(), stayed = new ArrayList<>();
        for (Run r : runs) {
            if (r.method() == Method.NEWTON) continue;
            int k = r.nonFiniteAt() >= 0 && r.last() > 0 ? r.last() - 1 : r.last();
            double c0 = (r.x()[0] - sx) * down[0] + (r.y()[0] - sy) * down[1];
            double c1 = (r.x()[k] - sx) * down[0] + (r.y()[k] - sy) * down[1];
            double d0 = Math.hypot(r.x()[0] - sx, r.y()[0] - sy), d1 = Math.hypot(r.x()[k] - sx, r.y()[k] - sy);
            boolean away = r.nonFiniteAt() >= 0 || (d1 > d0 && Math.abs(c1) > 2 * Math.abs(c0));
            String s = String.format(Locale.ROOT, "%s %s -> %s", r.method().label, short6(Math.abs(c0)),
                    r.nonFiniteAt() >= 0 ? "infinity" : short6(Math.abs(c1)));
            (away ? escaped : stayed).add(s);
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "Conclusion: Newton's method jumped to the saddle point (%s, %s) in %d step%s"
                        + " and stays there: it solves grad f = 0, and a saddle is such a point.", short6(sx), short6(sy),
                newton.reachedAt() >= 0 ? newton.reachedAt() : newton.last(), newton.last() == 1 ? "" : "s"));
        if (!escaped.isEmpty()) {
            lines.add("Gradient descent escapes: " + (stayed.isEmpty() ? "every gradient method" : String.join(", ",
                    escaped.stream().map(s -> s.substring(0, s.indexOf(' '))).toList())) + " moved away from the saddle"
                    + " along " + along + ", where f curves down (distance along " + along + ": " + String.join("; ", escaped) + ").");
        }
        if (!stayed.isEmpty()) {
            lines.add("Not (yet) escaped in " + p.steps() + " steps: " + String.join("; ", stayed) + ".");
        }
        return lines;
    }

    // ------------------------------------------------------------------ plots

    /** Writes paths.png (contour map), loss.png and grad-norm.png; returns the files written. */
    static List<Path> plot(Problem p, List<Run> runs, Path dir, boolean svg) throws IOException {
        double[] box = box(p, runs);
        ContourChart map = new ContourChart(p.name() + ": f(x, y) = " + p.f().text(), (x, y) -> Optimize2D.value(p, x, y),
                box[0], box[1], box[2], box[3]);
        if (p.fStar() != null) map.levels(14, ContourChart.Spacing.LOG); // level lines around the minimum too
        for (Run r : runs) map.path(r.method().label, r.x(), r.y(), pathStyle(r), color(r.method()));
        map.path("start", new double[] {p.start()[0]}, new double[] {p.start()[1]}, SeriesStyle.MARKERS, START_COLOR);
        if (p.argmin() != null) {
            map.point("minimum (" + short6(p.argmin()[0]) + ", " + short6(p.argmin()[1]) + ")", p.argmin()[0], p.argmin()[1]);
        }

        String title = p.name().equals("f") ? "f(x, y) = " + p.f().text() : p.name();
        LineChart loss;
        if (p.tolOnF()) {
            double floor = 1e-16 * Math.max(1, Math.abs(p.fStar()));
            loss = new LineChart(title + ": f - f* against the step").xLabel("step")
                    .yLabel("f - f*  (log; floored at " + short6(floor) + ")").logY(true);
            for (Run r : runs) addSeries(loss, r, floored(shift(r.f(), -p.fStar()), floor));
        } else {
            boolean positive = runs.stream().allMatch(r -> java.util.Arrays.stream(r.f()).allMatch(v -> !(v <= 0)));
            loss = new LineChart(title + ": f against the step").xLabel("step").yLabel(positive ? "f (log)" : "f").logY(positive);
            if (!positive) {
                double[] range = valueRange(p, box);
                loss.yRange(range[0], range[1]);
                loss.yLabel("f  (axis limited to the values of f on the map)");
            }
            for (Run r : runs) addSeries(loss, r, r.f());
        }
        LineChart grads = new LineChart(title + ": |grad f| against the step").xLabel("step")
                .yLabel("|grad f|  (log; floored at 1e-16)").logY(true);
        for (Run r : runs) addSeries(grads, r, floored(r.gradNorm(), 1e-16));

        List<Path> written = new ArrayList<>();
        Path paths = dir.resolve("paths.png");
        map.savePng(paths, MAP_WIDTH, MAP_HEIGHT);
        written.add(paths);
        if (svg) {
            map.saveSvg(dir.resolve("paths.svg"), MAP_WIDTH, MAP_HEIGHT);
            written.add(dir.resolve("paths.svg"));
        }
        for (Object[] c : new Object[][] {{loss, "loss"}, {grads, "grad-norm"}}) {
            LineChart chart = (LineChart) c[0];
            Path png = dir.resolve(c[1] + ".png");
            chart.savePng(png, WIDTH, HEIGHT);
            written.add(png);
            if (svg) {
                Path s = dir.resolve(c[1] + ".svg");
                chart.saveSvg(s, WIDTH, HEIGHT);
                written.add(s);
            }
        }
        return written;
    }

    private static void addSeries(LineChart c, Run r, double[] y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) x[i] = i;
        boolean anyFinite = java.util.Arrays.stream(y).anyMatch(Double::isFinite);
        if (!anyFinite) return;
        c.series(r.method().label, x, y, y.length <= 30 ? SeriesStyle.LINE_AND_MARKERS : SeriesStyle.LINE,
                color(r.method()));
    }

    private static double[] shift(double[] v, double d) {
        double[] o = v.clone();
        for (int i = 0; i < o.length; i++) o[i] += d;
        return o;
    }

    private static double[] floored(double[] v, double floor) {
        double[] o = v.clone();
        for (int i = 0; i < o.length; i++) if (Double.isFinite(o[i]) && o[i] < floor) o[i] = floor;
        return o;
    }

    /** A note for each path that leaves the map: the map is clipped there. */
    static List<String> leavesTheMap(List<Run> runs, double[] b) {
        List<String> notes = new ArrayList<>();
        for (Run r : runs) {
            for (int i = 0; i < r.x().length; i++) {
                double x = r.x()[i], y = r.y()[i];
                if (!Double.isFinite(x) || !Double.isFinite(y)) break;
                if (x < b[0] || x > b[1] || y < b[2] || y > b[3]) {
                    notes.add(String.format(Locale.ROOT, "note: %s leaves the map [%s, %s] x [%s, %s] at step %d, (%s, %s)",
                            r.method().label, short6(b[0]), short6(b[1]), short6(b[2]), short6(b[3]), i, short6(x),
                            short6(y)));
                    break;
                }
            }
        }
        return notes;
    }

    /** The problem's box, else one around the start and the iterates; grown to include the start. */
    static double[] box(Problem p, List<Run> runs) {
        double sx = p.start()[0], sy = p.start()[1];
        double[] b;
        if (p.box() != null) {
            b = p.box().clone();
        } else {
            double cap = 10 * Math.max(1, Math.max(Math.abs(sx), Math.abs(sy)));
            b = new double[] {sx, sx, sy, sy};
            for (Run r : runs) {
                for (int i = 0; i < r.x().length; i++) {
                    double x = r.x()[i], y = r.y()[i];
                    if (!Double.isFinite(x) || !Double.isFinite(y) || Math.abs(x - sx) > cap || Math.abs(y - sy) > cap) continue;
                    b[0] = Math.min(b[0], x);
                    b[1] = Math.max(b[1], x);
                    b[2] = Math.min(b[2], y);
                    b[3] = Math.max(b[3], y);
                }
            }
            double w = b[1] - b[0], h = b[3] - b[2];
            double side = Math.max(Math.max(w, h), 1e-3);
            double padX = Math.max(0.1 * w, (0.5 * side - w) / 2), padY = Math.max(0.1 * h, (0.5 * side - h) / 2);
            b = new double[] {b[0] - Math.max(padX, 0.05 * side), b[1] + Math.max(padX, 0.05 * side),
                b[2] - Math.max(padY, 0.05 * side), b[3] + Math.max(padY, 0.05 * side)};
        }
        double mx = 0.05 * (b[1] - b[0]), my = 0.05 * (b[3] - b[2]);
        if (sx - mx < b[0]) b[0] = sx - mx;
        if (sx + mx > b[1]) b[1] = sx + mx;
        if (sy - my < b[2]) b[2] = sy - my;
        if (sy + my > b[3]) b[3] = sy + my;
        return b;
    }

    /** The smallest and largest finite f on a 41 × 41 grid of the box. */
    private static double[] valueRange(Problem p, double[] box) {
        int n = 41;
        double[] xs = new double[n * n], ys = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                xs[j * n + i] = box[0] + (box[1] - box[0]) * i / (n - 1);
                ys[j * n + i] = box[2] + (box[3] - box[2]) * j / (n - 1);
            }
        }
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : p.f().valuesAt(xs, ys)) {
            if (!Double.isFinite(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (!(hi > lo)) return new double[] {lo - 1, lo + 1};
        double pad = 0.05 * (hi - lo);
        return new double[] {lo - pad, hi + pad};
    }
}
