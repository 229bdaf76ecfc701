package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise;
import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Reduce;
import dev.nabla.kernel.Elementwise.Unary;
import dev.nabla.kernel.KernelProvider;
import dev.nabla.kernel.Parallel;

/**
 * The forward computations behind the tensor ops, with no autograd: they split n-dimensional
 * strided tensors into runs and hand those to the kernels. Outputs are new contiguous tensors.
 */
final class Compute {
    private static final Elementwise EW = KernelProvider.get().elementwise();

    private Compute() {}

    static Tensor unary(Unary op, Tensor x) {
        if (x.dtype() == DType.INT64) throw noArithmetic(op.name().toLowerCase(), x);
        // the rules of relu, tanh and sigmoid read their output only
        boolean outputOnly = op == Unary.RELU || op == Unary.TANH || op == Unary.SIGMOID;
        Tensor out = outputOnly ? BufferPool.overwriteInput(x) : null;
        if (out == null) out = Tensor.uninitialized(x.dtype(), x.shape);
        if (x.isContiguous()) { // the common case: one flat run, no index arithmetic
            int xo = x.offset;
            if (x.dtype() == DType.FLOAT32) {
                float[] a = x.storage.f(), y = out.storage.f();
                flat(out.numel(), (from, to) -> EW.unary(op, a, xo + from, 1, y, from, 1, to - from));
            } else {
                double[] a = x.storage.d(), y = out.storage.d();
                flat(out.numel(), (from, to) -> EW.unary(op, a, xo + from, 1, y, from, 1, to - from));
            }
            return out;
        }
        Runs runs = new Runs(x.shape, new int[] {x.offset, 0}, x.strides, out.strides);
        int xs = runs.innerStride(0), ys = runs.innerStride(1);
        if (x.dtype() == DType.FLOAT32) {
            float[] a = x.storage.f(), y = out.storage.f();
            runs.forEachParallel((o, n) -> EW.unary(op, a, o[0], xs, y, o[1], ys, n));
        } else {
            double[] a = x.storage.d(), y = out.storage.d();
            runs.forEachParallel((o, n) -> EW.unary(op, a, o[0], xs, y, o[1], ys, n));
        }
        return out;
    }

    /** Runs body over [0, n) directly when small, in parallel chunks of {@link Runs#GRAIN} otherwise. */
    private static void flat(int n, Parallel.RangeBody body) {
        if (n <= Runs.GRAIN) {
            if (n > 0) body.run(0, n);
        } else {
            Parallel.forRange(n, Runs.GRAIN, body);
        }
    }

    static IllegalArgumentException noArithmetic(String op, Tensor x) {
        return new IllegalArgumentException(op + ": int64 tensor " + Shape.str(x.shape)
                + " holds indices or labels and takes no arithmetic; convert with .toType(DType.FLOAT32)");
    }

    /** Strides that read {@code t} broadcast to {@code shape} (0 along broadcast dims). */
    static int[] broadcastStrides(Tensor t, int[] shape) {
        int[] s = new int[shape.length];
        int lead = shape.length - t.shape.length;
        for (int d = 0; d < t.shape.length; d++) {
            s[lead + d] = t.shape[d] == 1 && shape[lead + d] != 1 ? 0 : t.strides[d];
        }
        return s;
    }

    static Tensor binary(String name, Binary op, Tensor a, Tensor b) {
        if (a.dtype() == DType.INT64 || b.dtype() == DType.INT64) {
            throw new IllegalArgumentException(name + ": " + a.dtype() + " " + Shape.str(a.shape) + " with " + b.dtype()
                    + " " + Shape.str(b.shape) + ": int64 holds indices and labels and takes no arithmetic;"
                    + " convert with .toType(DType.FLOAT32) first");
        }
        DType dt = DType.promote(name, a.dtype(), b.dtype());
        a = a.dtype() == dt ? a : a.castRaw(dt);
        b = b.dtype() == dt ? b : b.castRaw(dt);
        int[] shape = Shape.broadcast(name, a.shape, b.shape);
        Tensor out = Tensor.uninitialized(dt, shape);
        binaryInto(op, a, b, out);
        return out;
    }

    /** out = op(a, b) with a and b broadcast to out's shape; out may be a strided view. */
    static void binaryInto(Binary op, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape;
        if (out.isContiguous() && flatOperand(a, shape) && flatOperand(b, shape)) {
            // one flat run: each operand is contiguous of out's shape, or a single broadcast value
            int as = a.numel() == 1 ? 0 : 1, bs = b.numel() == 1 ? 0 : 1;
            int ao = a.offset, bo = b.offset, yo = out.offset;
            if (out.dtype() == DType.FLOAT32) {
                float[] x = a.storage.f(), z = b.storage.f(), y = out.storage.f();
                flat(out.numel(), (from, to) -> EW.binary(op, x, ao + from * as, as, z, bo + from * bs, bs, y, yo + from, 1, to - from));
            } else {
                double[] x = a.storage.d(), z = b.storage.d(), y = out.storage.d();
                flat(out.numel(), (from, to) -> EW.binary(op, x, ao + from * as, as, z, bo + from * bs, bs, y, yo + from, 1, to - from));
            }
            return;
        }
        Runs runs = new Runs(shape, new int[] {a.offset, b.offset, out.offset},
                broadcastStrides(a, shape), broadcastStrides(b, shape), out.strides);
        int as = runs.innerStride(0), bs = runs.innerStride(1), ys = runs.innerStride(2);
        if (out.dtype() == DType.FLOAT32) {
            float[] x = a.storage.f(), z = b.storage.f(), y = out.storage.f();
            runs.forEachParallel((o, n) -> EW.binary(op, x, o[0], as, z, o[1], bs, y, o[2], ys, n));
        } else {
            double[] x = a.storage.d(), z = b.storage.d(), y = out.storage.d();
            runs.forEachParallel((o, n) -> EW.binary(op, x, o[0], as, z, o[1], bs, y, o[2], ys, n));
        }
    }

    // True when t can be read as one flat run against a contiguous output of this shape.
    private static boolean flatOperand(Tensor t, int[] shape) {
        return t.numel() == 1 || (t.isContiguous() && java.util.Arrays.equals(t.shape, shape));
    }

    /**
     * op(g, b) for g and b of one shape and type (an activation's derivative from its output),
     * written over g when the backward pass offered it ({@link BufferPool#overwrite}), else into
     * a new tensor; other operands take {@link #binary}.
     */
    static Tensor gradientMap(String name, Binary op, Tensor g, Tensor b) {
        if (!java.util.Arrays.equals(g.shape, b.shape) || g.dtype() != b.dtype()) return binary(name, op, g, b);
        Tensor y = g.isContiguous() ? BufferPool.overwrite(g) : null;
        if (y == null) y = Tensor.uninitialized(g.dtype(), g.shape);
        binaryInto(op, g, b, y);
        return y;
    }

    /**
     * relu's backward in one pass: g where out is not ≤ 0, else 0, for contiguous g and out of one
     * shape and type; null otherwise (the caller composes it).
     */
    static Tensor reluBackward(Tensor g, Tensor out) {
        if (!g.isContiguous() || !out.isContiguous() || !java.util.Arrays.equals(g.shape, out.shape) || g.dtype() != out.dtype()) {
            return null;
        }
        Tensor y = BufferPool.overwrite(g);
        if (y == null) y = Tensor.uninitialized(g.dtype(), g.shape);
        int go = g.offset, oo = out.offset;
        if (g.dtype() == DType.FLOAT32) {
            float[] a = g.storage.f(), m = out.storage.f(), r = y.storage.f();
            flat(y.numel(), (from, to) -> EW.reluBackward(m, oo + from, a, go + from, r, from, to - from));
        } else {
            double[] a = g.storage.d(), m = out.storage.d(), r = y.storage.d();
            flat(y.numel(), (from, to) -> EW.reluBackward(m, oo + from, a, go + from, r, from, to - from));
        }
        return y;
    }

    /**
     * leakyRelu in one pass: x > 0 ? v : v·slope elementwise (v = x: the forward; v = a gradient:
     * the backward), for x and v of one shape and type.
     */
    static Tensor leakyRelu(Tensor x, Tensor v, double slope) {
        Tensor xc = x.contiguousRaw(), vc = v.contiguousRaw();
        Tensor y = BufferPool.overwrite(v);
        // the forward over its dead input: the rule then reads the result's signs, which are x's when slope > 0
        if (y == null && v == x && slope > 0) y = BufferPool.overwriteInput(x);
        if (y == null) y = Tensor.uninitialized(x.dtype(), x.shape);
        int xo = xc.offset, vo = vc.offset;
        if (x.dtype() == DType.FLOAT32) {
            float[] a = xc.storage.f(), b = vc.storage.f(), r = y.storage.f();
            float s = (float) slope;
            flat(y.numel(), (from, to) -> EW.leakyRelu(a, xo + from, b, vo + from, s, r, from, to - from));
        } else {
            double[] a = xc.storage.d(), b = vc.storage.d(), r = y.storage.d();
            flat(y.numel(), (from, to) -> EW.leakyRelu(a, xo + from, b, vo + from, slope, r, from, to - from));
        }
        return y;
    }

    /** Copies src (broadcast to dst's shape, any dtype) into the view dst. */
    static void copy(Tensor src, Tensor dst) {
        int[] shape = dst.shape;
        Runs runs = new Runs(shape, new int[] {src.offset, dst.offset}, broadcastStrides(src, shape), dst.strides);
        int ss = runs.innerStride(0), ds = runs.innerStride(1);
        Storage s = src.storage, d = dst.storage;
        if (s.dtype == d.dtype && ss == 1 && ds == 1) {
            runs.forEachParallel((o, n) -> System.arraycopy(s.array, o[0], d.array, o[1], n));
        } else if (s.dtype == d.dtype && s.dtype != DType.INT64 && runs.shape.length == 2 && ds == 1
                && runs.strides[0][0] == 1 && runs.numel >= 4096) {
            transpose(runs, s, d); // e.g. a Linear layer's weight gradient, computed as [in, out]
        } else if (s.dtype == d.dtype && s.dtype == DType.FLOAT32) {
            float[] x = s.f(), y = d.f();
            runs.forEachParallel((o, n) -> {
                for (int i = 0; i < n; i++) y[o[1] + i * ds] = x[o[0] + i * ss];
            });
        } else {
            runs.forEachParallel((o, n) -> {
                for (int i = 0; i < n; i++) d.set(o[1] + i * ds, s.get(o[0] + i * ss));
            });
        }
    }

    /** Tile edge of the blocked transpose: a tile of the source and of the destination stays in L1. */
    private static final int TILE = 32;

    /**
     * A 2-D copy where the source runs down columns (dst[i][j] = src[i + j·S]): by tiles, so that
     * each cache line read is used for a whole tile instead of one element (the plain loop reads
     * one element per line, 10× slower for large matrices). Row blocks in parallel.
     */
    private static void transpose(Runs runs, Storage s, Storage d) {
        int rows = runs.shape[0], cols = runs.shape[1];
        int sj = runs.strides[0][1], di = runs.strides[1][0], sb = runs.base[0], db = runs.base[1];
        Parallel.forRange(Parallel.chunks(rows, TILE), 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int i0 = b * TILE, i1 = Math.min(rows, i0 + TILE);
                for (int j0 = 0; j0 < cols; j0 += TILE) {
                    int j1 = Math.min(cols, j0 + TILE);
                    if (s.dtype == DType.FLOAT32) {
                        float[] x = s.f(), y = d.f();
                        for (int i = i0; i < i1; i++) {
                            for (int j = j0; j < j1; j++) y[db + i * di + j] = x[sb + i + j * sj];
                        }
                    } else {
                        double[] x = s.d(), y = d.d();
                        for (int i = i0; i < i1; i++) {
                            for (int j = j0; j < j1; j++) y[db + i * di + j] = x[sb + i + j * sj];
                        }
                    }
                }
            }
        });
    }

    /** where(cond != 0, a, b) with broadcasting; a, b of one dtype. */
    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        Tensor out = Tensor.empty(a.dtype(), shape);
        Runs runs = new Runs(shape, new int[] {cond.offset, a.offset, b.offset, out.offset},
                broadcastStrides(cond, shape), broadcastStrides(a, shape), broadcastStrides(b, shape), out.strides);
        int cs = runs.innerStride(0), as = runs.innerStride(1), bs = runs.innerStride(2), ys = runs.innerStride(3);
        Storage c = cond.storage, x = a.storage, z = b.storage, y = out.storage;
        runs.forEachParallel((o, n) -> {
            for (int i = 0; i < n; i++) {
                y.set(o[3] + i * ys, c.get(o[0] + i * cs) != 0 ? x.get(o[1] + i * as) : z.get(o[2] + i * bs));
            }
        });
        return out;
    }

    /** Rows per parallel chunk of a row-wise reduction, chosen so a chunk holds ~GRAIN elements. */
    private static int rowGrain(int rowLength) {
        return Math.max(1, Runs.GRAIN / Math.max(rowLength, 1));
    }

    /**
     * Reduces x over the dims marked in {@code reduced}; the result has the kept dims in order
     * (size 1 in place of reduced dims when keepdim).
     */
    static Tensor reduce(Reduce op, Tensor x, boolean[] reduced, boolean keepdim) {
        int rank = x.shape.length;
        int[] perm = new int[rank];
        int k = 0;
        for (int d = 0; d < rank; d++) if (!reduced[d]) perm[k++] = d;
        int kept = k;
        for (int d = 0; d < rank; d++) if (reduced[d]) perm[k++] = d;
        int[] outShape = outShape(x.shape, reduced, keepdim);
        int rows = Shape.numel(Compute.outShape(x.shape, reduced, false));
        int len = 1;
        for (int d = 0; d < rank; d++) if (reduced[d]) len *= x.shape[d];
        final int rowLen = len;
        if (len == 0 && op != Reduce.SUM) {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": cannot reduce over an empty dimension of "
                    + Shape.str(x.shape) + " (the result has no value)");
        }
        Tensor out = Tensor.empty(x.dtype(), outShape);
        if (rows == 0) return out;
        if (len == 0) return out.fillRaw(0);
        if (x.isContiguous() && leadingBlock(reduced, kept)) {
            foldRows(op, x, rows, len, out);
            return out;
        }
        Tensor p = Views.permuteRaw(x, perm).contiguousRaw();
        if (rows == 1) {
            out.fillRaw(reduceAll(op, p, len));
        } else if (p.dtype() == DType.FLOAT32) {
            float[] a = p.storage.f(), y = out.storage.f();
            Parallel.forRange(rows, rowGrain(len), (from, to) -> {
                for (int r = from; r < to; r++) y[r] = EW.reduce(op, a, p.offset + r * rowLen, 1, rowLen);
            });
        } else {
            double[] a = p.storage.d(), y = out.storage.d();
            Parallel.forRange(rows, rowGrain(len), (from, to) -> {
                for (int r = from; r < to; r++) y[r] = EW.reduce(op, a, p.offset + r * rowLen, 1, rowLen);
            });
        }
        return out;
    }

    static int[] outShape(int[] shape, boolean[] reduced, boolean keepdim) {
        int n = 0;
        for (int d = 0; d < shape.length; d++) if (keepdim || !reduced[d]) n++;
        int[] out = new int[n];
        int j = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) out[j++] = shape[d];
            else if (keepdim) out[j++] = 1;
        }
        return out;
    }

    // True when the reduced dims are exactly the leading ones (e.g. a bias gradient, sum over dim 0).
    private static boolean leadingBlock(boolean[] reduced, int kept) {
        int nReduced = reduced.length - kept;
        if (nReduced == 0 || kept == 0) return false;
        for (int d = 0; d < nReduced; d++) if (!reduced[d]) return false;
        return true;
    }

    /** Rows narrower than this are summed by one plain loop (IEEE addition: the kernel's bits). */
    private static final int NARROW_ROWS = 32;

    /** Reduces the len leading rows of a contiguous [len, rows] layout into out (rows wide). */
    private static void foldRows(Reduce op, Tensor x, int rows, int len, Tensor out) {
        Binary combine = switch (op) {
            case SUM -> Binary.ADD;
            case MAX -> Binary.MAX;
            case MIN -> Binary.MIN;
        };
        int off = x.offset;
        if (x.dtype() == DType.FLOAT32) {
            float[] a = x.storage.f(), y = out.storage.f();
            if (op == Reduce.SUM && rows < NARROW_ROWS) { // a bias gradient of a narrow layer: one call, not one per row
                EW.sumRows(a, off, len, rows, y, 0);
                return;
            }
            Parallel.forRange(rows, Math.max(1024, rowGrain(len)), (from, to) -> {
                System.arraycopy(a, off + from, y, from, to - from);
                for (int i = 1; i < len; i++) EW.binary(combine, y, from, 1, a, off + i * rows + from, 1, y, from, 1, to - from);
            });
        } else {
            double[] a = x.storage.d(), y = out.storage.d();
            Parallel.forRange(rows, Math.max(1024, rowGrain(len)), (from, to) -> {
                System.arraycopy(a, off + from, y, from, to - from);
                for (int i = 1; i < len; i++) EW.binary(combine, y, from, 1, a, off + i * rows + from, 1, y, from, 1, to - from);
            });
        }
    }

    /**
     * op over the len elements of the contiguous p (a float32 result widened: exact) as one long
     * reduction: fixed-size blocks reduced in parallel, then combined in block order.
     */
    private static double reduceAll(Reduce op, Tensor p, int len) {
        if (len == 0) return 0;
        int block = Runs.GRAIN * 4;
        int blocks = Parallel.chunks(len, block);
        if (p.dtype() == DType.FLOAT32) {
            float[] a = p.storage.f();
            if (blocks == 1) return EW.reduce(op, a, p.offset, 1, len);
            float[] part = new float[blocks];
            Parallel.forRange(len, block, (from, to) -> part[from / block] = EW.reduce(op, a, p.offset + from, 1, to - from));
            return EW.reduce(op, part, 0, 1, blocks);
        }
        double[] a = p.storage.d();
        if (blocks == 1) return EW.reduce(op, a, p.offset, 1, len);
        double[] part = new double[blocks];
        Parallel.forRange(len, block, (from, to) -> part[from / block] = EW.reduce(op, a, p.offset + from, 1, to - from));
        return EW.reduce(op, part, 0, 1, blocks);
    }

    /**
     * Whether every element of x is finite, by one pass of the kernel over blocks on the threads. No
     * tensor is allocated for a contiguous x: the trainer asks this of every weight's gradient at
     * every step, where two reductions to tensors took 9% of a small net's step, and then a max and
     * a min over the array 2.7% of the Runge protocol's.
     */
    static boolean allFinite(Tensor x) {
        if (!x.dtype().isFloating() || x.numel() == 0) return true;
        Tensor p = x.contiguousRaw();
        int len = p.numel(), off = p.offset, block = Runs.GRAIN * 4;
        boolean[] finite = new boolean[Parallel.chunks(len, block)];
        if (p.dtype() == DType.FLOAT32) {
            float[] a = p.storage.f();
            Parallel.forRange(len, block, (from, to) -> finite[from / block] = EW.allFinite(a, off + from, to - from));
        } else {
            double[] a = p.storage.d();
            Parallel.forRange(len, block, (from, to) -> finite[from / block] = EW.allFinite(a, off + from, to - from));
        }
        for (boolean f : finite) if (!f) return false;
        return true;
    }

    /** Index of the max (or min) along dim, first occurrence on ties; NaN counts as the extreme. */
    static Tensor argExtreme(Tensor x, int dim, boolean max, boolean keepdim) {
        int rank = x.shape.length;
        boolean[] reduced = new boolean[rank];
        reduced[dim] = true;
        int[] perm = new int[rank];
        int k = 0;
        for (int d = 0; d < rank; d++) if (d != dim) perm[k++] = d;
        perm[k] = dim;
        Tensor p = Views.permuteRaw(x, perm).contiguousRaw();
        int len = x.shape[dim];
        if (len == 0) {
            throw new IllegalArgumentException((max ? "argmax" : "argmin") + ": dim " + dim + " of "
                    + Shape.str(x.shape) + " is empty");
        }
        Tensor out = Tensor.empty(DType.INT64, outShape(x.shape, reduced, keepdim));
        long[] y = out.storage.l();
        Storage s = p.storage;
        int rows = Shape.numel(out.shape);
        Parallel.forRange(rows, rowGrain(len), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = p.offset + r * len, best = 0;
                double bv = s.get(base);
                for (int i = 1; i < len && bv == bv; i++) {
                    double v = s.get(base + i);
                    if (v != v || (max ? v > bv : v < bv)) {
                        bv = v;
                        best = i;
                    }
                }
                y[r] = best;
            }
        });
        return out;
    }

    /** Matrix product of two rank-2 or two rank-3 tensors with equal batch (or batch stride 0). */
    static Tensor matmul(Tensor a, Tensor b) {
        int m = a.shape[a.shape.length - 2], n = b.shape[b.shape.length - 1];
        return matmulInto(a, b, Tensor.uninitialized(a.dtype(), a.shape.length == 3 ? new int[] {a.shape[0], m, n} : new int[] {m, n}));
    }

    /** {@link #matmul} into out: contiguous, of the product's shape and type, sharing no memory with a or b. */
    static Tensor matmulInto(Tensor a, Tensor b, Tensor out) {
        boolean batched = a.shape.length == 3;
        int batch = batched ? a.shape[0] : 1;
        int m = a.shape[a.shape.length - 2], k = a.shape[a.shape.length - 1], n = b.shape[b.shape.length - 1];
        // GEMM with beta 0 overwrites out; k = 0 has no product to write, so zeros are written
        if (out.numel() == 0) return out;
        if (k == 0) return out.fillRaw(0);
        a = gemmOperand(a);
        b = gemmOperand(b);
        int r = a.shape.length;
        boolean ta = a.strides[r - 1] != 1;
        boolean tb = b.strides[r - 1] != 1;
        int lda = ta ? a.strides[r - 1] : a.strides[r - 2];
        int ldb = tb ? b.strides[r - 1] : b.strides[r - 2];
        int sa = batched ? a.strides[0] : 0, sb = batched ? b.strides[0] : 0;
        if (a.dtype() == DType.FLOAT32) {
            KernelProvider.get().gemm().sgemm(batch, ta, tb, m, n, k, a.storage.f(), a.offset, sa, Math.max(lda, 1),
                    b.storage.f(), b.offset, sb, Math.max(ldb, 1), 0f, out.storage.f(), out.offset, m * n, n);
        } else {
            KernelProvider.get().gemm().dgemm(batch, ta, tb, m, n, k, a.storage.d(), a.offset, sa, Math.max(lda, 1),
                    b.storage.d(), b.offset, sb, Math.max(ldb, 1), 0.0, out.storage.d(), out.offset, m * n, n);
        }
        return out;
    }

    /**
     * A matrix operand the GEMM can read as it is (rows or columns contiguous, any leading
     * dimension, any batch stride), or a contiguous copy.
     */
    private static Tensor gemmOperand(Tensor t) {
        int r = t.shape.length;
        int rows = t.shape[r - 2], cols = t.shape[r - 1];
        int rs = t.strides[r - 2], cs = t.strides[r - 1];
        boolean rowMajor = (cs == 1 || cols == 1) && (rs >= cols || rows == 1);
        boolean colMajor = (rs == 1 || rows == 1) && (cs >= rows || cols == 1) && !rowMajor;
        if (rowMajor) return normalized(t, false);
        if (colMajor) return normalized(t, true);
        return t.contiguousRaw();
    }

    // Rewrites degenerate strides (a dim of size 1) so that the GEMM sees a clean layout; t itself
    // when they are clean already (the usual case: a new view per operand was 3% of a small net's step).
    private static Tensor normalized(Tensor t, boolean colMajor) {
        int r = t.shape.length;
        int rows = t.shape[r - 2], cols = t.shape[r - 1];
        int rs, cs;
        if (colMajor) {
            rs = 1;
            cs = cols == 1 ? Math.max(rows, 1) : Math.max(t.strides[r - 1], Math.max(rows, 1));
        } else {
            cs = 1;
            rs = rows == 1 ? Math.max(cols, 1) : Math.max(t.strides[r - 2], Math.max(cols, 1));
        }
        if (rs == t.strides[r - 2] && cs == t.strides[r - 1]) return t;
        int[] st = t.strides.clone();
        st[r - 2] = rs;
        st[r - 1] = cs;
        return new Tensor(t.storage, t.shape, st, t.offset);
    }

    static void requireIndex(Tensor x, String op) {
        if (x.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": indices must be an int64 tensor, got " + x.dtype()
                    + " of shape " + Shape.str(x.shape) + "; convert with .toType(DType.INT64)");
        }
    }

    // A contiguous copy of x as dtype, off the tape.
    static Tensor copyAs(Tensor x, DType dtype) {
        Tensor out = Tensor.uninitialized(dtype, x.shape);
        copy(x, out);
        return out;
    }
}
