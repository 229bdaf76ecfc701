package dev.nabla.nn;

import dev.nabla.tensor.Shape;

/**
 * Batch normalization of features [N, C] or sequences [N, C, L], per channel C, as PyTorch's
 * nn.BatchNorm1d; see {@link BatchNorm} for training and evaluation. Training on [1, C] (one
 * value per channel) is refused with PyTorch's message.
 */
public class BatchNorm1d extends BatchNorm {
    /** A lazy layer: num_features is taken from its first input's dim 1; eps 1e-5, momentum 0.1, learnable γ, β. */
    public BatchNorm1d() {
        this(1e-5, 0.1, true);
    }

    /** A lazy layer with the given eps, momentum and whether γ and β are learned (affine). */
    public BatchNorm1d(double eps, double momentum, boolean affine) {
        super(eps, momentum, affine);
    }

    /** Over numFeatures channels with eps 1e-5, momentum 0.1 and learnable γ, β. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true);
    }

    /** With the given eps, momentum and whether γ and β are learned (affine). */
    public BatchNorm1d(int numFeatures, double eps, double momentum, boolean affine) {
        super(numFeatures, eps, momentum, affine);
    }

    @Override
    void checkRank(int[] s) {
        if (s.length != 2 && s.length != 3) {
            throw new IllegalArgumentException(this + ": expected 2D or 3D input ([batch, " + numFeatures() + "] or [batch, "
                    + numFeatures() + ", length]), got " + s.length + "D input of shape " + Shape.str(s)
                    + (s.length == 4 ? "; use BatchNorm2d for images" : ""));
        }
    }
}
