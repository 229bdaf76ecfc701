package dev.nabla.io.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.Dropout2d;
import dev.nabla.nn.GlobalAvgPool2d;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Vgg;
import dev.nabla.tensor.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The image layers of a model spec (NCHW: an example's shape is [channels, height, width], e.g.
 * {@code "input": [1, 28, 28]}). Sizes given as "1 value or [height, width]":
 *
 * <pre>{@code
 * {"type": "conv2d", "filters": 32, "kernel": 3, "stride": 1, "padding": 1 | [1, 2] | "same" | "valid",
 *  "dilation": 1, "groups": 1, "bias": true, "activation": "relu"}
 * {"type": "conv_transpose2d", "filters": 16, "kernel": 4, "stride": 2, "padding": 1, "outputPadding": 0,
 *  "dilation": 1, "groups": 1, "bias": true, "activation": "relu"}  (upsamples: PyTorch's ConvTranspose2d)
 * {"type": "maxpool2d", "kernel": 2, "stride": 2, "padding": 0, "ceilMode": false}   (stride defaults to the kernel)
 * {"type": "avgpool2d", "kernel": 2, "stride": 2, "padding": 0, "ceilMode": false, "countIncludePad": true}
 * {"type": "global_avg_pool2d"}                                         ([C, H, W] → [C])
 * {"type": "batchnorm2d", "eps": 1e-5, "momentum": 0.1, "affine": true} (batchnorm1d: [C] or [C, L])
 * {"type": "dropout2d", "rate": 0.2}
 * {"type": "vgg", "config": "D" | "vgg16" | ..., "classes": 2, "batchNorm": false, "dropout": 0.5, "hidden": 4096}
 * }</pre>
 *
 * Each layer's channels come from the shape before it, and its output shape is computed from the
 * layer ({@link Layer#outputShape}), so a shape that does not fit is reported when the spec is
 * read. A "vgg" entry expands into the whole network (convolutions to the last linear layer).
 */
final class ImageLayers {
    private ImageLayers() {}

    /** The layer types read here. */
    static final Set<String> TYPES = new LinkedHashSet<>(List.of("conv2d", "conv_transpose2d", "maxpool2d", "avgpool2d", "global_avg_pool2d",
            "batchnorm1d", "batchnorm2d", "dropout2d", "vgg"));

    /** The modules of one spec entry, for an input of the given per-example shape. */
    static List<Layer> build(String type, Node layer, int[] shape, Generator gen) {
        String here = layer.path;
        return switch (type) {
            case "conv2d" -> {
                int in = channels(here, type, shape);
                if (layer.has("in") && layer.integer("in") != in) {
                    throw new SpecException(here + ".in", "is " + layer.integer("in") + " but the input has " + in
                            + " channels (shape " + Arrays.toString(shape) + ")");
                }
                var b = Conv2d.builder(in, layer.positive("filters", 0), pair(layer, "kernel", null, 1))
                        .stride(pair(layer, "stride", new int[] {1}, 1)).dilation(pair(layer, "dilation", new int[] {1}, 1))
                        .groups(layer.positive("groups", 1)).bias(layer.bool("bias", true)).generator(gen);
                JsonNode p = layer.has("padding") ? layer.json.get("padding") : null;
                if (p != null && p.isTextual()) {
                    switch (p.asText().toLowerCase(Locale.ROOT)) {
                        case "same" -> b.paddingSame();
                        case "valid" -> b.padding(0);
                        default -> throw new SpecException(here + ".padding", "expected a whole number, [height, width], \"same\" or \"valid\", got " + p);
                    }
                } else {
                    b.padding(pair(layer, "padding", new int[] {0}, 0));
                }
                yield List.of(make(here, b::build));
            }
            case "conv_transpose2d" -> {
                var b = ConvTranspose2d.builder(channels(here, type, shape), layer.positive("filters", 0), pair(layer, "kernel", null, 1))
                        .stride(pair(layer, "stride", new int[] {1}, 1)).padding(pair(layer, "padding", new int[] {0}, 0))
                        .outputPadding(pair(layer, "outputPadding", new int[] {0}, 0))
                        .dilation(pair(layer, "dilation", new int[] {1}, 1)).groups(layer.positive("groups", 1))
                        .bias(layer.bool("bias", true)).generator(gen);
                yield List.of(make(here, b::build));
            }
            case "maxpool2d" -> {
                int[] k = pair(layer, "kernel", null, 1);
                int[] s = pair(layer, "stride", k, 1), p = pair(layer, "padding", new int[] {0}, 0);
                boolean ceil = layer.bool("ceilMode", false);
                yield List.of(make(here, () -> new MaxPool2d(k, s, p).ceilMode(ceil)));
            }
            case "avgpool2d" -> {
                int[] k = pair(layer, "kernel", null, 1);
                int[] s = pair(layer, "stride", k, 1), p = pair(layer, "padding", new int[] {0}, 0);
                boolean include = layer.bool("countIncludePad", true), ceil = layer.bool("ceilMode", false);
                yield List.of(make(here, () -> new AvgPool2d(k, s, p, include).ceilMode(ceil)));
            }
            case "global_avg_pool2d" -> List.of(new GlobalAvgPool2d());
            case "batchnorm1d", "batchnorm2d" -> {
                if (shape.length < 1) throw new SpecException(here, type + " needs an input with a channel dim");
                double eps = layer.number("eps", 1e-5), momentum = layer.number("momentum", 0.1);
                boolean affine = layer.bool("affine", true);
                yield List.of(make(here, () -> type.equals("batchnorm1d") ? new BatchNorm1d(shape[0], eps, momentum, affine)
                        : new BatchNorm2d(shape[0], eps, momentum, affine)));
            }
            case "dropout2d" -> {
                double rate = layer.number("rate");
                if (!(rate >= 0 && rate < 1)) throw new SpecException(here + ".rate", "must be in [0, 1), got " + rate);
                yield List.of(new Dropout2d(rate, gen));
            }
            case "vgg" -> {
                int c = channels(here, type, shape);
                String config = layer.string("config");
                if (Vgg.CONFIGS.stream().noneMatch(v -> v.equalsIgnoreCase(config))) {
                    throw Node.unknownChoice(here + ".config", "VGG configuration", config, new LinkedHashSet<>(Vgg.CONFIGS));
                }
                var v = Vgg.builder(config).input(c, shape[1], shape[2]).classes(layer.positive("classes", 0))
                        .batchNorm(layer.bool("batchNorm", false)).dropout(layer.number("dropout", 0.5))
                        .hidden(layer.positive("hidden", 4096)).generator(gen);
                yield make(here, v::layers);
            }
            default -> throw new IllegalStateException("not an image layer: " + type);
        };
    }

    /** The shape after the modules, for one example; a misfit names the layer, its input and the reason. */
    static int[] outputShape(List<Layer> modules, int[] shape, String here, String what, String previous) {
        int[] s = new int[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        for (Layer m : modules) {
            try {
                s = m.outputShape(s);
            } catch (IllegalArgumentException e) {
                throw new SpecException(here, what + " cannot take the output of " + previous + ", of shape "
                        + Arrays.toString(shape) + " per example: " + e.getMessage());
            }
            if (s == null) throw new IllegalStateException(m.typeName() + " does not report its output shape");
        }
        return Arrays.copyOfRange(s, 1, s.length);
    }

    /** The spec name of a module built here or by ModelSpec (for the layer names of a VGG). */
    static String name(Layer m) {
        return switch (m.typeName()) {
            case "Conv2d" -> "conv2d";
            case "ConvTranspose2d" -> "conv_transpose2d";
            case "MaxPool2d" -> "maxpool2d";
            case "AvgPool2d" -> "avgpool2d";
            case "BatchNorm2d" -> "batchnorm2d";
            case "BatchNorm1d" -> "batchnorm1d";
            case "ReLU" -> "relu";
            case "Flatten" -> "flatten";
            case "Linear" -> "linear";
            case "Dropout" -> "dropout";
            default -> m.typeName().toLowerCase(Locale.ROOT);
        };
    }

    private static int channels(String here, String type, int[] shape) {
        if (shape.length != 3) {
            throw new SpecException(here, type + " needs inputs of shape [channels, height, width] (NCHW), but its input has shape "
                    + Arrays.toString(shape) + (shape.length == 1 ? "; give images as \"input\": [channels, height, width], e.g. [1, 28, 28]" : ""));
        }
        return shape[0];
    }

    private static <T> T make(String here, java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new SpecException(here, e.getMessage());
        }
    }

    /** A size given as one whole number or [height, width]. */
    private static int[] pair(Node layer, String key, int[] dflt, int min) {
        if (!layer.has(key)) {
            if (dflt == null) throw new SpecException(layer.path, "missing required key \"" + key + "\"");
            return dflt;
        }
        JsonNode v = layer.json.get(key);
        List<Integer> out = new ArrayList<>();
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            out.add(v.asInt());
        } else if (v.isArray() && v.size() == 2) {
            for (JsonNode e : v) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) out.clear();
                else out.add(e.asInt());
            }
            if (out.size() != 2) out.clear();
        }
        if (out.isEmpty() || out.stream().anyMatch(x -> x < min)) {
            throw new SpecException(layer.path + "." + key, "expected a whole number >= " + min + " or [height, width], got " + v);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
