package dev.nabla.tensor;

import dev.nabla.kernel.ConvGeometry;
import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Unary;
import dev.nabla.tensor.internal.Internals;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An n-dimensional array of float32 (default), float64 or int64 values, row-major with strides,
 * that records the operations applied to it for reverse-mode automatic differentiation.
 *
 * <p>Operations run eagerly. When an input requires a gradient (and {@link GradMode} is on),
 * the result records the primitive op on a tape; {@link #backward()} walks it in reverse. This
 * class is a facade: each op's forward lives in a package-private family file (Factories, Views,
 * UnaryOps, BinaryOps, Reductions, Indexing, LinearAlgebra, Convolution, InPlace), the list of
 * recorded primitives is the {@code Op} enum, and the derivative of each is one rule of the
 * {@code Derivatives} table, written with differentiable tensor ops so that derivatives of
 * derivatives come for free. Everything else (mean, var, softmax, logsumexp,
 * neg, minimum, amin, stack, ...) is composed of the primitives and gets its gradient for free.
 *
 * <p>Views (reshape when possible, permute, transpose, slice, narrow, select, squeeze,
 * unsqueeze, expand) share storage with their base; {@link #contiguous()} copies only when
 * needed. In-place ops ({@code addInPlace}, {@code copyFrom}, ...) are for optimizers and
 * initializers; they bump a version counter so that autograd refuses a tensor it saved and that
 * was changed since.
 */
public final class Tensor {
    static {
        Internals.install(new TensorInternals());
    }

    final Storage storage;
    final int[] shape;
    final int[] strides;
    final int offset;
    // fixed with the view; asked for by every op, so computed once (a tenth of the Runge protocol's time went to such bookkeeping)
    private final int numel;
    private final boolean contiguous;

    private boolean requiresGrad;
    Node gradFn;
    private Tensor grad;
    private RowSparse sparseGrad; // the gradient while every contribution was row-sparse (then grad is null)
    private boolean retainsGrad;
    private List<UnaryOperator<Tensor>> hooks;

    Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this(storage, shape, strides, offset, Shape.numel(shape), false);
    }

    // numel given; known contiguous (a new row-major tensor, or a detached view of a contiguous
    // one): nothing to compute
    private Tensor(Storage storage, int[] shape, int[] strides, int offset, int numel, boolean rowMajor) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.numel = numel;
        this.contiguous = rowMajor || Views.isContiguous(this);
    }

    // ---------------------------------------------------------------- creation

    /** A new contiguous tensor of zeros. */
    static Tensor empty(DType dtype, int[] shape) {
        return allocate(dtype, shape, true);
    }

    /**
     * A new contiguous tensor whose elements are undefined (a reused array's old values): only for
     * an op that writes every element before anything reads one.
     */
    static Tensor uninitialized(DType dtype, int[] shape) {
        return allocate(dtype, shape, false);
    }

    private static Tensor allocate(DType dtype, int[] shape, boolean zeroed) {
        int n = Shape.numel(shape);
        Storage s = BufferPool.allocate(dtype, n, zeroed);
        Tensor t = new Tensor(s, shape, Shape.contiguousStrides(shape), 0, n, true);
        if (s.pass != null) s.owner = t;
        return t;
    }

    /** Zeros of the given shape, float32. */
    public static Tensor zeros(int... shape) { return zeros(DType.FLOAT32, shape); }
    /** Zeros of the given type and shape. */
    public static Tensor zeros(DType dtype, int... shape) { return empty(dtype, Shape.check("zeros", shape)); }
    /** Ones of the given shape, float32. */
    public static Tensor ones(int... shape) { return full(1, shape); }
    /** Ones of the given type and shape. */
    public static Tensor ones(DType dtype, int... shape) { return full(dtype, 1, shape); }
    /** A float32 tensor filled with {@code value}. */
    public static Tensor full(double value, int... shape) { return full(DType.FLOAT32, value, shape); }
    /** A tensor of the given type filled with {@code value}. */
    public static Tensor full(DType dtype, double value, int... shape) { return empty(dtype, Shape.check("full", shape)).fillRaw(value); }
    /** A 0-dimensional float32 tensor. */
    public static Tensor scalar(double value) { return full(DType.FLOAT32, value); }
    /** A 0-dimensional tensor of the given type. */
    public static Tensor scalar(DType dtype, double value) { return full(dtype, value); }
    /** Zeros with this tensor's shape and type. */
    public Tensor zerosLike() { return empty(dtype(), shape); }
    /** Ones with this tensor's shape and type. */
    public Tensor onesLike() { return empty(dtype(), shape).fillRaw(1); }
    /** 0, 1, …, end−1 as float32. */
    public static Tensor arange(double end) { return arange(DType.FLOAT32, 0, end, 1); }
    /** start, start+step, … up to but excluding end, as in PyTorch. */
    public static Tensor arange(DType dtype, double start, double end, double step) { return Factories.arange(dtype, start, end, step); }
    /** {@code steps} evenly spaced values from start to end inclusive, float32. */
    public static Tensor linspace(double start, double end, int steps) { return linspace(DType.FLOAT32, start, end, steps); }
    /** {@code steps} evenly spaced values from start to end inclusive. */
    public static Tensor linspace(DType dtype, double start, double end, int steps) { return Factories.linspace(dtype, start, end, steps); }
    /** The n×n identity matrix, float32. */
    public static Tensor eye(int n) { return eye(DType.FLOAT32, n); }
    /** The n×n identity matrix. */
    public static Tensor eye(DType dtype, int n) { return Factories.eye(dtype, n); }
    /** A float32 tensor holding a copy of {@code data} with the given shape (default: 1-D). */
    public static Tensor of(float[] data, int... shape) { return Factories.fromArray(DType.FLOAT32, data.clone(), data.length, shape); }
    /** A float64 tensor holding a copy of {@code data} with the given shape (default: 1-D). */
    public static Tensor of(double[] data, int... shape) { return Factories.fromArray(DType.FLOAT64, data.clone(), data.length, shape); }
    /** An int64 (index or label) tensor holding a copy of {@code data}. */
    public static Tensor of(long[] data, int... shape) { return Factories.fromArray(DType.INT64, data.clone(), data.length, shape); }
    /** An int64 (index or label) tensor from ints. */
    public static Tensor of(int[] data, int... shape) { return of(Arrays.stream(data).asLongStream().toArray(), shape); }
    /** A float32 matrix from rows of equal length. */
    public static Tensor of(float[][] rows) { return Factories.of(rows); }
    /** A float64 matrix from rows of equal length. */
    public static Tensor of(double[][] rows) { return Factories.of(rows); }
    /** Uniform in [0, 1), float32. */
    public static Tensor rand(Generator gen, int... shape) { return uniform(gen, DType.FLOAT32, 0, 1, shape); }
    /** Uniform in [0, 1). */
    public static Tensor rand(Generator gen, DType dtype, int... shape) { return uniform(gen, dtype, 0, 1, shape); }
    /** Standard normal, float32. */
    public static Tensor randn(Generator gen, int... shape) { return normal(gen, DType.FLOAT32, 0, 1, shape); }
    /** Standard normal. */
    public static Tensor randn(Generator gen, DType dtype, int... shape) { return normal(gen, dtype, 0, 1, shape); }
    /** Uniform in [low, high). */
    public static Tensor uniform(Generator gen, DType dtype, double low, double high, int... shape) { return Factories.uniform(gen, dtype, low, high, shape); }
    /** Normal with the given mean and standard deviation. */
    public static Tensor normal(Generator gen, DType dtype, double mean, double std, int... shape) { return Factories.normal(gen, dtype, mean, std, shape); }
    /** Uniform integers in [low, high) as int64. */
    public static Tensor randint(Generator gen, long low, long high, int... shape) { return Factories.randint(gen, low, high, shape); }
    /** A random permutation of 0 … n−1 as int64 (Fisher–Yates). */
    public static Tensor randperm(Generator gen, int n) { return Factories.randperm(gen, n); }
    /** One-hot rows (float32) for int64 class labels in [0, numClasses). */
    public static Tensor oneHot(Tensor labels, int numClasses) { return Factories.oneHot(labels, numClasses); }

    // ---------------------------------------------------------------- properties and data

    /** The sizes of the dimensions (a copy). */
    public int[] shape() { return shape.clone(); }
    /** The size of one dimension (negative dims count from the end). */
    public int size(int dim) { return shape[Shape.dim("size", dim, shape.length)]; }
    /** The number of dimensions (0 for a scalar). */
    public int dim() { return shape.length; }
    /** The number of elements. */
    public int numel() { return numel; }
    /** The element type. */
    public DType dtype() { return storage.dtype; }
    /** The strides in elements (a copy). */
    public int[] strides() { return strides.clone(); }
    /** True when the elements lie in row-major order without gaps. */
    public boolean isContiguous() { return contiguous; }

    /** The value of a one-element tensor. */
    public double item() { return Indexing.item(this); }

    /** The element at the given indices (one per dim; negative ones count from the end). */
    public double get(int... index) { return storage.get(Indexing.flatIndex(this, "get", index)); }

    /** The elements in row-major order as floats. */
    public float[] toFloatArray() { return (float[]) UnaryOps.elements(this, DType.FLOAT32); }
    /** The elements in row-major order as doubles. */
    public double[] toDoubleArray() { return (double[]) UnaryOps.elements(this, DType.FLOAT64); }
    /** The elements in row-major order as longs (values truncated toward zero). */
    public long[] toLongArray() { return (long[]) UnaryOps.elements(this, DType.INT64); }
    void requireIndex(String op) { Compute.requireIndex(this, op); }
    void requireFloating(String op) { if (!dtype().isFloating()) throw Compute.noArithmetic(op, this); }

    // ---------------------------------------------------------------- autograd

    /** True when gradients flow to this tensor. */
    public boolean requiresGrad() { return requiresGrad; }
    /**
     * Marks a leaf tensor as a variable whose gradient backward() accumulates into
     * {@link #grad()}; returns this.
     */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null && !flag) {
            throw new IllegalStateException("requiresGrad(false) on the result of " + gradFn.label
                    + ": only leaf tensors can change it; use detach() to cut the graph");
        }
        if (flag && !dtype().isFloating()) {
            throw new IllegalArgumentException("requiresGrad: only float tensors can require gradients, not " + dtype());
        }
        requiresGrad = flag;
        return this;
    }

    /** True for tensors created by the user rather than by a recorded op. */
    public boolean isLeaf() { return gradFn == null; }
    /** The name of the op that produced this tensor on the tape, or null for a leaf. */
    public String gradFn() { return gradFn == null ? null : gradFn.label; }
    /**
     * The accumulated gradient, or null if backward has not reached this tensor. A row-sparse
     * gradient ({@link #sparseGrad()}) is returned as a new dense tensor, so writing into it
     * changes nothing; use {@link #setGrad} or {@link #setSparseGrad} to replace it. The returned
     * tensor stays valid after {@code setGrad(null)} (zeroGrad): only a gradient no caller was given
     * has its array reused by the next backward pass.
     */
    public Tensor grad() {
        if (sparseGrad != null) return sparseGrad.toDense();
        if (grad != null) BufferPool.disown(grad);
        return grad;
    }
    /** {@link #grad()} for a caller inside nabla that keeps no reference to it (Internals.gradInPassing). */
    Tensor gradInPassing() { return sparseGrad != null ? sparseGrad.toDense() : grad; }
    /** The gradient as rows while every contribution to it was row-sparse (a sparse {@code Embedding}), else null. */
    public RowSparse sparseGrad() { return sparseGrad; }

    /** Replaces the accumulated gradient by a row-sparse one (null clears it). */
    public void setSparseGrad(RowSparse g) {
        if (g != null) Shape.checkGradShape("setSparseGrad", g.shape(), this);
        grad = null;
        sparseGrad = g;
    }

    /** Adds a row-sparse contribution to the gradient: kept as rows while the gradient has no dense part, added densely otherwise. */
    public void accumulateSparseGrad(RowSparse g) {
        if (grad != null) grad = grad.add(g.toDense());
        else sparseGrad = sparseGrad == null ? g : sparseGrad.plus(g);
    }
    /**
     * Replaces the accumulated gradient (null clears it). Clearing a gradient that backward made and
     * no caller was given ({@link #grad()}, a hook) hands its array to the next backward pass
     * (on any thread), which writes the new gradient there instead of allocating one.
     */
    public void setGrad(Tensor g) {
        if (g != null) {
            Shape.checkGradShape("setGrad", g.shape, this);
            BufferPool.disown(g);
        } else if (grad != null) {
            BufferPool.recycle(grad);
        }
        grad = g;
        sparseGrad = null;
    }

    /** Keeps the gradient of this non-leaf tensor in {@link #grad()} during backward. */
    public Tensor retainGrad() {
        if (!requiresGrad) throw new IllegalStateException("retainGrad on a tensor that does not require grad");
        retainsGrad = true;
        if (gradFn != null) gradFn.keep(this); // the node hands it the gradient
        return this;
    }

    boolean retainsGrad() { return retainsGrad; }
    /**
     * Registers a hook called with this tensor's gradient when backward computes it; it may
     * return a replacement gradient (or null to keep it).
     */
    public Tensor registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad) throw new IllegalStateException("registerHook on a tensor that does not require grad");
        if (hooks == null) hooks = new ArrayList<>();
        hooks.add(hook);
        if (gradFn != null) gradFn.keep(this); // the node hands it the gradient
        return this;
    }

    List<UnaryOperator<Tensor>> hooks() { return hooks == null ? List.of() : hooks; }
    void accumulateGrad(Tensor g) {
        if (sparseGrad != null) { // a dense contribution turns the whole gradient dense
            g = g.add(sparseGrad.toDense());
            sparseGrad = null;
        }
        if (grad == null) {
            grad = g;
        } else if (grad.storage.owner == grad && !grad.requiresGrad && !g.requiresGrad && grad.dtype() == g.dtype()) {
            // a gradient no caller was given (see BufferPool.recycle): the sum goes into its own array, as PyTorch's does
            Compute.binaryInto(Binary.ADD, grad, g, grad);
        } else {
            grad = grad.add(g);
        }
    }
    /** Backpropagates from this scalar: accumulates d(this)/d(leaf) into every leaf's grad. */
    public void backward() { backward(null, false, false); }
    /** Backpropagates {@code gradient} (the vector of a vector-Jacobian product). */
    public void backward(Tensor gradient) { backward(gradient, false, false); }
    /**
     * Backpropagates; {@code retainGraph} keeps the tape for another backward, and
     * {@code createGraph} records the backward pass itself so that gradients can be
     * differentiated again.
     */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Backprop.backward(this, gradient, retainGraph, createGraph, null);
    }
    /**
     * Backpropagates from this scalar into the grad of {@code inputs} only, as PyTorch's
     * {@code backward(inputs=...)}: the parts of the graph that lead to no input are skipped
     * (a GAN's generator update then computes no gradient for the discriminator's weights).
     */
    public void backward(java.util.List<Tensor> inputs) {
        Backprop.backward(this, null, false, false, java.util.Objects.requireNonNull(inputs, "backward: inputs"));
    }

    /** The same data, cut from the tape: no gradient flows through the result. */
    public Tensor detach() { return new Tensor(storage, shape, strides, offset, numel, contiguous); }
    // Makes this tensor the output of node n on the tape.
    void attach(Node n) {
        requiresGrad = true;
        gradFn = n;
        // recorded inside a backward pass (by a hook in grad mode): not the pass's to reuse, and its
        // storage must not hold it, and so its graph, for a view that outlives it
        if (storage.owner == this) {
            storage.owner = null;
            storage.pass = null;
        }
    }

    // ---------------------------------------------------------------- type

    /** This tensor converted to another type (a copy, or this when the type already matches). */
    public Tensor toType(DType dtype) { return UnaryOps.toType(this, dtype); }
    Tensor castRaw(DType dtype) { return dtype == dtype() ? this : Compute.copyAs(this, dtype); }

    // ---------------------------------------------------------------- elementwise (unary)

    /** −x. */
    public Tensor neg() { return UnaryOps.neg(this); }
    /** eˣ. */
    public Tensor exp() { return UnaryOps.map(this, Unary.EXP, Op.EXP); }
    /** Natural logarithm. */
    public Tensor log() { return UnaryOps.map(this, Unary.LOG, Op.LOG); }
    /** Square root. */
    public Tensor sqrt() { return UnaryOps.map(this, Unary.SQRT, Op.SQRT); }
    /** |x|; its derivative at 0 is taken as 0, as in PyTorch. */
    public Tensor abs() { return UnaryOps.map(this, Unary.ABS, Op.ABS); }
    /** −1, 0 or 1 (no gradient). */
    public Tensor sign() { return UnaryOps.unary(this, Unary.SIGN); }
    /** σ(x) = 1/(1+e^−x), exact 0 or 1 at the extremes, never NaN. */
    public Tensor sigmoid() { return UnaryOps.map(this, Unary.SIGMOID, Op.SIGMOID); }
    /** Hyperbolic tangent. */
    public Tensor tanh() { return UnaryOps.map(this, Unary.TANH, Op.TANH); }
    /** max(x, 0); its derivative at 0 is taken as 0, as in PyTorch. */
    public Tensor relu() { return UnaryOps.map(this, Unary.RELU, Op.RELU); }
    /** Sine. */
    public Tensor sin() { return UnaryOps.map(this, Unary.SIN, Op.SIN); }
    /** Cosine. */
    public Tensor cos() { return UnaryOps.map(this, Unary.COS, Op.COS); }
    /** x for x > 0, slope·x otherwise. */
    public Tensor leakyRelu(double slope) { return UnaryOps.leakyRelu(this, slope); }
    /** x·x. */
    public Tensor square() { return mul(this); }
    /** 1/x. */
    public Tensor reciprocal() { return rdiv(1); }
    /**
     * x limited to [min, max] (either may be ±∞). The gradient passes where min ≤ x ≤ max, as in
     * PyTorch.
     */
    public Tensor clamp(double min, double max) { return UnaryOps.clamp(this, min, max); }
    /** max(x, min). */
    public Tensor clampMin(double min) { return clamp(min, Double.POSITIVE_INFINITY); }
    /** min(x, max). */
    public Tensor clampMax(double max) { return clamp(Double.NEGATIVE_INFINITY, max); }

    // ---------------------------------------------------------------- elementwise (binary, broadcasting)

    /** A 0-d tensor of this tensor's type holding v. */
    Tensor scalarLike(double v) { return empty(dtype(), new int[0]).fillRaw(v); }
    /** x + y, broadcasting. */
    public Tensor add(Tensor y) { return BinaryOps.map(this, y, Binary.ADD, Op.ADD); }
    /** x + c. */
    public Tensor add(double c) { return add(scalarLike(c)); }
    /** x − y, broadcasting. */
    public Tensor sub(Tensor y) { return BinaryOps.map(this, y, Binary.SUB, Op.SUB); }
    /** x − c. */
    public Tensor sub(double c) { return sub(scalarLike(c)); }
    /** c − x. */
    public Tensor rsub(double c) { return scalarLike(c).sub(this); }
    /** x · y elementwise, broadcasting. */
    public Tensor mul(Tensor y) { return BinaryOps.map(this, y, Binary.MUL, Op.MUL); }
    /** x · c. */
    public Tensor mul(double c) { return mul(scalarLike(c)); }
    /** x / y elementwise, broadcasting. */
    public Tensor div(Tensor y) { return BinaryOps.map(this, y, Binary.DIV, Op.DIV); }
    /** x / c. */
    public Tensor div(double c) { return div(scalarLike(c)); }
    /** c / x. */
    public Tensor rdiv(double c) { return scalarLike(c).div(this); }
    /** xᵖ for a constant exponent. */
    public Tensor pow(double p) { return BinaryOps.pow(this, p); }
    /**
     * xʸ elementwise, broadcasting. As in PyTorch, the gradient with respect to x is 0 where
     * y = 0, and the one with respect to y is 0 where x = 0 and y ≥ 0.
     */
    public Tensor pow(Tensor y) { return BinaryOps.pow(this, y); }
    /** The larger of x and y elementwise; on ties each gets half the gradient, as in PyTorch. */
    public Tensor maximum(Tensor y) { return BinaryOps.map(this, y, Binary.MAX, Op.MAXIMUM); }
    /** The smaller of x and y elementwise; on ties each gets half the gradient. */
    public Tensor minimum(Tensor y) { return BinaryOps.minimum(this, y); }
    /** 1 where x = y, else 0 (a mask of the operands' float type; int64 gives float64). */
    public Tensor eq(Tensor y) { return BinaryOps.compare(this, "eq", Binary.EQ, y); }
    /** 1 where x ≠ y, else 0. */
    public Tensor ne(Tensor y) { return BinaryOps.compare(this, "ne", Binary.NE, y); }
    /** 1 where x &lt; y, else 0. */
    public Tensor lt(Tensor y) { return BinaryOps.compare(this, "lt", Binary.LT, y); }
    /** 1 where x ≤ y, else 0. */
    public Tensor le(Tensor y) { return BinaryOps.compare(this, "le", Binary.LE, y); }
    /** 1 where x &gt; y, else 0. */
    public Tensor gt(Tensor y) { return BinaryOps.compare(this, "gt", Binary.GT, y); }
    /** 1 where x ≥ y, else 0. */
    public Tensor ge(Tensor y) { return BinaryOps.compare(this, "ge", Binary.GE, y); }
    /** 1 where x = c. */
    public Tensor eq(double c) { return eq(scalarLike(c)); }
    /** 1 where x ≠ c. */
    public Tensor ne(double c) { return ne(scalarLike(c)); }
    /** 1 where x &lt; c. */
    public Tensor lt(double c) { return lt(scalarLike(c)); }
    /** 1 where x ≤ c. */
    public Tensor le(double c) { return le(scalarLike(c)); }
    /** 1 where x &gt; c. */
    public Tensor gt(double c) { return gt(scalarLike(c)); }
    /** 1 where x ≥ c. */
    public Tensor ge(double c) { return ge(scalarLike(c)); }
    /** a where cond is nonzero, b elsewhere, broadcasting all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return BinaryOps.where(cond, a, b); }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements (a 0-d tensor). */
    public Tensor sum() { return sum(new int[0], false); }
    /** Sum over one dim. */
    public Tensor sum(int dim, boolean keepdim) { return sum(new int[] {dim}, keepdim); }
    /** Sum over the given dims (all dims when empty). */
    public Tensor sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
    /**
     * Sums this tensor down to {@code target}, a shape it was broadcast from: over the leading
     * dims and over the dims where target has size 1. The inverse of broadcasting, used by the
     * derivatives of the broadcasting ops.
     */
    public Tensor sumTo(int[] target) { return Reductions.sumTo(this, target); }
    /** Mean of all elements. */
    public Tensor mean() { return mean(new int[0], false); }
    /** Mean over one dim. */
    public Tensor mean(int dim, boolean keepdim) { return mean(new int[] {dim}, keepdim); }
    /** Mean over the given dims (all when empty). */
    public Tensor mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
    /** Unbiased variance (divides by n−1) of all elements. */
    public Tensor var() { return var(new int[0], 1, false); }
    /** Unbiased variance over one dim. */
    public Tensor var(int dim, boolean keepdim) { return var(new int[] {dim}, 1, keepdim); }
    /**
     * Variance over the given dims dividing by n − correction (1: unbiased, 0: the population
     * variance that batch normalization uses). Two-pass, so large offsets do not cancel.
     */
    public Tensor var(int[] dims, int correction, boolean keepdim) { return Reductions.var(this, dims, correction, keepdim); }
    /** Unbiased standard deviation of all elements. */
    public Tensor std() { return var().sqrt(); }
    /** Standard deviation over the given dims (see {@link #var(int[], int, boolean)}). */
    public Tensor std(int[] dims, int correction, boolean keepdim) { return var(dims, correction, keepdim).sqrt(); }
    /** Largest element. On ties the gradient is shared equally, as in PyTorch. */
    public Tensor max() { return amax(new int[0], false); }
    /** Smallest element. */
    public Tensor min() { return amin(new int[0], false); }
    /** Largest value over the given dims; the gradient is shared equally among ties. */
    public Tensor amax(int[] dims, boolean keepdim) { return Reductions.amax(this, dims, keepdim); }
    /** Smallest value over the given dims; the gradient is shared equally among ties. */
    public Tensor amin(int[] dims, boolean keepdim) { return Reductions.amin(this, dims, keepdim); }
    /** The values and int64 indices of a max or min along one dim. */
    public record ValuesIndices(Tensor values, Tensor indices) {}

    /** Max along dim with its index (first on ties); the gradient goes to that index. */
    public ValuesIndices max(int dim, boolean keepdim) { return Reductions.max(this, dim, keepdim); }
    /** Min along dim with its index (first on ties). */
    public ValuesIndices min(int dim, boolean keepdim) { return Reductions.min(this, dim, keepdim); }
    /** Index of the largest element of the flattened tensor (int64 scalar). */
    public Tensor argmax() { return reshape(-1).argmax(0, false); }
    /** Index of the smallest element of the flattened tensor. */
    public Tensor argmin() { return reshape(-1).argmin(0, false); }
    /** Indices of the largest values along dim (first occurrence on ties), int64. */
    public Tensor argmax(int dim, boolean keepdim) { return Compute.argExtreme(this, Shape.dim("argmax", dim, shape.length), true, keepdim); }
    /** Indices of the smallest values along dim, int64. */
    public Tensor argmin(int dim, boolean keepdim) { return Compute.argExtreme(this, Shape.dim("argmin", dim, shape.length), false, keepdim); }
    /** log Σ exp(x) over dim, stable: shifted by the max. All −∞ gives −∞, never NaN. */
    public Tensor logsumexp(int dim, boolean keepdim) { return Reductions.logsumexp(this, dim, keepdim); }
    /** softmax along dim: exp(x − max) / Σ exp(x − max), finite for any finite input. */
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim); }
    /**
     * log softmax along dim, (x − max) − log Σ exp(x − max): stable for huge and tiny logits,
     * and without rounding the log-sum-exp at the scale of the largest logit.
     */
    public Tensor logSoftmax(int dim) { return Reductions.logSoftmax(this, dim); }

    // ---------------------------------------------------------------- matmul

    /**
     * Matrix product with NumPy semantics: 1-D operands are promoted to a row (left) or column
     * (right) vector and the added dim removed again; leading batch dims broadcast.
     */
    public Tensor matmul(Tensor y) { return LinearAlgebra.matmul(this, y); }
    /**
     * this @ y written into out, which it returns (PyTorch's {@code matmul(x, y, out=out)}): no new
     * tensor, so that a loop of products allocates nothing (2 threads, 8 s of 2048³ products: peak RSS
     * 391–394 MiB against 445–524 with matmul; alternated in one process, best of 50, 0.4–3% faster at
     * n = 512 to 2048). A matrix product goes straight into a contiguous out; other shapes (batched,
     * broadcast, 1-D) are multiplied, then copied. out must have the product's shape and type and share no memory with either operand;
     * like the other in-place ops it records no gradient (it refuses while gradients are recorded).
     */
    public Tensor matmulInto(Tensor y, Tensor out) { return LinearAlgebra.matmulInto(this, y, out); }

    // ---------------------------------------------------------------- convolution and pooling (NCHW)

    /**
     * 2-D convolution (cross-correlation, PyTorch's F.conv2d) of this input [N, C, H, W] (or
     * [C, H, W]) with weight [O, C/groups, kh, kw] plus bias [O] (or null), giving [N, O, Ho, Wo].
     * stride, dilation: 1 value or {height, width}; padding: 1 value, {height, width} or
     * {top, bottom, left, right} ("same" padding with an even kernel). Twice differentiable.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) { return Convolution.conv2d(this, weight, bias, stride, padding, dilation, groups); }
    /** {@link #conv2d(Tensor, Tensor, int[], int[], int[], int)} with one stride and padding for both dims, no dilation, one group. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) { return conv2d(weight, bias, new int[] {stride}, new int[] {padding}, new int[] {1}, 1); }
    /**
     * Transposed 2-D convolution (PyTorch's F.conv_transpose2d): the adjoint of conv2d with the
     * same weight, input [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw], bias [Cout] or null;
     * output size (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
     */
    public Tensor convTranspose2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) { return Convolution.convTranspose2d(this, weight, bias, stride, padding, outputPadding, dilation, groups); }
    /**
     * 2-D max pooling of [N, C, H, W] (or [C, H, W]) as PyTorch's F.max_pool2d: kernel, stride
     * (null or empty: the kernel), padding (−∞, at most half the kernel) are 1 value or {height,
     * width}. The gradient goes to the first maximum of each window.
     */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding) { return maxPool2d(kernel, stride, padding, false); }
    /** {@link #maxPool2d(int[], int[], int[])} with PyTorch's ceil_mode (the output size rounds up). */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) { return Convolution.maxPool2d(this, kernel, stride, padding, ceilMode); }
    /** Max pooling with a square window of size kernel, stride kernel, no padding (e.g. maxPool2d(2)). */
    public Tensor maxPool2d(int kernel) { return maxPool2d(new int[] {kernel}, null, new int[] {0}); }
    /** {@link #maxPool2d(int[], int[], int[])} and the int64 index ih·W + iw of each maximum (return_indices=True). */
    public ValuesIndices maxPool2dWithIndices(int[] kernel, int[] stride, int[] padding) { return maxPool2dWithIndices(kernel, stride, padding, false); }
    /** {@link #maxPool2dWithIndices(int[], int[], int[])} with PyTorch's ceil_mode. */
    public ValuesIndices maxPool2dWithIndices(int[] kernel, int[] stride, int[] padding, boolean ceilMode) { return Convolution.maxPool2dWithIndices(this, kernel, stride, padding, ceilMode, true); }
    /**
     * 2-D average pooling as PyTorch's F.avg_pool2d (arguments as maxPool2d's); with
     * countIncludePad (PyTorch's default) the zero padding counts in the divisor.
     */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) { return avgPool2d(kernel, stride, padding, false, countIncludePad); }
    /** {@link #avgPool2d(int[], int[], int[], boolean)} with PyTorch's ceil_mode. */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) { return Convolution.avgPool2d(this, kernel, stride, padding, ceilMode, countIncludePad); }
    /** Average pooling with a square window of size kernel, stride kernel, no padding. */
    public Tensor avgPool2d(int kernel) { return avgPool2d(new int[] {kernel}, null, new int[] {0}, true); }

    // ---------------------------------------------------------------- movement (views)

    Tensor viewOf(int[] newShape, int[] newStrides, int newOffset) {
        return new Tensor(storage, newShape, newStrides, newOffset);
    }

    /** The same elements in a new shape (one size may be −1); a view when the strides allow. */
    public Tensor reshape(int... newShape) { return Views.reshape(this, newShape); }
    /** Like reshape, but refuses to copy: a view or an error. */
    public Tensor view(int... newShape) { return Views.view(this, newShape); }
    /** All dims flattened into one. */
    public Tensor flatten() { return reshape(-1); }
    /** Dims start … end (inclusive) flattened into one. */
    public Tensor flatten(int start, int end) { return Views.flatten(this, start, end); }
    /** The dims reordered: result dim i is this tensor's dim order[i]. */
    public Tensor permute(int... order) { return Views.permute(this, order); }
    /** Dims d0 and d1 swapped. */
    public Tensor transpose(int d0, int d1) { return Views.transpose(this, d0, d1); }
    /** The transpose of a matrix (rank ≤ 2). */
    public Tensor t() { return Views.t(this); }
    /** The last two dims swapped (matrix transpose of each matrix in a batch). */
    public Tensor mT() { return Views.mT(this); }
    /**
     * Elements start, start+step, … below end along dim (negative start/end count from the end;
     * they are clamped to the dim's range, as in Python slicing). A view.
     */
    public Tensor slice(int dim, int start, int end, int step) { return Views.slice(this, dim, start, end, step); }
    Tensor sliceRaw(int d, int start, int step, int len) { return Views.sliceRaw(this, d, start, step, len); }

    /** length elements from start along dim; a view. */
    public Tensor narrow(int dim, int start, int length) { return Views.narrow(this, dim, start, length); }
    /** The sub-tensor at index along dim, with that dim removed; a view. */
    public Tensor select(int dim, int index) { return Views.select(this, dim, index); }
    /** All dims of size 1 removed. */
    public Tensor squeeze() { return Views.squeeze(this); }
    /** Dim d removed if its size is 1 (else unchanged, as in PyTorch). */
    public Tensor squeeze(int dim) { return Views.squeeze(this, dim); }
    /** A dim of size 1 inserted at position dim (0 … rank). */
    public Tensor unsqueeze(int dim) { return Views.unsqueeze(this, dim); }
    /**
     * A view broadcast to a larger shape (size-1 dims repeated with stride 0, new leading dims
     * added); −1 keeps a size.
     */
    public Tensor expand(int... newShape) { return Views.expand(this, newShape); }
    /** Expanded to another tensor's shape. */
    public Tensor expandAs(Tensor other) { return expand(other.shape); }
    /** A contiguous tensor with the same elements: this one if already contiguous, else a copy. */
    public Tensor contiguous() { return Views.contiguous(this); }
    Tensor contiguousRaw() { return isContiguous() ? this : copyRaw(); }
    /** A copy with its own storage; gradients flow through it. */
    public Tensor copy() { return Views.copy(this); }

    // ---------------------------------------------------------------- joining and indexing

    /** Tensors joined along an existing dim; all other dims must match. */
    public static Tensor cat(List<Tensor> tensors, int dim) { return Views.cat(tensors, dim); }
    /** Tensors of one shape stacked along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) { return Views.stack(tensors, dim); }
    /** Views of consecutive pieces of {@code size} along dim (the last may be smaller). */
    public List<Tensor> split(int size, int dim) { return Views.split(this, size, dim); }
    /** Views of pieces with the given sizes along dim (they must add up to the dim's size). */
    public List<Tensor> split(int[] sizes, int dim) { return Views.split(this, sizes, dim); }
    /** out[…i…] = x[…index[…i…]…] along dim, as torch.gather; index has x's rank. */
    public Tensor gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }
    /** A copy of x with src added at the positions index gives along dim, as torch.scatter_add. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return Indexing.scatterAdd(this, dim, index, src); }
    Tensor copyRaw() { return Compute.copyAs(this, dtype()); }
    /** The slices at the given int64 indices along dim, as torch.index_select. */
    public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
    /** A copy of x with the slices of source added at the given indices along dim (torch.index_add). */
    public Tensor indexAdd(int dim, Tensor index, Tensor source) { return Indexing.indexAdd(this, dim, index, source); }

    // ---------------------------------------------------------------- in place (optimizers, init)

    /** x += y in place (y broadcast to x); returns x. */
    public Tensor addInPlace(Tensor y) { return InPlace.inPlace(this, "addInPlace", Binary.ADD, y); }
    /**
     * Adds the rows of source to the rows index names along dim 0, in place (the in-place
     * torch.index_add_); returns this. For optimizers that update only the rows of a row-sparse
     * gradient ({@link RowSparse}).
     */
    public Tensor indexAddInPlace(Tensor index, Tensor source) { return InPlace.indexAddInPlace(this, index, source); }
    /** x −= y in place. */
    public Tensor subInPlace(Tensor y) { return InPlace.inPlace(this, "subInPlace", Binary.SUB, y); }
    /** x *= y in place. */
    public Tensor mulInPlace(Tensor y) { return InPlace.inPlace(this, "mulInPlace", Binary.MUL, y); }
    /** x *= c in place. */
    public Tensor mulInPlace(double c) { return InPlace.inPlace(this, "mulInPlace", Binary.MUL, scalarLike(c)); }
    /** x /= y in place. */
    public Tensor divInPlace(Tensor y) { return InPlace.inPlace(this, "divInPlace", Binary.DIV, y); }
    /** Copies y (broadcast, converted to this type) into this tensor. */
    public Tensor copyFrom(Tensor y) { return InPlace.copyFrom(this, y); }
    /** Sets one element (indices as in {@link #get}); in place, like the other in-place ops. */
    public Tensor set(double value, int... index) { return InPlace.set(this, value, index); }
    /** Sets every element to value. */
    public Tensor fill(double value) { return InPlace.fill(this, value); }
    /** Sets every element to 0. */
    public Tensor zero() { return fill(0); }
    Tensor fillRaw(double value) { return InPlace.fillRaw(this, value); }

    // ---------------------------------------------------------------- comparison and printing

    /**
     * True when both have one shape and |x − y| ≤ atol + rtol·|y| everywhere (NaN equals
     * nothing), as torch.allclose.
     */
    public boolean allClose(Tensor other, double rtol, double atol) { return BinaryOps.allClose(this, other, rtol, atol); }
    /**
     * True when both have one type, shape and elements (bitwise, so NaN equals NaN); see
     * {@link #allClose} for a tolerance. ({@code equals} and {@code hashCode} are identity's, as
     * for any mutable object: a tensor can key a map and be changed in place.)
     */
    public boolean contentEquals(Tensor other) { return BinaryOps.contentEquals(this, other); }
    /** Printed as PyTorch prints: {@code tensor([[1.0000, 2.5000], ...], dtype=float64, grad_fn=<mul>)}. */
    @Override
    public String toString() { return TensorFormat.format(this); }
}
