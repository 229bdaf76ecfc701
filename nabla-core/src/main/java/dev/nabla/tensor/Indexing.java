package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise.Binary;
import java.util.Arrays;

/** Gather and scatter along a dim, by an int64 index tensor; their derivatives (each the other) are in {@link Derivatives}. */
final class Indexing {
    private Indexing() {}

    static void checkIndexRange(Tensor x, String op, long[] idx, int bound, int dim) {
        for (long i : idx) {
            if (i < -bound || i >= bound) {
                throw new IndexOutOfBoundsException(op + ": index " + i + " out of range for dim " + dim
                        + " of size " + bound + " in " + Shape.str(x.shape));
            }
        }
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        index.requireIndex("gather");
        int d = Shape.dim("gather", dim, x.shape.length);
        if (index.shape.length != x.shape.length) {
            throw new IllegalArgumentException("gather: index of shape " + Shape.str(index.shape)
                    + " must have the rank of the input " + Shape.str(x.shape));
        }
        for (int k = 0; k < x.shape.length; k++) {
            if (k != d && index.shape[k] > x.shape[k]) {
                throw new IllegalArgumentException("gather: index " + Shape.str(index.shape) + " is larger than input "
                        + Shape.str(x.shape) + " in dim " + k);
            }
        }
        long[] idx = index.toLongArray();
        checkIndexRange(x, "gather", idx, x.shape[d], d);
        Tensor out = Tensor.empty(x.dtype(), index.shape);
        int[] pos = new int[x.shape.length];
        for (int i = 0; i < idx.length; i++) {
            int src = x.offset, rem = i;
            for (int k = x.shape.length - 1; k >= 0; k--) {
                pos[k] = rem % index.shape[k];
                rem /= index.shape[k];
            }
            for (int k = 0; k < x.shape.length; k++) {
                int p = k == d ? (int) (idx[i] < 0 ? idx[i] + x.shape[d] : idx[i]) : pos[k];
                src += p * x.strides[k];
            }
            out.storage.set(i, x.storage.get(src));
        }
        return Node.record(Op.GATHER, out, d, index, x);
    }

    static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        index.requireIndex("scatterAdd");
        int d = Shape.dim("scatterAdd", dim, x.shape.length);
        if (!Arrays.equals(index.shape, src.shape) || index.shape.length != x.shape.length) {
            throw new IllegalArgumentException("scatterAdd: index " + Shape.str(index.shape) + " and src "
                    + Shape.str(src.shape) + " must have one shape, of the rank of the input " + Shape.str(x.shape));
        }
        long[] idx = index.toLongArray();
        checkIndexRange(x, "scatterAdd", idx, x.shape[d], d);
        Tensor out = x.contiguousRaw().castRaw(DType.promote("scatterAdd", x.dtype(), src.dtype()));
        if (out == x) out = x.copyRaw();
        double[] vals = src.toDoubleArray();
        int[] os = Shape.contiguousStrides(x.shape);
        int[] pos = new int[x.shape.length];
        for (int i = 0; i < idx.length; i++) {
            int dst = 0, rem = i;
            for (int k = x.shape.length - 1; k >= 0; k--) {
                pos[k] = rem % index.shape[k];
                rem /= index.shape[k];
            }
            for (int k = 0; k < x.shape.length; k++) {
                dst += (k == d ? (int) (idx[i] < 0 ? idx[i] + x.shape[d] : idx[i]) : pos[k]) * os[k];
            }
            out.storage.set(dst, out.storage.get(dst) + vals[i]);
        }
        return Node.record(Op.SCATTER_ADD, out, d, index, x, src);
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        index.requireIndex("indexSelect");
        if (index.shape.length != 1) throw new IllegalArgumentException("indexSelect: index must be 1-D, got " + Shape.str(index.shape));
        int d = Shape.dim("indexSelect", dim, x.shape.length);
        long[] idx = index.toLongArray();
        checkIndexRange(x, "indexSelect", idx, x.shape[d], d);
        int[] s = x.shape.clone();
        s[d] = idx.length;
        Tensor out = Tensor.uninitialized(x.dtype(), s); // each index writes its slice
        boolean rows = d == 0 && x.isContiguous(); // e.g. a batch of examples: one arraycopy per row
        int rowLen = x.shape.length == 0 || x.shape[0] == 0 ? 0 : x.numel() / x.shape[0];
        if (rows && rowLen == 1 && x.storage.array instanceof float[] a) {
            // a batch of one-feature examples (a Runge net's): an arraycopy call per element cost more than the copy
            float[] o = out.storage.f();
            for (int i = 0; i < idx.length; i++) o[i] = a[x.offset + (int) (idx[i] < 0 ? idx[i] + x.shape[0] : idx[i])];
        } else {
            for (int i = 0; i < idx.length; i++) {
                int j = (int) (idx[i] < 0 ? idx[i] + x.shape[d] : idx[i]);
                if (rows) System.arraycopy(x.storage.array, x.offset + j * rowLen, out.storage.array, i * rowLen, rowLen);
                else Compute.copy(x.sliceRaw(d, j, 1, 1), out.sliceRaw(d, i, 1, 1));
            }
        }
        return x.dtype().isFloating() ? Node.record(Op.INDEX_SELECT, out, d, index, x) : out;
    }

    static Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor source) {
        index.requireIndex("indexAdd");
        int d = Shape.dim("indexAdd", dim, x.shape.length);
        long[] idx = index.toLongArray();
        checkIndexRange(x, "indexAdd", idx, x.shape[d], d);
        if (index.shape.length != 1 || source.shape.length != x.shape.length || source.shape[d] != idx.length) {
            throw new IllegalArgumentException("indexAdd: index " + Shape.str(index.shape) + " and source "
                    + Shape.str(source.shape) + " do not fit input " + Shape.str(x.shape) + " along dim " + dim);
        }
        DType dt = DType.promote("indexAdd", x.dtype(), source.dtype());
        Tensor out = x.castRaw(dt) == x ? x.copyRaw() : x.castRaw(dt);
        Tensor src = source.castRaw(dt);
        if (d == 0) {
            InPlace.addRows(out, idx, src); // e.g. the gradient of a lookup: one loop per row
        } else {
            for (int i = 0; i < idx.length; i++) {
                int j = (int) (idx[i] < 0 ? idx[i] + x.shape[d] : idx[i]);
                Tensor dst = out.sliceRaw(d, j, 1, 1);
                Compute.binaryInto(Binary.ADD, dst, src.sliceRaw(d, i, 1, 1), dst);
            }
        }
        return Node.record(Op.INDEX_ADD, out, d, index, x, source);
    }

    // The storage position of the element at index (one per dim, negative ones from the end).
    static int flatIndex(Tensor x, String op, int[] index) {
        if (index.length != x.shape.length) {
            throw new IllegalArgumentException(op + ": " + index.length + " indices for a tensor of rank " + x.shape.length);
        }
        int off = x.offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + x.shape[d] : index[d];
            if (i < 0 || i >= x.shape[d]) {
                throw new IndexOutOfBoundsException(op + ": index " + index[d] + " out of range for dim " + d
                        + " of size " + x.shape[d]);
            }
            off += i * x.strides[d];
        }
        return off;
    }

    static double item(Tensor x) {
        if (x.numel() != 1) {
            throw new IllegalArgumentException("item: tensor of shape " + Shape.str(x.shape)
                    + " has " + x.numel() + " elements; item() needs exactly one");
        }
        return x.storage.get(x.offset);
    }
}
