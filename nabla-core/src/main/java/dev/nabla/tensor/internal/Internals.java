package dev.nabla.tensor.internal;

import dev.nabla.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The entry points of the tensor package's internals (the tape, fused ops) for the other
 * packages of nabla-core: the functional autograd, user-defined ops, the fused Adam step and
 * batch normalization. Not API: the module does not export this package. The tensor package
 * installs the implementation when {@link Tensor} is initialized; {@link #get} initializes it if no
 * caller has yet (a dataset's first batch is built from arrays alone).
 */
public final class Internals {
    private static volatile Access access;

    private Internals() {}

    /** A user-defined op's backward: the gradient of each input (null: none) from the output's. */
    @FunctionalInterface
    public interface Backward {
        List<Tensor> apply(Tensor gradOutput, List<Tensor> inputs, Tensor output);
    }

    /** y, and the batch mean and biased variance per channel, of a training-mode batch norm. */
    public record BatchNorm(Tensor y, Tensor mean, Tensor var) {}

    /** Implemented by the tensor package. */
    public interface Access {
        /**
         * The reverse pass to the given inputs (see dev.nabla.autograd.Autograd#grad); retainGraph
         * keeps the tape for another pass, createGraph records this one.
         */
        List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs, boolean retainGraph,
                          boolean createGraph, boolean allowUnused);

        /** Records output = op(inputs), computed by the caller without recording, with its backward. */
        Tensor custom(String name, Tensor output, List<Tensor> inputs, Backward backward);

        /** The fused Adam step, or false (nothing changed) for the cases it does not cover. */
        boolean adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double beta1, double beta2, double biasCorrection2Sqrt,
                         double eps, double stepSize);

        /** x·weightᵀ + bias as one op of the tape (bias may be null); the composite for the cases it does not cover. */
        Tensor linear(Tensor x, Tensor weight, Tensor bias);

        /** Training-mode batch norm as one op; with weight or bias of another type, the composite. */
        BatchNorm batchNorm(Tensor x, Tensor weight, Tensor bias, double eps);

        /**
         * A float32 tensor over data itself, not a copy (Tensor.of copies): for an array its caller
         * has just filled and hands over, such as a batch of a dataset.
         */
        Tensor adopt(float[] data, int... shape);

        /**
         * A float32 tensor of rows of bytes read as unsigned and divided by divisor: row r is the
         * rowLength bytes of x from offsets[r] on (a batch of images, 255 scaling pixels to [0, 1]).
         */
        Tensor unsignedBytes(byte[] x, int[] offsets, int rowLength, float divisor, int... shape);

        /** Whether every element of t is finite (true for an integer or empty tensor), with no tensor allocated. */
        boolean allFinite(Tensor t);

        /**
         * p's gradient as {@code p.grad()} gives it, for a caller that keeps no reference to it
         * after its call (an optimizer's step, clipping, a norm): unlike grad(), it leaves the
         * array to be reused by the next backward pass once zeroGrad clears it.
         */
        Tensor gradInPassing(Tensor p);

        /**
         * f(x) for an x no one reads after f: an activation f starts with (relu, tanh, sigmoid, or
         * leakyRelu with a positive slope) may write its result over x's array instead of a new one.
         */
        Tensor overwriting(Tensor x, UnaryOperator<Tensor> f);

        /**
         * Tells the pool that nothing but the tape reads the tensors a layer stack handed from one
         * of nabla's layers to the next: passed[i] is what layer i took, passed[n] the stack's output,
         * plain[i] whether layer i keeps no tensor it takes or gives. Their arrays serve later tensors
         * once the backward pass has released the nodes that keep them.
         */
        void onlyTheTapeReads(Tensor[] passed, boolean[] plain);
    }

    /** Called once by the tensor package. */
    public static synchronized void install(Access a) {
        if (access != null) throw new IllegalStateException("Internals already installed");
        access = a;
    }

    /** The tensor package's implementation. */
    public static Access get() {
        Access a = access;
        if (a != null) return a;
        // outside any lock: Tensor's initializer calls install
        try {
            Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return access;
    }
}
