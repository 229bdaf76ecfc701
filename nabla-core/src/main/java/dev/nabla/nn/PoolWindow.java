package dev.nabla.nn;

/**
 * The windows of a pooling layer ({@link MaxPool2d}, {@link AvgPool2d}): kernel size, stride and
 * padding (on both sides), each {height, width}, and whether the output size rounds up
 * (PyTorch's ceil_mode). For exporters and model descriptions.
 */
public record PoolWindow(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
    /** Copies the arrays, so that the layer's own stay unchanged. */
    public PoolWindow {
        kernel = kernel.clone();
        stride = stride.clone();
        padding = padding.clone();
    }
}
