package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise.Binary;
import java.util.Arrays;

/**
 * The in-place ops, for optimizers and initializers: they refuse a tensor that records gradients
 * or an expanded view, and bump the storage's version so that the tape catches a saved tensor
 * changed since.
 */
final class InPlace {
    private InPlace() {}

    static void checkInPlace(Tensor x, String op) {
        if (x.requiresGrad() && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place change of a tensor that requires grad (shape "
                    + Shape.str(x.shape) + ") while recording; do it inside GradMode.noGrad() (optimizers do),"
                    + " or use the out-of-place op");
        }
        for (int d = 0; d < x.shape.length; d++) {
            if (x.strides[d] == 0 && x.shape[d] > 1) {
                throw new IllegalStateException(op + ": in place on an expanded view " + Shape.str(x.shape)
                        + " would write one element many times; call contiguous() first");
            }
        }
    }

    static Tensor inPlace(Tensor x, String op, Binary fn, Tensor y) {
        checkInPlace(x, op);
        x.requireFloating(op);
        Shape.broadcast(op, x.shape, y.shape);
        if (!Arrays.equals(Shape.broadcast(op, x.shape, y.shape), x.shape)) {
            throw new IllegalArgumentException(op + ": " + Shape.str(y.shape) + " does not broadcast to the target "
                    + Shape.str(x.shape) + " of the in-place op");
        }
        Tensor src = y.storage == x.storage ? y.copyRaw() : y;
        src = src.castRaw(x.dtype());
        Compute.binaryInto(fn, x, src, x);
        x.storage.bumpVersion();
        return x;
    }

    static Tensor copyFrom(Tensor x, Tensor y) {
        checkInPlace(x, "copyFrom");
        if (!Arrays.equals(Shape.broadcast("copyFrom", x.shape, y.shape), x.shape)) {
            throw new IllegalArgumentException("copyFrom: source " + Shape.str(y.shape) + " does not broadcast to "
                    + Shape.str(x.shape));
        }
        Compute.copy(y.storage == x.storage ? y.copyRaw() : y, x);
        x.storage.bumpVersion();
        return x;
    }

    static Tensor set(Tensor x, double value, int... index) {
        checkInPlace(x, "set");
        x.storage.set(Indexing.flatIndex(x, "set", index), value);
        x.storage.bumpVersion();
        return x;
    }

    static Tensor fill(Tensor x, double value) {
        checkInPlace(x, "fill");
        x.fillRaw(value);
        x.storage.bumpVersion();
        return x;
    }

    static Tensor fillRaw(Tensor x, double value) {
        if (x.isContiguous()) {
            int n = x.numel();
            switch (x.dtype()) {
                case FLOAT32 -> Arrays.fill(x.storage.f(), x.offset, x.offset + n, (float) value);
                case FLOAT64 -> Arrays.fill(x.storage.d(), x.offset, x.offset + n, value);
                case INT64 -> Arrays.fill(x.storage.l(), x.offset, x.offset + n, (long) value);
            }
        } else {
            Compute.copy(Tensor.full(x.dtype(), value), x);
        }
        return x;
    }

    static Tensor indexAddInPlace(Tensor x, Tensor index, Tensor source) {
        checkInPlace(x, "indexAddInPlace");
        x.requireFloating("indexAddInPlace");
        index.requireIndex("indexAddInPlace");
        long[] idx = index.toLongArray();
        Indexing.checkIndexRange(x, "indexAddInPlace", idx, x.shape.length == 0 ? 0 : x.shape[0], 0);
        if (index.shape.length != 1 || source.shape.length != x.shape.length || source.shape[0] != idx.length
                || !Arrays.equals(Arrays.copyOfRange(source.shape, 1, x.shape.length), Arrays.copyOfRange(x.shape, 1, x.shape.length))) {
            throw new IllegalArgumentException("indexAddInPlace: index " + Shape.str(index.shape) + " and source "
                    + Shape.str(source.shape) + " do not fit rows of " + Shape.str(x.shape));
        }
        addRows(x, idx, source.castRaw(x.dtype()));
        x.storage.bumpVersion();
        return x;
    }

    // dst[idx[i]] += src[i] for the rows (dim 0) of two tensors of one float type, in order of i
    static void addRows(Tensor dst, long[] idx, Tensor src) {
        int rows = dst.shape.length == 0 ? 1 : dst.shape[0];
        int len = rows == 0 ? 0 : dst.numel() / rows;
        if (!dst.isContiguous() || !src.isContiguous()) {
            for (int i = 0; i < idx.length; i++) {
                Tensor d = dst.sliceRaw(0, (int) (idx[i] < 0 ? idx[i] + rows : idx[i]), 1, 1);
                Compute.binaryInto(Binary.ADD, d, src.sliceRaw(0, i, 1, 1), d);
            }
            return;
        }
        for (int i = 0; i < idx.length; i++) {
            int to = dst.offset + (int) (idx[i] < 0 ? idx[i] + rows : idx[i]) * len, from = src.offset + i * len;
            if (dst.dtype() == DType.FLOAT32) {
                float[] y = dst.storage.f(), x = src.storage.f();
                for (int k = 0; k < len; k++) y[to + k] += x[from + k];
            } else {
                double[] y = dst.storage.d(), x = src.storage.d();
                for (int k = 0; k < len; k++) y[to + k] += x[from + k];
            }
        }
    }
}
