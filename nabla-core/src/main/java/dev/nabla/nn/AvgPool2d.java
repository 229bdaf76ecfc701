package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/**
 * 2-D average pooling over [N, C, H, W] (or [C, H, W]), as PyTorch's nn.AvgPool2d (ceil_mode off
 * unless {@link #ceilMode(boolean)}): each output is the mean of its window. With countIncludePad
 * (the default, as in PyTorch) the zero padding counts in the divisor. The stride defaults to the
 * kernel size.
 */
public class AvgPool2d extends Layer {
    private final int[] kernel, stride, padding;
    private boolean ceilMode;
    private final boolean countIncludePad;

    /** Non-overlapping k×k windows (stride k, no padding). */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Square windows with a stride and padding (padding counted in the divisor). */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, true);
    }

    /** Windows, strides and padding as 1 value or {height, width} each (stride null: the kernel). */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        this.kernel = Pooling.pair("AvgPool2d", "kernel size", kernel, 1);
        this.stride = stride == null ? this.kernel : Pooling.pair("AvgPool2d", "stride", stride, 1);
        this.padding = Pooling.pair("AvgPool2d", "padding", padding, 0);
        this.countIncludePad = countIncludePad;
        Pooling.checkPadding("AvgPool2d", this.kernel, this.padding);
    }

    /**
     * Turns PyTorch's ceil_mode on or off (default off): on, the output size rounds up and a last,
     * partial window covers the rest of the input. Returns this layer.
     */
    public AvgPool2d ceilMode(boolean on) {
        ceilMode = on;
        return this;
    }

    /** The window {height, width}. */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** The stride {height, width}. */
    public int[] stride() {
        return stride.clone();
    }

    /** The implicit padding {height, width} (-∞ for max pooling, 0 for average pooling). */
    public int[] padding() {
        return padding.clone();
    }

    /** Whether padded positions count in the divisor (PyTorch's count_include_pad). */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    /** Whether the output size rounds up (PyTorch's ceil_mode). */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** The shape this layer gives for an input of shape [C, H, W] or [N, C, H, W], without running it. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return Pooling.outputShape(this, inputShape, kernel, stride, padding, ceilMode);
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return x.avgPool2d(kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return Pooling.repr(kernel, stride, padding, ceilMode) + (countIncludePad ? "" : ", count_include_pad=False");
    }
}
