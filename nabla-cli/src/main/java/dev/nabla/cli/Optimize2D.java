package dev.nabla.cli;

import dev.nabla.autograd.Autograd;
import dev.nabla.cli.expr.Expression;
import dev.nabla.optim.Adagrad;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Newton;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.RMSprop;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The optimizers of the library racing on a function of two variables from the same start:
 * SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam on a 2-element float64 parameter tensor,
 * and Newton's method ({@link Newton}, exact Hessian). Holds the built-in problems (Rosenbrock,
 * the saddle, a convex quadratic, the midterm's function) with their default settings. Behind
 * {@code nabla optimize}.
 */
final class Optimize2D {
    private Optimize2D() {}

    /** The methods, in the order they are run, printed and plotted. */
    enum Method {
        SGD("SGD"), MOMENTUM("momentum"), NESTEROV("Nesterov"), ADAGRAD("AdaGrad"), RMSPROP("RMSProp"),
        ADAM("Adam"), NEWTON("Newton");

        final String label;

        Method(String label) {
            this.label = label;
        }

        /** The method named (case-insensitive) by its label, or null. */
        static Method byName(String s) {
            for (Method m : values()) if (m.label.equalsIgnoreCase(s.trim())) return m;
            return null;
        }

        /** "sgd, momentum, nesterov, adagrad, rmsprop, adam, newton". */
        static String names() {
            List<String> n = new ArrayList<>();
            for (Method m : values()) n.add(m.label.toLowerCase(Locale.ROOT));
            return String.join(", ", n);
        }
    }

    /** Momentum coefficient of the momentum and Nesterov runs. */
    static final double MOMENTUM = 0.9;

    /**
     * A function to minimize with its settings: the start, the box of the contour map, the
     * minimum value f* and where it is (null when unknown or unbounded), default learning rates
     * of the gradient methods, steps and tolerance, and a sentence describing it.
     */
    record Problem(String name, Expression f, String description, double[] start, double[] box, Double fStar,
                   double[] argmin, Map<Method, Double> lrs, int steps, double tol) {

        /** Whether the tolerance is on f − f* (f* known) rather than on |∇f|. */
        boolean tolOnF() {
            return fStar != null;
        }

        /** "f - f* < 1e-06" or "|grad f| < 1e-06". */
        String criterion() {
            return (tolOnF() ? "f - f* < " : "|grad f| < ") + Descent1D.num(tol);
        }

        Problem withStart(double[] s) {
            return new Problem(name, f, description, s, box, fStar, argmin, lrs, steps, tol);
        }

        Problem withSteps(int s) {
            return new Problem(name, f, description, start, box, fStar, argmin, lrs, s, tol);
        }

        Problem withTol(double t) {
            return new Problem(name, f, description, start, box, fStar, argmin, lrs, steps, t);
        }

        Problem withLrs(Map<Method, Double> l) {
            return new Problem(name, f, description, start, box, fStar, argmin, l, steps, tol);
        }
    }

    /** The names of the built-in problems. */
    static final List<String> BUILT_IN = List.of("rosenbrock", "saddle", "quadratic", "midterm");

    private static Map<Method, Double> lrs(double sgd, double momentum, double nesterov, double adagrad,
                                           double rmsprop, double adam) {
        Map<Method, Double> m = new EnumMap<>(Method.class);
        m.put(Method.SGD, sgd);
        m.put(Method.MOMENTUM, momentum);
        m.put(Method.NESTEROV, nesterov);
        m.put(Method.ADAGRAD, adagrad);
        m.put(Method.RMSPROP, rmsprop);
        m.put(Method.ADAM, adam);
        m.put(Method.NEWTON, 1.0);
        return m;
    }

    /**
     * A built-in problem by name, or a problem for a 2-D expression in x and y (f* unknown,
     * start (1, 1), generic learning rates).
     *
     * @throws dev.nabla.cli.expr.ExpressionException if the text is neither a built-in name nor a valid expression
     */
    static Problem problem(String nameOrExpression) {
        switch (nameOrExpression.trim().toLowerCase(Locale.ROOT)) {
            case "rosenbrock":
                return new Problem("rosenbrock", Expression.parse("(1 - x)^2 + 100*(y - x^2)^2"),
                        "Rosenbrock's banana valley; minimum f* = 0 at (1, 1)",
                        new double[] {-1.2, 1}, new double[] {-2, 2, -1, 3}, 0.0, new double[] {1, 1},
                        lrs(1e-3, 1e-3, 1e-3, 0.3, 1e-3, 0.05), 5000, 1e-6);
            case "saddle":
                return new Problem("saddle", Expression.parse("x^2 - y^2"),
                        "a saddle: f curves up along x and down along y; the stationary point (0, 0) is not a"
                                + " minimum and f has none (unbounded below)",
                        new double[] {1, 0.05}, new double[] {-1.5, 1.5, -1.5, 1.5}, null, null,
                        lrs(0.1, 0.02, 0.02, 0.1, 0.01, 0.05), 60, 1e-6);
            case "quadratic":
                return new Problem("quadratic", Expression.parse("5.5*x^2 + 9*x*y + 5.5*y^2 - 2*x + 2*y + 3"),
                        "a convex quadratic f = v'Av + b'v + c with A = [[5.5, 4.5], [4.5, 5.5]] (eigenvalues 10"
                                + " and 1: positive definite, condition number 10), b = (-2, 2), c = 3;"
                                + " minimum f* = 1 at v = -A^-1 b / 2 = (1, -1)",
                        new double[] {-1, 2.5}, new double[] {-2, 2.5, -2.5, 3}, 1.0, new double[] {1, -1},
                        lrs(0.05, 0.01, 0.01, 0.5, 0.02, 0.1), 500, 1e-6);
            case "midterm":
                return new Problem("midterm", Expression.parse("-99*x^2 - 2*x + 100*y + 1"),
                        "the midterm's Rosenbrock without its last square: the quadratic A = [[-99, 0], [0, 0]],"
                                + " b = (-2, 100), c = 1; concave in x, linear in y, so it has no minimum"
                                + " (and no stationary point: df/dy = 100 everywhere)",
                        new double[] {0.5, 0.5}, new double[] {-2, 2, -2, 2}, null, null,
                        lrs(1e-3, 1e-4, 1e-4, 0.1, 1e-3, 0.01), 100, 1e-6);
            default:
        }
        Expression e = Expression.parse(nameOrExpression);
        return new Problem("f", e, "f(x, y) = " + e.text(), new double[] {1, 1}, null, null, null,
                lrs(0.01, 0.01, 0.01, 0.1, 0.01, 0.05), 1000, 1e-6);
    }

    /**
     * One method's run: its learning rate, the iterates (x, y), f and |∇f| at each (index = step),
     * the first step where the tolerance held (-1 if never), the step where a value became
     * non-finite (-1 if never), and an error message when the method could not go on (a singular
     * Hessian), else null.
     */
    record Run(Method method, double lr, double[] x, double[] y, double[] f, double[] gradNorm, int reachedAt,
               int nonFiniteAt, String error) {
        int steps() {
            return x.length - 1;
        }

        int last() {
            return x.length - 1;
        }
    }

    /** Runs the given methods on the problem; each stops when it reaches the tolerance. */
    static List<Run> runAll(Problem p, List<Method> methods) {
        List<Run> runs = new ArrayList<>();
        for (Method m : methods) runs.add(run(p, m));
        return runs;
    }

    /** Runs one method from the problem's start for at most its number of steps. */
    static Run run(Problem p, Method m) {
        double lr = p.lrs().get(m);
        Tensor v = Tensor.of(p.start().clone(), 2).requiresGrad(true);
        UnaryOperator<Tensor> f = p.f().asFunctionOfVector();
        Optimizer opt = switch (m) {
            case SGD -> new SGD(List.of(v), lr);
            case MOMENTUM -> new SGD(List.of(v), lr, MOMENTUM);
            case NESTEROV -> new SGD(List.of(v), lr, MOMENTUM, 0, 0, true);
            case ADAGRAD -> new Adagrad(List.of(v), lr);
            case RMSPROP -> new RMSprop(List.of(v), lr);
            case ADAM -> new Adam(List.of(v), lr);
            case NEWTON -> new Newton(List.of(v), lr, 0, false, Newton.DEFAULT_MAX_PARAMS);
        };
        List<double[]> rows = new ArrayList<>();
        int reached = -1, nonFinite = -1;
        String error = null;
        for (int k = 0; k <= p.steps(); k++) {
            opt.zeroGrad();
            Tensor value = f.apply(v);
            double g0 = 0, g1 = 0;
            if (value.requiresGrad()) {
                value.backward();
                g0 = v.grad().get(0);
                g1 = v.grad().get(1);
            }
            double fv = value.item();
            double gn = Math.hypot(g0, g1);
            rows.add(new double[] {v.get(0), v.get(1), fv, gn});
            if (!(Double.isFinite(fv) && Double.isFinite(gn) && Double.isFinite(v.get(0)) && Double.isFinite(v.get(1)))) {
                nonFinite = k;
                break;
            }
            if (reached < 0 && (p.tolOnF() ? fv - p.fStar() < p.tol() : gn < p.tol())) {
                reached = k;
                break;
            }
            if (k == p.steps()) break;
            if (m == Method.NEWTON) {
                try {
                    ((Newton) opt).step(() -> f.apply(v));
                } catch (ArithmeticException e) {
                    error = e.getMessage().replaceFirst("^Newton\\.step: ", "");
                    break;
                }
            } else {
                if (v.grad() == null) v.setGrad(v.zerosLike());
                opt.step();
            }
        }
        int n = rows.size();
        double[] x = new double[n], y = new double[n], fs = new double[n], gs = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rows.get(i)[0];
            y[i] = rows.get(i)[1];
            fs[i] = rows.get(i)[2];
            gs[i] = rows.get(i)[3];
        }
        return new Run(m, lr, x, y, fs, gs, reached, nonFinite, error);
    }

    /** The eigenvalues (ascending) of the Hessian of f at (x, y), by second-order autograd. */
    static double[] hessianEigenvalues(Problem p, double x, double y) {
        double[] h = Autograd.hessian(p.f().asFunctionOfVector(), Tensor.of(new double[] {x, y}, 2)).toDoubleArray();
        double a = h[0], b = 0.5 * (h[1] + h[2]), d = h[3];
        double mean = 0.5 * (a + d), r = Math.hypot(0.5 * (a - d), b);
        return new double[] {mean - r, mean + r};
    }

    /** The unit eigenvector of the smaller eigenvalue of the Hessian at (x, y). */
    static double[] lowestCurvatureDirection(Problem p, double x, double y) {
        double[] h = Autograd.hessian(p.f().asFunctionOfVector(), Tensor.of(new double[] {x, y}, 2)).toDoubleArray();
        double a = h[0], b = 0.5 * (h[1] + h[2]), d = h[3];
        double lo = hessianEigenvalues(p, x, y)[0];
        double[] v = Math.abs(b) > 1e-300 ? new double[] {lo - d, b} : (a <= d ? new double[] {1, 0} : new double[] {0, 1});
        double n = Math.hypot(v[0], v[1]);
        return new double[] {v[0] / n, v[1] / n};
    }

    /** What kind of point Newton ended at, from the Hessian's eigenvalues there. */
    enum PointKind { MINIMUM, MAXIMUM, SADDLE, DEGENERATE }

    static PointKind kind(double[] eig) {
        double scale = Math.max(Math.abs(eig[0]), Math.abs(eig[1]));
        double tol = 1e-12 * Math.max(scale, 1e-300);
        if (Math.abs(eig[0]) <= tol || Math.abs(eig[1]) <= tol) return PointKind.DEGENERATE;
        if (eig[0] > 0) return PointKind.MINIMUM;
        if (eig[1] < 0) return PointKind.MAXIMUM;
        return PointKind.SADDLE;
    }

    /** f at (x, y) as a double (for the contour map). */
    static double value(Problem p, double x, double y) {
        return p.f().valueAt(x, y);
    }
}
