package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** softmax along a dim (default −1, the last): probabilities that sum to 1, stable for large inputs. */
public class Softmax extends AlongDim {
    /** softmax along the last dim. */
    public Softmax() {
        this(-1);
    }

    /** softmax along dim. */
    public Softmax(int dim) {
        super(dim);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
    }
}
