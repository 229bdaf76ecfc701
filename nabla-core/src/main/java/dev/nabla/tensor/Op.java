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
    TO_TYPE("toType"),
    // elementwise maps
    EXP("exp"), LOG("log"), SQRT("sqrt"), ABS("abs"), SIGMOID("sigmoid"), TANH("tanh"),
    RELU("relu"), RELU_BACKWARD("reluBackward", 1), LEAKY_RELU("leakyRelu"),
    LEAKY_RELU_BACKWARD("leakyReluBackward", 1), SIN("sin"), COS("cos"), CLAMP("clamp"),
    // broadcasting binary ops
    ADD("add"), SUB("sub"), MUL("mul"), DIV("div"), POW_SCALAR("pow"), POW("pow"), MAXIMUM("maximum"),
    WHERE("where", 1),
    // reductions
    SUM("sum"), AMAX("amax"),
    // movement
    RESHAPE("reshape"), PERMUTE("permute"), SLICE("slice"), SLICE_BACKWARD("sliceBackward"), EXPAND("expand"),
    CONTIGUOUS("contiguous"), COPY("copy"), CAT("cat"),
    // indexing
    GATHER("gather", 1), SCATTER_ADD("scatterAdd", 1), INDEX_SELECT("indexSelect", 1), INDEX_ADD("indexAdd", 1),
    // linear algebra
    MATMUL("matmul"),
    // images (NCHW)
    CONV2D("conv2d"), CONV2D_INPUT_GRAD("conv2dInputGrad"), CONV2D_WEIGHT_GRAD("conv2dWeightGrad"),
    CHANNEL_SUM("channelSum"), MAX_POOL2D("maxPool2d"), MAX_POOL2D_BACKWARD("maxPool2dBackward"),
    MAX_POOL2D_GATHER("maxPool2dGather"), AVG_POOL2D("avgPool2d"), AVG_POOL2D_BACKWARD("avgPool2dBackward"),
    // fused: a fast rule and the reference composite (see BatchNormOp)
    BATCH_NORM("batchNorm"), LINEAR("linear"),
    // defined by a user (dev.nabla.autograd.CustomOp), with the user's backward
    CUSTOM("custom");

    /** The name shown as grad_fn. */
    final String label;
    /** The number of leading non-differentiable operands. */
    final int constants;

    Op(String label) {
        this(label, 0);
    }

    Op(String label, int constants) {
        this.label = label;
        this.constants = constants;
    }
}
