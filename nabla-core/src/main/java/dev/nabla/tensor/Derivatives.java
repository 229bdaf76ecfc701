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
 * gradient back to the input's shape ({@link Tensor#sumTo}). The switch is exhaustive: a new
 * primitive does not compile without its rule.
 */
final class Derivatives {
    private Derivatives() {}

    static Tensor rule(Node n, int i, Tensor g) {
        int[] shape = n.shape(i);
        return switch (n.op) {
            case TO_TYPE -> g.toType(n.<DType>attrs());
            case EXP -> g.mul(n.out());
            case LOG -> g.div(n.in(0));
            case SQRT -> g.div(n.out().mul(2));
            case ABS -> g.mul(n.in(0).sign()); // 0 at 0, as in PyTorch
            case SIGMOID -> g.mul(n.out().mul(n.out().rsub(1)));
            case TANH -> g.mul(n.out().mul(n.out()).rsub(1));
            case RELU -> UnaryOps.reluBackward(g, n.out());
            case RELU_BACKWARD -> UnaryOps.reluBackward(g, n.constant(0)); // linear in g, the mask a constant
            case LEAKY_RELU -> UnaryOps.leakyReluBackward(g, n.in(0), n.<Double>attrs());
            case LEAKY_RELU_BACKWARD -> UnaryOps.leakyReluBackward(g, n.constant(0), n.<Double>attrs()); // linear in g
            case SIN -> g.mul(n.in(0).cos());
            case COS -> g.mul(n.in(0).sin()).neg();
            case CLAMP -> { // passes where min ≤ x ≤ max, as in PyTorch
                double[] bounds = n.attrs();
                yield g.mul(n.in(0).ge(bounds[0]).mul(n.in(0).le(bounds[1])));
            }
            case ADD -> g.sumTo(shape);
            case SUB -> (i == 0 ? g : g.neg()).sumTo(shape);
            case MUL -> g.mul(n.in(1 - i)).sumTo(shape);
            case DIV -> (i == 0 ? g.div(n.in(1)) : g.mul(n.in(0)).div(n.in(1).mul(n.in(1))).neg()).sumTo(shape);
            case POW_SCALAR -> {
                double p = n.<Double>attrs();
                yield p == 0 ? g.zerosLike() : g.mul(n.in(0).pow(p - 1).mul(p));
            }
            case POW -> { // as in PyTorch: 0 where y = 0 for x, and where x = 0 and y ≥ 0 for y
                Tensor x = n.in(0), y = n.in(1), zero = g.scalarLike(0);
                yield (i == 0 ? Tensor.where(y.eq(0), zero, g.mul(y).mul(x.pow(y.sub(1))))
                        : Tensor.where(x.eq(0).mul(y.ge(0)), zero, g.mul(n.out()).mul(x.log()))).sumTo(shape);
            }
            case MAXIMUM -> { // 1 where this input wins, ½ on a tie: a constant, so higher derivatives vanish
                Tensor a = n.in(i), b = n.in(1 - i);
                yield g.mul(a.gt(b).add(a.eq(b).mul(0.5))).sumTo(shape);
            }
            case WHERE -> {
                Tensor cond = n.constant(0), zero = g.scalarLike(0);
                yield (i == 0 ? Tensor.where(cond, g, zero) : Tensor.where(cond, zero, g)).sumTo(shape);
            }
            case SUM -> Reductions.unreduce(shape, g, n.attrs());
            case AMAX -> Reductions.amaxBackward(g, n.in(0), n.out(), n.attrs()); // shared among ties
            case RESHAPE -> g.reshape(shape);
            case PERMUTE -> g.permute(n.<int[]>attrs());
            case SLICE -> Views.sliceBackward(g, shape, n.attrs());
            case SLICE_BACKWARD -> {
                Views.Slicing s = n.attrs();
                yield g.slice(s.dim(), s.start(), s.start() + (shape[s.dim()] - 1) * s.step() + 1, s.step());
            }
            case EXPAND -> g.sumTo(shape);
            case CONTIGUOUS, COPY -> g;
            case CAT -> g.narrow(n.<Views.Joined>attrs().dim(), n.<Views.Joined>attrs().starts()[i], shape[n.<Views.Joined>attrs().dim()]);
            case GATHER -> Tensor.zeros(g.dtype(), shape).scatterAdd(n.<Integer>attrs(), n.constant(0), g);
            case SCATTER_ADD -> i == 0 ? g : g.gather(n.<Integer>attrs(), n.constant(0));
            case INDEX_SELECT -> Tensor.zeros(g.dtype(), shape).indexAdd(n.<Integer>attrs(), n.constant(0), g);
            case INDEX_ADD -> i == 0 ? g : g.indexSelect(n.<Integer>attrs(), n.constant(0));
            case MATMUL -> { // for a transposed y (a Linear layer's weight.t()) as (gᵀ·x)ᵀ, so that y's gradient is contiguous
                Tensor x = n.in(0), y = n.in(1);
                yield i == 0 ? g.matmul(y.mT()) : n.<Boolean>attrs() ? g.mT().matmul(x).mT() : x.mT().matmul(g);
            }
            case CONV2D -> switch (i) { // the adjoints of the convolution in each argument, and a channel sum
                case 0 -> Convolution.convInput(g, n.in(1), n.attrs());
                case 1 -> Convolution.convWeight(n.in(0), g, n.attrs());
                default -> Convolution.channelSum(g);
            };
            case CONV2D_INPUT_GRAD -> i == 0 ? Convolution.conv(g, n.in(1), null, n.attrs()) : Convolution.convWeight(g, n.in(0), n.attrs());
            case CONV2D_WEIGHT_GRAD -> i == 0 ? Convolution.convInput(n.in(1), g, n.attrs()) : Convolution.conv(n.in(0), g, null, n.attrs());
            case CHANNEL_SUM -> g.reshape(1, shape[1], 1, 1).expand(shape);
            case MAX_POOL2D, MAX_POOL2D_GATHER -> Convolution.scatterPlanes(g, n.attrs(), shape);
            case MAX_POOL2D_BACKWARD -> Convolution.gatherPlanes(g, n.attrs(), shape);
            case AVG_POOL2D -> Convolution.avgPoolBackward(g, n.attrs());
            case AVG_POOL2D_BACKWARD -> Convolution.avgPool(g, n.attrs());
            case BATCH_NORM -> BatchNormOp.backward(n, i, g);
            case LINEAR -> LinearOp.backward(n, i, g);
            case CUSTOM -> CustomOps.backward(n, i, g);
        };
    }
}
