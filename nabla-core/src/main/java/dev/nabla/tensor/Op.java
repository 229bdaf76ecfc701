package dev.nabla.tensor;

/**
 * The recorded primitives: every node of the tape is one of these, and {@link Derivatives} holds
 * the derivative rule of each. Every other op (mean, var, softmax, logsumexp, stack,
 * neg, minimum, amin, the losses, …) is composed of them and gets its gradient for free.
 *
 * <p>A primitive whose forward is the derivative of another (reluBackward, conv2dInputGrad, …) is
 * a primitive too, so that the backward pass is itself recorded and higher orders work.
 * {@code constants} counts the leading operands that are read but not differentiated (a
 * condition, an index tensor): the tape checks their versions like the inputs', never sends them
 * a gradient.
 */
enum Op {
    // type
    TO_TYPE("toType", Saves.NONE),
    // elementwise maps
    EXP("exp", Saves.OUTPUT), LOG("log", Saves.INPUTS), SQRT("sqrt", Saves.OUTPUT), ABS("abs", Saves.INPUTS),
    SIGMOID("sigmoid", Saves.OUTPUT), SIGMOID_BACKWARD("sigmoidBackward", Saves.INPUTS), TANH("tanh", Saves.OUTPUT),
    TANH_BACKWARD("tanhBackward", Saves.INPUTS), RELU("relu", Saves.OUTPUT),
    RELU_BACKWARD("reluBackward", 1, Saves.NONE), LEAKY_RELU("leakyRelu", Saves.INPUTS),
    LEAKY_RELU_BACKWARD("leakyReluBackward", 1, Saves.NONE), SIN("sin", Saves.INPUTS), COS("cos", Saves.INPUTS),
    CLAMP("clamp", Saves.INPUTS),
    // broadcasting binary ops
    ADD("add", Saves.NONE), SUB("sub", Saves.NONE), MUL("mul", Saves.INPUTS), DIV("div", Saves.INPUTS),
    POW_SCALAR("pow", Saves.INPUTS), POW("pow", Saves.ALL), MAXIMUM("maximum", Saves.INPUTS),
    WHERE("where", 1, Saves.NONE),
    // reductions
    SUM("sum", Saves.NONE), AMAX("amax", Saves.ALL),
    // movement
    RESHAPE("reshape", Saves.NONE), PERMUTE("permute", Saves.NONE), SLICE("slice", Saves.NONE),
    SLICE_BACKWARD("sliceBackward", Saves.NONE), EXPAND("expand", Saves.NONE), CONTIGUOUS("contiguous", Saves.NONE),
    COPY("copy", Saves.NONE), CAT("cat", Saves.NONE),
    // indexing
    GATHER("gather", 1, Saves.NONE), SCATTER_ADD("scatterAdd", 1, Saves.NONE), INDEX_SELECT("indexSelect", 1, Saves.NONE),
    INDEX_ADD("indexAdd", 1, Saves.NONE),
    // linear algebra
    MATMUL("matmul", Saves.INPUTS),
    // images (NCHW)
    CONV2D("conv2d", Saves.INPUTS), CONV2D_INPUT_GRAD("conv2dInputGrad", Saves.INPUTS),
    CONV2D_WEIGHT_GRAD("conv2dWeightGrad", Saves.INPUTS), CHANNEL_SUM("channelSum", Saves.NONE),
    MAX_POOL2D("maxPool2d", Saves.NONE), MAX_POOL2D_BACKWARD("maxPool2dBackward", Saves.NONE),
    MAX_POOL2D_GATHER("maxPool2dGather", Saves.NONE), AVG_POOL2D("avgPool2d", Saves.NONE),
    AVG_POOL2D_BACKWARD("avgPool2dBackward", Saves.NONE),
    // fused: a fast rule and the reference composite (see BatchNormOp)
    BATCH_NORM("batchNorm", Saves.INPUTS), LINEAR("linear", Saves.INPUTS),
    // defined by a user (dev.nabla.autograd.CustomOp), with the user's backward
    CUSTOM("custom", Saves.ALL);

    /**
     * What a node of the op keeps for its derivative rule besides the constants (always kept): the
     * differentiable operands, the output, both or neither. What is not kept can be freed once the
     * forward pass has moved on (a ReLU's input, a convolution's output: half of a conv-ReLU net's
     * activations), as PyTorch saves only the tensors a formula names. OpSavesTest derives each
     * op's from its rule's source; a rule that reads a tensor its op does not keep fails with an
     * internal error.
     */
    enum Saves {
        NONE(false, false), INPUTS(true, false), OUTPUT(false, true), ALL(true, true);

        final boolean inputs, output;

        Saves(boolean inputs, boolean output) {
            this.inputs = inputs;
            this.output = output;
        }
    }

    /** The name shown as grad_fn. */
    final String label;
    /** The number of leading non-differentiable operands. */
    final int constants;
    /** The tensors its nodes keep for the rule. */
    final Saves saves;

    Op(String label, Saves saves) {
        this(label, 0, saves);
    }

    Op(String label, int constants, Saves saves) {
        this.label = label;
        this.constants = constants;
        this.saves = saves;
    }
}
