package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** x for x &gt; 0, slope·x otherwise (default slope 0.01, as PyTorch). */
public class LeakyReLU extends Layer {
    private final double slope;

    /** Negative slope 0.01. */
    public LeakyReLU() {
        this(0.01);
    }

    /** The given negative slope. */
    public LeakyReLU(double negativeSlope) {
        if (!Double.isFinite(negativeSlope)) throw new IllegalArgumentException("LeakyReLU: negative slope " + negativeSlope + " must be finite");
        this.slope = negativeSlope;
    }

    /** The slope for x &lt; 0. */
    public double negativeSlope() {
        return slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(slope);
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + slope;
    }

    /** The input's shape: this layer works elementwise. */
    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
