package dev.nabla.nn;

import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Map;

/**
 * Global average pooling: the mean of each channel over height and width, [N, C, H, W] →
 * [N, C] (as Keras' GlobalAveragePooling2D; PyTorch's AdaptiveAvgPool2d(1) keeps two size-1
 * dims, this layer drops them so that a Linear can follow directly).
 */
public class GlobalAvgPool2d extends Layer {
    /** The shape this layer gives for an input of shape [C, H, W] or [N, C, H, W], without running it. */
    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 3 && inputShape.length != 4) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(inputShape)
                    + " must be [batch, channels, height, width] (or [channels, height, width]); images are NCHW");
        }
        return java.util.Arrays.copyOf(inputShape, inputShape.length - 2);
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return x.mean(new int[] {-2, -1}, false);
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of();
    }
}
