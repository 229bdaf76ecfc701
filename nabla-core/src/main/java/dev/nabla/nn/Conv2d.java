package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * A 2-D convolution over inputs [N, C, H, W] (or [C, H, W]), as PyTorch's nn.Conv2d: weight
 * [out, in/groups, kh, kw], bias [out], with stride, zero padding (explicit, or "same" for
 * stride 1: the output keeps H×W, an odd total padding puts the extra row/column at the bottom
 * and right, as in PyTorch), dilation and groups. Output size per dim:
 * ⌊(in + padding·2 − dilation·(k − 1) − 1)/stride⌋ + 1.
 *
 * <p>Default initialization, PyTorch's (see {@link ConvLayer}): fan_in = in/groups·kh·kw, drawn
 * from the {@link Generator} given (default: {@link Generator#global()}).
 *
 * <pre>{@code
 * new Conv2d(1, 32, 3, 1, 1);                                   // 3×3, stride 1, padding 1
 * Conv2d.builder(64, 64, 3).paddingSame().dilation(2).build(); // the fluent form for the rest
 * Conv2d.lazy(64, 3).padding(1).build();                       // in_channels from the first input
 * }</pre>
 */
public class Conv2d extends ConvLayer {
    private final int[] padding; // top, bottom, left, right
    private final boolean same;

    /** A k×k convolution with stride 1, no padding, bias, from the global generator. */
    public Conv2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, 0);
    }

    /** A k×k convolution with bias, from the global generator. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding) {
        this(inChannels, outChannels, kernel, stride, padding, Generator.global());
    }

    /** A k×k convolution with bias, initialized from gen. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, Generator gen) {
        this(builder(inChannels, outChannels, kernel).stride(stride).padding(padding).generator(gen));
    }

    private Conv2d(Builder b) {
        super("Conv2d", b, false);
        String name = "Conv2d(" + (b.lazy ? "?" : b.in) + ", " + b.out + ")";
        this.same = b.same;
        if (same) {
            if (stride[0] != 1 || stride[1] != 1) {
                throw new IllegalArgumentException(name + ": padding \"same\" needs stride 1 (as in PyTorch), got stride "
                        + Arrays.toString(stride) + "; give the padding explicitly for a strided convolution");
            }
            int th = dilation[0] * (kernel[0] - 1), tw = dilation[1] * (kernel[1] - 1);
            this.padding = new int[] {th / 2, th - th / 2, tw / 2, tw - tw / 2};
        } else {
            int[] p = pair(name, "padding", b.padding, 0);
            this.padding = new int[] {p[0], p[0], p[1], p[1]};
        }
    }

    /** Starts a convolution with in and out channels and a kernel size (1 value or {height, width}). */
    public static Builder builder(int inChannels, int outChannels, int... kernel) {
        return new Builder(inChannels, outChannels, kernel);
    }

    /**
     * Starts a lazy convolution (Keras's Conv2D(filters, kernel)): in_channels is inferred from
     * the first input, when the weights are drawn.
     */
    public static Builder lazy(int outChannels, int... kernel) {
        return new Builder(0, outChannels, kernel, true);
    }

    /** The settings of a {@link Conv2d}: those of {@link ConvLayer.Settings} and the padding. */
    public static final class Builder extends ConvLayer.Settings<Builder> {
        private int[] padding = {0};
        private boolean same;

        private Builder(int in, int out, int[] kernel) {
            super(in, out, kernel);
        }

        private Builder(int in, int out, int[] kernel, boolean lazy) {
            super(in, out, kernel, lazy);
        }

        /** Zero padding on both sides: 1 value or {height, width} (default 0). */
        public Builder padding(int... p) {
            padding = p;
            same = false;
            return this;
        }

        /** Padding "same": the output keeps the input's height and width (stride 1 only). */
        public Builder paddingSame() {
            same = true;
            return this;
        }

        /** The layer, initialized. */
        public Conv2d build() {
            return new Conv2d(this);
        }
    }

    /**
     * The shape this layer gives for an input of shape [C, H, W] or [N, C, H, W], without running
     * it; throws the same error as {@link #forward} when the input does not fit.
     */
    @Override
    public int[] outputShape(int[] inputShape) {
        checkInput(inputShape);
        int r = inputShape.length;
        int[] out = inputShape.clone();
        out[r - 3] = outChannels;
        out[r - 2] = size(inputShape[r - 2], padding[0] + padding[1], kernel[0], stride[0], dilation[0]);
        out[r - 1] = size(inputShape[r - 1], padding[2] + padding[3], kernel[1], stride[1], dilation[1]);
        if (out[r - 2] < 1 || out[r - 1] < 1) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(inputShape) + " is too small: the output would be "
                    + out[r - 2] + "x" + out[r - 1] + "; use a larger input, more padding or a smaller kernel");
        }
        return out;
    }

    private static int size(int in, int pad, int k, int s, int d) {
        int span = in + pad - d * (k - 1) - 1;
        return span < 0 ? 0 : span / s + 1;
    }

    /** The zero padding {top, bottom, left, right} (for "same", as computed from the kernel and dilation). */
    public int[] padding() {
        return padding.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x.shape());
        buildFor(x);
        outputShape(x.shape());
        return x.conv2d(weight(), bias(), stride, padding, dilation, groups);
    }

    @Override
    String paddingRepr() {
        if (same) return ", padding=same";
        return padding[0] != 0 || padding[2] != 0 ? ", padding=" + tuple(new int[] {padding[0], padding[2]}) : "";
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return withPadding(same ? "same" : new int[] {padding[0], padding[2]}, Map.of());
    }
}
