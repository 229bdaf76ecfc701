package dev.nabla.nn;

import dev.nabla.tensor.Shape;

/**
 * Batch normalization of images [N, C, H, W], per channel C over the batch, height and width,
 * as PyTorch's nn.BatchNorm2d; see {@link BatchNorm} for training and evaluation.
 */
public class BatchNorm2d extends BatchNorm {
    /** A lazy layer: num_features is taken from its first input's dim 1; eps 1e-5, momentum 0.1, learnable γ, β. */
    public BatchNorm2d() {
        this(1e-5, 0.1, true);
    }

    /** A lazy layer with the given eps, momentum and whether γ and β are learned (affine). */
    public BatchNorm2d(double eps, double momentum, boolean affine) {
        super(eps, momentum, affine);
    }

    /** Over numFeatures channels with eps 1e-5, momentum 0.1 and learnable γ, β. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true);
    }

    /** With the given eps, momentum and whether γ and β are learned (affine). */
    public BatchNorm2d(int numFeatures, double eps, double momentum, boolean affine) {
        super(numFeatures, eps, momentum, affine);
    }

    @Override
    void checkRank(int[] s) {
        if (s.length != 4) {
            throw new IllegalArgumentException(this + ": expected 4D input [batch, " + numFeatures() + ", height, width], got "
                    + s.length + "D input of shape " + Shape.str(s) + (s.length < 4 ? "; use BatchNorm1d for [N, C] or [N, C, L]" : ""));
        }
    }
}
