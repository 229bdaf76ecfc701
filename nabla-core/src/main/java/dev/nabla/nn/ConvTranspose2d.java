package dev.nabla.nn;

import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Map;

/**
 * A 2-D transposed convolution (the adjoint of {@link Conv2d}, often called a deconvolution: it
 * upsamples, e.g. in decoders and GAN generators) over inputs [N, C, H, W] (or [C, H, W]), as
 * PyTorch's nn.ConvTranspose2d: weight [in, out/groups, kh, kw], bias [out], stride, padding
 * (removed from both sides of the output), output padding (added to one side, to pick among the
 * sizes a strided convolution maps to the same input size), dilation and groups. Output size per
 * dim: (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
 *
 * <p>Default initialization, PyTorch's (see {@link ConvLayer}): fan_in = out/groups·kh·kw, from
 * weight dim 1, as PyTorch computes it for this weight shape.
 *
 * <pre>{@code
 * ConvTranspose2d.builder(64, 32, 4).stride(2).padding(1).build(); // doubles height and width
 * }</pre>
 */
public class ConvTranspose2d extends ConvLayer {
    private final int[] padding, outputPadding;

    private ConvTranspose2d(Builder b) {
        super("ConvTranspose2d", b, true);
        String name = "ConvTranspose2d(" + b.in + ", " + b.out + ")";
        this.padding = pair(name, "padding", b.padding, 0);
        this.outputPadding = pair(name, "output padding", b.outputPadding, 0);
        for (int d = 0; d < 2; d++) {
            if (outputPadding[d] >= Math.max(stride[d], dilation[d])) {
                throw new IllegalArgumentException(name + ": output padding " + tuple(outputPadding)
                        + " must be smaller than the stride " + tuple(stride) + " or the dilation " + tuple(dilation)
                        + " (as in PyTorch)");
            }
        }
    }

    /** Starts a transposed convolution with in and out channels and a kernel size (1 value or {height, width}). */
    public static Builder builder(int inChannels, int outChannels, int... kernel) {
        return new Builder(inChannels, outChannels, kernel);
    }

    /** The settings of a {@link ConvTranspose2d}: those of {@link ConvLayer.Settings}, the padding and output padding. */
    public static final class Builder extends ConvLayer.Settings<Builder> {
        private int[] padding = {0}, outputPadding = {0};

        private Builder(int in, int out, int[] kernel) {
            super(in, out, kernel);
        }

        /** Padding removed from both sides of the output: 1 value or {height, width} (default 0). */
        public Builder padding(int... p) {
            padding = p;
            return this;
        }

        /** Rows/columns added to the bottom/right of the output: 1 value or {height, width} (default 0). */
        public Builder outputPadding(int... p) {
            outputPadding = p;
            return this;
        }

        /** The layer, initialized. */
        public ConvTranspose2d build() {
            return new ConvTranspose2d(this);
        }
    }

    /** The shape this layer gives for an input of shape [C, H, W] or [N, C, H, W], without running it. */
    @Override
    public int[] outputShape(int[] inputShape) {
        checkInput(inputShape);
        int r = inputShape.length;
        int[] out = inputShape.clone();
        out[r - 3] = outChannels;
        for (int d = 0; d < 2; d++) {
            out[r - 2 + d] = (inputShape[r - 2 + d] - 1) * stride[d] - 2 * padding[d] + dilation[d] * (kernel[d] - 1)
                    + outputPadding[d] + 1;
        }
        if (out[r - 2] < 1 || out[r - 1] < 1) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(inputShape) + " gives an output of "
                    + out[r - 2] + "x" + out[r - 1] + "; use less padding or a larger input");
        }
        return out;
    }

    /** The padding {height, width} removed from both sides of the output. */
    public int[] padding() {
        return padding.clone();
    }

    /** The rows and columns {height, width} added to the bottom and right of the output. */
    public int[] outputPadding() {
        return outputPadding.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(x.shape());
        return x.convTranspose2d(weight(), bias(), stride, padding, outputPadding, dilation, groups);
    }

    @Override
    String paddingRepr() {
        String s = padding[0] != 0 || padding[1] != 0 ? ", padding=" + tuple(padding) : "";
        return outputPadding[0] != 0 || outputPadding[1] != 0 ? s + ", output_padding=" + tuple(outputPadding) : s;
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return withPadding(padding, Map.of("outputPadding", outputPadding));
    }
}
