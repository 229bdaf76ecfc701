package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * A 2-D convolution over inputs [N, C, H, W] (or [C, H, W]), as PyTorch's nn.Conv2d: weight
 * [out, in/groups, kh, kw], bias [out], with stride, zero padding (explicit, or "same" for
 * stride 1: the output keeps H×W, an odd total padding puts the extra row/column at the bottom
 * and right, as in PyTorch), dilation and groups. Output size per dim:
 * ⌊(in + padding·2 − dilation·(k − 1) − 1)/stride⌋ + 1.
 *
 * <p>Default initialization, PyTorch's: weight by {@code Init.kaimingUniform(w, √5, FAN_IN,
 * LEAKY_RELU)}, i.e. U(−1/√fan_in, 1/√fan_in) with fan_in = in/groups·kh·kw, then the bias from
 * U(−1/√fan_in, 1/√fan_in), drawn in that order from the {@link Generator} given (default:
 * {@link Generator#global()}).
 *
 * <pre>{@code
 * new Conv2d(1, 32, 3, 1, 1);                                   // 3×3, stride 1, padding 1
 * Conv2d.builder(64, 64, 3).paddingSame().dilation(2).build(); // the fluent form for the rest
 * }</pre>
 */
public class Conv2d extends Module {
    private final int inChannels, outChannels, groups;
    private final int[] kernel, stride, dilation;
    private final int[] padding; // top, bottom, left, right
    private final boolean same, hasBias;

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
        String name = "Conv2d(" + b.in + ", " + b.out + ")";
        if (b.in <= 0 || b.out <= 0) {
            throw new IllegalArgumentException(name + ": in_channels and out_channels must both be positive");
        }
        if (b.groups < 1 || b.in % b.groups != 0 || b.out % b.groups != 0) {
            throw new IllegalArgumentException(name + ": groups " + b.groups + " must be >= 1 and divide both in_channels "
                    + b.in + " and out_channels " + b.out);
        }
        if (b.gen == null) throw new IllegalArgumentException(name + ": the generator is null; pass Generator.global() or a seeded one");
        this.inChannels = b.in;
        this.outChannels = b.out;
        this.groups = b.groups;
        this.kernel = pair(name, "kernel size", b.kernel, 1);
        this.stride = pair(name, "stride", b.stride, 1);
        this.dilation = pair(name, "dilation", b.dilation, 1);
        this.same = b.same;
        this.hasBias = b.bias;
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
        registerParameter("weight", Tensor.zeros(outChannels, inChannels / groups, kernel[0], kernel[1]));
        if (hasBias) registerParameter("bias", Tensor.zeros(outChannels));
        resetParameters(b.gen);
    }

    private static int[] pair(String name, String what, int[] v, int min) {
        if (v == null || (v.length != 1 && v.length != 2) || Arrays.stream(v).anyMatch(x -> x < min)) {
            throw new IllegalArgumentException(name + ": " + what + " " + Arrays.toString(v)
                    + " must be one value or two (height, width), each >= " + min);
        }
        return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    }

    /** Starts a convolution with in and out channels and a kernel size (1 value or {height, width}). */
    public static Builder builder(int inChannels, int outChannels, int... kernel) {
        return new Builder(inChannels, outChannels, kernel);
    }

    /** The settings of a {@link Conv2d} besides its channels and kernel; defaults as in PyTorch. */
    public static final class Builder {
        private final int in, out;
        private final int[] kernel;
        private int[] stride = {1}, padding = {0}, dilation = {1};
        private int groups = 1;
        private boolean same, bias = true;
        private Generator gen = Generator.global();

        private Builder(int in, int out, int[] kernel) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        /** Stride: 1 value or {height, width} (default 1). */
        public Builder stride(int... s) {
            stride = s;
            return this;
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

        /** Dilation: 1 value or {height, width} (default 1). */
        public Builder dilation(int... d) {
            dilation = d;
            return this;
        }

        /** Groups (default 1): channels are split into this many independent convolutions. */
        public Builder groups(int g) {
            groups = g;
            return this;
        }

        /** Whether the layer has a bias (default true). */
        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        /** The generator the initial weights are drawn from (default: the global one). */
        public Builder generator(Generator g) {
            gen = g;
            return this;
        }

        /** The layer, initialized. */
        public Conv2d build() {
            return new Conv2d(this);
        }
    }

    /** Re-draws the default initialization (see the class comment) from gen. */
    public void resetParameters(Generator gen) {
        Init.kaimingUniform(weight(), Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU, gen);
        if (hasBias) {
            double bound = 1 / Math.sqrt((double) inChannels / groups * kernel[0] * kernel[1]);
            Init.uniform(bias(), -bound, bound, gen);
        }
    }

    /** The weight, shape [out, in/groups, kh, kw]. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The bias, shape [out], or null for a layer without bias. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    /** The number of input channels. */
    public int inChannels() {
        return inChannels;
    }

    /** The number of output channels. */
    public int outChannels() {
        return outChannels;
    }

    /**
     * The shape this layer gives for an input of shape [C, H, W] or [N, C, H, W], without running
     * it; throws the same error as {@link #forward} when the input does not fit.
     */
    @Override
    public int[] outputShape(int[] inputShape) {
        check(inputShape);
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

    private void check(int[] s) {
        if (s.length != 3 && s.length != 4) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(s) + " must be [batch, " + inChannels
                    + ", height, width] (or [" + inChannels + ", height, width]); images are NCHW"
                    + (s.length == 2 ? " (reshape flat rows, e.g. x.reshape(-1, " + inChannels + ", H, W))" : ""));
        }
        if (s[s.length - 3] != inChannels) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(s) + " has " + s[s.length - 3]
                    + " channels, expected " + inChannels + "; images are NCHW (channels before height and width), or build Conv2d("
                    + s[s.length - 3] + ", " + outChannels + ", ...)");
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return x.conv2d(weight(), bias(), stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(tuple(kernel)).append(", stride=").append(tuple(stride));
        if (same) sb.append(", padding=same");
        else if (padding[0] != 0 || padding[2] != 0) sb.append(", padding=").append(tuple(new int[] {padding[0], padding[2]}));
        if (dilation[0] != 1 || dilation[1] != 1) sb.append(", dilation=").append(tuple(dilation));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (!hasBias) sb.append(", bias=False");
        return sb.toString();
    }

    static String tuple(int[] v) {
        return "(" + v[0] + ", " + v[1] + ")";
    }
}
