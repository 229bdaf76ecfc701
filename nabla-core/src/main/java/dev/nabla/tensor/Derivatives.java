package dev.nabla.tensor;

/**
 * The derivative of every primitive in one table (PyTorch's derivatives.yaml, in Java): for
 * node n of op {@code n.op}, the gradient of its input i given the gradient g of its output,
 * as a vector-Jacobian product. The rules read the saved tensors through {@link Node#in},
 * {@link Node#constant} and {@link Node#out} (version-checked; a node keeps the operands and the
 * output only when its op's rule reads them, {@link Op#saves}) and the attributes the forward
 * recorded through {@link Node#attrs}.
 *
 * <p>Each rule is written with differentiable tensor ops, so that with createGraph the backward
 * pass is itself recorded and derivatives of any order follow. A broadcasting op sums its
 * gradient back to the input's shape ({@link Tensor#sumTo}). The switch that builds the table is
 * exhaustive: a new primitive does not compile without its rule.
 *
 * <p>Each rule is a lambda of its own, called through a table: the JIT compiles each on its own,
 * small, and recompiles only the rule whose inlined helpers trap. As one switch, the rules were
 * one large compilation, redone three times as traps fired in helpers it had inlined
 * ({@code Reductions.sumTo}, {@code Shape.broadcast}, {@code Views.viewStrides}): 0.55 s of C2
 * time in the mlp protocol's first seconds, on the two cores that run the epochs it times.
 */
final class Derivatives {
    private Derivatives() {}

    /** A vector-Jacobian product: input i's gradient, given the output's g and the input's shape. */
    private interface Rule {
        Tensor apply(Node n, int i, Tensor g, int[] shape);
    }

    private static final Rule[] RULES = new Rule[Op.values().length];

    static {
        for (Op op : Op.values()) RULES[op.ordinal()] = ruleOf(op);
    }

    static Tensor rule(Node n, int i, Tensor g) {
        return RULES[n.op.ordinal()].apply(n, i, g, n.shape(i));
    }

    private static Rule ruleOf(Op op) {
        return switch (op) {
            case TO_TYPE -> (n, i, g, shape) -> g.toType(n.<DType>attrs());
            case EXP -> (n, i, g, shape) -> g.mul(n.out());
            case LOG -> (n, i, g, shape) -> g.div(n.in(0));
            case SQRT -> (n, i, g, shape) -> g.div(n.out().mul(2));
            case ABS -> (n, i, g, shape) -> g.mul(n.in(0).sign()); // 0 at 0, as in PyTorch
            case SIGMOID -> (n, i, g, shape) -> UnaryOps.sigmoidBackward(g, n.out());
            case SIGMOID_BACKWARD -> (n, i, g, shape) -> // of g·y·(1 − y): in y, g·(1 − 2y)
                    (i == 0 ? UnaryOps.sigmoidBackward(g, n.in(1)) : g.mul(n.in(0)).mul(n.in(1).mul(-2).add(1))).sumTo(shape);
            case TANH -> (n, i, g, shape) -> UnaryOps.tanhBackward(g, n.out());
            case TANH_BACKWARD -> (n, i, g, shape) -> // of g·(1 − y²): in y, −2·g·y
                    (i == 0 ? UnaryOps.tanhBackward(g, n.in(1)) : g.mul(n.in(0)).mul(n.in(1)).mul(-2)).sumTo(shape);
            case RELU -> (n, i, g, shape) -> UnaryOps.reluBackward(g, n.out());
            case RELU_BACKWARD -> (n, i, g, shape) -> UnaryOps.reluBackward(g, n.constant(0)); // linear in g, the mask a constant
            case LEAKY_RELU -> (n, i, g, shape) -> UnaryOps.leakyReluBackward(g, n.in(0), n.<Double>attrs());
            case LEAKY_RELU_BACKWARD -> // linear in g
                    (n, i, g, shape) -> UnaryOps.leakyReluBackward(g, n.constant(0), n.<Double>attrs());
            case SIN -> (n, i, g, shape) -> g.mul(n.in(0).cos());
            case COS -> (n, i, g, shape) -> g.mul(n.in(0).sin()).neg();
            case CLAMP -> (n, i, g, shape) -> { // passes where min ≤ x ≤ max, as in PyTorch
                double[] bounds = n.attrs();
                return g.mul(n.in(0).ge(bounds[0]).mul(n.in(0).le(bounds[1])));
            };
            case ADD -> (n, i, g, shape) -> g.sumTo(shape);
            case SUB -> (n, i, g, shape) -> (i == 0 ? g : g.neg()).sumTo(shape);
            case MUL -> (n, i, g, shape) -> g.mul(n.in(1 - i)).sumTo(shape);
            case DIV -> (n, i, g, shape) ->
                    (i == 0 ? g.div(n.in(1)) : g.mul(n.in(0)).div(n.in(1).mul(n.in(1))).neg()).sumTo(shape);
            case POW_SCALAR -> (n, i, g, shape) -> {
                double p = n.<Double>attrs();
                return p == 0 ? g.zerosLike() : g.mul(n.in(0).pow(p - 1).mul(p));
            };
            case POW -> (n, i, g, shape) -> { // as in PyTorch: 0 where y = 0 for x, and where x = 0 and y ≥ 0 for y
                Tensor x = n.in(0), y = n.in(1), zero = g.scalarLike(0);
                return (i == 0 ? Tensor.where(y.eq(0), zero, g.mul(y).mul(x.pow(y.sub(1))))
                        : Tensor.where(x.eq(0).mul(y.ge(0)), zero, g.mul(n.out()).mul(x.log()))).sumTo(shape);
            };
            case MAXIMUM -> (n, i, g, shape) -> { // 1 where this input wins, ½ on a tie: a constant, so higher derivatives vanish
                Tensor a = n.in(i), b = n.in(1 - i);
                return g.mul(a.gt(b).add(a.eq(b).mul(0.5))).sumTo(shape);
            };
            case WHERE -> (n, i, g, shape) -> {
                Tensor cond = n.constant(0), zero = g.scalarLike(0);
                return (i == 0 ? Tensor.where(cond, g, zero) : Tensor.where(cond, zero, g)).sumTo(shape);
            };
            case SUM -> (n, i, g, shape) -> Reductions.unreduce(shape, g, n.attrs());
            case AMAX -> (n, i, g, shape) -> Reductions.amaxBackward(g, n.in(0), n.out(), n.attrs()); // shared among ties
            case RESHAPE -> (n, i, g, shape) -> g.reshape(shape);
            case PERMUTE -> (n, i, g, shape) -> g.permute(n.<int[]>attrs());
            case SLICE -> (n, i, g, shape) -> Views.sliceBackward(g, shape, n.attrs());
            case SLICE_BACKWARD -> (n, i, g, shape) -> {
                Views.Slicing s = n.attrs();
                return g.slice(s.dim(), s.start(), s.start() + (shape[s.dim()] - 1) * s.step() + 1, s.step());
            };
            case EXPAND -> (n, i, g, shape) -> g.sumTo(shape);
            case CONTIGUOUS, COPY -> (n, i, g, shape) -> g;
            case CAT -> (n, i, g, shape) -> {
                Views.Joined joined = n.attrs();
                return g.narrow(joined.dim(), joined.starts()[i], shape[joined.dim()]);
            };
            case GATHER -> (n, i, g, shape) -> Tensor.zeros(g.dtype(), shape).scatterAdd(n.<Integer>attrs(), n.constant(0), g);
            case SCATTER_ADD -> (n, i, g, shape) -> i == 0 ? g : g.gather(n.<Integer>attrs(), n.constant(0));
            case INDEX_SELECT -> (n, i, g, shape) -> Tensor.zeros(g.dtype(), shape).indexAdd(n.<Integer>attrs(), n.constant(0), g);
            case INDEX_ADD -> (n, i, g, shape) -> i == 0 ? g : g.indexSelect(n.<Integer>attrs(), n.constant(0));
            // for a transposed y (a Linear layer's weight.t()) as (gᵀ·x)ᵀ, so that y's gradient is contiguous
            case MATMUL -> (n, i, g, shape) -> {
                Tensor x = n.in(0), y = n.in(1);
                return i == 0 ? g.matmul(y.mT()) : n.<Boolean>attrs() ? g.mT().matmul(x).mT() : x.mT().matmul(g);
            };
            // the adjoints of the convolution in each argument, and a channel sum
            case CONV2D -> (n, i, g, shape) -> switch (i) {
                case 0 -> Convolution.convInput(g, n.in(1), n.attrs());
                case 1 -> Convolution.convWeight(n.in(0), g, n.attrs());
                default -> Convolution.channelSum(g);
            };
            case CONV2D_INPUT_GRAD -> (n, i, g, shape) ->
                    i == 0 ? Convolution.conv(g, n.in(1), null, n.attrs()) : Convolution.convWeight(g, n.in(0), n.attrs());
            case CONV2D_WEIGHT_GRAD -> (n, i, g, shape) ->
                    i == 0 ? Convolution.convInput(n.in(1), g, n.attrs()) : Convolution.conv(n.in(0), g, null, n.attrs());
            case CHANNEL_SUM -> (n, i, g, shape) -> g.reshape(1, shape[1], 1, 1).expand(shape);
            case MAX_POOL2D, MAX_POOL2D_GATHER -> (n, i, g, shape) -> Convolution.scatterPlanes(g, n.attrs(), shape);
            case MAX_POOL2D_BACKWARD -> (n, i, g, shape) -> Convolution.gatherPlanes(g, n.attrs(), shape);
            case AVG_POOL2D -> (n, i, g, shape) -> Convolution.avgPoolBackward(g, n.attrs());
            case AVG_POOL2D_BACKWARD -> (n, i, g, shape) -> Convolution.avgPool(g, n.attrs());
            case BATCH_NORM -> (n, i, g, shape) -> BatchNormOp.backward(n, i, g);
            case LINEAR -> (n, i, g, shape) -> LinearOp.backward(n, i, g);
            case CUSTOM -> (n, i, g, shape) -> CustomOps.backward(n, i, g);
        };
    }
}
