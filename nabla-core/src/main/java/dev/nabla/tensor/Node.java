package dev.nabla.tensor;

import java.util.Arrays;

/**
 * One recorded operation of the tape: the primitive, its operands, its output and attributes,
 * and the version of each operand's and the output's storage at the time of the forward pass.
 *
 * <p>The derivative rule ({@link Derivatives}) reads the tensors it needs through
 * {@link #in}, {@link #constant} and {@link #out}, and each read checks that the tensor was not
 * modified in place since: the saved set is exactly what the rule reads, never a hand-kept list.
 * Shapes ({@link #shape}) are immutable and read unchecked.
 */
final class Node {
    private static final Tensor[] NONE = new Tensor[0];

    final Op op;
    /** The name shown as grad_fn: the primitive's, or a user-defined op's own. */
    final String label;
    /** The differentiable operands, the ones gradients flow to (none once {@link #release released}). */
    Tensor[] inputs;
    private Tensor[] constants;
    private Tensor output;
    private Object attrs;
    private final int[] versions; // inputs, then constants, then the output

    Node(Op op, Tensor[] inputs, Tensor[] constants, Tensor output, Object attrs) {
        this.op = op;
        this.label = attrs instanceof CustomOps.Rule r ? r.name() : op.label;
        this.inputs = inputs;
        this.constants = constants;
        this.output = output;
        this.attrs = attrs;
        this.versions = new int[inputs.length + constants.length + 1];
        for (int i = 0; i < inputs.length; i++) versions[i] = inputs[i].storage.version();
        for (int k = 0; k < constants.length; k++) versions[inputs.length + k] = constants[k].storage.version();
        versions[versions.length - 1] = output.storage.version();
    }

    /**
     * Records primitive op on the tape when an input requires grad (and {@link GradMode} is on);
     * returns out. The operands are in the order {@link Derivatives} reads them, the op's
     * {@link Op#constants} non-differentiable ones first; attrs holds what else its rule needs.
     */
    static Tensor record(Op op, Tensor out, Object attrs, Tensor... operands) {
        if (!GradMode.isEnabled()) return out;
        boolean any = false;
        for (int i = op.constants; i < operands.length; i++) any |= operands[i].requiresGrad();
        if (!any) return out;
        out.attach(new Node(op, Arrays.copyOfRange(operands, op.constants, operands.length),
                Arrays.copyOf(operands, op.constants), out, attrs));
        return out;
    }

    /** The gradient for input i, or null if it needs none. */
    Tensor backward(int i, Tensor gradOutput) {
        return Derivatives.rule(this, i, gradOutput);
    }

    /** Whether a backward pass without retainGraph went through this node and freed what it held. */
    boolean released() {
        return output == null;
    }

    IllegalStateException releasedError() {
        return new IllegalStateException("backward through " + label + " a second time: its saved tensors were freed "
                + "after the first backward; pass retainGraph=true to the first backward if you need two");
    }

    /** Differentiable operand i, as saved by the forward pass. */
    Tensor in(int i) {
        return checked(inputs[i], i);
    }

    /** Non-differentiable operand k (a condition, an index tensor), as saved. */
    Tensor constant(int k) {
        return checked(constants[k], inputs.length + k);
    }

    /** The output, as saved. */
    Tensor out() {
        return checked(output, versions.length - 1);
    }

    /** The shape of differentiable operand i (no version check: shapes never change). */
    int[] shape(int i) {
        return inputs[i].shape;
    }

    /** The attributes the forward pass recorded (dims, geometry, exponent, …). */
    @SuppressWarnings("unchecked")
    <A> A attrs() {
        return (A) attrs;
    }

    private Tensor checked(Tensor t, int slot) {
        int now = t.storage.version();
        if (now != versions[slot]) {
            throw new IllegalStateException("backward of " + label + ": a tensor of shape " + Shape.str(t.shape)
                    + " that it needs was modified in place after the forward pass (version " + now + ", expected "
                    + versions[slot] + "); use an out-of-place op or copy() the tensor before changing it");
        }
        return t;
    }

    /**
     * Drops every reference to the forward pass's tensors (operands included, so that the
     * activations below become garbage as soon as the backward pass has gone past them, even
     * while the caller still holds the loss).
     */
    void release() {
        attrs = null;
        output = null;
        constants = NONE;
        inputs = NONE;
    }
}
