package dev.nabla.kernel;

/**
 * Max and average pooling over the planes [p0, p1) of contiguous NCHW data (a plane is one
 * channel of one example): plane pl of x starts at {@code xOff + pl·h·w}, its outputs at
 * {@code pl·oh·ow}. Max pooling follows PyTorch: padding counts as −∞, the first maximum of a
 * window (row by row) wins, a NaN is the maximum; {@code arg} gets its plane index ih·w + iw.
 */
public interface Pooling {
    void maxPool(float[] x, int xOff, float[] y, int[] arg, PoolGeometry p, int p0, int p1);

    void maxPool(double[] x, int xOff, double[] y, int[] arg, PoolGeometry p, int p0, int p1);

    /** Average pooling of x (float[] or double[]) into out, with PyTorch's divisors. */
    void avgPool(Object x, int xOff, Object out, PoolGeometry p, int p0, int p1);

    /** The adjoint of average pooling: each g value over its divisor, added over its window of dx (zeros). */
    void avgPoolBackward(Object g, int gOff, Object dx, PoolGeometry p, int p0, int p1);
}
