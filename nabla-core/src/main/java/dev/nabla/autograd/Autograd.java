package dev.nabla.autograd;

import dev.nabla.tensor.Backprop;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
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
        return Backprop.grad(outputs, inputs, gradOutputs, createGraph, createGraph, allowUnused);
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
            List<Tensor> g = Backprop.grad(List.of(y), List.of(at), null, nested, nested, true);
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
        Tensor g = Backprop.grad(List.of(y), List.of(at), null, true, true, true).get(0);
        if (g == null || !g.requiresGrad()) return x.zerosLike();
        Tensor h = Backprop.grad(List.of(g), List.of(at), List.of(v), false, false, true).get(0);
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
        Tensor g = Backprop.grad(List.of(y), List.of(at), null, true, true, true).get(0);
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
            Tensor r = Backprop.grad(List.of(flat.select(0, i)), List.of(at), null, true, false, true).get(0);
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
