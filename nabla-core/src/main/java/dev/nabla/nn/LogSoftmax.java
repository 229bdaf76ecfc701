package dev.nabla.nn;

import dev.nabla.tensor.Tensor;

/** log softmax along a dim (default −1): x − logsumexp(x), stable; pair it with {@link Losses#nllLoss}. */
public class LogSoftmax extends AlongDim {
    /** log softmax along the last dim. */
    public LogSoftmax() {
        this(-1);
    }

    /** log softmax along dim. */
    public LogSoftmax(int dim) {
        super(dim);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
    }
}
