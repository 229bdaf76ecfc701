package dev.nabla.cli;

import dev.nabla.autograd.Autograd;
import dev.nabla.cli.expr.Expression;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Gradient descent on a function of one variable, x ← x − lr·f'(x), with f' from autograd and
 * the update done by the library's {@link SGD} on a float64 scalar; records every iterate and
 * says what happened: converges, oscillates or diverges. Behind {@code nabla gd}.
 */
final class Descent1D {
    private Descent1D() {}

    /** One iterate: x_k, f(x_k), f'(x_k). */
    record Row(int step, double x, double f, double df) {}

    /** What the run did, as seen from its iterates. */
    enum Behaviour { CONVERGES, OSCILLATES, DIVERGES, LEAVES_DOMAIN, STATIONARY, UNCLEAR }

    /**
     * The iterates (step 0 is the start), the behaviour with a sentence saying why, whether the
     * run stopped early at a non-finite value, and f'' when it is the same at every iterate (a
     * quadratic; then the learning-rate thresholds are known), else NaN.
     */
    record Result(List<Row> rows, Behaviour behaviour, String verdict, boolean stoppedNonFinite, double curvature) {
        Row last() {
            return rows.get(rows.size() - 1);
        }
    }

    /**
     * Runs {@code steps} updates from x0 (fewer if x, f or f' stops being finite).
     *
     * @throws IllegalArgumentException if lr is negative or not finite, or f(x0) is not finite
     */
    static Result run(Expression e, double x0, double lr, int steps) {
        if (steps < 0) throw new IllegalArgumentException("the number of steps must be >= 0, got " + steps);
        Tensor x = Tensor.scalar(DType.FLOAT64, x0).requiresGrad(true);
        SGD sgd = new SGD(List.of(x), lr);
        UnaryOperator<Tensor> f = e.asFunction();
        List<Row> rows = new ArrayList<>();
        boolean nonFinite = false;
        for (int k = 0; k <= steps; k++) {
            sgd.zeroGrad();
            Tensor y = f.apply(x);
            double df = 0;
            if (y.requiresGrad()) {
                y.backward();
                df = x.grad() == null ? 0 : x.grad().item();
            }
            Row row = new Row(k, x.item(), y.item(), df);
            rows.add(row);
            if (!(Double.isFinite(row.x) && Double.isFinite(row.f) && Double.isFinite(row.df))) {
                if (k == 0) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "f(x0) = %s and f'(x0) = %s at x0 = %s: start where f is defined and finite",
                            row.f, row.df, x0));
                }
                nonFinite = true;
                break;
            }
            if (k < steps) {
                if (x.grad() == null) x.setGrad(x.zerosLike()); // a constant f: nothing moves
                sgd.step();
            }
        }
        double curvature = constantCurvature(f, rows);
        Object[] v = classify(rows, nonFinite, lr, curvature);
        return new Result(List.copyOf(rows), (Behaviour) v[0], (String) v[1], nonFinite, curvature);
    }

    /** f'' (second-order autograd) if it is the same at the first, middle and last finite iterate, else NaN. */
    private static double constantCurvature(UnaryOperator<Tensor> f, List<Row> rows) {
        UnaryOperator<Tensor> d2 = Autograd.grad(Autograd.grad(f));
        double c = Double.NaN;
        int lastFinite = rows.size() - 1;
        while (lastFinite > 0 && !Double.isFinite(rows.get(lastFinite).x())) lastFinite--;
        for (int i : new int[] {0, lastFinite / 2, lastFinite}) {
            double v = d2.apply(Tensor.scalar(DType.FLOAT64, rows.get(i).x())).item();
            if (!Double.isFinite(v)) return Double.NaN;
            if (Double.isNaN(c)) c = v;
            else if (Math.abs(v - c) > 1e-9 * Math.max(1, Math.abs(c))) return Double.NaN;
        }
        // one more point off the path, so that a run that never moved does not pass for a quadratic
        double probe = rows.get(0).x() + 1 + Math.abs(rows.get(0).x());
        double v = d2.apply(Tensor.scalar(DType.FLOAT64, probe)).item();
        return Math.abs(v - c) <= 1e-9 * Math.max(1, Math.abs(c)) ? c : Double.NaN;
    }

    private static Object[] classify(List<Row> rows, boolean nonFinite, double lr, double curvature) {
        Row first = rows.get(0), last = rows.get(rows.size() - 1);
        int n = rows.size();
        if (nonFinite && Double.isFinite(last.x) && (Double.isNaN(last.f) || Double.isNaN(last.df))) {
            // x is an ordinary number but f or f' is not defined there: a step left the domain (log, sqrt, 1/x ...)
            return new Object[] {Behaviour.LEAVES_DOMAIN, String.format(Locale.ROOT,
                    "leaves the domain of f: the step to x = %s at step %d gives %s = NaN (f is not defined there);"
                            + " stopped there. Use a smaller learning rate or another start.",
                    num(last.x), last.step, Double.isNaN(last.f) ? "f(x)" : "f'(x)")};
        }
        if (nonFinite) {
            Row before = rows.get(n - 2);
            String what = !Double.isFinite(last.x) ? "x" : !Double.isFinite(last.f) ? "f(x)" : "f'(x)";
            double bad = what.equals("x") ? last.x : what.equals("f(x)") ? last.f : last.df;
            return new Object[] {Behaviour.DIVERGES, String.format(Locale.ROOT,
                    "diverges: x went from %s to %s, and %s became %s at step %d; stopped there."
                            + " The learning rate %s is too large for this f.",
                    num(first.x), num(Double.isFinite(last.x) ? last.x : before.x), what, num(bad), last.step,
                    num(lr))};
        }
        if (n == 1) return new Object[] {Behaviour.UNCLEAR, "no steps were taken"};
        boolean moved = false;
        for (int k = 1; k < n; k++) moved |= rows.get(k).x != rows.get(k - 1).x;
        if (!moved) {
            String why = lr == 0 ? "the learning rate is 0"
                    : "f'(x0) = " + num(first.df) + ": x0 is a stationary point of f";
            return new Object[] {Behaviour.STATIONARY, "x does not move: " + why + "."};
        }
        double gTol = 1e-8 * Math.max(1, Math.abs(first.df));
        if (Math.abs(last.df) <= gTol) {
            int at = n - 1;
            while (at > 0 && Math.abs(rows.get(at - 1).df) <= gTol) at--;
            return new Object[] {Behaviour.CONVERGES, String.format(Locale.ROOT,
                    "converges: |f'(x)| < %s from step %d on; x = %s, f(x) = %s.", num(gTol), at, num(last.x),
                    num(last.f))};
        }
        if (n >= 4 && periodTwo(rows)) {
            Row prev = rows.get(n - 2);
            return new Object[] {Behaviour.OSCILLATES, String.format(Locale.ROOT,
                    "oscillates: x jumps between %s and %s and f stays at %s; every step overshoots the minimum"
                            + " as far as it started from it, so it never settles. Use a smaller learning rate.",
                    num(prev.x), num(last.x), num(Math.max(prev.f, last.f)))};
        }
        boolean growing = last.f > first.f && last.f > rows.get(n - 2).f
                && Math.abs(last.x - rows.get(n - 2).x) > Math.abs(rows.get(1).x - first.x);
        if (growing) {
            return new Object[] {Behaviour.DIVERGES, String.format(Locale.ROOT,
                    "diverges: every step overshoots further; f grew from %s to %s and x went from %s to %s."
                            + " The learning rate %s is too large for this f.",
                    num(first.f), num(last.f), num(first.x), num(last.x), num(lr))};
        }
        if (last.f < first.f && Math.abs(last.df) > Math.abs(first.df)) {
            // f falls but ever more steeply: no minimum ahead (f unbounded below), not convergence
            return new Object[] {Behaviour.DIVERGES, String.format(Locale.ROOT,
                    "diverges: f fell from %s to %s but |f'(x)| grew from %s to %s, so x heads away from any minimum"
                            + " (x went from %s to %s; f may be unbounded below).",
                    num(first.f), num(last.f), num(Math.abs(first.df)), num(Math.abs(last.df)), num(first.x), num(last.x))};
        }
        if (last.f < first.f) {
            boolean alternating = n >= 4;
            for (int k = Math.max(2, n - 4); k < n && alternating; k++) {
                double d1 = rows.get(k).x - rows.get(k - 1).x, d0 = rows.get(k - 1).x - rows.get(k - 2).x;
                alternating = d1 * d0 < 0;
            }
            return new Object[] {Behaviour.CONVERGES, String.format(Locale.ROOT,
                    "converges%s: f decreased from %s to %s and |f'(x)| from %s to %s in %d steps%s.",
                    alternating ? ", zigzagging across the minimum" : "", num(first.f), num(last.f),
                    num(Math.abs(first.df)), num(Math.abs(last.df)), n - 1,
                    Double.isFinite(curvature) && curvature > 0 ? String.format(Locale.ROOT,
                            "; the minimum is at x = %s", num(last.x - last.df / curvature)) : "")};
        }
        return new Object[] {Behaviour.UNCLEAR, String.format(Locale.ROOT,
                "neither converges nor diverges clearly: f went from %s to %s, |f'(x)| from %s to %s.",
                num(first.f), num(last.f), num(Math.abs(first.df)), num(Math.abs(last.df)))};
    }

    /** The last iterates repeat with period 2 without standing still. */
    private static boolean periodTwo(List<Row> rows) {
        int n = rows.size();
        for (int k = Math.max(2, n - 4); k < n; k++) {
            double a = rows.get(k).x, b = rows.get(k - 2).x, c = rows.get(k - 1).x;
            double scale = Math.max(1, Math.abs(a));
            if (Math.abs(a - b) > 1e-9 * scale || Math.abs(a - c) <= 1e-6 * scale) return false;
        }
        return true;
    }

    /**
     * For a quadratic (f'' = c > 0 everywhere): what theory says about this learning rate, e.g.
     * "f'' = 2 everywhere: each step multiplies the distance to the minimum by 1 − lr·f'' = 0.8;
     * gradient descent converges for 0 < lr < 2/f'' = 1, oscillates at lr = 1, diverges above."
     * Null when f'' is not constant and positive.
     */
    static String theory(double curvature, double lr) {
        if (!(curvature > 0) || !Double.isFinite(curvature)) return null;
        return String.format(Locale.ROOT, "f'' = %s at every iterate (a quadratic): each step multiplies the"
                        + " distance to the minimum by 1 - lr*f'' = %s. Gradient descent converges for"
                        + " 0 < lr < 2/f'' = %s, oscillates at lr = %s and diverges above.",
                num(curvature), num(1 - lr * curvature), num(2 / curvature), num(2 / curvature));
    }

    /** A number with up to 10 significant digits, plain when moderate, else scientific. */
    static String num(double v) {
        if (v == 0) return "0";
        if (!Double.isFinite(v)) return Double.toString(v);
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e9) {
            return new java.math.BigDecimal(v).round(new java.math.MathContext(10)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.9e", v).replaceAll("\\.?0+e", "e").replaceAll("e([+-])0+(\\d)", "e$1$2");
    }
}
