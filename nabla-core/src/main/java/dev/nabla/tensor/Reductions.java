package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise.Reduce;
import java.util.Arrays;

/** The reductions (sum and max, and the ones composed of them): forwards; derivatives in {@link Derivatives}. */
final class Reductions {
    private Reductions() {}

    /** The attributes of a reduction: which dims were reduced, and whether they were kept as size 1. */
    record Reduced(boolean[] dims, boolean keepdim) {}

    private static boolean[] dimMask(Tensor x, String op, int[] dims) {
        boolean[] m = new boolean[x.shape.length];
        if (dims.length == 0) Arrays.fill(m, true);
        for (int d : dims) {
            int n = Shape.dim(op, d, x.shape.length);
            if (x.shape.length > 0 && m[n] && dims.length > 0 && countOf(dims, d, x.shape.length) > 1) {
                throw new IllegalArgumentException(op + ": dim " + d + " appears more than once in " + Arrays.toString(dims));
            }
            if (x.shape.length > 0) m[n] = true;
        }
        return m;
    }

    static int countOf(int[] dims, int d, int rank) {
        int n = 0, target = d < 0 ? d + rank : d;
        for (int x : dims) if ((x < 0 ? x + rank : x) == target) n++;
        return n;
    }

    // The gradient of a reduction, reshaped with the reduced dims back as size 1, then expanded.
    static Tensor unreduce(int[] shape, Tensor g, Reduced r) {
        return (r.keepdim() ? g : g.reshape(Compute.outShape(shape, r.dims(), true))).expand(shape);
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        x.requireFloating("sum");
        boolean[] reduced = dimMask(x, "sum", dims);
        Tensor out = Compute.reduce(Reduce.SUM, x, reduced, keepdim);
        return Node.record(Op.SUM, out, new Reduced(reduced, keepdim), x);
    }

    static Tensor sumTo(Tensor x, int[] target) {
        if (Arrays.equals(x.shape, target)) return x;
        int lead = x.shape.length - target.length;
        if (lead < 0) throw new IllegalArgumentException("sumTo: " + Shape.str(x.shape) + " cannot sum to larger rank " + Shape.str(target));
        boolean[] reduced = new boolean[x.shape.length];
        for (int d = 0; d < lead; d++) reduced[d] = true;
        // every index in range in every iteration: C2 checks a loop's indices once before it, and a
        // loop reading target[d − lead] only for d ≥ lead failed that check and threw away the
        // compiled code around it (LinearOp's backward, recompiled in the mlp's first timed epoch)
        for (int j = 0; j < target.length; j++) {
            int d = lead + j;
            if (target[j] == 1 && x.shape[d] != 1) reduced[d] = true;
            else if (target[j] != x.shape[d]) {
                throw new IllegalArgumentException("sumTo: " + Shape.str(x.shape) + " was not broadcast from " + Shape.str(target));
            }
        }
        int[] dims = new int[0];
        for (int d = 0; d < x.shape.length; d++) if (reduced[d]) dims = append(dims, d);
        Tensor s = dims.length == 0 ? x : x.sum(dims, true);
        return s.reshape(target);
    }

    static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }

    static int countOver(Tensor x, boolean[] reduced) {
        int n = 1;
        for (int d = 0; d < x.shape.length; d++) if (reduced[d]) n *= x.shape[d];
        return n;
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        int n = countOver(x, dimMask(x, "mean", dims));
        if (n == 0) throw new IllegalArgumentException("mean: reducing " + Shape.str(x.shape) + " over an empty dim");
        return x.sum(dims, keepdim).div(n);
    }

    static Tensor var(Tensor x, int[] dims, int correction, boolean keepdim) {
        int n = countOver(x, dimMask(x, "var", dims));
        if (n - correction <= 0) {
            throw new IllegalArgumentException("var: " + n + " values over dims " + Arrays.toString(dims) + " of "
                    + Shape.str(x.shape) + " with correction " + correction + " leave no degrees of freedom");
        }
        Tensor centered = x.sub(x.mean(dims, true));
        return centered.mul(centered).sum(dims, keepdim).div(n - correction);
    }

    static Tensor amax(Tensor x, int[] dims, boolean keepdim) {
        x.requireFloating("amax");
        boolean[] reduced = dimMask(x, "amax", dims);
        Tensor out = Compute.reduce(Reduce.MAX, x, reduced, keepdim);
        return Node.record(Op.AMAX, out, new Reduced(reduced, keepdim), x);
    }

    // min = −max(−x), bitwise (negation is exact), the gradient's sharing among ties included
    static Tensor amin(Tensor x, int[] dims, boolean keepdim) {
        x.requireFloating("amin");
        dimMask(x, "amin", dims);
        return x.neg().amax(dims, keepdim).neg();
    }

    // The gradient of amax: g shared equally among the elements equal to the max.
    static Tensor amaxBackward(Tensor g, Tensor x, Tensor out, Reduced r) {
        Tensor hit = x.eq(r.keepdim() ? out : out.reshape(Compute.outShape(x.shape, r.dims(), true)));
        int[] all = new int[0];
        for (int d = 0; d < x.shape.length; d++) if (r.dims()[d]) all = append(all, d);
        Tensor count = hit.sum(all, true);
        return unreduce(x.shape, g, r).mul(hit).div(count);
    }

    static Tensor.ValuesIndices max(Tensor x, int dim, boolean keepdim) {
        Tensor idx = x.argmax(dim, true);
        Tensor v = x.gather(Shape.dim("max", dim, x.shape.length), idx);
        return new Tensor.ValuesIndices(keepdim ? v : v.squeeze(dim), keepdim ? idx : idx.squeeze(dim));
    }

    static Tensor.ValuesIndices min(Tensor x, int dim, boolean keepdim) {
        Tensor idx = x.argmin(dim, true);
        Tensor v = x.gather(Shape.dim("min", dim, x.shape.length), idx);
        return new Tensor.ValuesIndices(keepdim ? v : v.squeeze(dim), keepdim ? idx : idx.squeeze(dim));
    }

    // The max along dim (kept as size 1) as a constant: it cancels in every gradient below.
    // An all −∞ or infinite max is replaced by 0 so that x − max never computes ∞ − ∞.
    static Tensor stableShift(Tensor x, String op, int dim) {
        Tensor m = x.amax(new int[] {Shape.dim(op, dim, x.shape.length)}, true).detach();
        return Tensor.where(m.abs().eq(Double.POSITIVE_INFINITY), m.scalarLike(0), m);
    }

    static Tensor logsumexp(Tensor x, int dim, boolean keepdim) {
        Tensor m = stableShift(x, "logsumexp", dim);
        Tensor lse = x.sub(m).exp().sum(dim, true).log().add(m);
        return keepdim ? lse : lse.squeeze(dim);
    }

    static Tensor softmax(Tensor x, int dim) {
        Tensor e = x.sub(stableShift(x, "softmax", dim)).exp();
        return e.div(e.sum(dim, true));
    }

    static Tensor logSoftmax(Tensor x, int dim) {
        Tensor shifted = x.sub(stableShift(x, "logSoftmax", dim));
        return shifted.sub(shifted.exp().sum(dim, true).log());
    }
}
