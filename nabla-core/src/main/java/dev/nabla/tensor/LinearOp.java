package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise;
import dev.nabla.kernel.KernelProvider;
import java.util.Arrays;

/**
 * A linear layer's y = x·Wᵀ + b as one op of the tape: the product, then the bias added in place
 * into it, recorded as a single node. The composite ({@link #reference}: matmul of a transposed
 * view, then a broadcasting add) records three nodes and allocates y twice; on a net of tiny
 * layers (the Runge protocol's) each node's bookkeeping costs as much as its arithmetic.
 *
 * <p>Forward and backward compute exactly what the composite's rules compute, with the same
 * GEMM calls on the same layouts, so both give the same bits (the tests check it); the
 * derivatives are written with differentiable ops, so higher orders work as for the composite.
 */
final class LinearOp {
    private static final Elementwise EW = KernelProvider.get().elementwise();

    private LinearOp() {}

    /**
     * y = x·Wᵀ + b for x [batch, in], weight [out, in] and bias [out] or null, all of one floating
     * type; otherwise (other ranks, mixed types, shapes that do not fit) the composite, which
     * gives its own errors.
     */
    static Tensor forward(Tensor x, Tensor weight, Tensor bias) {
        DType dt = x.dtype();
        if (x.shape.length != 2 || weight.shape.length != 2 || x.shape[1] != weight.shape[1] || !dt.isFloating()
                || weight.dtype() != dt
                || (bias != null && (bias.dtype() != dt || !Arrays.equals(bias.shape, new int[] {weight.shape[0]})))) {
            return reference(x, weight, bias);
        }
        Tensor y = Compute.matmul(x, Views.permuteRaw(weight, new int[] {1, 0}));
        if (bias == null) return Node.record(Op.LINEAR, y, null, x, weight);
        addRows(y, bias);
        return Node.record(Op.LINEAR, y, null, x, weight, bias);
    }

    // y[r] += bias for each row of the new contiguous y: a small one by the kernel's row add (the
    // broadcasting add's bits, without its run splitting), a large one by that add.
    private static void addRows(Tensor y, Tensor bias) {
        if (y.numel() > Runs.GRAIN) {
            Compute.binaryInto(Elementwise.Binary.ADD, y, bias, y);
        } else if (y.dtype() == DType.FLOAT32) {
            EW.addToRows(y.storage.f(), 0, y.shape[0], y.shape[1], bias.storage.f(), bias.offset, bias.strides[0]);
        } else {
            EW.addToRows(y.storage.d(), 0, y.shape[0], y.shape[1], bias.storage.d(), bias.offset, bias.strides[0]);
        }
    }

    /** The composite the op stands for. */
    static Tensor reference(Tensor x, Tensor weight, Tensor bias) {
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    /**
     * The gradient for input i (x, weight, bias), as the composite's rules give it: g·W for x,
     * the matmul rule's product for Wᵀ transposed back for the weight, g summed over the batch for
     * the bias.
     */
    static Tensor backward(Node n, int i, Tensor g) {
        return switch (i) {
            case 0 -> g.matmul(n.in(1));
            case 1 -> { // (gᵀ·x)ᵀᵀ is gᵀ·x itself: the product, not a view of a view of it
                Tensor x = n.in(0), wt = n.in(1).t();
                yield LinearAlgebra.transposedOperand(wt) ? g.mT().matmul(x) : x.mT().matmul(g).t();
            }
            default -> g.sumTo(n.shape(2));
        };
    }
}
