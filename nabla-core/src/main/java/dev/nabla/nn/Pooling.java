package dev.nabla.nn;

import dev.nabla.tensor.Shape;
import java.util.Arrays;

/** Argument checks and output shapes shared by the pooling layers. */
final class Pooling {
    private Pooling() {}

    static int[] pair(String layer, String what, int[] v, int min) {
        if (v == null || (v.length != 1 && v.length != 2) || Arrays.stream(v).anyMatch(x -> x < min)) {
            throw new IllegalArgumentException(layer + ": " + what + " " + Arrays.toString(v)
                    + " must be one value or two (height, width), each >= " + min);
        }
        return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    }

    static void checkPadding(String layer, int[] kernel, int[] padding) {
        if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
            throw new IllegalArgumentException(layer + ": padding " + Arrays.toString(padding) + " must be at most half the kernel size "
                    + Arrays.toString(kernel) + " (as in PyTorch); use a larger kernel or less padding");
        }
    }

    static int[] outputShape(Layer layer, int[] in, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        if (in.length != 3 && in.length != 4) {
            throw new IllegalArgumentException(layer + ": input of shape " + Shape.str(in)
                    + " must be [batch, channels, height, width] (or [channels, height, width]); images are NCHW");
        }
        int r = in.length;
        int[] out = in.clone();
        for (int d = 0; d < 2; d++) {
            // as Tensor.maxPool2d: with ceil mode the last window may be partial, but starts inside
            int n = in[r - 2 + d], span = n + 2 * padding[d] - kernel[d];
            int size = span < 0 ? 0 : (ceilMode ? (span + stride[d] - 1) / stride[d] : span / stride[d]) + 1;
            out[r - 2 + d] = ceilMode && size > 0 && (size - 1) * stride[d] >= n + padding[d] ? size - 1 : size;
        }
        if (out[r - 2] < 1 || out[r - 1] < 1) {
            throw new IllegalArgumentException(layer + ": input of shape " + Shape.str(in) + " is smaller than the "
                    + kernel[0] + "x" + kernel[1] + " window (with padding " + Arrays.toString(padding)
                    + "); use a smaller window or a larger input");
        }
        return out;
    }

    static String repr(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return "kernel_size=" + ConvLayer.tuple(kernel) + ", stride=" + ConvLayer.tuple(stride) + ", padding=" + ConvLayer.tuple(padding)
                + (ceilMode ? ", ceil_mode=True" : "");
    }
}
