package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Conv2d} and {@link ConvTranspose2d} share, as PyTorch's _ConvNd: channels, kernel,
 * stride, dilation, groups and an optional bias, their checks, PyTorch's default initialization
 * (weight by {@code Init.kaimingUniform(w, √5, FAN_IN, LEAKY_RELU)}, i.e. U(−1/√fan_in,
 * 1/√fan_in) with fan_in = weight dim 1 · kh · kw, then the bias from the same range), and the
 * settings builder.
 */
public abstract class ConvLayer extends Layer {
    final int outChannels, groups;
    final int[] kernel, stride, dilation;
    final boolean hasBias;
    private final boolean transposed;
    int inChannels; // 0 until a lazy layer sees its first input
    private Generator lazyGen; // the generator a lazy layer initializes from, until it is built

    /**
     * Checks the settings, registers the weight ([in, out/groups, kh, kw] when transposed, else
     * [out, in/groups, kh, kw]) and the bias, and initializes them.
     */
    ConvLayer(String kind, Settings<?> b, boolean transposed) {
        String name = kind + "(" + (b.lazy ? "?" : b.in) + ", " + b.out + ")";
        if ((!b.lazy && b.in <= 0) || b.out <= 0) {
            throw new IllegalArgumentException(name + ": in_channels and out_channels must both be positive");
        }
        if (b.groups < 1 || (!b.lazy && b.in % b.groups != 0) || b.out % b.groups != 0) {
            throw new IllegalArgumentException(name + ": groups " + b.groups + " must be >= 1 and divide both in_channels "
                    + b.in + " and out_channels " + b.out);
        }
        if (b.gen == null) throw new IllegalArgumentException(name + ": the generator is null; pass Generator.global() or a seeded one");
        this.outChannels = b.out;
        this.groups = b.groups;
        this.kernel = pair(name, "kernel size", b.kernel, 1);
        this.stride = pair(name, "stride", b.stride, 1);
        this.dilation = pair(name, "dilation", b.dilation, 1);
        this.hasBias = b.bias;
        this.transposed = transposed;
        if (b.lazy) {
            lazyGen = b.gen;
            deferBuild();
        } else {
            create(b.in, DType.FLOAT32, b.gen);
        }
    }

    private void create(int in, DType dtype, Generator gen) {
        this.inChannels = in;
        registerParameter("weight", transposed ? Tensor.zeros(dtype, in, outChannels / groups, kernel[0], kernel[1])
                : Tensor.zeros(dtype, outChannels, in / groups, kernel[0], kernel[1]));
        if (hasBias) registerParameter("bias", Tensor.zeros(dtype, outChannels));
        resetParameters(gen);
    }

    /**
     * A lazy layer's first input x: takes its channels (dim −3) as in_channels, checks that the
     * groups divide them, and creates the parameters, of x's type. Does nothing once built.
     */
    void buildFor(Tensor x) {
        int[] s = x.shape();
        if (inChannels != 0 || s.length < 3) return;
        int c = s[s.length - 3];
        if (c < 1 || c % groups != 0) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(s) + " has " + c + " channels, which groups "
                    + groups + " must divide");
        }
        create(c, x.dtype(), lazyGen);
        lazyGen = null;
        markBuilt();
    }

    static int[] pair(String name, String what, int[] v, int min) {
        if (v == null || (v.length != 1 && v.length != 2) || Arrays.stream(v).anyMatch(x -> x < min)) {
            throw new IllegalArgumentException(name + ": " + what + " " + Arrays.toString(v)
                    + " must be one value or two (height, width), each >= " + min);
        }
        return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    }

    /** The window size {height, width}. */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** The stride {height, width}. */
    public int[] stride() {
        return stride.clone();
    }

    /** The dilation {height, width}. */
    public int[] dilation() {
        return dilation.clone();
    }

    /** The number of channel groups (1: every output channel sees every input channel). */
    public int groups() {
        return groups;
    }

    /** Re-draws the default initialization (see the class comment) from gen. */
    public void resetParameters(Generator gen) {
        Init.kaimingUniform(weight(), Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU, gen);
        if (hasBias) {
            double bound = 1 / Math.sqrt((double) weight().size(1) * kernel[0] * kernel[1]);
            Init.uniform(bias(), -bound, bound, gen);
        }
    }

    /** The weight: [out, in/groups, kh, kw] for a convolution, [in, out/groups, kh, kw] for a transposed one. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The bias, shape [out], or null for a layer without bias. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    /** The number of input channels (0 for a lazy layer not yet built). */
    public int inChannels() {
        return inChannels;
    }

    /** The number of output channels. */
    public int outChannels() {
        return outChannels;
    }


    /** Checks that s is [N, C, H, W] or [C, H, W] with C = inChannels; the message names the layer and a fix. */
    void checkInput(int[] s) {
        if (s.length != 3 && s.length != 4) {
            String c = inChannels == 0 ? "channels" : String.valueOf(inChannels);
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(s) + " must be [batch, " + c
                    + ", height, width] (or [" + c + ", height, width]); images are NCHW"
                    + (s.length == 2 ? " (reshape flat rows, e.g. x.reshape(-1, " + c + ", H, W))" : ""));
        }
        if (inChannels != 0 && s[s.length - 3] != inChannels) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(s) + " has " + s[s.length - 3]
                    + " channels, expected " + inChannels + "; images are NCHW (channels before height and width), or build "
                    + typeName() + "(" + s[s.length - 3] + ", " + outChannels + ", ...)");
        }
    }

    /** The padding part of the layer's description (PyTorch's names), "" when there is none. */
    abstract String paddingRepr();

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inChannels == 0 ? "?" : inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(tuple(kernel)).append(", stride=").append(tuple(stride)).append(paddingRepr());
        if (dilation[0] != 1 || dilation[1] != 1) sb.append(", dilation=").append(tuple(dilation));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (!hasBias) sb.append(", bias=False");
        return sb.toString();
    }

    /** The settings both layers share, the padding and the given ones: what {@link #config()} holds. */
    Map<String, Object> withPadding(Object padding, Map<String, Object> more) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", inChannels);
        c.put("out", outChannels);
        c.put("kernel", kernel.clone());
        c.put("stride", stride.clone());
        c.put("padding", padding);
        c.put("dilation", dilation.clone());
        c.put("groups", groups);
        c.put("bias", hasBias);
        c.putAll(more);
        return c;
    }

    static String tuple(int[] v) {
        return "(" + v[0] + ", " + v[1] + ")";
    }

    /**
     * The settings both layers take besides their padding, with PyTorch's defaults; B is the
     * concrete builder, so that the setters chain.
     */
    public abstract static class Settings<B extends Settings<B>> {
        final int in, out;
        final int[] kernel;
        int[] stride = {1}, dilation = {1};
        int groups = 1;
        boolean bias = true;
        Generator gen = Generator.global();
        final boolean lazy;

        Settings(int in, int out, int[] kernel) {
            this(in, out, kernel, false);
        }

        /** lazy: in_channels is inferred from the first input (in is then ignored). */
        Settings(int in, int out, int[] kernel, boolean lazy) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
            this.lazy = lazy;
        }

        @SuppressWarnings("unchecked")
        B self() {
            return (B) this;
        }

        /** Stride: 1 value or {height, width} (default 1). */
        public B stride(int... s) {
            stride = s;
            return self();
        }

        /** Dilation: 1 value or {height, width} (default 1). */
        public B dilation(int... d) {
            dilation = d;
            return self();
        }

        /** Groups (default 1): channels are split into this many independent convolutions. */
        public B groups(int g) {
            groups = g;
            return self();
        }

        /** Whether the layer has a bias (default true). */
        public B bias(boolean b) {
            bias = b;
            return self();
        }

        /** The generator the initial weights are drawn from (default: the global one). */
        public B generator(Generator g) {
            gen = g;
            return self();
        }
    }
}
