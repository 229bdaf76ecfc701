package dev.nabla.tensor;

import dev.nabla.kernel.ConvGeometry;
import dev.nabla.kernel.PoolGeometry;
import java.util.Arrays;

/**
 * Convolution and pooling (NCHW): argument checks and the recorded primitives, over the loops of
 * {@link Conv}; their derivatives (each the adjoint of another primitive here) are in {@link Derivatives}.
 */
final class Convolution {
    private Convolution() {}

    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        if (x.shape.length == 3) return x.unsqueeze(0).conv2d(weight, bias, stride, padding, dilation, groups).squeeze(0);
        x.requireFloating("conv2d");
        checkSameType(x, "conv2d", weight, bias);
        ConvGeometry g = Conv.geometry("conv2d", x.shape, weight.shape, stride, padding, dilation, groups);
        if (bias != null && (bias.shape.length != 1 || bias.shape[0] != g.o())) {
            throw new IllegalArgumentException("conv2d: bias of shape " + Shape.str(bias.shape) + " must be [" + g.o()
                    + "], one value per output channel of weight " + Shape.str(weight.shape));
        }
        return conv(x, weight, bias, g);
    }

    static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        if (x.shape.length == 3) {
            return x.unsqueeze(0).convTranspose2d(weight, bias, stride, padding, outputPadding, dilation, groups).squeeze(0);
        }
        String op = "convTranspose2d";
        x.requireFloating(op);
        checkSameType(x, op, weight, bias);
        if (x.shape.length != 4 || weight.shape.length != 4) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " and weight " + Shape.str(weight.shape)
                    + " must be [batch, in_channels, height, width] and [in_channels, out_channels/groups, kh, kw]");
        }
        if (groups < 1 || weight.shape[0] != x.shape[1] || x.shape[1] % groups != 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has " + x.shape[1] + " channels; weight "
                    + Shape.str(weight.shape) + " needs dim 0 = in_channels = " + x.shape[1] + " and groups " + groups + " dividing it");
        }
        int[] s = Conv.pair(op, "stride", stride, 1), p = Conv.pair(op, "padding", padding, 0);
        int[] d = Conv.pair(op, "dilation", dilation, 1), op2 = Conv.pair(op, "output padding", outputPadding, 0);
        if (op2[0] >= Math.max(s[0], d[0]) || op2[1] >= Math.max(s[1], d[1])) {
            throw new IllegalArgumentException(op + ": output padding " + Arrays.toString(op2)
                    + " must be smaller than the stride or the dilation (" + Arrays.toString(s) + ", " + Arrays.toString(d) + ")");
        }
        int cout = weight.shape[1] * groups;
        int h = (x.shape[2] - 1) * s[0] - 2 * p[0] + d[0] * (weight.shape[2] - 1) + op2[0] + 1;
        int w = (x.shape[3] - 1) * s[1] - 2 * p[1] + d[1] * (weight.shape[3] - 1) + op2[1] + 1;
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " with weight " + Shape.str(weight.shape)
                    + " and padding " + Arrays.toString(p) + " gives an output of " + h + "x" + w + "; use less padding");
        }
        if (bias != null && (bias.shape.length != 1 || bias.shape[0] != cout)) {
            throw new IllegalArgumentException(op + ": bias of shape " + Shape.str(bias.shape) + " must be [" + cout + "]");
        }
        // the convolution this one is the adjoint of: from [N, Cout, h, w] to this input's shape
        ConvGeometry g = new ConvGeometry(x.shape[0], cout, h, w, x.shape[1], weight.shape[2], weight.shape[3], s[0], s[1],
                p[0], p[1], d[0], d[1], groups, x.shape[2], x.shape[3]);
        Tensor out = convInput(x, weight, g);
        return bias == null ? out : out.add(bias.reshape(1, cout, 1, 1));
    }

    static void checkSameType(Tensor x, String op, Tensor weight, Tensor bias) {
        if (weight.dtype() != x.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": input is " + x.dtype() + " but weight is " + weight.dtype()
                    + (bias == null ? "" : " and bias " + bias.dtype()) + "; convert them to one type (Layer.toType or Tensor.toType)");
        }
    }

    // The primitive y = conv(x, w) + b; its derivatives are the two adjoints below and a channel sum.
    static Tensor conv(Tensor x, Tensor w, Tensor b, ConvGeometry g) {
        Tensor out = Conv.forward(x, w, b, g);
        return b == null ? Node.record(Op.CONV2D, out, g, x, w) : Node.record(Op.CONV2D, out, g, x, w, b);
    }

    // The bias gradient of conv: [N, C, H, W] summed over all dims but the channels, in one pass
    // over the NCHW layout (the generic sum would first copy to channels-last).
    static Tensor channelSum(Tensor gy) {
        return Node.record(Op.CHANNEL_SUM, Conv.channelSum(gy), null, gy);
    }

    // The input gradient of conv: a transposed convolution, bilinear in (gy, w).
    static Tensor convInput(Tensor gy, Tensor w, ConvGeometry g) {
        return Node.record(Op.CONV2D_INPUT_GRAD, Conv.inputGrad(gy, w, g), g, gy, w);
    }

    // The weight gradient of conv, summed over the batch; bilinear in (x, gy).
    static Tensor convWeight(Tensor x, Tensor gy, ConvGeometry g) {
        return Node.record(Op.CONV2D_WEIGHT_GRAD, Conv.weightGrad(x, gy, g), g, x, gy);
    }

    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return maxPool2dWithIndices(x, kernel, stride, padding, ceilMode, false).values();
    }

    // The values and, when wanted, the int64 index of each maximum in its input plane.
    static Tensor.ValuesIndices maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                                     boolean indices) {
        Tensor x = input.shape.length == 3 ? input.unsqueeze(0) : input;
        x.requireFloating("maxPool2d");
        PoolGeometry p = Conv.poolGeometry("maxPool2d", x.shape, kernel, stride, padding, ceilMode, true);
        Conv.MaxPooled r = Conv.maxPool(x, p);
        Tensor values = Node.record(Op.MAX_POOL2D, r.values(), r.argmax(), x);
        Tensor index = null;
        if (indices) {
            long[] l = new long[r.argmax().length];
            for (int i = 0; i < l.length; i++) l[i] = r.argmax()[i];
            index = Tensor.of(l, p.outputShape());
        }
        if (input.shape.length != 3) return new Tensor.ValuesIndices(values, index);
        return new Tensor.ValuesIndices(values.squeeze(0), index == null ? null : index.squeeze(0));
    }

    // Max pooling's backward: adds g into zeros of the input's shape at the saved positions.
    // Linear; its derivative reads those positions back (gatherPlanes), and vice versa.
    static Tensor scatterPlanes(Tensor g, int[] idx, int[] in) {
        return Node.record(Op.MAX_POOL2D_BACKWARD, Conv.scatterPlanes(g, idx, in), idx, g);
    }

    static Tensor gatherPlanes(Tensor h, int[] idx, int[] outShape) {
        return Node.record(Op.MAX_POOL2D_GATHER, Conv.gatherPlanes(h, idx, outShape), idx, h);
    }

    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        if (x.shape.length == 3) return x.unsqueeze(0).avgPool2d(kernel, stride, padding, ceilMode, countIncludePad).squeeze(0);
        x.requireFloating("avgPool2d");
        PoolGeometry p = Conv.poolGeometry("avgPool2d", x.shape, kernel, stride, padding, ceilMode, countIncludePad);
        return avgPool(x, p);
    }

    // Average pooling and its adjoint: each is linear and the derivative of the other.
    static Tensor avgPool(Tensor x, PoolGeometry p) {
        return Node.record(Op.AVG_POOL2D, Conv.avgPool(x, p), p, x);
    }

    static Tensor avgPoolBackward(Tensor g, PoolGeometry p) {
        return Node.record(Op.AVG_POOL2D_BACKWARD, Conv.avgPoolBackward(g, p), p, g);
    }
}
