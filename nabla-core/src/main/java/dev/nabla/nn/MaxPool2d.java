package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/**
 * 2-D max pooling over [N, C, H, W] (or [C, H, W]), as PyTorch's nn.MaxPool2d (ceil_mode off
 * unless {@link #ceilMode(boolean)}): each output is the largest value of its window; padding
 * counts as −∞ and may be at most half the kernel. The stride defaults to the kernel size. The
 * gradient goes to the first maximum of each window.
 */
public class MaxPool2d extends Layer {
    private final int[] kernel, stride, padding;
    private boolean ceilMode;

    /** Non-overlapping k×k windows (stride k, no padding), e.g. {@code new MaxPool2d(2)}. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Square windows with a stride and padding. */
    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding});
    }

    /** Windows, strides and padding given as 1 value or {height, width} each (stride null: the kernel). */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding) {
        this.kernel = Pooling.pair("MaxPool2d", "kernel size", kernel, 1);
        this.stride = stride == null ? this.kernel : Pooling.pair("MaxPool2d", "stride", stride, 1);
        this.padding = Pooling.pair("MaxPool2d", "padding", padding, 0);
        Pooling.checkPadding("MaxPool2d", this.kernel, this.padding);
    }

    /**
     * Turns PyTorch's ceil_mode on or off (default off): on, the output size rounds up and a last,
     * partial window covers the rest of the input. Returns this layer.
     */
    public MaxPool2d ceilMode(boolean on) {
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
        return x.maxPool2d(kernel, stride, padding, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return Pooling.repr(kernel, stride, padding, ceilMode);
    }
}
