package dev.nabla.kernel;

import java.util.List;

/**
 * Elementwise maps and reductions over strided runs of a primitive array. A run is n elements
 * starting at an offset, a stride apart; stride 0 repeats one element (broadcasting). The tensor
 * layer splits an n-dimensional operation into such runs, so these few loops are the hot code.
 * The float64 overloads are the scalar loops in every implementation (see {@link VectorElementwise}).
 */
public interface Elementwise {
    /** Unary maps y = f(x). */
    enum Unary { NEG, EXP, LOG, SQRT, ABS, SIGMOID, TANH, RELU, SIN, COS, SIGN }

    /**
     * Binary maps y = f(a, b); comparisons give 1 for true and 0 for false. TANH_BACKWARD is
     * a·(1 − b·b) and SIGMOID_BACKWARD a·(b·(1 − b)): the derivatives of tanh and sigmoid from
     * their output b, each operation rounded to the type in that order.
     */
    enum Binary { ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE, TANH_BACKWARD, SIGMOID_BACKWARD }

    /** Reductions of a run to one value. */
    enum Reduce { SUM, MAX, MIN }

    /** A short description of the implementation, e.g. its vector width. */
    String name();

    /**
     * The float32 program (nodes after their operands, the result last) compiled into one loop, or
     * null when this implementation does not compile it: then evaluate its operations with the
     * maps below, which give the same values.
     */
    default FusedLoop compile(List<FusedLoop.Node> program) {
        return null;
    }

    void unary(Unary op, float[] x, int xo, int xs, float[] y, int yo, int ys, int n);

    void unary(Unary op, double[] x, int xo, int xs, double[] y, int yo, int ys, int n);

    void binary(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs,
                float[] y, int yo, int ys, int n);

    void binary(Binary op, double[] a, int ao, int as, double[] b, int bo, int bs,
                double[] y, int yo, int ys, int n);

    /** Reduces the n elements x[xo], x[xo + xs], …; SUM of nothing is 0, MAX/MIN need n ≥ 1. */
    float reduce(Reduce op, float[] x, int xo, int xs, int n);

    double reduce(Reduce op, double[] x, int xo, int xs, int n);

    /**
     * y[yo + i] = fma(a, x[xo + i], y[yo + i]) for i &lt; n, fused (one rounding), so the scalar
     * and the SIMD versions agree bitwise (with a = 1: x + y). Adds col2im's rows back onto the input.
     */
    void axpy(float a, float[] x, int xo, float[] y, int yo, int n);

    /** The float64 {@link #axpy(float, float[], int, float[], int, int)}. */
    void axpy(double a, double[] x, int xo, double[] y, int yo, int n);

    /**
     * y[yo + r·cols + q] = x[xo + r·rowStep + q·stride] for r &lt; rows, q &lt; cols: one row of a strided
     * convolution's im2col matrix (rows = output height, cols = output width), read from its input plane.
     */
    void gatherStrided(float[] x, int xo, int rowStep, int stride, int rows, int cols, float[] y, int yo);

    /** The float64 {@link #gatherStrided(float[], int, int, int, int, int, float[], int)}. */
    void gatherStrided(double[] x, int xo, int rowStep, int stride, int rows, int cols, double[] y, int yo);

    /**
     * y[yo + i] = x[xo + i] for i &lt; n, x and y distinct arrays: a short run (a row of a strided
     * convolution's padded plane, 14 or 28 elements), where System.arraycopy's call to its stub
     * costs as much as the copy.
     */
    default void copy(float[] x, int xo, float[] y, int yo, int n) {
        System.arraycopy(x, xo, y, yo, n);
    }

    /** The float64 {@link #copy(float[], int, float[], int, int)}. */
    default void copy(double[] x, int xo, double[] y, int yo, int n) {
        System.arraycopy(x, xo, y, yo, n);
    }

    /**
     * Two kernel taps side by side of a stride-2 convolution's im2col: taps j and j + 1 of a kernel
     * row read the even and the odd elements of the same input rows, so {@code gatherStrided} with
     * stride 2 at xo into y at yo, and at xo + 1 into y at yo1, from one pass over the rows.
     */
    default void gatherStridedPair(float[] x, int xo, int rowStep, int rows, int cols, float[] y, int yo, int yo1) {
        gatherStrided(x, xo, rowStep, 2, rows, cols, y, yo);
        gatherStrided(x, xo + 1, rowStep, 2, rows, cols, y, yo1);
    }

    /** The float64 {@link #gatherStridedPair(float[], int, int, int, int, float[], int, int)}. */
    default void gatherStridedPair(double[] x, int xo, int rowStep, int rows, int cols, double[] y, int yo, int yo1) {
        gatherStrided(x, xo, rowStep, 2, rows, cols, y, yo);
        gatherStrided(x, xo + 1, rowStep, 2, rows, cols, y, yo1);
    }

    /**
     * out[first + j][pos + k] = x[at + 4k + j] for j &lt; cols (4 or 6) and k &lt; n: the columns of n
     * Winograd tiles, cols wide and 4 apart, along one row of a plane (all inside it).
     */
    void tileColumns(float[] x, int at, int n, int cols, float[][] out, int first, int pos);

    /**
     * Winograd F(4×4, 3×3)'s input transform Bᵀ d B of n tiles: a[6i + j][k] holds point (i, j) of
     * tile k (a is overwritten); point (i, q) of the result goes to v[(6i + q)·stride + at + k].
     */
    void winogradInput(float[][] a, int n, float[] v, int at, int stride);

    /**
     * The output transform's adjoint A dy Aᵀ (the weight gradient's output-gradient tiles) of n
     * tiles: a[6i + j][k] holds point (i, j) of tile k's 4×4 block for i, j &lt; 4 (a is overwritten);
     * point (i, q) of the 6×6 result goes to m[(6i + q)·stride + at + k].
     */
    void winogradGrad(float[][] a, int n, float[] m, int at, int stride);

    /**
     * The first half of Winograd's output transform, Aᵀ m, for n tiles: column b of the result's
     * rows r &lt; 4 into a[6r + b][k], from the products m[(b + 6i)·stride + at + k] (point (i, b)).
     */
    void winogradOutputColumns(float[] m, int at, int stride, float[][] a, int n);

    /** Its second half, row r of (Aᵀ m) A + bias, from a[6r .. 6r + 5] into a[24 .. 27] (the row's 4 outputs). */
    void winogradOutputRow(float[][] a, int r, int n, float bias);

    /**
     * y[yo + r·rowStep + q·stride] += x[xo + r·cols + q] for r &lt; rows, q &lt; cols, in that order (stride ≥ 1):
     * the adjoint of gatherStrided (col2im's rows).
     */
    void scatterAddStrided(float[] x, int xo, int rowStep, int stride, int rows, int cols, float[] y, int yo);

    /** The float64 {@link #scatterAddStrided(float[], int, int, int, int, int, float[], int)}. */
    void scatterAddStrided(double[] x, int xo, int rowStep, int stride, int rows, int cols, double[] y, int yo);

    /**
     * The adjoint of {@link #gatherStridedPair(float[], int, int, int, int, float[], int, int)}:
     * {@code scatterAddStrided} with stride 2 of x at xo into y at yo, and of x at xo1 into y at
     * yo + 1. The two write disjoint elements of y (the even and the odd ones), so each element of y
     * gets its one addition of the pair whatever the order: the same bits as the two calls.
     */
    default void scatterAddStridedPair(float[] x, int xo, int xo1, int rowStep, int rows, int cols, float[] y, int yo) {
        scatterAddStrided(x, xo, rowStep, 2, rows, cols, y, yo);
        scatterAddStrided(x, xo1, rowStep, 2, rows, cols, y, yo + 1);
    }

    /** The float64 {@link #scatterAddStridedPair(float[], int, int, int, int, int, float[], int)}. */
    default void scatterAddStridedPair(double[] x, int xo, int xo1, int rowStep, int rows, int cols, double[] y, int yo) {
        scatterAddStrided(x, xo, rowStep, 2, rows, cols, y, yo);
        scatterAddStrided(x, xo1, rowStep, 2, rows, cols, y, yo + 1);
    }

    /**
     * Σ x over {@code planes} runs of n elements, run p starting at xo + p·stride, the runs' sums
     * added in float64 (each run summed in float32 lanes by the SIMD kernels, in float64 by the
     * scalar ones): batch norm's per-channel sum over the examples' planes, one call a channel (a
     * call a plane cost more than the dcgan's 49-element planes it summed).
     */
    double sumPlanes(float[] x, int xo, int planes, int stride, int n);

    /** The float64 {@link #sumPlanes(float[], int, int, int, int)}. */
    double sumPlanes(double[] x, int xo, int planes, int stride, int n);

    /**
     * Σ (a − ma)·(b − mb) over such runs of a (from ao) and b (from bo), summed as
     * {@link #sumPlanes(float[], int, int, int, int)}: batch norm's variance (a = b) and the sum
     * Σg·(x − mean) of its backward pass, one call a channel.
     */
    double centeredDotPlanes(float[] a, int ao, float ma, float[] b, int bo, float mb, int planes, int stride, int n);

    /** The float64 {@link #centeredDotPlanes(float[], int, float, float[], int, float, int, int, int)}. */
    double centeredDotPlanes(double[] a, int ao, double ma, double[] b, int bo, double mb, int planes, int stride, int n);

    /**
     * relu's backward: y[yo + i] = out[oo + i] ≤ 0 ? +0 : g[go + i] (a NaN out passes g, as
     * PyTorch's threshold_backward).
     */
    void reluBackward(float[] out, int oo, float[] g, int go, float[] y, int yo, int n);

    /** The float64 {@link #reluBackward(float[], int, float[], int, float[], int, int)}. */
    void reluBackward(double[] out, int oo, double[] g, int go, double[] y, int yo, int n);

    /**
     * leakyRelu and its backward in one pass: y[yo + i] = x[xo + i] > 0 ? v[vo + i] : v[vo + i]·slope
     * (v = x: the forward; v = the output's gradient: the input's gradient, as PyTorch's
     * leaky_relu_backward; a NaN x takes the slope side).
     */
    void leakyRelu(float[] x, int xo, float[] v, int vo, float slope, float[] y, int yo, int n);

    /** The float64 {@link #leakyRelu(float[], int, float[], int, float, float[], int, int)}. */
    void leakyRelu(double[] x, int xo, double[] v, int vo, double slope, double[] y, int yo, int n);

    /** Whether x[xo], …, x[xo + n − 1] are all finite: no NaN, no infinity. */
    boolean allFinite(float[] x, int xo, int n);

    /** The float64 {@link #allFinite(float[], int, int)}. */
    boolean allFinite(double[] x, int xo, int n);

    /**
     * y[yo + r·cols + c] += b[bo + c·bs] for r &lt; rows and c &lt; cols: a bias added to every row of a
     * row-major block, each element y + b as the broadcasting add rounds it.
     */
    void addToRows(float[] y, int yo, int rows, int cols, float[] b, int bo, int bs);

    /** The float64 {@link #addToRows(float[], int, int, int, float[], int, int)}. */
    void addToRows(double[] y, int yo, int rows, int cols, double[] b, int bo, int bs);

    /**
     * y[yo + j] = x[xo + j]·a[j] + b[j] for j &lt; n, a product then a sum (two roundings): a row of
     * batch norm's affine pass over an [N, C] array, a and b its per-channel constants.
     */
    void affineRow(float[] x, int xo, float[] a, float[] b, float[] y, int yo, int n);

    /**
     * dx[dxo + j] = (g[go + j] − gm[j] − (x[xo + j] − m[j])·p[j])·k[j] for j &lt; n, in that order of
     * operations: a row of batch norm's input gradient over an [N, C] array, the other arrays its
     * per-channel constants.
     */
    void batchNormGradRow(float[] g, int go, float[] x, int xo, float[] gm, float[] m, float[] p, float[] k,
                          float[] dx, int dxo, int n);

    /**
     * y[yo + c] = x[xo + c] + x[xo + cols + c] + … + x[xo + (rows − 1)·cols + c] for c &lt; cols
     * (rows ≥ 1), added in row order: the column sums of a row-major block, e.g. a narrow layer's
     * bias gradient.
     */
    void sumRows(float[] x, int xo, int rows, int cols, float[] y, int yo);

    /**
     * y[yo + i] = (x[xo + i] read as an unsigned byte) / divisor for i &lt; n: pixels to floats
     * (divisor 255 gives torchvision's ToTensor scaling), correctly rounded, so both providers agree.
     */
    void unsignedBytes(byte[] x, int xo, float divisor, float[] y, int yo, int n);

    /**
     * Adam's update of elements [from, to) of p, m and v, with gradient g: {@link AdamKernel}'s
     * formula, each operation rounded to float32, so both providers give the same bits.
     */
    void adam(float[] p, float[] g, float[] m, float[] v, int from, int to,
              float b1, float c1, float b2, float c2, float bc, float e, float s);
}
