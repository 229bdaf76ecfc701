package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise.Binary;
import java.util.Arrays;

/** The broadcasting binary ops and comparisons: forwards; their derivatives are in {@link Derivatives}. */
final class BinaryOps {
    private BinaryOps() {}

    // A broadcasting binary op by its kernel, recorded as the primitive op.
    static Tensor map(Tensor x, Tensor y, Binary kernel, Op op) {
        return Node.record(op, Compute.binary(op.label, kernel, x, y), null, x, y);
    }

    static Tensor pow(Tensor x, double p) {
        x.requireFloating("pow");
        Tensor out = Compute.binary("pow", Binary.POW, x, x.scalarLike(p));
        return Node.record(Op.POW_SCALAR, out, p, x);
    }

    static Tensor pow(Tensor x, Tensor y) {
        Tensor out = Compute.binary("pow", Binary.POW, x, y);
        return Node.record(Op.POW, out, null, x, y);
    }

    // min(x, y) = −max(−x, −y), bitwise (negation is exact), ties included
    static Tensor minimum(Tensor x, Tensor y) {
        return x.neg().maximum(y.neg()).neg();
    }

    static Tensor compare(Tensor x, String name, Binary op, Tensor y) {
        if (x.dtype() == DType.INT64 && y.dtype() == DType.INT64) {
            return compare(x.toType(DType.FLOAT64), name, op, y.toType(DType.FLOAT64));
        }
        try (var s = GradMode.noGrad()) {
            return Compute.binary(name, op, x, y);
        }
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        DType dt = DType.promote("where", a.dtype(), b.dtype());
        Tensor x = a.toType(dt), y = b.toType(dt);
        Tensor out = Compute.where(cond, x, y);
        return Node.record(Op.WHERE, out, null, cond, x, y);
    }

    static boolean allClose(Tensor x, Tensor other, double rtol, double atol) {
        if (!Arrays.equals(x.shape, other.shape)) return false;
        double[] a = x.toDoubleArray(), b = other.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) continue; // equal infinities
            if (Double.isInfinite(a[i]) || Double.isInfinite(b[i])) return false; // as torch.isclose
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
        }
        return true;
    }

    static boolean contentEquals(Tensor x, Tensor t) {
        if (x == t) return true;
        if (t == null || t.dtype() != x.dtype() || !Arrays.equals(x.shape, t.shape)) return false;
        return switch (x.dtype()) {
            case FLOAT32 -> Arrays.equals(x.toFloatArray(), t.toFloatArray());
            case FLOAT64 -> Arrays.equals(x.toDoubleArray(), t.toDoubleArray());
            case INT64 -> Arrays.equals(x.toLongArray(), t.toLongArray());
        };
    }
}
