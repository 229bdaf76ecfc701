package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Unary;
import java.util.Arrays;

/** The elementwise maps and type conversion: forwards; their derivatives are in {@link Derivatives}. */
final class UnaryOps {
    private UnaryOps() {}

    static Tensor toType(Tensor x, DType dtype) {
        if (dtype == x.dtype()) return x;
        Tensor out = x.castRaw(dtype);
        DType from = x.dtype();
        if (!dtype.isFloating()) return out;
        return Node.record(Op.TO_TYPE, out, from, x);
    }

    static Tensor unary(Tensor x, Unary op) {
        x.requireFloating(op.name().toLowerCase());
        return Compute.unary(op, x);
    }

    // −x = x·(−1), bitwise (the product is exact), so not a primitive of its own
    static Tensor neg(Tensor x) {
        x.requireFloating("neg");
        return x.mul(x.scalarLike(-1));
    }

    // An elementwise map by its kernel, recorded as the primitive op.
    static Tensor map(Tensor x, Unary kernel, Op op) {
        return Node.record(op, unary(x, kernel), null, x);
    }

    // relu's backward, fused (one pass instead of a comparison and a product): g where out > 0,
    // else 0 (PyTorch's threshold_backward: a NaN out passes g). Linear in g, and the mask is a
    // constant (relu'' = 0), so its derivative is itself.
    static Tensor reluBackward(Tensor x, Tensor out) {
        Tensor r = Compute.reluBackward(x, out);
        if (r == null) r = x.mul(out.le(0).rsub(1)); // strided or broadcast operands
        return Node.record(Op.RELU_BACKWARD, r, null, out, x);
    }

    // tanh's and sigmoid's backward from their output y, fused (one pass instead of three, and one
    // array instead of three): bitwise the composites g·(1 − y·y) and g·(y·(1 − y)). Recorded as
    // primitives of g and y, so that higher derivatives follow.
    static Tensor tanhBackward(Tensor g, Tensor y) {
        return Node.record(Op.TANH_BACKWARD, Compute.gradientMap("tanhBackward", Binary.TANH_BACKWARD, g, y), null, g, y);
    }

    static Tensor sigmoidBackward(Tensor g, Tensor y) {
        return Node.record(Op.SIGMOID_BACKWARD, Compute.gradientMap("sigmoidBackward", Binary.SIGMOID_BACKWARD, g, y),
                null, g, y);
    }

    // x for x > 0, slope·x otherwise, in one pass (a comparison, a product and a where were
    // three, and five more in backward).
    static Tensor leakyRelu(Tensor x, double slope) {
        x.requireFloating("leakyRelu");
        return Node.record(Op.LEAKY_RELU, Compute.leakyRelu(x, x, slope), slope, x);
    }

    // leakyRelu's backward: g where x > 0, else g·slope. Linear in g with x a constant mask
    // (leakyRelu'' = 0), so its derivative is itself.
    static Tensor leakyReluBackward(Tensor g, Tensor x, double slope) {
        if (g.dtype() != x.dtype() || !java.util.Arrays.equals(g.shape, x.shape)) {
            throw new IllegalStateException("leakyRelu backward: gradient " + g.dtype() + Shape.str(g.shape)
                    + " does not match the input " + x.dtype() + Shape.str(x.shape));
        }
        return Node.record(Op.LEAKY_RELU_BACKWARD, Compute.leakyRelu(x, g, slope), slope, x, g);
    }

    static Tensor clamp(Tensor x, double min, double max) {
        x.requireFloating("clamp");
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = Compute.binary("clamp", Binary.MIN, Compute.binary("clamp", Binary.MAX, x, x.scalarLike(min)), x.scalarLike(max));
        }
        return Node.record(Op.CLAMP, out, new double[] {min, max}, x);
    }

    // The elements of x in row-major order, converted to dtype, as a new Java array.
    static Object elements(Tensor x, DType dtype) {
        Tensor c = x.contiguousRaw().castRaw(dtype);
        int from = c.offset, to = from + x.numel();
        return switch (dtype) {
            case FLOAT32 -> Arrays.copyOfRange(c.storage.f(), from, to);
            case FLOAT64 -> Arrays.copyOfRange(c.storage.d(), from, to);
            case INT64 -> Arrays.copyOfRange(c.storage.l(), from, to);
        };
    }
}
