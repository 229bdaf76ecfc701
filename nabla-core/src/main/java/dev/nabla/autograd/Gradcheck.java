package dev.nabla.autograd;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Checks autograd against central finite differences in float64: the whole Jacobian of
 * {@code f} with respect to every input, built column by column numerically (f(x+εeⱼ) −
 * f(x−εeⱼ))/2ε and row by row by backpropagation, compared entry by entry. The second-order
 * check does the same for the function x ↦ ∇⟨f(x), w⟩, i.e. for the derivatives' own derivatives.
 */
public final class Gradcheck {
    private Gradcheck() {}

    /** The outcome: the worst errors and where the worst one (by the pass criterion) occurred. */
    public record Result(boolean passed, double maxAbsError, double maxRelError, String worst) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: max abs error %.3e, max rel error %.3e; worst at %s",
                    passed ? "gradcheck passed" : "gradcheck FAILED", maxAbsError, maxRelError, worst);
        }
    }

    /** Default step 1e-6, tolerances atol 1e-5 and rtol 1e-3, as in torch.autograd.gradcheck. */
    public static Result check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        return check(f, inputs, 1e-6, 1e-5, 1e-3);
    }

    /**
     * Compares the analytical and numerical Jacobians; an entry passes when
     * |analytical − numerical| ≤ atol + rtol·|numerical|. Inputs must be float64 leaves that
     * require grad (or tensors that do not take part).
     */
    public static Result check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, double eps, double atol, double rtol) {
        for (int i = 0; i < inputs.size(); i++) {
            Tensor x = inputs.get(i);
            if (x.requiresGrad() && x.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("gradcheck: input " + i + " is " + x.dtype()
                        + "; finite differences need float64 inputs (use toType(DType.FLOAT64))");
            }
        }
        Tensor y0 = f.apply(inputs);
        int m = y0.numel();
        double worstScore = -1, maxAbs = 0, maxRel = 0;
        String worst = "nowhere (no entries)";
        for (int i = 0; i < inputs.size(); i++) {
            Tensor x = inputs.get(i);
            if (!x.requiresGrad()) continue;
            int n = x.numel();
            double[][] numeric = numericalJacobian(f, inputs, x, m, eps);
            double[][] analytic = analyticalJacobian(f, inputs, x, m, n);
            int[] xShape = x.shape();
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < n; c++) {
                    double a = analytic[r][c], num = numeric[r][c];
                    double abs = Math.abs(a - num);
                    double rel = abs / Math.max(Math.abs(num), 1e-300);
                    if (Double.isNaN(a) != Double.isNaN(num)) abs = rel = Double.POSITIVE_INFINITY;
                    maxAbs = Math.max(maxAbs, abs);
                    if (num != 0) maxRel = Math.max(maxRel, rel);
                    double score = abs / (atol + rtol * Math.abs(num));
                    if (score > worstScore || Double.isNaN(score)) {
                        worstScore = Double.isNaN(score) ? Double.POSITIVE_INFINITY : score;
                        worst = String.format(Locale.ROOT, "input %d %s element %s, output element %d: analytical %.10g, numerical %.10g",
                                i, java.util.Arrays.toString(xShape), java.util.Arrays.toString(unravel(c, xShape)), r, a, num);
                    }
                }
            }
        }
        return new Result(worstScore <= 1, maxAbs, maxRel, worst);
    }

    /** Second order: checks the gradient of ⟨f(x), w⟩ (w fixed, pseudo-random) as a function of x. */
    public static Result checkSecondOrder(Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        Tensor y = f.apply(inputs);
        Tensor w = Tensor.uniform(new dev.nabla.tensor.Generator(y.numel() * 31L + 7), DType.FLOAT64, 0.5, 1.5, y.shape());
        List<Tensor> diff = new ArrayList<>();
        for (Tensor x : inputs) if (x.requiresGrad()) diff.add(x);
        Function<List<Tensor>, Tensor> gradOfF = xs -> {
            // Recording must stay on even when check() evaluates this numerically (under noGrad),
            // or the gradient would be computed as zeros there.
            try (var mode = GradMode.set(true)) {
                Tensor out = f.apply(xs);
                if (!out.requiresGrad()) return Tensor.zeros(DType.FLOAT64, totalNumel(diff));
                List<Tensor> gs = Autograd.grad(List.of(out), diff, List.of(w), true, true);
                List<Tensor> flat = new ArrayList<>();
                for (int k = 0; k < gs.size(); k++) {
                    flat.add(gs.get(k) == null ? Tensor.zeros(DType.FLOAT64, diff.get(k).numel()) : gs.get(k).reshape(-1));
                }
                return Tensor.cat(flat, 0);
            }
        };
        return check(gradOfF, inputs);
    }

    /** Throws an AssertionError with the details when the first- or second-order check fails. */
    public static void assertGradients(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, boolean secondOrder) {
        Result first = check(f, inputs);
        if (!first.passed()) throw new AssertionError("first order " + first);
        if (secondOrder) {
            Result second = checkSecondOrder(f, inputs);
            if (!second.passed()) throw new AssertionError("second order " + second);
        }
    }

    private static int totalNumel(List<Tensor> ts) {
        int n = 0;
        for (Tensor t : ts) n += t.numel();
        return n;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    private static double[][] numericalJacobian(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, Tensor x, int m, double eps) {
        int n = x.numel();
        double[][] jac = new double[m][n];
        int[] shape = x.shape();
        try (var scope = GradMode.noGrad()) {
            for (int c = 0; c < n; c++) {
                int[] idx = unravel(c, shape);
                double orig = x.get(idx);
                x.set(orig + eps, idx);
                double[] plus = f.apply(inputs).toDoubleArray();
                x.set(orig - eps, idx);
                double[] minus = f.apply(inputs).toDoubleArray();
                x.set(orig, idx);
                for (int r = 0; r < m; r++) jac[r][c] = (plus[r] - minus[r]) / (2 * eps);
            }
        }
        return jac;
    }

    private static double[][] analyticalJacobian(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, Tensor x, int m, int n) {
        double[][] jac = new double[m][n];
        // f is evaluated at the inputs themselves (it may also read tensors it closes over), once per row
        for (int r = 0; r < m; r++) {
            Tensor y = f.apply(inputs);
            if (!y.requiresGrad()) return jac;
            Tensor seed = Tensor.zeros(y.dtype(), y.shape());
            seed.set(1, unravel(r, y.shape()));
            Tensor g = Autograd.grad(List.of(y), List.of(x), List.of(seed), false, true).get(0);
            if (g != null) jac[r] = g.toDoubleArray();
        }
        return jac;
    }
}
