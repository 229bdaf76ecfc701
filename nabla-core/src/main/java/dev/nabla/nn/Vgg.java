package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The VGG networks of Simonyan and Zisserman (2015), "Very Deep Convolutional Networks for
 * Large-Scale Image Recognition", configurations A to E of their Table 1: blocks of 3×3
 * convolutions (stride 1, padding 1) each followed by ReLU, a 2×2 max pooling after each block,
 * then Flatten, FC-4096, ReLU, Dropout, FC-4096, ReLU, Dropout, FC-classes. Configuration C (VGG16
 * with a 1×1 convolution last in blocks 3 to 5) is included; D is the usual VGG16, E VGG19.
 *
 * <p>The network is one flat {@link Sequential}, so its summary lists every layer: for D with
 * 224×224×3 inputs and 2 classes, the convolutions have 1,792, 36,928, 73,856, 147,584, 295,168,
 * 590,080, 590,080, 1,180,160 and 5 × 2,359,808 parameters, the classifier 102,764,544,
 * 16,781,312 and 8,194: 134,268,738 in all (138,357,544 with 1000 classes).
 *
 * <p>Weights are initialized with the variances torchvision uses, drawn from uniform rather than
 * normal distributions (which is several times faster for 138 million weights): convolutions
 * He-uniform (fan_out, ReLU: variance 2/fan_out) with zero bias, linear layers U(−a, a) with
 * a = 0.01·√3 (standard deviation 0.01) and zero bias, batch norms γ = 1, β = 0.
 *
 * <pre>{@code
 * Sequential net = Vgg.vgg16(2);
 * Sequential small = Vgg.builder("A").input(3, 64, 64).classes(10).batchNorm(true).build();
 * }</pre>
 */
public final class Vgg {
    private Vgg() {}

    /** A max pooling in a configuration. */
    private static final int M = 0;
    /** A negative entry is a 1×1 convolution with that many channels (configuration C). */
    private static final int[] A = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] B = {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] C = {64, 64, M, 128, 128, M, 256, 256, -256, M, 512, 512, -512, M, 512, 512, -512, M};
    private static final int[] D = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
    private static final int[] E = {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M,
            512, 512, 512, 512, M};

    /** The configuration names this class accepts: A–E and vgg11, vgg13, vgg16, vgg19. */
    public static final List<String> CONFIGS = List.of("A", "B", "C", "D", "E", "vgg11", "vgg13", "vgg16", "vgg19");

    private static int[] layout(String config) {
        return switch (config.toLowerCase(Locale.ROOT)) {
            case "a", "vgg11" -> A;
            case "b", "vgg13" -> B;
            case "c" -> C;
            case "d", "vgg16" -> D;
            case "e", "vgg19" -> E;
            default -> throw new IllegalArgumentException("Vgg: unknown configuration \"" + config + "\"; choose one of "
                    + String.join(", ", CONFIGS));
        };
    }

    /** VGG11 (configuration A) for 224×224 RGB inputs. */
    public static Sequential vgg11(int classes) {
        return builder("A").classes(classes).build();
    }

    /** VGG13 (configuration B) for 224×224 RGB inputs. */
    public static Sequential vgg13(int classes) {
        return builder("B").classes(classes).build();
    }

    /** VGG16 (configuration D) for 224×224 RGB inputs, as in the course's table. */
    public static Sequential vgg16(int classes) {
        return builder("D").classes(classes).build();
    }

    /** VGG19 (configuration E) for 224×224 RGB inputs. */
    public static Sequential vgg19(int classes) {
        return builder("E").classes(classes).build();
    }

    /** Starts a VGG of a configuration ("A" … "E", or "vgg11", "vgg13", "vgg16", "vgg19"). */
    public static Builder builder(String config) {
        return new Builder(config);
    }

    /** The settings of a VGG network; defaults: 224×224×3 inputs, 1000 classes, no batch norm, dropout 0.5. */
    public static final class Builder {
        private final String config;
        private int channels = 3, height = 224, width = 224, classes = 1000, hidden = 4096;
        private boolean batchNorm;
        private double dropout = 0.5;
        private Generator gen = Generator.global();

        private Builder(String config) {
            layout(config);
            this.config = config;
        }

        /** The input shape [channels, height, width] of one example (NCHW without the batch). */
        public Builder input(int channels, int height, int width) {
            this.channels = channels;
            this.height = height;
            this.width = width;
            return this;
        }

        /** The number of classes of the last layer. */
        public Builder classes(int classes) {
            this.classes = classes;
            return this;
        }

        /** The width of the two hidden fully connected layers (4096 in the paper). */
        public Builder hidden(int units) {
            this.hidden = units;
            return this;
        }

        /** Whether a BatchNorm2d follows each convolution (torchvision's vgg16_bn). */
        public Builder batchNorm(boolean on) {
            this.batchNorm = on;
            return this;
        }

        /** The dropout probability after each hidden fully connected layer (0 for none). */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** The generator the initial weights are drawn from. */
        public Builder generator(Generator g) {
            this.gen = g;
            return this;
        }

        /** The network as a flat Sequential. */
        public Sequential build() {
            return new Sequential(layers());
        }

        /** The layers in order (the spec reader inserts them into a larger network). */
        public List<Layer> layers() {
            String name = "Vgg(" + config + ")";
            if (channels < 1 || classes < 1 || hidden < 1) {
                throw new IllegalArgumentException(name + ": channels " + channels + ", classes " + classes + " and hidden units "
                        + hidden + " must be positive");
            }
            if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException(name + ": dropout " + dropout + " must be in [0, 1)");
            if (gen == null) throw new IllegalArgumentException(name + ": the generator is null");
            int[] cfg = layout(config);
            int pools = (int) Arrays.stream(cfg).filter(v -> v == M).count();
            int h = height, w = width;
            for (int i = 0; i < pools; i++) {
                h /= 2;
                w /= 2;
            }
            if (h < 1 || w < 1) {
                throw new IllegalArgumentException(name + ": input " + height + "x" + width + " is too small for " + pools
                        + " max poolings of 2x2; VGG needs at least " + (1 << pools) + "x" + (1 << pools) + " pixels");
            }
            List<Layer> layers = new ArrayList<>();
            int in = channels;
            for (int v : cfg) {
                if (v == M) {
                    layers.add(new MaxPool2d(2));
                    continue;
                }
                int out = Math.abs(v), k = v < 0 ? 1 : 3;
                Conv2d conv = Conv2d.builder(in, out, k).padding(k / 2).generator(gen).build();
                Init.kaimingUniform(conv.weight(), 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, gen);
                Init.zeros(conv.bias());
                layers.add(conv);
                if (batchNorm) layers.add(new BatchNorm2d(out));
                layers.add(new ReLU());
                in = out;
            }
            layers.add(new Flatten());
            int features = in * h * w;
            int[] widths = {features, hidden, hidden, classes};
            for (int i = 0; i < 3; i++) {
                Linear fc = new Linear(widths[i], widths[i + 1], gen);
                Init.uniform(fc.weight(), -0.01 * Math.sqrt(3), 0.01 * Math.sqrt(3), gen);
                Init.zeros(fc.bias());
                layers.add(fc);
                if (i < 2) {
                    layers.add(new ReLU());
                    if (dropout > 0) layers.add(new Dropout(dropout, gen));
                }
            }
            return layers;
        }
    }
}
