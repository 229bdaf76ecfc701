package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;

/**
 * Channel-wise inverted dropout for [N, C, H, W] inputs, as PyTorch's nn.Dropout2d: in training
 * mode each whole channel of each example is zeroed with probability p and the kept ones are
 * scaled by 1/(1−p); in evaluation mode it is the identity. The mask is drawn from the given
 * {@link Generator}, or from {@link Generator#global()} at each call when none is given.
 */
public class Dropout2d extends Dropout {
    /** Dropout2d with probability p in [0, 1), drawing from the global generator. */
    public Dropout2d(double p) {
        this(p, null);
    }

    /** Dropout2d with probability p in [0, 1), drawing from gen (null: the global generator). */
    public Dropout2d(double p, Generator gen) {
        super(p, gen);
    }

    /** The input's shape, which must be [N, C, H, W]. */
    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length != 4) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(inputShape)
                    + " must be [batch, channels, height, width]; for other shapes use Dropout");
        }
        return inputShape.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return Functional.dropout2d(x, p(), isTraining(), generator());
    }
}
