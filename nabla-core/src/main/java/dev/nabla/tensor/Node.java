package dev.nabla.tensor;

/**
 * One recorded operation of the tape: the op's name, its inputs, the derivative with respect to
 * each input, and the tensors its derivatives read, with their versions at the time of the
 * forward pass so that a later in-place change is caught instead of giving a wrong gradient.
 */
final class Node {
    final String op;
    final Tensor[] inputs;
    private Derivative[] derivatives;
    private Tensor[] saved;
    private final int[] savedVersions;

    Node(String op, Tensor[] inputs, Derivative[] derivatives, Tensor[] saved) {
        this.op = op;
        this.inputs = inputs;
        this.derivatives = derivatives;
        this.saved = saved;
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) savedVersions[i] = saved[i].storage.version();
    }

    /** The gradient for input i, or null if it needs none. */
    Tensor backward(int i, Tensor gradOutput) {
        if (derivatives == null) {
            throw new IllegalStateException("backward through " + op + " a second time: its saved tensors were freed "
                    + "after the first backward; pass retainGraph=true to the first backward if you need two");
        }
        for (int s = 0; s < saved.length; s++) {
            int now = saved[s].storage.version();
            if (now != savedVersions[s]) {
                throw new IllegalStateException("backward of " + op + ": a tensor of shape "
                        + Shape.str(saved[s].shape) + " that it needs was modified in place after the forward pass"
                        + " (version " + now + ", expected " + savedVersions[s] + "); use an out-of-place op"
                        + " or copy() the tensor before changing it");
            }
        }
        return derivatives[i].apply(gradOutput);
    }

    void release() {
        derivatives = null;
        saved = new Tensor[0];
    }
}
