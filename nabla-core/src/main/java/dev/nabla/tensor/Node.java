package dev.nabla.tensor;

import java.util.Arrays;

/**
 * One recorded operation of the tape: the primitive, where each operand's gradient goes, the
 * tensors its derivative rule reads, its attributes, and the version of each kept tensor's storage
 * at the time of the forward pass.
 *
 * <p>The graph runs through {@link #edges}: an operand's producing node, or the leaf tensor itself.
 * A node holds the operand and output tensors only when its op's rule reads them ({@link Op#saves}),
 * so the forward pass's other results are garbage as soon as the pass has moved past them, as in
 * PyTorch; the output is also kept while it retains its gradient or has hooks. The rule
 * ({@link Derivatives}) reads the kept tensors through {@link #in}, {@link #constant} and
 * {@link #out}, and each read checks that the tensor was not modified in place since. Shapes and
 * types ({@link #shape}, {@link #dtype}) are immutable and always kept.
 */
final class Node {
    private static final Tensor[] NONE = new Tensor[0];
    /** No edges: a leaf's, or a released node's. */
    static final Object[] NO_EDGES = new Object[0];

    final Op op;
    /** The name shown as grad_fn: the primitive's, or a user-defined op's own. */
    final String label;
    /**
     * Per differentiable operand, where its gradient goes: the node that produced it, the leaf tensor
     * itself, or null when it needs none (none once {@link #release released}).
     */
    Object[] edges;
    private final int[][] shapes;
    private final DType[] dtypes;
    private Tensor[] inputs; // null unless the op's rule reads them
    private Tensor[] constants;
    private Tensor output; // null unless the rule reads it or it retains its gradient or has hooks
    private Object attrs;
    private boolean released;
    private final int[] versions; // inputs, then constants, then the output

    Node(Op op, Tensor[] inputs, Tensor[] constants, Tensor output, Object attrs) {
        this.op = op;
        this.label = attrs instanceof CustomOps.Rule r ? r.name() : op.label;
        this.edges = new Object[inputs.length];
        this.shapes = new int[inputs.length][];
        this.dtypes = new DType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in.requiresGrad()) edges[i] = in.gradFn != null ? in.gradFn : in;
            shapes[i] = in.shape;
            dtypes[i] = in.dtype();
        }
        this.inputs = op.saves.inputs ? inputs : null;
        this.constants = constants;
        this.output = op.saves.output || output.retainsGrad() || !output.hooks().isEmpty() ? output : null;
        this.attrs = attrs;
        this.versions = new int[inputs.length + constants.length + 1];
        for (int i = 0; i < inputs.length; i++) versions[i] = inputs[i].storage.version();
        for (int k = 0; k < constants.length; k++) versions[inputs.length + k] = constants[k].storage.version();
        versions[versions.length - 1] = output.storage.version();
        if (this.inputs != null) for (Tensor t : this.inputs) t.storage.holders++;
        for (Tensor t : constants) t.storage.holders++;
        if (this.output != null) this.output.storage.holders++;
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

    /** The number of differentiable operands. */
    int arity() {
        return shapes.length;
    }

    /**
     * Keeps the output tensor, whose gradient the backward pass then hands to it: it retains its
     * gradient or has a hook.
     */
    void keep(Tensor out) {
        if (released || output != null) return;
        output = out;
        out.storage.holders++;
    }

    /** The output tensor if this node keeps it, else null. */
    Tensor kept() {
        return output;
    }

    /** The gradient for input i, or null if it needs none. */
    Tensor backward(int i, Tensor gradOutput) {
        return Derivatives.rule(this, i, gradOutput);
    }

    /** Whether a backward pass without retainGraph went through this node and freed what it held. */
    boolean released() {
        return released;
    }

    IllegalStateException releasedError() {
        return new IllegalStateException("backward through " + label + " a second time: its saved tensors were freed "
                + "after the first backward; pass retainGraph=true to the first backward if you need two");
    }

    /** Differentiable operand i, as saved by the forward pass. */
    Tensor in(int i) {
        if (inputs == null) throw notKept("input " + i);
        return checked(inputs[i], i);
    }

    /** Non-differentiable operand k (a condition, an index tensor), as saved. */
    Tensor constant(int k) {
        return checked(constants[k], arity() + k);
    }

    /** The output, as saved. */
    Tensor out() {
        if (!op.saves.output) throw notKept("output");
        return checked(output, versions.length - 1);
    }

    private IllegalStateException notKept(String what) {
        return new IllegalStateException("internal error: the derivative of " + label + " reads its " + what
                + ", which Op." + op + " does not keep (Op.saves)");
    }

    /** The shape of differentiable operand i (no version check: shapes never change). */
    int[] shape(int i) {
        return shapes[i];
    }

    /** The type of differentiable operand i. */
    DType dtype(int i) {
        return dtypes[i];
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
     * Drops every reference to the forward pass's tensors and to the graph below (so that the
     * activations below become garbage as soon as the backward pass has gone past them, even
     * while the caller still holds the loss).
     */
    void release() {
        if (released) return;
        released = true;
        if (inputs != null) for (Tensor t : inputs) BufferPool.unhold(t.storage);
        for (Tensor t : constants) BufferPool.unhold(t.storage);
        if (output != null) BufferPool.unhold(output.storage);
        attrs = null;
        output = null;
        constants = NONE;
        inputs = null;
        edges = NO_EDGES;
    }
}
