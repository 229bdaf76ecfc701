package dev.nabla.tensor;

import dev.nabla.tensor.internal.Internals;
import java.util.Arrays;
import java.util.List;

/**
 * User-defined ops on the tape (see dev.nabla.autograd.CustomOp): the output, computed by the
 * user's forward, is recorded as one {@link Op#CUSTOM} node whose rule is the user's backward.
 */
final class CustomOps {
    private CustomOps() {}

    /** The attributes of a custom node: its name and backward, and the last gradients it gave. */
    static final class Rule {
        private final String name;
        private final Internals.Backward backward;
        private Tensor lastG;
        private List<Tensor> lastGrads;

        Rule(String name, Internals.Backward backward) {
            this.name = name;
            this.backward = backward;
        }

        String name() {
            return name;
        }
    }

    static Tensor record(String name, Tensor output, List<Tensor> inputs, Internals.Backward backward) {
        for (Tensor in : inputs) {
            if (in.storage == output.storage) {
                throw new IllegalArgumentException(name + ": the forward returned an input or a view of one; return a new"
                        + " tensor (e.g. x.copy())");
            }
        }
        if (!output.dtype().isFloating()) return output; // int64 results carry no gradient
        return Node.record(Op.CUSTOM, output, new Rule(name, backward), inputs.toArray(Tensor[]::new));
    }

    // The user's backward gives all the input gradients at once: one call per output gradient.
    static Tensor backward(Node n, int i, Tensor g) {
        Rule r = n.attrs();
        if (g != r.lastG) {
            Tensor[] ins = new Tensor[n.arity()];
            for (int k = 0; k < ins.length; k++) ins[k] = n.in(k);
            List<Tensor> grads = r.backward.apply(g, Arrays.asList(ins), n.out());
            if (grads == null || grads.size() != ins.length) {
                throw new IllegalStateException(r.name + ": backward returned " + (grads == null ? "null" : grads.size()
                        + " gradients") + " for " + ins.length + " inputs; return one per input (null for none)");
            }
            r.lastG = g;
            r.lastGrads = grads;
        }
        Tensor gi = r.lastGrads.get(i);
        if (gi != null && !Arrays.equals(gi.shape, n.shape(i))) {
            throw new IllegalStateException(r.name + ": backward gave a gradient of shape " + Shape.str(gi.shape)
                    + " for input " + i + " of shape " + Shape.str(n.shape(i)) + "; they must be equal");
        }
        return gi;
    }
}
