package dev.nabla.tensor;

import java.util.Arrays;

/** The matrix product (NumPy semantics over the GEMM primitive); its derivative is in {@link Derivatives}. */
final class LinearAlgebra {
    private LinearAlgebra() {}

    static Tensor matmul(Tensor x, Tensor y) {
        if (x.shape.length == 0 || y.shape.length == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least one dim, got "
                    + Shape.str(x.shape) + " @ " + Shape.str(y.shape) + "; use mul for scalars");
        }
        // checked before 1-D operands are promoted, so that the message names the caller's shapes
        int k = x.shape[x.shape.length - 1], k2 = y.shape[Math.max(y.shape.length - 2, 0)];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: " + Shape.str(x.shape) + " @ " + Shape.str(y.shape)
                    + ": inner dimensions " + k + " and " + k2 + " differ");
        }
        if (x.shape.length == 1 && y.shape.length == 1) return x.unsqueeze(0).matmul(y).squeeze(0).squeeze(0);
        if (x.shape.length == 1) return x.unsqueeze(0).matmul(y).squeeze(-2);
        if (y.shape.length == 1) return x.matmul(y.unsqueeze(1)).squeeze(-1);
        DType dt = DType.promote("matmul", x.dtype(), y.dtype());
        Tensor a = x.toType(dt), b = y.toType(dt);
        if (a.shape.length == 2 && b.shape.length == 2) return mm(a, b);
        int m = a.size(-2), n = b.size(-1);
        if (b.shape.length == 2) { // [..., m, k] @ [k, n]: one GEMM over all rows
            int[] outShape = Arrays.copyOf(a.shape, a.shape.length);
            outShape[outShape.length - 1] = n;
            return mm(a.reshape(-1, k), b).reshape(outShape);
        }
        int[] batchA = Arrays.copyOf(a.shape, a.shape.length - 2), batchB = Arrays.copyOf(b.shape, b.shape.length - 2);
        int[] batch = Shape.broadcast("matmul", batchA, batchB);
        int nb = Shape.numel(batch);
        Tensor a3 = a.expand(concat(batch, new int[] {m, k})).reshape(nb, m, k);
        Tensor b3 = b.expand(concat(batch, new int[] {k, n})).reshape(nb, k, n);
        return mm(a3, b3).reshape(concat(batch, new int[] {m, n}));
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** x @ y written into out ({@link Tensor#matmulInto}). */
    static Tensor matmulInto(Tensor x, Tensor y, Tensor out) {
        String op = "matmulInto";
        if (out == null) throw new IllegalArgumentException(op + ": out is null");
        InPlace.checkInPlace(out, op);
        if ((x.requiresGrad() || y.requiresGrad()) && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": an operand requires grad and gradients are recorded; a product"
                    + " written into out records none: use matmul, or run it inside GradMode.noGrad()");
        }
        if (out.storage == x.storage || out.storage == y.storage) {
            throw new IllegalArgumentException(op + ": out " + Shape.str(out.shape) + " shares memory with an operand,"
                    + " which the product reads while it writes out; pass another tensor");
        }
        if (x.shape.length == 2 && y.shape.length == 2 && x.shape[1] == y.shape[0]
                && x.dtype() == out.dtype() && y.dtype() == out.dtype() && out.isContiguous()
                && Arrays.equals(out.shape, new int[] {x.shape[0], y.shape[1]})) {
            Compute.matmulInto(x, y, out); // the GEMM writes out directly
        } else {
            Tensor product;
            try (var s = GradMode.noGrad()) {
                product = matmul(x, y);
            }
            if (!Arrays.equals(out.shape, product.shape) || out.dtype() != product.dtype()) {
                throw new IllegalArgumentException(op + ": out is " + out.dtype() + " " + Shape.str(out.shape) + ", "
                        + Shape.str(x.shape) + " @ " + Shape.str(y.shape) + " is " + product.dtype() + " "
                        + Shape.str(product.shape));
            }
            Compute.copy(product, out);
        }
        out.storage.bumpVersion();
        return out;
    }

    // The primitive: two rank-2 or two rank-3 operands of one type.
    static Tensor mm(Tensor x, Tensor y) {
        Tensor out = Compute.matmul(x, y);
        // For a transposed y (a Linear layer's weight.t()), its gradient is computed as (gᵀ·x)ᵀ
        // (see Derivatives): the same numbers, laid out so that the weight's own gradient comes out
        // contiguous instead of needing a transposing copy.
        return Node.record(Op.MATMUL, out, transposedOperand(y), x, y);
    }

    /** Whether y is laid out as a transposed matrix (columns contiguous), as weight.t() is. */
    static boolean transposedOperand(Tensor y) {
        return y.strides[y.shape.length - 2] == 1 && y.shape[y.shape.length - 2] > 1 && y.strides[y.shape.length - 1] != 1;
    }
}
