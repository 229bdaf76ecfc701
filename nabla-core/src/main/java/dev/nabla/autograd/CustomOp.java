package dev.nabla.autograd;

import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.util.List;
import java.util.function.Function;

/**
 * A differentiable op defined by its user, with its own backward: PyTorch's
 * {@code torch.autograd.Function}, JAX's {@code custom_vjp}. {@link #forward} runs without
 * recording; the result is recorded as one node of the tape whose derivative is
 * {@link #backward}. Written with tensor ops, the backward is itself recorded when gradients are
 * taken with createGraph, so second derivatives (Hessians, double backward) work too. Check a new
 * op with {@link Gradcheck#assertGradients}.
 *
 * <pre>{@code
 * CustomOp cube = CustomOp.of("cube", xs -> xs.get(0).pow(3),
 *         (g, xs, y) -> List.of(g.mul(xs.get(0).square().mul(3))));
 * Tensor y = cube.apply(x);
 * }</pre>
 */
public abstract class CustomOp {
    private final String name;

    /** An op with the given name, shown as the grad_fn of its results. */
    protected CustomOp(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("CustomOp: the name must not be blank");
        this.name = name;
    }

    /** The op from two functions: see {@link #forward} and {@link #backward}. */
    public static CustomOp of(String name, Function<List<Tensor>, Tensor> forward, Backward backward) {
        return new CustomOp(name) {
            @Override
            protected Tensor forward(List<Tensor> inputs) {
                return forward.apply(inputs);
            }

            @Override
            protected List<Tensor> backward(Tensor gradOutput, List<Tensor> inputs, Tensor output) {
                return backward.apply(gradOutput, inputs, output);
            }
        };
    }

    /** A backward as a function: see {@link CustomOp#backward}. */
    @FunctionalInterface
    public interface Backward {
        List<Tensor> apply(Tensor gradOutput, List<Tensor> inputs, Tensor output);
    }

    /** The output for the inputs; runs without recording, and must return a new tensor (not an input or a view of one). */
    protected abstract Tensor forward(List<Tensor> inputs);

    /**
     * The vector-Jacobian product: from the gradient of the output, the gradient of each input
     * (of its shape; null for an input that gets none), one per input in order. The inputs and
     * output are the forward's, checked not to have been changed in place since.
     */
    protected abstract List<Tensor> backward(Tensor gradOutput, List<Tensor> inputs, Tensor output);

    /** Applies the op: the forward's result, recorded on the tape when an input requires grad. */
    public final Tensor apply(Tensor... inputs) {
        List<Tensor> in = List.of(inputs);
        Tensor out;
        try (var scope = GradMode.noGrad()) {
            out = forward(in);
        }
        if (out == null) throw new IllegalStateException(name + ": forward returned null");
        return Internals.get().custom(name, out, in, this::backward);
    }

    /** The name, shown as grad_fn. */
    public final String name() {
        return name;
    }
}
