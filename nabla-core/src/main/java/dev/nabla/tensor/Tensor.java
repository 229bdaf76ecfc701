package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Reduce;
import dev.nabla.kernel.Elementwise.Unary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An n-dimensional array of float32 (default), float64 or int64 values, row-major with strides,
 * that records the operations applied to it for reverse-mode automatic differentiation.
 *
 * <p>Operations run eagerly. When an input requires a gradient (and {@link GradMode} is on),
 * the result remembers the op and, for each input, its derivative, written right next to the
 * forward computation with differentiable tensor ops; {@link #backward()} walks that tape. So
 * every op below reads in both directions, and derivatives of derivatives come for free.
 *
 * <p>The primitives are: the elementwise maps (neg, exp, log, sqrt, abs, sigmoid, tanh, relu,
 * sin, cos, clamp), the broadcasting binary ops (add, sub, mul, div, pow, maximum, minimum,
 * where), the reductions sum and amax/amin, the movement ops (reshape, permute, slice, expand,
 * cat), matmul, gather/scatterAdd, indexSelect/indexAdd, and for images (NCHW) conv2d with its
 * two adjoints and max/average pooling with theirs. Everything else (mean, var,
 * softmax, logsumexp, leakyRelu, stack, ...) is composed of them and gets its gradient for free.
 *
 * <p>Views (reshape when possible, permute, transpose, slice, narrow, select, squeeze,
 * unsqueeze, expand) share storage with their base; {@link #contiguous()} copies only when
 * needed. In-place ops ({@code addInPlace}, {@code copyFrom}, ...) are for optimizers and
 * initializers; they bump a version counter so that autograd refuses a tensor it saved and that
 * was changed since.
 */
public final class Tensor {
    final Storage storage;
    final int[] shape;
    final int[] strides;
    final int offset;

    private boolean requiresGrad;
    Node gradFn;
    private Tensor grad;
    private RowSparse sparseGrad; // the gradient while every contribution was row-sparse (then grad is null)
    private boolean retainsGrad;
    private List<UnaryOperator<Tensor>> hooks;

    Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    static Tensor empty(DType dtype, int[] shape) {
        return new Tensor(new Storage(dtype, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    /** Zeros of the given shape, float32. */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /** Zeros of the given type and shape. */
    public static Tensor zeros(DType dtype, int... shape) {
        return empty(dtype, Shape.check("zeros", shape));
    }

    /** Ones of the given shape, float32. */
    public static Tensor ones(int... shape) {
        return full(1, shape);
    }

    /** Ones of the given type and shape. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1, shape);
    }

    /** A float32 tensor filled with {@code value}. */
    public static Tensor full(double value, int... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    /** A tensor of the given type filled with {@code value}. */
    public static Tensor full(DType dtype, double value, int... shape) {
        return empty(dtype, Shape.check("full", shape)).fillRaw(value);
    }

    /** A 0-dimensional float32 tensor. */
    public static Tensor scalar(double value) {
        return full(DType.FLOAT32, value);
    }

    /** A 0-dimensional tensor of the given type. */
    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    /** Zeros with this tensor's shape and type. */
    public Tensor zerosLike() {
        return empty(dtype(), shape);
    }

    /** Ones with this tensor's shape and type. */
    public Tensor onesLike() {
        return empty(dtype(), shape).fillRaw(1);
    }

    /** 0, 1, …, end−1 as float32. */
    public static Tensor arange(double end) {
        return arange(DType.FLOAT32, 0, end, 1);
    }

    /** start, start+step, … up to but excluding end, as in PyTorch. */
    public static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0 || !Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)) {
            throw new IllegalArgumentException("arange(" + start + ", " + end + ", " + step
                    + "): start and end must be finite and step finite and nonzero");
        }
        long n = (long) Math.max(0, Math.ceil((end - start) / step));
        Tensor t = empty(dtype, new int[] {Math.toIntExact(n)});
        for (int i = 0; i < n; i++) t.storage.set(i, start + i * step);
        return t;
    }

    /** {@code steps} evenly spaced values from start to end inclusive, float32. */
    public static Tensor linspace(double start, double end, int steps) {
        return linspace(DType.FLOAT32, start, end, steps);
    }

    /** {@code steps} evenly spaced values from start to end inclusive. */
    public static Tensor linspace(DType dtype, double start, double end, int steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps " + steps + " must be >= 0");
        Tensor t = empty(dtype, new int[] {steps});
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // Fill symmetric from both ends, as PyTorch does, so the last value is exactly end.
        for (int i = 0; i < steps; i++) {
            t.storage.set(i, i < steps / 2 || steps == 1 ? start + i * step : end - (steps - 1 - i) * step);
        }
        return t;
    }

    /** The n×n identity matrix, float32. */
    public static Tensor eye(int n) {
        return eye(DType.FLOAT32, n);
    }

    /** The n×n identity matrix. */
    public static Tensor eye(DType dtype, int n) {
        Tensor t = zeros(dtype, n, n);
        for (int i = 0; i < n; i++) t.storage.set(i * n + i, 1);
        return t;
    }

    /** A float32 tensor holding a copy of {@code data} with the given shape (default: 1-D). */
    public static Tensor of(float[] data, int... shape) {
        return fromArray(DType.FLOAT32, data.clone(), data.length, shape);
    }

    /** A float64 tensor holding a copy of {@code data} with the given shape (default: 1-D). */
    public static Tensor of(double[] data, int... shape) {
        return fromArray(DType.FLOAT64, data.clone(), data.length, shape);
    }

    /** An int64 (index or label) tensor holding a copy of {@code data}. */
    public static Tensor of(long[] data, int... shape) {
        return fromArray(DType.INT64, data.clone(), data.length, shape);
    }

    /** An int64 (index or label) tensor from ints. */
    public static Tensor of(int[] data, int... shape) {
        return of(Arrays.stream(data).asLongStream().toArray(), shape);
    }

    /** A float32 matrix from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new IllegalArgumentException("Tensor.of: row " + i + " has "
                    + rows[i].length + " values, row 0 has " + cols + "; rows must have equal length");
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return fromArray(DType.FLOAT32, flat, flat.length, new int[] {rows.length, cols});
    }

    /** A float64 matrix from rows of equal length. */
    public static Tensor of(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new IllegalArgumentException("Tensor.of: row " + i + " has "
                    + rows[i].length + " values, row 0 has " + cols + "; rows must have equal length");
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return fromArray(DType.FLOAT64, flat, flat.length, new int[] {rows.length, cols});
    }

    private static Tensor fromArray(DType dtype, Object array, int length, int[] shape) {
        int[] s = shape.length == 0 ? new int[] {length} : Shape.check("Tensor.of", shape);
        if (Shape.numel(s) != length) {
            throw new IllegalArgumentException("Tensor.of: " + length + " values do not fill shape " + Shape.str(s)
                    + " (" + Shape.numel(s) + " elements)");
        }
        return new Tensor(new Storage(dtype, array), s, Shape.contiguousStrides(s), 0);
    }

    /** Uniform in [0, 1), float32. */
    public static Tensor rand(Generator gen, int... shape) {
        return uniform(gen, DType.FLOAT32, 0, 1, shape);
    }

    /** Uniform in [0, 1). */
    public static Tensor rand(Generator gen, DType dtype, int... shape) {
        return uniform(gen, dtype, 0, 1, shape);
    }

    /** Standard normal, float32. */
    public static Tensor randn(Generator gen, int... shape) {
        return normal(gen, DType.FLOAT32, 0, 1, shape);
    }

    /** Standard normal. */
    public static Tensor randn(Generator gen, DType dtype, int... shape) {
        return normal(gen, dtype, 0, 1, shape);
    }

    /** Uniform in [low, high). */
    public static Tensor uniform(Generator gen, DType dtype, double low, double high, int... shape) {
        if (!(low <= high)) throw new IllegalArgumentException("uniform: low " + low + " must be <= high " + high);
        Tensor t = zeros(dtype, shape);
        int n = t.numel();
        if (dtype == DType.FLOAT32) {
            float[] a = t.storage.f();
            for (int i = 0; i < n; i++) a[i] = (float) (low + (high - low) * gen.nextFloat());
        } else {
            for (int i = 0; i < n; i++) t.storage.set(i, low + (high - low) * gen.nextDouble());
        }
        return t;
    }

    /** Normal with the given mean and standard deviation. */
    public static Tensor normal(Generator gen, DType dtype, double mean, double std, int... shape) {
        if (!(std >= 0)) throw new IllegalArgumentException("normal: std " + std + " must be >= 0");
        Tensor t = zeros(dtype, shape);
        int n = t.numel();
        for (int i = 0; i < n; i++) t.storage.set(i, mean + std * gen.nextGaussian());
        return t;
    }

    /** Uniform integers in [low, high) as int64. */
    public static Tensor randint(Generator gen, long low, long high, int... shape) {
        if (low >= high) throw new IllegalArgumentException("randint: low " + low + " must be < high " + high);
        Tensor t = zeros(DType.INT64, shape);
        long[] a = t.storage.l();
        for (int i = 0; i < a.length; i++) a[i] = low + gen.nextLong(high - low);
        return t;
    }

    /** A random permutation of 0 … n−1 as int64 (Fisher–Yates). */
    public static Tensor randperm(Generator gen, int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) gen.nextLong(i + 1);
            long tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        return fromArray(DType.INT64, a, n, new int[] {n});
    }

    /** One-hot rows (float32) for int64 class labels in [0, numClasses). */
    public static Tensor oneHot(Tensor labels, int numClasses) {
        labels.requireIndex("oneHot");
        int[] s = Arrays.copyOf(labels.shape, labels.shape.length + 1);
        s[labels.shape.length] = numClasses;
        Tensor out = zeros(DType.FLOAT32, s);
        long[] l = labels.contiguous().toLongArray();
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] >= numClasses) {
                throw new IndexOutOfBoundsException("oneHot: label " + l[i] + " at position " + i
                        + " is outside [0, " + numClasses + ")");
            }
            out.storage.set(i * numClasses + (int) l[i], 1);
        }
        return out;
    }

    // ---------------------------------------------------------------- properties and data

    /** The sizes of the dimensions (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** The size of one dimension (negative dims count from the end). */
    public int size(int dim) {
        return shape[Shape.dim("size", dim, shape.length)];
    }

    /** The number of dimensions (0 for a scalar). */
    public int dim() {
        return shape.length;
    }

    /** The number of elements. */
    public int numel() {
        return Shape.numel(shape);
    }

    /** The element type. */
    public DType dtype() {
        return storage.dtype;
    }

    /** The strides in elements (a copy). */
    public int[] strides() {
        return strides.clone();
    }

    /** True when the elements lie in row-major order without gaps. */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: tensor of shape " + Shape.str(shape)
                    + " has " + numel() + " elements; item() needs exactly one");
        }
        return storage.get(offset);
    }

    /** The element at the given indices (one per dim; negative ones count from the end). */
    public double get(int... index) {
        return storage.get(flatIndex("get", index));
    }

    private int flatIndex(String op, int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(op + ": " + index.length + " indices for a tensor of rank " + shape.length);
        }
        int off = offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IndexOutOfBoundsException(op + ": index " + index[d] + " out of range for dim " + d
                        + " of size " + shape[d]);
            }
            off += i * strides[d];
        }
        return off;
    }

    /** The elements in row-major order as floats. */
    public float[] toFloatArray() {
        Tensor c = contiguousRaw().castRaw(DType.FLOAT32);
        return Arrays.copyOfRange(c.storage.f(), c.offset, c.offset + numel());
    }

    /** The elements in row-major order as doubles. */
    public double[] toDoubleArray() {
        Tensor c = contiguousRaw().castRaw(DType.FLOAT64);
        return Arrays.copyOfRange(c.storage.d(), c.offset, c.offset + numel());
    }

    /** The elements in row-major order as longs (values truncated toward zero). */
    public long[] toLongArray() {
        Tensor c = contiguousRaw().castRaw(DType.INT64);
        return Arrays.copyOfRange(c.storage.l(), c.offset, c.offset + numel());
    }

    void requireIndex(String op) {
        if (dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": indices must be an int64 tensor, got " + dtype()
                    + " of shape " + Shape.str(shape) + "; convert with .toType(DType.INT64)");
        }
    }

    private void requireFloating(String op) {
        if (!dtype().isFloating()) throw Compute.noArithmetic(op, this);
    }

    // ---------------------------------------------------------------- autograd

    /** True when gradients flow to this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor as a variable whose gradient backward() accumulates into
     * {@link #grad()}; returns this.
     */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null && !flag) {
            throw new IllegalStateException("requiresGrad(false) on the result of " + gradFn.op
                    + ": only leaf tensors can change it; use detach() to cut the graph");
        }
        if (flag && !dtype().isFloating()) {
            throw new IllegalArgumentException("requiresGrad: only float tensors can require gradients, not " + dtype());
        }
        requiresGrad = flag;
        return this;
    }

    /** True for tensors created by the user rather than by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The name of the op that produced this tensor on the tape, or null for a leaf. */
    public String gradFn() {
        return gradFn == null ? null : gradFn.op;
    }

    /**
     * The accumulated gradient, or null if backward has not reached this tensor. A row-sparse
     * gradient ({@link #sparseGrad()}) is returned as a new dense tensor, so writing into it
     * changes nothing; use {@link #setGrad} or {@link #setSparseGrad} to replace it.
     */
    public Tensor grad() {
        return sparseGrad != null ? sparseGrad.toDense() : grad;
    }

    /**
     * The gradient as rows when every contribution to it so far was row-sparse (an
     * {@code Embedding} with sparse gradients), else null. Optimizers that understand it update
     * only those rows.
     */
    public RowSparse sparseGrad() {
        return sparseGrad;
    }

    /** Replaces the accumulated gradient by a row-sparse one (null clears it). */
    public void setSparseGrad(RowSparse g) {
        if (g != null && !Arrays.equals(g.shape(), shape)) {
            throw new IllegalArgumentException("setSparseGrad: gradient rows of a tensor of shape " + Shape.str(g.shape())
                    + " for a tensor of shape " + Shape.str(shape));
        }
        grad = null;
        sparseGrad = g;
    }

    /**
     * Adds a row-sparse contribution to the gradient: kept as rows while the gradient has no
     * dense part, added densely otherwise.
     */
    public void accumulateSparseGrad(RowSparse g) {
        if (grad != null) grad = grad.add(g.toDense());
        else sparseGrad = sparseGrad == null ? g : sparseGrad.plus(g);
    }

    /** Replaces the accumulated gradient (null clears it). */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient of shape " + Shape.str(g.shape)
                    + " for a tensor of shape " + Shape.str(shape));
        }
        grad = g;
        sparseGrad = null;
    }

    /** Keeps the gradient of this non-leaf tensor in {@link #grad()} during backward. */
    public Tensor retainGrad() {
        if (!requiresGrad) throw new IllegalStateException("retainGrad on a tensor that does not require grad");
        retainsGrad = true;
        return this;
    }

    boolean retainsGrad() {
        return retainsGrad;
    }

    /**
     * Registers a hook called with this tensor's gradient when backward computes it; it may
     * return a replacement gradient (or null to keep it).
     */
    public Tensor registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad) throw new IllegalStateException("registerHook on a tensor that does not require grad");
        if (hooks == null) hooks = new ArrayList<>();
        hooks.add(hook);
        return this;
    }

    List<UnaryOperator<Tensor>> hooks() {
        return hooks == null ? List.of() : hooks;
    }

    void accumulateGrad(Tensor g) {
        if (sparseGrad != null) {
            g = g.add(sparseGrad.toDense());
            sparseGrad = null;
        }
        grad = grad == null ? g : grad.add(g);
    }

    /** Backpropagates from this scalar: accumulates d(this)/d(leaf) into every leaf's grad. */
    public void backward() {
        backward(null, false, false);
    }

    /** Backpropagates {@code gradient} (the vector of a vector-Jacobian product). */
    public void backward(Tensor gradient) {
        backward(gradient, false, false);
    }

    /**
     * Backpropagates; {@code retainGraph} keeps the tape for another backward, and
     * {@code createGraph} records the backward pass itself so that gradients can be
     * differentiated again.
     */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Backprop.backward(this, gradient, retainGraph, createGraph);
    }

    /** The same data, cut from the tape: no gradient flows through the result. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    /** Records the op on the tape when an input requires grad; returns out. */
    static Tensor record(String op, Tensor out, Tensor[] saved, Tensor[] inputs, Derivative[] derivatives) {
        if (!GradMode.isEnabled()) return out;
        boolean any = false;
        for (Tensor t : inputs) any |= t.requiresGrad;
        if (!any) return out;
        out.requiresGrad = true;
        out.gradFn = new Node(op, inputs, derivatives, saved);
        return out;
    }

    static Tensor record(String op, Tensor out, Tensor[] saved, Tensor a, Derivative da) {
        return record(op, out, saved, new Tensor[] {a}, new Derivative[] {da});
    }

    static Tensor record(String op, Tensor out, Tensor[] saved, Tensor a, Derivative da, Tensor b, Derivative db) {
        return record(op, out, saved, new Tensor[] {a, b}, new Derivative[] {da, db});
    }

    private static Tensor[] saves(Tensor... t) {
        return t;
    }

    private static final Tensor[] NOTHING = new Tensor[0];

    // ---------------------------------------------------------------- type

    /** This tensor converted to another type (a copy, or this when the type already matches). */
    public Tensor toType(DType dtype) {
        if (dtype == dtype()) return this;
        Tensor out = castRaw(dtype);
        DType from = dtype();
        if (!dtype.isFloating()) return out;
        return record("toType", out, NOTHING, this, g -> g.toType(from));
    }

    Tensor castRaw(DType dtype) {
        if (dtype == dtype()) return this;
        Tensor out = empty(dtype, shape);
        Compute.copy(this, out);
        return out;
    }

    // ---------------------------------------------------------------- elementwise (unary)

    private Tensor unary(Unary op) {
        requireFloating(op.name().toLowerCase());
        return Compute.unary(op, this);
    }

    /** −x. */
    public Tensor neg() {
        Tensor out = unary(Unary.NEG);
        return record("neg", out, NOTHING, this, g -> g.neg());
    }

    /** eˣ. */
    public Tensor exp() {
        Tensor out = unary(Unary.EXP);
        return record("exp", out, saves(out), this, g -> g.mul(out));
    }

    /** Natural logarithm. */
    public Tensor log() {
        Tensor out = unary(Unary.LOG);
        return record("log", out, saves(this), this, g -> g.div(this));
    }

    /** Square root. */
    public Tensor sqrt() {
        Tensor out = unary(Unary.SQRT);
        return record("sqrt", out, saves(out), this, g -> g.div(out.mul(2)));
    }

    /** |x|; its derivative at 0 is taken as 0, as in PyTorch. */
    public Tensor abs() {
        Tensor out = unary(Unary.ABS);
        return record("abs", out, saves(this), this, g -> g.mul(sign()));
    }

    /** −1, 0 or 1 (no gradient). */
    public Tensor sign() {
        return unary(Unary.SIGN);
    }

    /** σ(x) = 1/(1+e^−x), exact 0 or 1 at the extremes, never NaN. */
    public Tensor sigmoid() {
        Tensor out = unary(Unary.SIGMOID);
        return record("sigmoid", out, saves(out), this, g -> g.mul(out.mul(out.rsub(1))));
    }

    /** Hyperbolic tangent. */
    public Tensor tanh() {
        Tensor out = unary(Unary.TANH);
        return record("tanh", out, saves(out), this, g -> g.mul(out.mul(out).rsub(1)));
    }

    /** max(x, 0); its derivative at 0 is taken as 0, as in PyTorch. */
    public Tensor relu() {
        Tensor out = unary(Unary.RELU);
        return record("relu", out, saves(out), this, g -> g.reluBackward(out));
    }

    // relu's backward, fused (one pass instead of a comparison and a product): g where out > 0,
    // else 0 (PyTorch's threshold_backward: a NaN out passes g). Linear in g, and the mask is a
    // constant (relu'' = 0), so its derivative is itself.
    private Tensor reluBackward(Tensor out) {
        Tensor r = Compute.reluBackward(this, out);
        if (r == null) r = mul(out.le(0).rsub(1)); // strided or broadcast operands
        return record("reluBackward", r, saves(out), this, h -> h.reluBackward(out));
    }

    /** Sine. */
    public Tensor sin() {
        Tensor out = unary(Unary.SIN);
        return record("sin", out, saves(this), this, g -> g.mul(cos()));
    }

    /** Cosine. */
    public Tensor cos() {
        Tensor out = unary(Unary.COS);
        return record("cos", out, saves(this), this, g -> g.mul(sin()).neg());
    }

    /** x for x > 0, slope·x otherwise. */
    public Tensor leakyRelu(double slope) {
        return where(gt(0), this, mul(slope));
    }

    /** x·x. */
    public Tensor square() {
        return mul(this);
    }

    /** 1/x. */
    public Tensor reciprocal() {
        return rdiv(1);
    }

    /**
     * x limited to [min, max] (either may be ±∞). The gradient passes where min ≤ x ≤ max, as in
     * PyTorch.
     */
    public Tensor clamp(double min, double max) {
        requireFloating("clamp");
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
        Tensor out;
        try (var s = GradMode.noGrad()) {
            out = Compute.binary("clamp", Binary.MIN, Compute.binary("clamp", Binary.MAX, this, scalarLike(min)), scalarLike(max));
        }
        return record("clamp", out, saves(this), this, g -> g.mul(ge(min).mul(le(max))));
    }

    /** max(x, min). */
    public Tensor clampMin(double min) {
        return clamp(min, Double.POSITIVE_INFINITY);
    }

    /** min(x, max). */
    public Tensor clampMax(double max) {
        return clamp(Double.NEGATIVE_INFINITY, max);
    }

    // ---------------------------------------------------------------- elementwise (binary, broadcasting)

    /** A 0-d tensor of this tensor's type holding v. */
    Tensor scalarLike(double v) {
        return empty(dtype(), new int[0]).fillRaw(v);
    }

    /** x + y, broadcasting. */
    public Tensor add(Tensor y) {
        Tensor out = Compute.binary("add", Binary.ADD, this, y);
        return record("add", out, NOTHING, this, g -> g.sumTo(shape), y, g -> g.sumTo(y.shape));
    }

    /** x + c. */
    public Tensor add(double c) {
        return add(scalarLike(c));
    }

    /** x − y, broadcasting. */
    public Tensor sub(Tensor y) {
        Tensor out = Compute.binary("sub", Binary.SUB, this, y);
        return record("sub", out, NOTHING, this, g -> g.sumTo(shape), y, g -> g.neg().sumTo(y.shape));
    }

    /** x − c. */
    public Tensor sub(double c) {
        return sub(scalarLike(c));
    }

    /** c − x. */
    public Tensor rsub(double c) {
        return scalarLike(c).sub(this);
    }

    /** x · y elementwise, broadcasting. */
    public Tensor mul(Tensor y) {
        Tensor out = Compute.binary("mul", Binary.MUL, this, y);
        return record("mul", out, saves(this, y), this, g -> g.mul(y).sumTo(shape), y, g -> g.mul(this).sumTo(y.shape));
    }

    /** x · c. */
    public Tensor mul(double c) {
        return mul(scalarLike(c));
    }

    /** x / y elementwise, broadcasting. */
    public Tensor div(Tensor y) {
        Tensor out = Compute.binary("div", Binary.DIV, this, y);
        return record("div", out, saves(this, y), this, g -> g.div(y).sumTo(shape),
                y, g -> g.mul(this).div(y.mul(y)).neg().sumTo(y.shape));
    }

    /** x / c. */
    public Tensor div(double c) {
        return div(scalarLike(c));
    }

    /** c / x. */
    public Tensor rdiv(double c) {
        return scalarLike(c).div(this);
    }

    /** xᵖ for a constant exponent. */
    public Tensor pow(double p) {
        requireFloating("pow");
        Tensor out = Compute.binary("pow", Binary.POW, this, scalarLike(p));
        return record("pow", out, saves(this), this, g -> p == 0 ? g.zerosLike() : g.mul(pow(p - 1).mul(p)));
    }

    /**
     * xʸ elementwise, broadcasting. As in PyTorch, the gradient with respect to x is 0 where
     * y = 0, and the one with respect to y is 0 where x = 0 and y ≥ 0.
     */
    public Tensor pow(Tensor y) {
        Tensor out = Compute.binary("pow", Binary.POW, this, y);
        return record("pow", out, saves(this, y, out),
                this, g -> where(y.eq(0), g.scalarLike(0), g.mul(y).mul(pow(y.sub(1)))).sumTo(shape),
                y, g -> where(eq(0).mul(y.ge(0)), g.scalarLike(0), g.mul(out).mul(log())).sumTo(y.shape));
    }

    /** The larger of x and y elementwise; on ties each gets half the gradient, as in PyTorch. */
    public Tensor maximum(Tensor y) {
        Tensor out = Compute.binary("maximum", Binary.MAX, this, y);
        return record("maximum", out, saves(this, y), this, g -> g.mul(winnerWeight(this, y, true)).sumTo(shape),
                y, g -> g.mul(winnerWeight(y, this, true)).sumTo(y.shape));
    }

    /** The smaller of x and y elementwise; on ties each gets half the gradient. */
    public Tensor minimum(Tensor y) {
        Tensor out = Compute.binary("minimum", Binary.MIN, this, y);
        return record("minimum", out, saves(this, y), this, g -> g.mul(winnerWeight(this, y, false)).sumTo(shape),
                y, g -> g.mul(winnerWeight(y, this, false)).sumTo(y.shape));
    }

    // 1 where a wins, ½ on a tie, 0 where it loses: a constant, so higher derivatives vanish.
    private static Tensor winnerWeight(Tensor a, Tensor b, boolean max) {
        return (max ? a.gt(b) : a.lt(b)).add(a.eq(b).mul(0.5));
    }

    private Tensor compare(String name, Binary op, Tensor y) {
        if (dtype() == DType.INT64 && y.dtype() == DType.INT64) {
            return toType(DType.FLOAT64).compare(name, op, y.toType(DType.FLOAT64));
        }
        try (var s = GradMode.noGrad()) {
            return Compute.binary(name, op, this, y);
        }
    }

    /** 1 where x = y, else 0 (a mask of the operands' float type; int64 gives float64). */
    public Tensor eq(Tensor y) {
        return compare("eq", Binary.EQ, y);
    }

    /** 1 where x ≠ y, else 0. */
    public Tensor ne(Tensor y) {
        return compare("ne", Binary.NE, y);
    }

    /** 1 where x &lt; y, else 0. */
    public Tensor lt(Tensor y) {
        return compare("lt", Binary.LT, y);
    }

    /** 1 where x ≤ y, else 0. */
    public Tensor le(Tensor y) {
        return compare("le", Binary.LE, y);
    }

    /** 1 where x &gt; y, else 0. */
    public Tensor gt(Tensor y) {
        return compare("gt", Binary.GT, y);
    }

    /** 1 where x ≥ y, else 0. */
    public Tensor ge(Tensor y) {
        return compare("ge", Binary.GE, y);
    }

    /** 1 where x = c. */
    public Tensor eq(double c) {
        return eq(scalarLike(c));
    }

    /** 1 where x ≠ c. */
    public Tensor ne(double c) {
        return ne(scalarLike(c));
    }

    /** 1 where x &lt; c. */
    public Tensor lt(double c) {
        return lt(scalarLike(c));
    }

    /** 1 where x ≤ c. */
    public Tensor le(double c) {
        return le(scalarLike(c));
    }

    /** 1 where x &gt; c. */
    public Tensor gt(double c) {
        return gt(scalarLike(c));
    }

    /** 1 where x ≥ c. */
    public Tensor ge(double c) {
        return ge(scalarLike(c));
    }

    /** a where cond is nonzero, b elsewhere, broadcasting all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        DType dt = DType.promote("where", a.dtype(), b.dtype());
        Tensor x = a.toType(dt), y = b.toType(dt);
        Tensor out = Compute.where(cond, x, y);
        Tensor zero = x.scalarLike(0);
        return record("where", out, saves(cond), x, g -> where(cond, g, zero).sumTo(x.shape),
                y, g -> where(cond, zero, g).sumTo(y.shape));
    }

    // ---------------------------------------------------------------- reductions

    private boolean[] dimMask(String op, int[] dims) {
        boolean[] m = new boolean[shape.length];
        if (dims.length == 0) Arrays.fill(m, true);
        for (int d : dims) {
            int n = Shape.dim(op, d, shape.length);
            if (shape.length > 0 && m[n] && dims.length > 0 && countOf(dims, d, shape.length) > 1) {
                throw new IllegalArgumentException(op + ": dim " + d + " appears more than once in " + Arrays.toString(dims));
            }
            if (shape.length > 0) m[n] = true;
        }
        return m;
    }

    private static int countOf(int[] dims, int d, int rank) {
        int n = 0, target = d < 0 ? d + rank : d;
        for (int x : dims) if ((x < 0 ? x + rank : x) == target) n++;
        return n;
    }

    // The gradient of a reduction, reshaped with the reduced dims back as size 1, then expanded.
    private Tensor unreduce(Tensor g, boolean[] reduced, boolean keepdim) {
        return (keepdim ? g : g.reshape(Compute.outShape(shape, reduced, true))).expand(shape);
    }

    /** Sum of all elements (a 0-d tensor). */
    public Tensor sum() {
        return sum(new int[0], false);
    }

    /** Sum over one dim. */
    public Tensor sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    /** Sum over the given dims (all dims when empty). */
    public Tensor sum(int[] dims, boolean keepdim) {
        requireFloating("sum");
        boolean[] reduced = dimMask("sum", dims);
        Tensor out = Compute.reduce(Reduce.SUM, this, reduced, keepdim);
        return record("sum", out, NOTHING, this, g -> unreduce(g, reduced, keepdim));
    }

    /**
     * Sums this tensor down to {@code target}, a shape it was broadcast from: over the leading
     * dims and over the dims where target has size 1. The inverse of broadcasting, used by the
     * derivatives of the broadcasting ops.
     */
    public Tensor sumTo(int[] target) {
        if (Arrays.equals(shape, target)) return this;
        int lead = shape.length - target.length;
        if (lead < 0) throw new IllegalArgumentException("sumTo: " + Shape.str(shape) + " cannot sum to larger rank " + Shape.str(target));
        boolean[] reduced = new boolean[shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (d < lead) reduced[d] = true;
            else if (target[d - lead] == 1 && shape[d] != 1) reduced[d] = true;
            else if (target[d - lead] != shape[d]) {
                throw new IllegalArgumentException("sumTo: " + Shape.str(shape) + " was not broadcast from " + Shape.str(target));
            }
        }
        int[] dims = new int[0];
        for (int d = 0; d < shape.length; d++) if (reduced[d]) dims = append(dims, d);
        Tensor s = dims.length == 0 ? this : sum(dims, true);
        return s.reshape(target);
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }

    private int countOver(boolean[] reduced) {
        int n = 1;
        for (int d = 0; d < shape.length; d++) if (reduced[d]) n *= shape[d];
        return n;
    }

    /** Mean of all elements. */
    public Tensor mean() {
        return mean(new int[0], false);
    }

    /** Mean over one dim. */
    public Tensor mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    /** Mean over the given dims (all when empty). */
    public Tensor mean(int[] dims, boolean keepdim) {
        int n = countOver(dimMask("mean", dims));
        if (n == 0) throw new IllegalArgumentException("mean: reducing " + Shape.str(shape) + " over an empty dim");
        return sum(dims, keepdim).div(n);
    }

    /** Unbiased variance (divides by n−1) of all elements. */
    public Tensor var() {
        return var(new int[0], 1, false);
    }

    /** Unbiased variance over one dim. */
    public Tensor var(int dim, boolean keepdim) {
        return var(new int[] {dim}, 1, keepdim);
    }

    /**
     * Variance over the given dims dividing by n − correction (1: unbiased, 0: the population
     * variance that batch normalization uses). Two-pass, so large offsets do not cancel.
     */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        int n = countOver(dimMask("var", dims));
        if (n - correction <= 0) {
            throw new IllegalArgumentException("var: " + n + " values over dims " + Arrays.toString(dims) + " of "
                    + Shape.str(shape) + " with correction " + correction + " leave no degrees of freedom");
        }
        Tensor centered = sub(mean(dims, true));
        return centered.mul(centered).sum(dims, keepdim).div(n - correction);
    }

    /** Unbiased standard deviation of all elements. */
    public Tensor std() {
        return var().sqrt();
    }

    /** Standard deviation over the given dims (see {@link #var(int[], int, boolean)}). */
    public Tensor std(int[] dims, int correction, boolean keepdim) {
        return var(dims, correction, keepdim).sqrt();
    }

    /** Largest element. On ties the gradient is shared equally, as in PyTorch. */
    public Tensor max() {
        return amax(new int[0], false);
    }

    /** Smallest element. */
    public Tensor min() {
        return amin(new int[0], false);
    }

    /** Largest value over the given dims; the gradient is shared equally among ties. */
    public Tensor amax(int[] dims, boolean keepdim) {
        return extreme("amax", Reduce.MAX, dims, keepdim);
    }

    /** Smallest value over the given dims; the gradient is shared equally among ties. */
    public Tensor amin(int[] dims, boolean keepdim) {
        return extreme("amin", Reduce.MIN, dims, keepdim);
    }

    private Tensor extreme(String name, Reduce op, int[] dims, boolean keepdim) {
        requireFloating(name);
        boolean[] reduced = dimMask(name, dims);
        Tensor out = Compute.reduce(op, this, reduced, keepdim);
        return record(name, out, saves(this, out), this, g -> {
            Tensor hit = eq(keepdim ? out : out.reshape(Compute.outShape(shape, reduced, true)));
            int[] all = new int[0];
            for (int d = 0; d < shape.length; d++) if (reduced[d]) all = append(all, d);
            Tensor count = hit.sum(all, true);
            return unreduce(g, reduced, keepdim).mul(hit).div(count);
        });
    }

    /** The values and int64 indices of a max or min along one dim. */
    public record ValuesIndices(Tensor values, Tensor indices) {}

    /** Max along dim with its index (first on ties); the gradient goes to that index. */
    public ValuesIndices max(int dim, boolean keepdim) {
        Tensor idx = argmax(dim, true);
        Tensor v = gather(Shape.dim("max", dim, shape.length), idx);
        return new ValuesIndices(keepdim ? v : v.squeeze(dim), keepdim ? idx : idx.squeeze(dim));
    }

    /** Min along dim with its index (first on ties). */
    public ValuesIndices min(int dim, boolean keepdim) {
        Tensor idx = argmin(dim, true);
        Tensor v = gather(Shape.dim("min", dim, shape.length), idx);
        return new ValuesIndices(keepdim ? v : v.squeeze(dim), keepdim ? idx : idx.squeeze(dim));
    }

    /** Index of the largest element of the flattened tensor (int64 scalar). */
    public Tensor argmax() {
        return reshape(-1).argmax(0, false);
    }

    /** Index of the smallest element of the flattened tensor. */
    public Tensor argmin() {
        return reshape(-1).argmin(0, false);
    }

    /** Indices of the largest values along dim (first occurrence on ties), int64. */
    public Tensor argmax(int dim, boolean keepdim) {
        return Compute.argExtreme(this, Shape.dim("argmax", dim, shape.length), true, keepdim);
    }

    /** Indices of the smallest values along dim, int64. */
    public Tensor argmin(int dim, boolean keepdim) {
        return Compute.argExtreme(this, Shape.dim("argmin", dim, shape.length), false, keepdim);
    }

    // The max along dim (kept as size 1) as a constant: it cancels in every gradient below.
    // An all −∞ or infinite max is replaced by 0 so that x − max never computes ∞ − ∞.
    private Tensor stableShift(String op, int dim) {
        Tensor m = amax(new int[] {Shape.dim(op, dim, shape.length)}, true).detach();
        return where(m.abs().eq(Double.POSITIVE_INFINITY), m.scalarLike(0), m);
    }

    /** log Σ exp(x) over dim, stable: shifted by the max. All −∞ gives −∞, never NaN. */
    public Tensor logsumexp(int dim, boolean keepdim) {
        Tensor m = stableShift("logsumexp", dim);
        Tensor lse = sub(m).exp().sum(dim, true).log().add(m);
        return keepdim ? lse : lse.squeeze(dim);
    }

    /** softmax along dim: exp(x − max) / Σ exp(x − max), finite for any finite input. */
    public Tensor softmax(int dim) {
        Tensor e = sub(stableShift("softmax", dim)).exp();
        return e.div(e.sum(dim, true));
    }

    /**
     * log softmax along dim, (x − max) − log Σ exp(x − max): stable for huge and tiny logits,
     * and without rounding the log-sum-exp at the scale of the largest logit.
     */
    public Tensor logSoftmax(int dim) {
        Tensor shifted = sub(stableShift("logSoftmax", dim));
        return shifted.sub(shifted.exp().sum(dim, true).log());
    }

    // ---------------------------------------------------------------- matmul

    /**
     * Matrix product with NumPy semantics: 1-D operands are promoted to a row (left) or column
     * (right) vector and the added dim removed again; leading batch dims broadcast.
     */
    public Tensor matmul(Tensor y) {
        if (shape.length == 0 || y.shape.length == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least one dim, got "
                    + Shape.str(shape) + " @ " + Shape.str(y.shape) + "; use mul for scalars");
        }
        // checked before 1-D operands are promoted, so that the message names the caller's shapes
        int k = shape[shape.length - 1], k2 = y.shape[Math.max(y.shape.length - 2, 0)];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: " + Shape.str(shape) + " @ " + Shape.str(y.shape)
                    + ": inner dimensions " + k + " and " + k2 + " differ");
        }
        if (shape.length == 1 && y.shape.length == 1) return unsqueeze(0).matmul(y).squeeze(0).squeeze(0);
        if (shape.length == 1) return unsqueeze(0).matmul(y).squeeze(-2);
        if (y.shape.length == 1) return matmul(y.unsqueeze(1)).squeeze(-1);
        DType dt = DType.promote("matmul", dtype(), y.dtype());
        Tensor a = toType(dt), b = y.toType(dt);
        if (a.shape.length == 2 && b.shape.length == 2) return a.mm(b);
        int m = a.size(-2), n = b.size(-1);
        if (b.shape.length == 2) { // [..., m, k] @ [k, n]: one GEMM over all rows
            int[] outShape = Arrays.copyOf(a.shape, a.shape.length);
            outShape[outShape.length - 1] = n;
            return a.reshape(-1, k).mm(b).reshape(outShape);
        }
        int[] batchA = Arrays.copyOf(a.shape, a.shape.length - 2), batchB = Arrays.copyOf(b.shape, b.shape.length - 2);
        int[] batch = Shape.broadcast("matmul", batchA, batchB);
        int nb = Shape.numel(batch);
        Tensor a3 = a.expand(concat(batch, new int[] {m, k})).reshape(nb, m, k);
        Tensor b3 = b.expand(concat(batch, new int[] {k, n})).reshape(nb, k, n);
        return a3.mm(b3).reshape(concat(batch, new int[] {m, n}));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    // The primitive: two rank-2 or two rank-3 operands of one type.
    private Tensor mm(Tensor y) {
        Tensor out = Compute.matmul(this, y);
        // For a transposed y (a Linear layer's weight.t()), its gradient is computed as (gᵀ·x)ᵀ:
        // the same numbers, laid out so that the weight's own gradient comes out contiguous
        // instead of needing a transposing copy.
        boolean yTransposed = y.strides[y.shape.length - 2] == 1 && y.shape[y.shape.length - 2] > 1
                && y.strides[y.shape.length - 1] != 1;
        return record("matmul", out, saves(this, y), this, g -> g.matmul(y.mT()),
                y, g -> yTransposed ? g.mT().matmul(this).mT() : mT().matmul(g));
    }

    // ---------------------------------------------------------------- convolution and pooling (NCHW)

    /**
     * 2-D convolution (cross-correlation, as in PyTorch's F.conv2d) of this input [N, C, H, W]
     * (or [C, H, W]) with weight [O, C/groups, kh, kw] plus bias [O] (may be null); the result is
     * [N, O, Ho, Wo] with Ho = ⌊(H + pad_top + pad_bottom − dilation·(kh − 1) − 1)/stride⌋ + 1.
     * stride and dilation: 1 value or {height, width}; padding: 1 value, {height, width} (both
     * sides) or {top, bottom, left, right}, so that "same" padding with an even kernel fits.
     *
     * <p>Computed by im2col and the GEMM kernel, spread over the batch. The derivatives are
     * primitives too, each the adjoint of the convolution in one argument (input: a transposed
     * convolution; weight: a GEMM summed over the batch), and differentiable again, so second
     * derivatives through convolutions work.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        if (shape.length == 3) return unsqueeze(0).conv2d(weight, bias, stride, padding, dilation, groups).squeeze(0);
        requireFloating("conv2d");
        checkSameType("conv2d", weight, bias);
        Conv.Geometry g = Conv.geometry("conv2d", shape, weight.shape, stride, padding, dilation, groups);
        if (bias != null && (bias.shape.length != 1 || bias.shape[0] != g.o())) {
            throw new IllegalArgumentException("conv2d: bias of shape " + Shape.str(bias.shape) + " must be [" + g.o()
                    + "], one value per output channel of weight " + Shape.str(weight.shape));
        }
        return conv(weight, bias, g);
    }

    /** {@link #conv2d(Tensor, Tensor, int[], int[], int[], int)} with one stride and padding for both dims, no dilation, one group. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(weight, bias, new int[] {stride}, new int[] {padding}, new int[] {1}, 1);
    }

    /**
     * Transposed 2-D convolution (PyTorch's F.conv_transpose2d): the adjoint of conv2d with the
     * same weight, input [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw], bias [Cout] or null;
     * output size (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
     */
    public Tensor convTranspose2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                                  int[] dilation, int groups) {
        if (shape.length == 3) {
            return unsqueeze(0).convTranspose2d(weight, bias, stride, padding, outputPadding, dilation, groups).squeeze(0);
        }
        String op = "convTranspose2d";
        requireFloating(op);
        checkSameType(op, weight, bias);
        if (shape.length != 4 || weight.shape.length != 4) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(shape) + " and weight " + Shape.str(weight.shape)
                    + " must be [batch, in_channels, height, width] and [in_channels, out_channels/groups, kh, kw]");
        }
        if (groups < 1 || weight.shape[0] != shape[1] || shape[1] % groups != 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(shape) + " has " + shape[1] + " channels; weight "
                    + Shape.str(weight.shape) + " needs dim 0 = in_channels = " + shape[1] + " and groups " + groups + " dividing it");
        }
        int[] s = Conv.pair(op, "stride", stride, 1), p = Conv.pair(op, "padding", padding, 0);
        int[] d = Conv.pair(op, "dilation", dilation, 1), op2 = Conv.pair(op, "output padding", outputPadding, 0);
        if (op2[0] >= Math.max(s[0], d[0]) || op2[1] >= Math.max(s[1], d[1])) {
            throw new IllegalArgumentException(op + ": output padding " + Arrays.toString(op2)
                    + " must be smaller than the stride or the dilation (" + Arrays.toString(s) + ", " + Arrays.toString(d) + ")");
        }
        int cout = weight.shape[1] * groups;
        int h = (shape[2] - 1) * s[0] - 2 * p[0] + d[0] * (weight.shape[2] - 1) + op2[0] + 1;
        int w = (shape[3] - 1) * s[1] - 2 * p[1] + d[1] * (weight.shape[3] - 1) + op2[1] + 1;
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(shape) + " with weight " + Shape.str(weight.shape)
                    + " and padding " + Arrays.toString(p) + " gives an output of " + h + "x" + w + "; use less padding");
        }
        if (bias != null && (bias.shape.length != 1 || bias.shape[0] != cout)) {
            throw new IllegalArgumentException(op + ": bias of shape " + Shape.str(bias.shape) + " must be [" + cout + "]");
        }
        // the convolution this one is the adjoint of: from [N, Cout, h, w] to this input's shape
        Conv.Geometry g = new Conv.Geometry(shape[0], cout, h, w, shape[1], weight.shape[2], weight.shape[3], s[0], s[1],
                p[0], p[1], d[0], d[1], groups, shape[2], shape[3]);
        Tensor out = convInput(weight, g);
        return bias == null ? out : out.add(bias.reshape(1, cout, 1, 1));
    }

    private void checkSameType(String op, Tensor weight, Tensor bias) {
        if (weight.dtype() != dtype() || (bias != null && bias.dtype() != dtype())) {
            throw new IllegalArgumentException(op + ": input is " + dtype() + " but weight is " + weight.dtype()
                    + (bias == null ? "" : " and bias " + bias.dtype()) + "; convert them to one type (Layer.toType or Tensor.toType)");
        }
    }

    // The primitive y = conv(x, w) + b; its derivatives are the two adjoints below and a sum.
    private Tensor conv(Tensor w, Tensor b, Conv.Geometry g) {
        Tensor x = this;
        Tensor out = Conv.forward(x, w, b, g);
        Derivative dx = gy -> gy.convInput(w, g);
        Derivative dw = gy -> x.convWeight(gy, g);
        if (b == null) return record("conv2d", out, saves(x, w), x, dx, w, dw);
        return record("conv2d", out, saves(x, w), new Tensor[] {x, w, b},
                new Derivative[] {dx, dw, gy -> gy.channelSum()});
    }

    // The bias gradient of conv: this [N, C, H, W] summed over all dims but the channels, in one
    // pass over the NCHW layout (the generic sum would first copy to channels-last). Its
    // derivative broadcasts back.
    private Tensor channelSum() {
        int[] s = shape;
        Tensor out = Conv.channelSum(this);
        return record("channelSum", out, NOTHING, this, h -> h.reshape(1, s[1], 1, 1).expand(s));
    }

    // The input gradient of conv (this = gy): a transposed convolution. Bilinear in (gy, w), so
    // its derivatives are conv (in gy) and the weight gradient (in w).
    private Tensor convInput(Tensor w, Conv.Geometry g) {
        Tensor gy = this;
        Tensor out = Conv.inputGrad(gy, w, g);
        return record("conv2dInputGrad", out, saves(gy, w), gy, h -> h.conv(w, null, g), w, h -> h.convWeight(gy, g));
    }

    // The weight gradient of conv (this = x), summed over the batch; bilinear in (x, gy).
    private Tensor convWeight(Tensor gy, Conv.Geometry g) {
        Tensor x = this;
        Tensor out = Conv.weightGrad(x, gy, g);
        return record("conv2dWeightGrad", out, saves(x, gy), x, k -> gy.convInput(k, g), gy, k -> x.conv(k, null, g));
    }

    /**
     * 2-D max pooling of [N, C, H, W] (or [C, H, W]) as PyTorch's F.max_pool2d (ceil_mode off; see the overload):
     * kernel, stride (null or empty: the kernel) and padding are 1 value or {height, width};
     * padding counts as −∞ and may be at most half the kernel. The gradient goes to the first
     * maximum of each window.
     */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding) {
        return maxPool2d(kernel, stride, padding, false);
    }

    /**
     * {@link #maxPool2d(int[], int[], int[])} with PyTorch's ceil_mode: when on, the output size
     * rounds up, so a last, partial window covers the input's remainder (it must start inside the
     * input or the left padding).
     */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        if (shape.length == 3) return unsqueeze(0).maxPool2d(kernel, stride, padding, ceilMode).squeeze(0);
        requireFloating("maxPool2d");
        Conv.PoolGeometry p = Conv.poolGeometry("maxPool2d", shape, kernel, stride, padding, ceilMode, true);
        Conv.MaxPooled r = Conv.maxPool(this, p);
        int[] idx = r.argmax(), in = shape;
        return record("maxPool2d", r.values(), NOTHING, this, g -> g.scatterPlanes(idx, in));
    }

    /** Max pooling with a square window of size kernel, stride kernel, no padding (e.g. maxPool2d(2)). */
    public Tensor maxPool2d(int kernel) {
        return maxPool2d(new int[] {kernel}, null, new int[] {0});
    }

    /**
     * {@link #maxPool2d(int[], int[], int[])} and, as int64, the index of each maximum in its
     * input plane (ih·W + iw), as PyTorch's return_indices=True. A [C, H, W] input is batched as N = 1.
     */
    public ValuesIndices maxPool2dWithIndices(int[] kernel, int[] stride, int[] padding) {
        return maxPool2dWithIndices(kernel, stride, padding, false);
    }

    /** {@link #maxPool2dWithIndices(int[], int[], int[])} with PyTorch's ceil_mode. */
    public ValuesIndices maxPool2dWithIndices(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        Tensor x = shape.length == 3 ? unsqueeze(0) : this;
        requireFloating("maxPool2d");
        Conv.PoolGeometry p = Conv.poolGeometry("maxPool2d", x.shape, kernel, stride, padding, ceilMode, true);
        Conv.MaxPooled r = Conv.maxPool(x, p);
        int[] idx = r.argmax(), in = x.shape;
        Tensor values = record("maxPool2d", r.values(), NOTHING, x, g -> g.scatterPlanes(idx, in));
        long[] l = new long[idx.length];
        for (int i = 0; i < l.length; i++) l[i] = idx[i];
        Tensor indices = of(l, p.outputShape());
        return shape.length == 3 ? new ValuesIndices(values.squeeze(0), indices.squeeze(0)) : new ValuesIndices(values, indices);
    }

    // Max pooling's backward (this = g): adds g into zeros of shape in at the saved positions.
    // Linear; its derivative reads those positions back (gatherPlanes), and vice versa.
    private Tensor scatterPlanes(int[] idx, int[] in) {
        int[] gShape = shape;
        Tensor out = Conv.scatterPlanes(this, idx, in);
        return record("maxPool2dBackward", out, NOTHING, this, h -> h.gatherPlanes(idx, gShape));
    }

    private Tensor gatherPlanes(int[] idx, int[] outShape) {
        int[] in = shape;
        Tensor out = Conv.gatherPlanes(this, idx, outShape);
        return record("maxPool2dGather", out, NOTHING, this, g -> g.scatterPlanes(idx, in));
    }

    /**
     * 2-D average pooling as PyTorch's F.avg_pool2d (ceil_mode off; see the overload): kernel,
     * stride (null or empty: the kernel) and padding are 1 value or {height, width}. With countIncludePad (PyTorch's
     * default) the zero padding counts in the divisor, else only the input elements of the window.
     */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        return avgPool2d(kernel, stride, padding, false, countIncludePad);
    }

    /**
     * {@link #avgPool2d(int[], int[], int[], boolean)} with PyTorch's ceil_mode (see
     * {@link #maxPool2d(int[], int[], int[], boolean)}); a clipped window's divisor counts, with
     * countIncludePad, its part inside the padded input, as in PyTorch.
     */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        if (shape.length == 3) return unsqueeze(0).avgPool2d(kernel, stride, padding, ceilMode, countIncludePad).squeeze(0);
        requireFloating("avgPool2d");
        Conv.PoolGeometry p = Conv.poolGeometry("avgPool2d", shape, kernel, stride, padding, ceilMode, countIncludePad);
        return avgPool(p);
    }

    /** Average pooling with a square window of size kernel, stride kernel, no padding. */
    public Tensor avgPool2d(int kernel) {
        return avgPool2d(new int[] {kernel}, null, new int[] {0}, true);
    }

    // Average pooling and its adjoint: each is linear and the derivative of the other.
    private Tensor avgPool(Conv.PoolGeometry p) {
        Tensor out = Conv.avgPool(this, p);
        return record("avgPool2d", out, NOTHING, this, g -> g.avgPoolBackward(p));
    }

    private Tensor avgPoolBackward(Conv.PoolGeometry p) {
        Tensor out = Conv.avgPoolBackward(this, p);
        return record("avgPool2dBackward", out, NOTHING, this, h -> h.avgPool(p));
    }

    // ---------------------------------------------------------------- movement (views)

    private Tensor viewOf(int[] newShape, int[] newStrides, int newOffset) {
        return new Tensor(storage, newShape, newStrides, newOffset);
    }

    /**
     * Strides that view this tensor's memory as newShape, or null if a copy is needed: each
     * chunk of old dims that is contiguous among itself must split into whole new dims (the
     * algorithm of PyTorch's computeStride).
     */
    private int[] viewStrides(int[] newShape) {
        int[] out = new int[newShape.length];
        if (numel() == 0 || shape.length == 0) return Shape.contiguousStrides(newShape);
        int viewD = newShape.length - 1;
        long chunkBase = strides[shape.length - 1], tensorNumel = 1, viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            boolean chunkEnds = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase);
            if (!chunkEnds) continue;
            while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                out[viewD] = (int) (viewNumel * chunkBase);
                viewNumel *= newShape[viewD];
                viewD--;
            }
            if (viewNumel != tensorNumel) return null;
            if (d > 0) {
                chunkBase = strides[d - 1];
                tensorNumel = 1;
                viewNumel = 1;
            }
        }
        return viewD == -1 ? out : null;
    }

    private int[] inferShape(String op, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dim can be -1 in " + Arrays.toString(newShape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + s[i] + " in " + Arrays.toString(newShape));
            } else {
                known *= s[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(shape) + " (" + n
                        + " elements) into " + Arrays.toString(newShape));
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(shape) + " (" + n
                    + " elements) into " + Arrays.toString(newShape) + " (" + known + " elements)");
        }
        return s;
    }

    /** The same elements in a new shape (one size may be −1); a view when the strides allow. */
    public Tensor reshape(int... newShape) {
        int[] s = inferShape("reshape", newShape);
        if (Arrays.equals(s, shape)) return this;
        int[] st = viewStrides(s);
        Tensor out = st != null ? viewOf(s, st, offset) : contiguousRaw().viewOf(s, Shape.contiguousStrides(s), 0);
        int[] old = shape;
        return record("reshape", out, NOTHING, this, g -> g.reshape(old));
    }

    /** Like reshape, but refuses to copy: a view or an error. */
    public Tensor view(int... newShape) {
        int[] s = inferShape("view", newShape);
        if (viewStrides(s) == null) {
            throw new IllegalStateException("view: " + Shape.str(shape) + " with strides " + Arrays.toString(strides)
                    + " cannot be viewed as " + Shape.str(s) + " without copying; use reshape() or contiguous() first");
        }
        return reshape(s);
    }

    /** All dims flattened into one. */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** Dims start … end (inclusive) flattened into one. */
    public Tensor flatten(int start, int end) {
        int r = shape.length;
        if (r == 0) return reshape(1);
        int s = Shape.dim("flatten", start, r), e = Shape.dim("flatten", end, r);
        if (s > e) throw new IllegalArgumentException("flatten: start dim " + start + " after end dim " + end);
        int[] ns = new int[r - (e - s)];
        int j = 0;
        for (int d = 0; d < s; d++) ns[j++] = shape[d];
        int m = 1;
        for (int d = s; d <= e; d++) m *= shape[d];
        ns[j++] = m;
        for (int d = e + 1; d < r; d++) ns[j++] = shape[d];
        return reshape(ns);
    }

    /** The dims reordered: result dim i is this tensor's dim order[i]. */
    public Tensor permute(int... order) {
        Tensor out = permuteRaw(checkPermutation(order));
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) inverse[Shape.dim("permute", order[i], shape.length)] = i;
        return record("permute", out, NOTHING, this, g -> g.permute(inverse));
    }

    private int[] checkPermutation(int[] order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: " + order.length + " dims given for a tensor of rank "
                    + shape.length + " (" + Arrays.toString(order) + ")");
        }
        int[] p = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            p[i] = Shape.dim("permute", order[i], shape.length);
            if (seen[p[i]]) throw new IllegalArgumentException("permute: dim " + order[i] + " repeated in " + Arrays.toString(order));
            seen[p[i]] = true;
        }
        return p;
    }

    Tensor permuteRaw(int[] order) {
        int[] s = new int[order.length], st = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            s[i] = shape[order[i]];
            st[i] = strides[order[i]];
        }
        return viewOf(s, st, offset);
    }

    /** Dims d0 and d1 swapped. */
    public Tensor transpose(int d0, int d1) {
        int r = shape.length;
        int[] order = new int[r];
        for (int i = 0; i < r; i++) order[i] = i;
        int a = Shape.dim("transpose", d0, r), b = Shape.dim("transpose", d1, r);
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** The transpose of a matrix (rank ≤ 2). */
    public Tensor t() {
        if (shape.length > 2) {
            throw new IllegalArgumentException("t: expects a tensor of rank <= 2, got " + Shape.str(shape) + "; use transpose(d0, d1) or mT()");
        }
        return shape.length < 2 ? this : transpose(0, 1);
    }

    /** The last two dims swapped (matrix transpose of each matrix in a batch). */
    public Tensor mT() {
        if (shape.length < 2) throw new IllegalArgumentException("mT: needs rank >= 2, got " + Shape.str(shape));
        return transpose(-2, -1);
    }

    /**
     * Elements start, start+step, … below end along dim (negative start/end count from the end;
     * they are clamped to the dim's range, as in Python slicing). A view.
     */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shape.dim("slice", dim, shape.length);
        if (step <= 0) throw new IllegalArgumentException("slice: step " + step + " must be positive");
        int n = shape[d];
        int s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
        int e = Math.min(Math.max(end < 0 ? end + n : end, s), n);
        int len = (e - s + step - 1) / step;
        int[] ns = shape.clone(), st = strides.clone();
        ns[d] = len;
        st[d] = strides[d] * step;
        Tensor out = viewOf(ns, st, offset + s * strides[d]);
        int[] in = shape;
        return record("slice", out, NOTHING, this, g -> sliceBackward(g, in, d, s, step));
    }

    // The gradient of a slice: g placed into zeros of the input's shape; its own gradient is the slice.
    private static Tensor sliceBackward(Tensor g, int[] inShape, int dim, int start, int step) {
        Tensor out = empty(g.dtype(), inShape);
        int end = start + (g.shape[dim] - 1) * step + 1;
        Compute.copy(g, out.sliceRaw(dim, start, step, g.shape[dim]));
        return record("sliceBackward", out, NOTHING, g, gg -> gg.slice(dim, start, end, step));
    }

    private Tensor sliceRaw(int d, int start, int step, int len) {
        int[] ns = shape.clone(), st = strides.clone();
        ns[d] = len;
        st[d] = strides[d] * step;
        return viewOf(ns, st, offset + start * strides[d]);
    }

    /** length elements from start along dim; a view. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shape.dim("narrow", dim, shape.length);
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " length " + length
                    + " does not fit dim " + dim + " of size " + shape[d] + " in " + Shape.str(shape));
        }
        return slice(d, start, start + length, 1);
    }

    /** The sub-tensor at index along dim, with that dim removed; a view. */
    public Tensor select(int dim, int index) {
        int d = Shape.dim("select", dim, shape.length);
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IndexOutOfBoundsException("select: index " + index + " out of range for dim " + dim
                    + " of size " + shape[d]);
        }
        return slice(d, i, i + 1, 1).squeeze(d);
    }

    /** All dims of size 1 removed. */
    public Tensor squeeze() {
        int[] s = Arrays.stream(shape).filter(x -> x != 1).toArray();
        return reshape(s);
    }

    /** Dim d removed if its size is 1 (else unchanged, as in PyTorch). */
    public Tensor squeeze(int dim) {
        if (shape.length == 0) return this;
        int d = Shape.dim("squeeze", dim, shape.length);
        if (shape[d] != 1) return this;
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) s[j++] = shape[i];
        return reshape(s);
    }

    /** A dim of size 1 inserted at position dim (0 … rank). */
    public Tensor unsqueeze(int dim) {
        int d = Shape.dim("unsqueeze", dim, shape.length + 1);
        int[] s = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == d ? 1 : shape[j++];
        return reshape(s);
    }

    /**
     * A view broadcast to a larger shape (size-1 dims repeated with stride 0, new leading dims
     * added); −1 keeps a size.
     */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length) {
            throw new IllegalArgumentException("expand: " + Shape.str(shape) + " to " + Arrays.toString(newShape)
                    + ": the target must have at least as many dims");
        }
        int lead = newShape.length - shape.length;
        int[] s = newShape.clone(), st = new int[newShape.length];
        for (int d = 0; d < newShape.length; d++) {
            int od = d - lead;
            if (od < 0) {
                if (s[d] < 0) throw new IllegalArgumentException("expand: -1 is not allowed for the new leading dim " + d);
                st[d] = 0;
            } else {
                if (s[d] == -1) s[d] = shape[od];
                if (shape[od] == s[d]) st[d] = strides[od];
                else if (shape[od] == 1) st[d] = 0;
                else {
                    throw new IllegalArgumentException("expand: " + Shape.str(shape) + " to " + Arrays.toString(newShape)
                            + ": dim " + od + " has size " + shape[od] + "; only size-1 dims can be expanded");
                }
            }
        }
        if (Arrays.equals(s, shape)) return this;
        Tensor out = viewOf(s, st, offset);
        int[] in = shape;
        return record("expand", out, NOTHING, this, g -> g.sumTo(in));
    }

    /** Expanded to another tensor's shape. */
    public Tensor expandAs(Tensor other) {
        return expand(other.shape);
    }

    /** A contiguous tensor with the same elements: this one if already contiguous, else a copy. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return record("contiguous", contiguousRaw(), NOTHING, this, g -> g);
    }

    Tensor contiguousRaw() {
        if (isContiguous()) return this;
        Tensor out = empty(dtype(), shape);
        Compute.copy(this, out);
        return out;
    }

    /** A copy with its own storage; gradients flow through it. */
    public Tensor copy() {
        Tensor out = empty(dtype(), shape);
        Compute.copy(this, out);
        if (!dtype().isFloating()) return out;
        return record("copy", out, NOTHING, this, g -> g);
    }

    // ---------------------------------------------------------------- joining and indexing

    /** Tensors joined along an existing dim; all other dims must match. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: needs at least one tensor");
        Tensor first = tensors.get(0);
        int d = Shape.dim("cat", dim, first.shape.length);
        DType dt = first.dtype();
        int total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.dtype() != dt && t.dtype().isFloating() && dt.isFloating()) dt = DType.FLOAT64;
            else if (t.dtype() != dt) throw new IllegalArgumentException("cat: tensor " + i + " is " + t.dtype() + ", tensor 0 is " + first.dtype());
            boolean ok = t.shape.length == first.shape.length;
            for (int k = 0; ok && k < t.shape.length; k++) ok = k == d || t.shape[k] == first.shape[k];
            if (!ok) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.str(t.shape)
                        + ", tensor 0 has " + Shape.str(first.shape) + "; all dims but dim " + dim + " must match");
            }
            total += t.shape[d];
        }
        int[] s = first.shape.clone();
        s[d] = total;
        Tensor out = empty(dt, s);
        Tensor[] inputs = new Tensor[tensors.size()];
        Derivative[] ders = new Derivative[tensors.size()];
        int off = 0;
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = tensors.get(i).toType(dt);
            int len = t.shape[d], start = off;
            Compute.copy(t, out.sliceRaw(d, start, 1, len));
            inputs[i] = t;
            ders[i] = g -> g.narrow(d, start, len);
            off += len;
        }
        return dt.isFloating() ? record("cat", out, NOTHING, inputs, ders) : out;
    }

    /** Tensors of one shape stacked along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: needs at least one tensor");
        int d = Shape.dim("stack", dim, tensors.get(0).shape.length + 1);
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (!Arrays.equals(tensors.get(i).shape, tensors.get(0).shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.str(tensors.get(i).shape)
                        + ", tensor 0 has " + Shape.str(tensors.get(0).shape) + "; all must be equal");
            }
            parts.add(tensors.get(i).unsqueeze(d));
        }
        return cat(parts, d);
    }

    /** Views of consecutive pieces of {@code size} along dim (the last may be smaller). */
    public List<Tensor> split(int size, int dim) {
        int d = Shape.dim("split", dim, shape.length);
        if (size <= 0) throw new IllegalArgumentException("split: size " + size + " must be positive");
        List<Tensor> out = new ArrayList<>();
        for (int s = 0; s < shape[d]; s += size) out.add(narrow(d, s, Math.min(size, shape[d] - s)));
        return out;
    }

    /** Views of pieces with the given sizes along dim (they must add up to the dim's size). */
    public List<Tensor> split(int[] sizes, int dim) {
        int d = Shape.dim("split", dim, shape.length);
        if (Arrays.stream(sizes).sum() != shape[d]) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " do not add up to dim "
                    + dim + " of size " + shape[d]);
        }
        List<Tensor> out = new ArrayList<>();
        int s = 0;
        for (int len : sizes) {
            out.add(narrow(d, s, len));
            s += len;
        }
        return out;
    }

    private void checkIndexRange(String op, long[] idx, int bound, int dim) {
        for (long i : idx) {
            if (i < -bound || i >= bound) {
                throw new IndexOutOfBoundsException(op + ": index " + i + " out of range for dim " + dim
                        + " of size " + bound + " in " + Shape.str(shape));
            }
        }
    }

    /** out[…i…] = x[…index[…i…]…] along dim, as torch.gather; index has x's rank. */
    public Tensor gather(int dim, Tensor index) {
        index.requireIndex("gather");
        int d = Shape.dim("gather", dim, shape.length);
        if (index.shape.length != shape.length) {
            throw new IllegalArgumentException("gather: index of shape " + Shape.str(index.shape)
                    + " must have the rank of the input " + Shape.str(shape));
        }
        for (int k = 0; k < shape.length; k++) {
            if (k != d && index.shape[k] > shape[k]) {
                throw new IllegalArgumentException("gather: index " + Shape.str(index.shape) + " is larger than input "
                        + Shape.str(shape) + " in dim " + k);
            }
        }
        long[] idx = index.toLongArray();
        checkIndexRange("gather", idx, shape[d], d);
        Tensor out = empty(dtype(), index.shape);
        int[] pos = new int[shape.length];
        for (int i = 0; i < idx.length; i++) {
            int src = offset, rem = i;
            for (int k = shape.length - 1; k >= 0; k--) {
                pos[k] = rem % index.shape[k];
                rem /= index.shape[k];
            }
            for (int k = 0; k < shape.length; k++) {
                int p = k == d ? (int) (idx[i] < 0 ? idx[i] + shape[d] : idx[i]) : pos[k];
                src += p * strides[k];
            }
            out.storage.set(i, storage.get(src));
        }
        int[] in = shape;
        return record("gather", out, saves(index), this, g -> zeros(g.dtype(), in).scatterAdd(d, index, g));
    }

    /** A copy of x with src added at the positions index gives along dim, as torch.scatter_add. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        index.requireIndex("scatterAdd");
        int d = Shape.dim("scatterAdd", dim, shape.length);
        if (!Arrays.equals(index.shape, src.shape) || index.shape.length != shape.length) {
            throw new IllegalArgumentException("scatterAdd: index " + Shape.str(index.shape) + " and src "
                    + Shape.str(src.shape) + " must have one shape, of the rank of the input " + Shape.str(shape));
        }
        long[] idx = index.toLongArray();
        checkIndexRange("scatterAdd", idx, shape[d], d);
        Tensor out = contiguousRaw().castRaw(DType.promote("scatterAdd", dtype(), src.dtype()));
        if (out == this) out = copyRaw();
        double[] vals = src.toDoubleArray();
        int[] os = Shape.contiguousStrides(shape);
        int[] pos = new int[shape.length];
        for (int i = 0; i < idx.length; i++) {
            int dst = 0, rem = i;
            for (int k = shape.length - 1; k >= 0; k--) {
                pos[k] = rem % index.shape[k];
                rem /= index.shape[k];
            }
            for (int k = 0; k < shape.length; k++) {
                dst += (k == d ? (int) (idx[i] < 0 ? idx[i] + shape[d] : idx[i]) : pos[k]) * os[k];
            }
            out.storage.set(dst, out.storage.get(dst) + vals[i]);
        }
        return record("scatterAdd", out, saves(index), this, g -> g, src, g -> g.gather(d, index));
    }

    private Tensor copyRaw() {
        Tensor out = empty(dtype(), shape);
        Compute.copy(this, out);
        return out;
    }

    /** The slices at the given int64 indices along dim, as torch.index_select. */
    public Tensor indexSelect(int dim, Tensor index) {
        index.requireIndex("indexSelect");
        if (index.shape.length != 1) throw new IllegalArgumentException("indexSelect: index must be 1-D, got " + Shape.str(index.shape));
        int d = Shape.dim("indexSelect", dim, shape.length);
        long[] idx = index.toLongArray();
        checkIndexRange("indexSelect", idx, shape[d], d);
        int[] s = shape.clone();
        s[d] = idx.length;
        Tensor out = empty(dtype(), s);
        boolean rows = d == 0 && isContiguous(); // e.g. a batch of examples: one arraycopy per row
        int rowLen = shape.length == 0 || shape[0] == 0 ? 0 : numel() / shape[0];
        for (int i = 0; i < idx.length; i++) {
            int j = (int) (idx[i] < 0 ? idx[i] + shape[d] : idx[i]);
            if (rows) System.arraycopy(storage.array, offset + j * rowLen, out.storage.array, i * rowLen, rowLen);
            else Compute.copy(sliceRaw(d, j, 1, 1), out.sliceRaw(d, i, 1, 1));
        }
        int[] in = shape;
        return dtype().isFloating()
                ? record("indexSelect", out, saves(index), this, g -> zeros(g.dtype(), in).indexAdd(d, index, g))
                : out;
    }

    /** A copy of x with the slices of source added at the given indices along dim (torch.index_add). */
    public Tensor indexAdd(int dim, Tensor index, Tensor source) {
        index.requireIndex("indexAdd");
        int d = Shape.dim("indexAdd", dim, shape.length);
        long[] idx = index.toLongArray();
        checkIndexRange("indexAdd", idx, shape[d], d);
        if (index.shape.length != 1 || source.shape.length != shape.length || source.shape[d] != idx.length) {
            throw new IllegalArgumentException("indexAdd: index " + Shape.str(index.shape) + " and source "
                    + Shape.str(source.shape) + " do not fit input " + Shape.str(shape) + " along dim " + dim);
        }
        DType dt = DType.promote("indexAdd", dtype(), source.dtype());
        Tensor out = castRaw(dt) == this ? copyRaw() : castRaw(dt);
        if (d == 0) {
            addRows(out, idx, source.castRaw(dt)); // e.g. the gradient of a lookup: one loop per row
        } else {
            Tensor src = source.castRaw(dt);
            for (int i = 0; i < idx.length; i++) {
                int j = (int) (idx[i] < 0 ? idx[i] + shape[d] : idx[i]);
                Tensor dst = out.sliceRaw(d, j, 1, 1);
                Compute.binaryInto(Binary.ADD, dst, src.sliceRaw(d, i, 1, 1), dst);
            }
        }
        return record("indexAdd", out, saves(index), this, g -> g, source, g -> g.indexSelect(d, index));
    }

    // ---------------------------------------------------------------- in place (optimizers, init)

    private void checkInPlace(String op) {
        if (requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place change of a tensor that requires grad (shape "
                    + Shape.str(shape) + ") while recording; do it inside GradMode.noGrad() (optimizers do),"
                    + " or use the out-of-place op");
        }
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                throw new IllegalStateException(op + ": in place on an expanded view " + Shape.str(shape)
                        + " would write one element many times; call contiguous() first");
            }
        }
    }

    private Tensor inPlace(String op, Binary fn, Tensor y) {
        checkInPlace(op);
        requireFloating(op);
        Shape.broadcast(op, shape, y.shape);
        if (!Arrays.equals(Shape.broadcast(op, shape, y.shape), shape)) {
            throw new IllegalArgumentException(op + ": " + Shape.str(y.shape) + " does not broadcast to the target "
                    + Shape.str(shape) + " of the in-place op");
        }
        Tensor src = y.storage == storage ? y.copyRaw() : y;
        src = src.castRaw(dtype());
        Compute.binaryInto(fn, this, src, this);
        storage.bumpVersion();
        return this;
    }

    /** x += y in place (y broadcast to x); returns x. */
    public Tensor addInPlace(Tensor y) {
        return inPlace("addInPlace", Binary.ADD, y);
    }

    /**
     * Adds the rows of source to the rows index names along dim 0, in place (the in-place
     * torch.index_add_); returns x. For optimizers that update only the rows of a row-sparse
     * gradient ({@link RowSparse}).
     */
    public Tensor indexAddInPlace(Tensor index, Tensor source) {
        checkInPlace("indexAddInPlace");
        requireFloating("indexAddInPlace");
        index.requireIndex("indexAddInPlace");
        long[] idx = index.toLongArray();
        checkIndexRange("indexAddInPlace", idx, shape.length == 0 ? 0 : shape[0], 0);
        if (index.shape.length != 1 || source.shape.length != shape.length || source.shape[0] != idx.length
                || !Arrays.equals(Arrays.copyOfRange(source.shape, 1, shape.length), Arrays.copyOfRange(shape, 1, shape.length))) {
            throw new IllegalArgumentException("indexAddInPlace: index " + Shape.str(index.shape) + " and source "
                    + Shape.str(source.shape) + " do not fit rows of " + Shape.str(shape));
        }
        addRows(this, idx, source.castRaw(dtype()));
        storage.bumpVersion();
        return this;
    }

    // dst[idx[i]] += src[i] for the rows (dim 0) of two tensors of one float type, in order of i
    private static void addRows(Tensor dst, long[] idx, Tensor src) {
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

    /** x −= y in place. */
    public Tensor subInPlace(Tensor y) {
        return inPlace("subInPlace", Binary.SUB, y);
    }

    /** x *= y in place. */
    public Tensor mulInPlace(Tensor y) {
        return inPlace("mulInPlace", Binary.MUL, y);
    }

    /** x *= c in place. */
    public Tensor mulInPlace(double c) {
        return inPlace("mulInPlace", Binary.MUL, scalarLike(c));
    }

    /** x /= y in place. */
    public Tensor divInPlace(Tensor y) {
        return inPlace("divInPlace", Binary.DIV, y);
    }

    /** Copies y (broadcast, converted to this type) into this tensor. */
    public Tensor copyFrom(Tensor y) {
        checkInPlace("copyFrom");
        if (!Arrays.equals(Shape.broadcast("copyFrom", shape, y.shape), shape)) {
            throw new IllegalArgumentException("copyFrom: source " + Shape.str(y.shape) + " does not broadcast to "
                    + Shape.str(shape));
        }
        Compute.copy(y.storage == storage ? y.copyRaw() : y, this);
        storage.bumpVersion();
        return this;
    }

    /** Sets one element (indices as in {@link #get}); in place, like the other in-place ops. */
    public Tensor set(double value, int... index) {
        checkInPlace("set");
        storage.set(flatIndex("set", index), value);
        storage.bumpVersion();
        return this;
    }

    /** Sets every element to value. */
    public Tensor fill(double value) {
        checkInPlace("fill");
        fillRaw(value);
        storage.bumpVersion();
        return this;
    }

    /** Sets every element to 0. */
    public Tensor zero() {
        return fill(0);
    }

    Tensor fillRaw(double value) {
        if (isContiguous()) {
            int n = numel();
            switch (dtype()) {
                case FLOAT32 -> Arrays.fill(storage.f(), offset, offset + n, (float) value);
                case FLOAT64 -> Arrays.fill(storage.d(), offset, offset + n, value);
                case INT64 -> Arrays.fill(storage.l(), offset, offset + n, (long) value);
            }
        } else {
            Compute.copy(full(dtype(), value), this);
        }
        return this;
    }

    // ---------------------------------------------------------------- comparison and printing

    /**
     * True when both have one shape and |x − y| ≤ atol + rtol·|y| everywhere (NaN equals
     * nothing), as torch.allclose.
     */
    public boolean allClose(Tensor other, double rtol, double atol) {
        if (!Arrays.equals(shape, other.shape)) return false;
        double[] a = toDoubleArray(), b = other.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) continue; // equal infinities
            if (Double.isInfinite(a[i]) || Double.isInfinite(b[i])) return false; // as torch.isclose
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
        }
        return true;
    }

    /** Equal type, shape and elements (bitwise, so NaN equals NaN); see allClose for tolerance. */
    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Tensor t) || t.dtype() != dtype() || !Arrays.equals(shape, t.shape)) return false;
        return switch (dtype()) {
            case FLOAT32 -> Arrays.equals(toFloatArray(), t.toFloatArray());
            case FLOAT64 -> Arrays.equals(toDoubleArray(), t.toDoubleArray());
            case INT64 -> Arrays.equals(toLongArray(), t.toLongArray());
        };
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(toDoubleArray());
    }

    /** Printed as PyTorch prints: {@code tensor([[1.0000, 2.5000], ...], dtype=float64, grad_fn=<mul>)}. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
