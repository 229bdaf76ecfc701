package dev.nabla.autograd;

import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Differentiation as functions, beside {@code loss.backward()}: gradients of any tensor with
 * respect to any other (inputs included), the JAX-style transform {@code grad(f)} that
 * composes with itself for higher orders, Hessian-vector products, Hessians and Jacobians.
 */
public final class Autograd {
    private Autograd() {}

    /** d(output)/d(input) for a scalar output; differentiable again when createGraph is set. */
    public static Tensor grad(Tensor output, Tensor input, boolean createGraph) {
        return grad(List.of(output), List.of(input), null, createGraph, false).get(0);
    }

    /** The gradients of a scalar output with respect to each input. */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
        return grad(List.of(output), inputs, null, createGraph, false);
    }

    /**
     * The gradients of Σₖ ⟨gradOutputs[k], outputs[k]⟩ with respect to each input (gradOutputs
     * null: all outputs are scalars weighted 1). The graph is kept when createGraph is set, else
     * freed. With allowUnused, an input the outputs do not depend on gives null instead of an error.
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    boolean createGraph, boolean allowUnused) {
        return Internals.get().grad(outputs, inputs, gradOutputs, createGraph, createGraph, allowUnused);
    }

    /** A function's value and its gradients with respect to the chosen arguments. */
    public record ValueAndGrad(Tensor value, List<Tensor> grads) {}

    /**
     * JAX's value_and_grad over several arguments: maps the arguments of a scalar-valued f to f
     * and its gradients with respect to the arguments at {@code argnums} (all when none are given),
     * zeros for one f does not depend on. The arguments are not changed and need not require grad;
     * an argument that is itself being differentiated (recording on) keeps the result
     * differentiable, so the transform composes with itself for higher orders.
     */
    public static Function<List<Tensor>, ValueAndGrad> valueAndGrad(Function<List<Tensor>, Tensor> f, int... argnums) {
        return args -> {
            int[] which = argnums.length == 0 ? java.util.stream.IntStream.range(0, args.size()).toArray() : argnums;
            List<Tensor> at = new ArrayList<>(args), wrt = new ArrayList<>();
            // inside another transform (an argument is being differentiated): keep the result differentiable
            boolean nested = GradMode.isEnabled() && args.stream().anyMatch(Tensor::requiresGrad);
            for (int k : which) {
                if (k < 0 || k >= args.size()) {
                    throw new IllegalArgumentException("valueAndGrad: argnum " + k + " for " + args.size() + " arguments");
                }
                Tensor x = args.get(k);
                at.set(k, nested && x.requiresGrad() ? x : x.detach().requiresGrad(true));
                wrt.add(at.get(k));
            }
            Tensor y;
            try (var mode = GradMode.set(true)) {
                y = f.apply(at);
            }
            checkScalar("valueAndGrad", y);
            List<Tensor> grads = new ArrayList<>();
            List<Tensor> g = y.requiresGrad() ? Internals.get().grad(List.of(y), wrt, null, nested, nested, true) : null;
            for (int i = 0; i < wrt.size(); i++) {
                grads.add(g == null || g.get(i) == null ? wrt.get(i).zerosLike() : g.get(i));
            }
            return new ValueAndGrad(nested ? y : y.detach(), grads);
        };
    }

    /** The gradients of a scalar-valued f with respect to the arguments at argnums (all when none): see {@link #valueAndGrad}. */
    public static Function<List<Tensor>, List<Tensor>> grad(Function<List<Tensor>, Tensor> f, int... argnums) {
        Function<List<Tensor>, ValueAndGrad> vg = valueAndGrad(f, argnums);
        return args -> vg.apply(args).grads();
    }

    /** f's output at the primals and its pullback: cotangent (of the output's shape) to one gradient per primal. */
    public record Vjp(Tensor output, Function<Tensor, List<Tensor>> pullback) {}

    /**
     * JAX's vjp: evaluates f at the primals and returns the output with a function that maps a
     * cotangent of the output's shape to ⟨cotangent, ∂f/∂primalᵢ⟩ for each primal (zeros where f
     * does not depend on it; null for an int64 primal, such as an index). The pullback can be
     * called any number of times.
     */
    public static Vjp vjp(Function<List<Tensor>, Tensor> f, List<Tensor> primals) {
        List<Tensor> at = new ArrayList<>();
        for (Tensor p : primals) at.add(p.dtype().isFloating() ? p.detach().requiresGrad(true) : p);
        Tensor y;
        try (var mode = GradMode.set(true)) {
            y = f.apply(at);
        }
        Tensor out = y;
        return new Vjp(y.detach(), cotangent -> {
            List<Tensor> wrt = at.stream().filter(Tensor::requiresGrad).toList();
            List<Tensor> g = out.requiresGrad() ? Internals.get().grad(List.of(out), wrt, List.of(cotangent), true, false, true) : null;
            List<Tensor> result = new ArrayList<>();
            for (int i = 0, j = 0; i < at.size(); i++) {
                if (!at.get(i).requiresGrad()) {
                    result.add(null);
                    continue;
                }
                Tensor gi = g == null ? null : g.get(j++);
                result.add(gi == null ? at.get(i).zerosLike() : gi);
            }
            return result;
        });
    }

    /** A scalar's value, gradient and Hessian with respect to a list of parameters, flattened and concatenated. */
    public record ValueGradHessian(double value, double[] gradient, double[][] hessian) {}

    /**
     * The value, gradient [n] and Hessian [n, n] of the scalar {@code loss} with respect to
     * params (n = their total number of elements, each flattened in row-major order, in list
     * order). loss is evaluated once, with recording on, and must be computed from the params
     * themselves (a closure over a model's parameters), which must require grad. Costs one
     * backward pass for the gradient and one per element for the Hessian's rows; a row is 0 where
     * the gradient does not depend on the params.
     */
    public static ValueGradHessian hessian(java.util.function.Supplier<Tensor> loss, List<Tensor> params) {
        Tensor value;
        try (var mode = GradMode.set(true)) {
            value = loss.get();
        }
        if (value == null) throw new IllegalArgumentException("hessian: the loss function returned null");
        checkScalar("hessian", value);
        int n = 0;
        for (Tensor p : params) n += p.numel();
        double[] g = new double[n];
        double[][] h = new double[n][n];
        if (!value.requiresGrad()) return new ValueGradHessian(value.item(), g, h);
        List<Tensor> grads = Internals.get().grad(List.of(value), params, null, true, true, true);
        int row = 0;
        for (int i = 0; i < params.size(); i++) {
            int size = params.get(i).numel();
            Tensor flat = grads.get(i) == null ? null : grads.get(i).reshape(-1);
            if (flat != null) System.arraycopy(flat.toDoubleArray(), 0, g, row, size);
            for (int k = 0; k < size; k++, row++) {
                if (flat == null || !flat.requiresGrad()) continue; // loss linear in this parameter: row 0
                List<Tensor> r = Internals.get().grad(List.of(flat.select(0, k)), params, null, true, false, true);
                int col = 0;
                for (int j = 0; j < params.size(); j++) {
                    int sj = params.get(j).numel();
                    if (r.get(j) != null) System.arraycopy(r.get(j).reshape(-1).toDoubleArray(), 0, h[row], col, sj);
                    col += sj;
                }
            }
        }
        return new ValueGradHessian(value.item(), g, h);
    }

    /** Turns recording off until the scope is closed (try-with-resources). */
    public static GradMode.Scope noGrad() {
        return GradMode.noGrad();
    }

    /**
     * The gradient transform: {@code grad(f)} maps x to ∇f(x) for a scalar-valued f. Applied to
     * an x that is itself being differentiated (e.g. inside another {@code grad}) the result
     * stays differentiable, so {@code grad(grad(f))} is the second derivative.
     */
    public static UnaryOperator<Tensor> grad(UnaryOperator<Tensor> f) {
        return x -> {
            boolean nested = x.requiresGrad() && GradMode.isEnabled();
            Tensor at = nested ? x : x.detach().requiresGrad(true);
            Tensor y;
            try (var mode = GradMode.set(true)) {
                y = f.apply(at);
            }
            checkScalar("grad", y);
            if (!y.requiresGrad()) return x.zerosLike(); // f does not depend on x
            List<Tensor> g = Internals.get().grad(List.of(y), List.of(at), null, nested, nested, true);
            return g.get(0) == null ? x.zerosLike() : g.get(0);
        };
    }

    private static void checkScalar(String op, Tensor y) {
        if (y.numel() != 1) {
            throw new IllegalArgumentException(op + ": the function must return a scalar, got shape "
                    + java.util.Arrays.toString(y.shape()));
        }
    }

    /** The Hessian-vector product ∇²f(x)·v of a scalar f, by differentiating ⟨∇f, v⟩: no Hessian is formed. */
    public static Tensor hvp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        Tensor at = x.detach().requiresGrad(true);
        Tensor y = f.apply(at);
        checkScalar("hvp", y);
        if (!y.requiresGrad()) return x.zerosLike();
        Tensor g = Internals.get().grad(List.of(y), List.of(at), null, true, true, true).get(0);
        if (g == null || !g.requiresGrad()) return x.zerosLike();
        Tensor h = Internals.get().grad(List.of(g), List.of(at), List.of(v), false, false, true).get(0);
        return h == null ? x.zerosLike() : h;
    }

    /**
     * The Hessian of a scalar f at x, shape [n, n] for n = x.numel() (x flattened in row-major
     * order): one backward pass through the gradient per row.
     */
    public static Tensor hessian(UnaryOperator<Tensor> f, Tensor x) {
        Tensor at = x.detach().requiresGrad(true);
        Tensor y = f.apply(at);
        checkScalar("hessian", y);
        int n = x.numel();
        if (!y.requiresGrad()) return Tensor.zeros(x.dtype(), n, n);
        Tensor g = Internals.get().grad(List.of(y), List.of(at), null, true, true, true).get(0);
        if (g == null || !g.requiresGrad()) return Tensor.zeros(x.dtype(), n, n);
        return rowsOf(g.reshape(-1), at, n);
    }

    /**
     * The Jacobian of f at x, shape out.shape ++ x.shape: entry [i…, j…] is ∂f(x)[i…]/∂x[j…].
     */
    public static Tensor jacobian(UnaryOperator<Tensor> f, Tensor x) {
        Tensor at = x.detach().requiresGrad(true);
        Tensor y = f.apply(at);
        int[] shape = concat(y.shape(), x.shape());
        if (!y.requiresGrad()) return Tensor.zeros(x.dtype(), shape);
        return rowsOf(y.reshape(-1), at, x.numel()).reshape(shape);
    }

    // Row i is the gradient of flat[i] with respect to at, flattened; zeros where it does not depend on at.
    private static Tensor rowsOf(Tensor flat, Tensor at, int n) {
        List<Tensor> rows = new ArrayList<>();
        for (int i = 0; i < flat.numel(); i++) {
            Tensor r = Internals.get().grad(List.of(flat.select(0, i)), List.of(at), null, true, false, true).get(0);
            rows.add(r == null ? Tensor.zeros(at.dtype(), n) : r.detach().reshape(n));
        }
        return rows.isEmpty() ? Tensor.zeros(at.dtype(), 0, n) : Tensor.stack(rows, 0);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
