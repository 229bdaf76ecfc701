package dev.nabla.optim;

import dev.nabla.autograd.Autograd;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Newton's method for small models: each step forms the exact Hessian H of the loss over all
 * parameters (flattened and concatenated, by second-order autograd), solves (H + λI)·d = g in
 * float64 and moves every parameter by −lr·d. On a quadratic with a positive definite Hessian
 * one step with lr 1 lands on the minimum.
 *
 * <pre>{@code
 * Newton newton = new Newton(model.parameters());
 * for (int k = 0; k < 10; k++) newton.step(() -> Losses.mseLoss(model.forward(x), y));
 * }</pre>
 *
 * <p>The Hessian is needed, so the loss is passed as a closure: {@link #step(Supplier)}; the
 * plain {@link #step()} of other optimizers throws. The system is solved by Cholesky when
 * H + λI is positive definite, else by LU with partial pivoting: Newton then still jumps to the
 * stationary point of the local quadratic model, which may be a saddle point or a maximum
 * ({@link StepInfo#positiveDefinite()} tells). A singular system is an error that names the
 * fix (damping). With {@code lineSearch}, the step length is halved from lr until the loss
 * decreases enough (Armijo, c = 1e-4); when d is not a descent direction the line search
 * follows −g instead.
 *
 * <p>Cost: n backward passes and n² doubles per step for n parameters, so the total is limited
 * to {@value #DEFAULT_MAX_PARAMS} parameters by default ({@link Builder#maxParams(int)} changes
 * it, up to 20000). Not for neural networks of real size: use {@link Adam} or {@link SGD}.
 */
public final class Newton extends Optimizer {
    /** The default limit on the number of parameters (a Hessian of 2000² doubles is 32 MB). */
    public static final int DEFAULT_MAX_PARAMS = 2000;
    /** The largest limit that can be set (a Hessian of 20000² doubles is 3.2 GB). */
    public static final int HARD_MAX_PARAMS = 20000;

    private final double damping;
    private final boolean lineSearch;
    private final int numParams;
    private StepInfo last;

    /**
     * What one step did: the loss and gradient norm before it, whether H + λI was positive
     * definite (so the step went toward a minimum of the local model), the step length used
     * (lr, or what the line search chose; 0 when it found no decrease) and whether the line
     * search had to fall back to the gradient direction.
     */
    public record StepInfo(double loss, double gradNorm, boolean positiveDefinite, double stepLength,
                           boolean gradientFallback) {}

    /** Pure Newton: step length 1, no damping, no line search. */
    public Newton(List<Tensor> params) {
        this(params, 1.0, 0, false, DEFAULT_MAX_PARAMS);
    }

    /**
     * Newton's method with every setting.
     *
     * @param lr         the step length multiplying the Newton step (1 = pure Newton)
     * @param damping    λ ≥ 0 added to the Hessian's diagonal (Levenberg damping)
     * @param lineSearch backtrack from lr until the loss decreases (Armijo)
     * @param maxParams  refuse models with more parameters than this (at most {@value #HARD_MAX_PARAMS})
     */
    public Newton(List<Tensor> params, double lr, double damping, boolean lineSearch, int maxParams) {
        super("Newton", params, lr);
        require(damping >= 0 && Double.isFinite(damping), "damping", damping, "it must be finite and >= 0");
        require(maxParams >= 1 && maxParams <= HARD_MAX_PARAMS, "maxParams", maxParams,
                "it must be in 1.." + HARD_MAX_PARAMS);
        long n = 0;
        for (Tensor p : params) n += p.numel();
        if (n > maxParams) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "Newton: the parameters have %d elements; the Hessian would hold %d² = %.3g numbers and take %d"
                            + " backward passes per step. Newton's method is for small models (at most %d parameters;"
                            + " raise the limit with Newton.builder(params).maxParams(n), up to %d), use Adam or SGD"
                            + " for networks", n, n, (double) n * n, n, maxParams, HARD_MAX_PARAMS));
        }
        this.numParams = (int) n;
        this.damping = damping;
        this.lineSearch = lineSearch;
    }

    /** A builder: lr 1, damping 0, no line search, maxParams {@value #DEFAULT_MAX_PARAMS}. */
    public static Builder builder(List<Tensor> params) {
        return new Builder(params);
    }

    /** Settings for {@link Newton}. */
    public static final class Builder {
        private final List<Tensor> params;
        private double lr = 1, damping;
        private boolean lineSearch;
        private int maxParams = DEFAULT_MAX_PARAMS;

        private Builder(List<Tensor> params) {
            this.params = params;
        }

        /** The step length multiplying the Newton step (default 1). */
        public Builder lr(double v) { lr = v; return this; }
        /** λ added to the Hessian's diagonal (default 0). */
        public Builder damping(double v) { damping = v; return this; }
        /** Backtracking (Armijo) line search from lr (default off). */
        public Builder lineSearch(boolean v) { lineSearch = v; return this; }
        /** The largest number of parameters accepted (default {@value #DEFAULT_MAX_PARAMS}). */
        public Builder maxParams(int v) { maxParams = v; return this; }

        /** The optimizer; throws if a setting is invalid or the model is too large. */
        public Newton build() {
            return new Newton(params, lr, damping, lineSearch, maxParams);
        }
    }

    /** λ, added to the Hessian's diagonal. */
    public double damping() { return damping; }

    /** Whether steps are chosen by a backtracking line search. */
    public boolean lineSearch() { return lineSearch; }

    /** The total number of parameter elements n (the Hessian is n × n). */
    public int numParams() { return numParams; }

    /** What the last {@link #step(Supplier)} did, or null before the first. */
    public StepInfo lastStep() { return last; }

    /** Always throws: Newton needs the loss itself to form the Hessian; call {@link #step(Supplier)}. */
    @Override
    public void step() {
        throw new UnsupportedOperationException("Newton: step() without the loss cannot form the Hessian; call"
                + " step(() -> loss) with a closure that recomputes the loss from the parameters");
    }

    /**
     * One Newton step. Calls {@code loss} (with recording on) to get a scalar loss of the
     * parameters, forms its gradient g and Hessian H by autograd, solves (H + λI)·d = g and
     * updates every parameter in place by −lr·d (or the line search's step length). Gradients
     * in the parameters' grad fields are neither read nor written.
     *
     * @return the loss before the step
     * @throws IllegalArgumentException if the closure does not return a scalar
     * @throws ArithmeticException if the loss or gradient is not finite, or H + λI is singular
     */
    public double step(Supplier<Tensor> loss) {
        List<Tensor> params = params();
        int n = numParams;
        Autograd.ValueGradHessian derivatives;
        try {
            derivatives = Autograd.hessian(loss, params);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Newton.step: the closure must return a scalar loss (" + e.getMessage() + ")", e);
        }
        double f0 = derivatives.value();
        double[] g = derivatives.gradient();
        double[][] h = derivatives.hessian();
        double gradNorm = norm(g);
        if (!Double.isFinite(f0) || !Double.isFinite(gradNorm)) {
            throw new ArithmeticException("Newton.step: the loss (" + f0 + ") or its gradient (norm " + gradNorm
                    + ") is not finite at the current parameters");
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) h[i][j] = h[j][i] = 0.5 * (h[i][j] + h[j][i]);
            h[i][i] += damping;
        }
        boolean pd = true;
        double[] d = LinearSolve.cholesky(h, g);
        if (d == null) {
            pd = false;
            try {
                d = LinearSolve.lu(h, g);
            } catch (ArithmeticException e) {
                throw new ArithmeticException("Newton.step: the Hessian" + (damping > 0 ? " + " + damping + "·I" : "")
                        + " is singular at this point" + (n <= 4 ? " (" + LinearSolve.format(h) + ")" : "")
                        + ", so there is no unique Newton step (" + e.getMessage() + "). The loss may be flat or"
                        + " linear in some direction; add damping (Newton.builder(params).damping(1e-3)) or use a"
                        + " gradient method");
            }
        }
        double t = lr();
        boolean fallback = false;
        if (lineSearch) {
            double slope = dot(g, d);
            if (!(slope > 0)) { // not a descent direction: follow the gradient instead
                d = g.clone();
                slope = dot(g, g);
                fallback = true;
            }
            double[][] start = snapshot(params);
            t = 0;
            double tryT = lr();
            for (int k = 0; k < 60 && slope > 0; k++, tryT *= 0.5) {
                move(params, start, d, tryT);
                double f;
                try (var s = GradMode.noGrad()) {
                    f = loss.get().item();
                }
                if (f <= f0 - 1e-4 * tryT * slope) {
                    t = tryT;
                    break;
                }
            }
            if (t == 0) restore(params, start);
        } else {
            move(params, snapshot(params), d, t);
        }
        last = new StepInfo(f0, gradNorm, pd, t, fallback);
        return f0;
    }

    private static double[][] snapshot(List<Tensor> params) {
        double[][] s = new double[params.size()][];
        for (int i = 0; i < s.length; i++) s[i] = params.get(i).toDoubleArray();
        return s;
    }

    // p ← start − t·d, per parameter in its own dtype and shape
    private static void move(List<Tensor> params, double[][] start, double[] d, double t) {
        int off = 0;
        try (var s = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                double[] v = new double[start[i].length];
                for (int k = 0; k < v.length; k++) v[k] = start[i][k] - t * d[off + k];
                off += v.length;
                p.copyFrom(Tensor.of(v, v.length).reshape(p.shape()));
            }
        }
    }

    private static void restore(List<Tensor> params, double[][] start) {
        move(params, start, new double[Arrays.stream(start).mapToInt(a -> a.length).sum()], 0);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    @Override
    protected List<String> bufferNames() {
        return List.of();
    }

    @Override
    protected boolean hasStepCount() {
        return false;
    }

    @Override
    protected void initState(Tensor param, State state) {}

    @Override
    protected void update(Tensor param, Tensor grad, State state) {
        throw new UnsupportedOperationException("Newton updates through step(Supplier<Tensor>)");
    }
}
